public import Foundation

/// The record types of the CRM.
public enum RecordType: String, Sendable, Hashable, CaseIterable {
    case lead, customer, opportunity, task

    /// The plural name used by commands and store tables (`leads`, `opportunities`, …).
    public var plural: String {
        switch self {
        case .lead: return "leads"
        case .customer: return "customers"
        case .opportunity: return "opportunities"
        case .task: return "tasks"
        }
    }

    /// The field a record's place in its pipeline is: an opportunity's stage, a lead's or a task's status; customers
    /// have none. Boards, `--stage`/`--status` filters and the checks of `set` all read it here.
    public var pipelineField: String? {
        switch self {
        case .lead, .task: return "status"
        case .opportunity: return "stage"
        case .customer: return nil
        }
    }
}

/// One named, typed field of a record type, as mapping files and the store address it.
///
/// Field names are snake_case; nested values use a dot (`address.city`); custom fields are
/// `custom.<name>` and are not listed here (every record carries a `custom` dictionary).
public struct FieldDescriptor<Record>: Sendable {
    /// The name mapping files use, e.g. `first_name` or `address.city`.
    public let name: String
    /// What the field holds.
    public let kind: FieldKind
    /// Reads the field.
    public let get: @Sendable (Record) -> FieldValue
    /// Writes the field; a value of the wrong kind or `.empty` clears it.
    public let set: @Sendable (inout Record, FieldValue) -> Void
    /// The values a whole-number field may hold (a percentage: 0...100), or nil for any.
    public let range: ClosedRange<Int>?

    public init(
        _ name: String, _ kind: FieldKind, range: ClosedRange<Int>? = nil,
        get: @escaping @Sendable (Record) -> FieldValue, set: @escaping @Sendable (inout Record, FieldValue) -> Void
    ) {
        self.name = name
        self.kind = kind
        self.range = range
        self.get = get
        self.set = set
    }
}

/// A record of the CRM: an id, the source's own id, custom fields, stamps, and a field table.
public protocol CRMRecord: Sendable, Equatable {
    /// The type tag of this record type.
    static var recordType: RecordType { get }
    /// Every standard field, in the order exports and tables use.
    static var fields: [FieldDescriptor<Self>] { get }
    /// The local id.
    var id: RecordID { get set }
    /// Custom fields (`custom.<name>` in mapping files), by name.
    var custom: [String: String] { get set }
    /// When the record was created at its source (or locally when unknown).
    var createdAt: Date? { get set }
    /// When the record last changed locally.
    var updatedAt: Date? { get set }
    /// An empty record with the given id.
    init(id: RecordID)
    /// The value of `fields[index]`, read without calling through the descriptor (the fast path).
    func fieldValue(_ index: Int) -> FieldValue
    /// Every standard field's value, in the order of `fields`.
    func fieldValues() -> [FieldValue]
    /// A record from values in the order of `fields`, and custom fields.
    init(id: RecordID, fieldValues: [FieldValue], custom: [String: String])
}

extension CRMRecord {
    /// The descriptor of a standard field by name.
    public static func field(named name: String) -> FieldDescriptor<Self>? {
        fields.first { $0.name == name }
    }

    /// Sets the first `values.count` standard fields through their descriptors (the slow, general path
    /// of `init(id:fieldValues:custom:)` when it is given fewer values than there are fields).
    public mutating func setFields(_ values: [FieldValue], custom: [String: String]) {
        for (k, v) in values.enumerated() where k < Self.fields.count { Self.fields[k].set(&self, v) }
        self.custom = custom
    }

    /// The index of a standard field in `fields`.
    public static func fieldIndex(named name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }

    /// The value of a standard field or a `custom.<name>` field.
    public func value(of name: String) -> FieldValue {
        if name.hasPrefix("custom.") {
            let key = String(name.dropFirst(7))
            return custom[key].map { FieldValue.text($0) } ?? .empty
        }
        return Self.fieldIndex(named: name).map { fieldValue($0) } ?? .empty
    }
}

// MARK: - Reading field values

extension FieldValue {
    /// The text, or "" for anything that is not text.
    public var text: String {
        if case .text(let s) = self { return s }
        return ""
    }
    /// The text, or "" — for text fields.
    static func textField(_ s: String) -> FieldValue { s.isEmpty ? .empty : .text(s) }

    var decimal: Decimal? {
        switch self {
        case .number(let d): return d
        case .integer(let i): return Decimal(i)
        default: return nil
        }
    }
    var int: Int? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return NSDecimalNumber(decimal: d).intValue
        default: return nil
        }
    }
    var bool: Bool {
        if case .bool(let b) = self { return b }
        return false
    }
    var day: CalendarDay? {
        if case .day(let d) = self { return d }
        return nil
    }
    var instant: Date? {
        if case .instant(let d) = self { return d }
        return nil
    }
    var list: [String] {
        switch self {
        case .list(let l): return l
        case .text(let s): return s.isEmpty ? [] : [s]
        default: return []
        }
    }
    static func optional(_ d: Decimal?) -> FieldValue { d.map { .number($0) } ?? .empty }
    static func optional(_ i: Int?) -> FieldValue { i.map { .integer($0) } ?? .empty }
    static func optional(_ d: CalendarDay?) -> FieldValue { d.map { .day($0) } ?? .empty }
    static func optional(_ d: Date?) -> FieldValue { d.map { .instant($0) } ?? .empty }
    static func listField(_ l: [String]) -> FieldValue { l.isEmpty ? .empty : .list(l) }
}

/// A postal address (billing or shipping).
public struct Address: Sendable, Hashable {
    public var street = ""
    public var city = ""
    public var state = ""
    public var postcode = ""
    public var country = ""
    public init() {}
}
