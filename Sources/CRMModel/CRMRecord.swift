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

    public init(
        _ name: String, _ kind: FieldKind, get: @escaping @Sendable (Record) -> FieldValue,
        set: @escaping @Sendable (inout Record, FieldValue) -> Void
    ) {
        self.name = name
        self.kind = kind
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
}

extension CRMRecord {
    /// The descriptor of a standard field by name.
    public static func field(named name: String) -> FieldDescriptor<Self>? {
        fields.first { $0.name == name }
    }

    /// The value of a standard field or a `custom.<name>` field.
    public func value(of name: String) -> FieldValue {
        if name.hasPrefix("custom.") {
            let key = String(name.dropFirst(7))
            return custom[key].map { FieldValue.text($0) } ?? .empty
        }
        return Self.field(named: name)?.get(self) ?? .empty
    }
}

// MARK: - Helpers for field tables

/// Builds descriptors over key paths, so record types declare their fields in one line each.
enum Field {
    static func text<R>(_ name: String, _ kind: FieldKind = .text, _ kp: any WritableKeyPath<R, String> & Sendable)
        -> FieldDescriptor<R>
    {
        FieldDescriptor(
            name, kind, get: { r in r[keyPath: kp].isEmpty ? .empty : .text(r[keyPath: kp]) },
            set: { r, v in
                if case .text(let s) = v { r[keyPath: kp] = s } else { r[keyPath: kp] = "" }
            })
    }

    static func number<R>(_ name: String, _ kp: any WritableKeyPath<R, Decimal?> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .number, get: { r in r[keyPath: kp].map { .number($0) } ?? .empty },
            set: { r, v in
                switch v {
                case .number(let d): r[keyPath: kp] = d
                case .integer(let i): r[keyPath: kp] = Decimal(i)
                default: r[keyPath: kp] = nil
                }
            })
    }

    static func integer<R>(_ name: String, _ kp: any WritableKeyPath<R, Int?> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .integer, get: { r in r[keyPath: kp].map { .integer($0) } ?? .empty },
            set: { r, v in
                switch v {
                case .integer(let i): r[keyPath: kp] = i
                case .number(let d): r[keyPath: kp] = NSDecimalNumber(decimal: d).intValue
                default: r[keyPath: kp] = nil
                }
            })
    }

    static func bool<R>(_ name: String, _ kp: any WritableKeyPath<R, Bool> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .bool, get: { r in .bool(r[keyPath: kp]) },
            set: { r, v in
                if case .bool(let b) = v { r[keyPath: kp] = b } else { r[keyPath: kp] = false }
            })
    }

    static func day<R>(_ name: String, _ kp: any WritableKeyPath<R, CalendarDay?> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .day, get: { r in r[keyPath: kp].map { .day($0) } ?? .empty },
            set: { r, v in
                if case .day(let d) = v { r[keyPath: kp] = d } else { r[keyPath: kp] = nil }
            })
    }

    static func instant<R>(_ name: String, _ kp: any WritableKeyPath<R, Date?> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .instant, get: { r in r[keyPath: kp].map { .instant($0) } ?? .empty },
            set: { r, v in
                if case .instant(let d) = v { r[keyPath: kp] = d } else { r[keyPath: kp] = nil }
            })
    }

    static func list<R>(_ name: String, _ kp: any WritableKeyPath<R, [String]> & Sendable) -> FieldDescriptor<R> {
        FieldDescriptor(
            name, .list, get: { r in r[keyPath: kp].isEmpty ? .empty : .list(r[keyPath: kp]) },
            set: { r, v in
                switch v {
                case .list(let l): r[keyPath: kp] = l
                case .text(let s): r[keyPath: kp] = s.isEmpty ? [] : [s]
                default: r[keyPath: kp] = []
                }
            })
    }

    static func address<R>(_ prefix: String, _ kp: any WritableKeyPath<R, Address> & Sendable) -> [FieldDescriptor<R>] {
        func part(_ name: String, _ sub: any WritableKeyPath<Address, String> & Sendable) -> FieldDescriptor<R> {
            FieldDescriptor(
                prefix + "." + name, .text,
                get: { r in
                    let s = r[keyPath: kp][keyPath: sub]
                    return s.isEmpty ? .empty : .text(s)
                },
                set: { r, v in
                    if case .text(let s) = v { r[keyPath: kp][keyPath: sub] = s } else { r[keyPath: kp][keyPath: sub] = "" }
                })
        }
        return [
            part("street", \Address.street), part("city", \Address.city), part("state", \Address.state),
            part("postcode", \Address.postcode), part("country", \Address.country),
        ]
    }
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
