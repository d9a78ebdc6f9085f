public import CRMModel
import Foundation

/// A mapping compiled against one file's header: turns raw rows into records of one type.
///
/// Built once per import; `map` is the per-row hot path and allocates only the strings it keeps.
public struct RowMapper<Record: CRMRecord>: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable and thread-safe once built.

    public let mapping: MappingFile
    /// The header the columns were resolved against.
    public let header: [String]
    /// Column index of the external id, if the mapping names one.
    public let externalIDColumn: Int?
    /// The column of crmgate record ids (`MappingFile.recordID`).
    public let recordIDColumn: Int?
    private let fields: [CompiledField]
    /// The values of an empty record (defaults such as a lead's status), the start of every row.
    private let template: [FieldValue]
    /// The indices of `template`'s values other than `.empty` (a new record's defaults).
    private let templateSet: [Int]
    private let phoneCountryColumn: Int?
    private let zone: TimeZone
    private let defaultRegion: String
    private let regionCache = Memo()
    /// CSV sources: take the formula guard off cells (see `cell`).
    private let unguards: Bool
    /// The header's names as bytes, trimmed, for `repeatsHeader`.
    private let headerBytes: [[UInt8]]

    /// The indices in `Record.fields` of the fields a mapped row can have a value in: those the mapping fills and
    /// those a new record has by default. The others are always empty (an import binds fewer columns).
    public var filledFields: [Int] { Array(Set(fields.compactMap(\.fieldIndex) + templateSet)).sorted() }

    /// Compiles `mapping` for a file with `header`.
    ///
    /// A column is found by its exact name, then (CSV) by position, `#9` being the ninth column, then by
    /// its name folded (`HeaderSuggester.normalize`). A name that fits more than one column is an error,
    /// never a silent choice of the first.
    /// - Throws: `MappingError.missingColumn` naming every mapped column the header lacks;
    ///   `.duplicateColumn` naming each mapped column the header has more than once, with the column
    ///   numbers; `.invalidValue` when the mapping is for another record type.
    public init(mapping: MappingFile, header: [String]) throws {
        guard mapping.record == Record.recordType else {
            throw MappingError(
                .invalidValue,
                message: "this mapping makes \(mapping.record.plural), not \(Record.recordType.plural)")
        }
        self.mapping = mapping
        self.header = header
        headerBytes = header.map { Array($0.trimmingCharacters(in: .whitespacesAndNewlines).utf8) }
        var index: [String: [Int]] = [:]
        var folded: [String: [Int]] = [:]
        for (i, h) in header.enumerated() {
            index[h, default: []].append(i)
            folded[HeaderSuggester.normalize(h), default: []].append(i)
        }
        let byPosition = mapping.format == "csv"
        var missing: [String] = []
        var missingLine: Int?
        var duplicated: [String] = []
        func duplicate(_ name: String, _ at: [Int]) {
            let what =
                at.allSatisfy({ header[$0] == name })
                ? HeaderNames.describe(name, columns: at.map { $0 + 1 })
                : "column \"\(name)\" matches columns "
                    + at.map { "\($0 + 1) (\"\(header[$0])\")" }.joined(separator: ", ")
            let message = what + "; rename one in the file, or map by position (column: \"#\(at[at.count - 1] + 1)\")"
            if !duplicated.contains(message) { duplicated.append(message) }
        }
        func resolve(_ name: String) -> Int {
            if let at = index[name] {
                if at.count > 1 { duplicate(name, at) }
                return at[0]
            }
            if byPosition, name.hasPrefix("#"), let n = Int(name.dropFirst()), n >= 1, n <= header.count {
                return n - 1
            }
            if let at = folded[HeaderSuggester.normalize(name)] {
                if at.count > 1 { duplicate(name, at) }
                return at[0]
            }
            missing.append(name)
            return -1
        }
        zone = TimeZone(identifier: mapping.timeZone) ?? TimeZone(identifier: "UTC")!
        defaultRegion = mapping.phoneCountry
        unguards = mapping.format == "csv"
        externalIDColumn = mapping.externalID.map(resolve)
        recordIDColumn = mapping.recordID.map(resolve)
        phoneCountryColumn = mapping.phoneCountryFrom.map(resolve)
        var compiled: [CompiledField] = []
        for spec in mapping.fields {
            let index: Int?
            let kind: FieldKind
            if spec.target.hasPrefix("custom.") {
                index = nil
                kind = .text
            } else {
                guard let i = Record.fieldIndex(named: spec.target) else {
                    throw MappingError(
                        .unknownField, line: spec.line,
                        message: "'\(spec.target)' is not a field of a \(Record.recordType.rawValue)")
                }
                index = i
                kind = Record.fields[i].kind
            }
            compiled.append(
                try CompiledField(
                    spec: spec, fieldIndex: index, kind: kind,
                    columns: spec.columns.map {
                        let at = resolve($0)
                        if at < 0, missingLine == nil { missingLine = spec.line }
                        return at
                    }, defaultZone: zone))
        }
        fields = compiled
        let zero = RecordID(uuid: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        let template = Record(id: zero).fieldValues()
        self.template = template
        templateSet = template.indices.filter { i in
            if case .empty = template[i] { false } else { true }
        }
        if !missing.isEmpty {
            var unique: [String] = []
            for m in missing where !unique.contains(m) { unique.append(m) }
            // A header read as one column that holds another delimiter: the file was split on the wrong one.
            var hint = ""
            if header.count == 1, let d = [";", "\t", "|", ","].first(where: { header[0].contains($0) }) {
                hint =
                    "; the header is one column holding '\(d == "\t" ? "\\t" : d)': the file looks \(d == "\t" ? "tab" : "'\(d)'")-separated, "
                    + "try --delimiter '\(d == "\t" ? "\\t" : d)' (or leave --delimiter out to let crmgate detect it)"
            }
            // The header's name nearest each missing one, when it is near (`Emial` → `Email`).
            var near: [String] = []
            let names = header.map(HeaderSuggester.normalize)
            for m in unique {
                let folded = HeaderSuggester.normalize(m)
                let scores = names.map { HeaderSuggester.jaroWinkler(folded, $0) }
                if let best = scores.indices.max(by: { scores[$0] < scores[$1] }), scores[best] >= 0.85 {
                    near.append("'\(m)' → '\(header[best])'")
                }
            }
            let suggestion = near.isEmpty ? "" : "; did you mean " + near.joined(separator: ", ") + "?"
            throw MappingError(
                .missingColumn, line: missingLine,
                message: "the file has no column "
                    + unique.map { "'\($0)'" }.joined(separator: ", ")
                    + "; its header is: " + header.map { "'\($0)'" }.joined(separator: ", ") + suggestion + hint)
        }
        if !duplicated.isEmpty {
            throw MappingError(.duplicateColumn, message: duplicated.joined(separator: "; "))
        }
    }

    /// True when a CSV row repeats the header cell for cell (a byte-order mark before the first allowed): two files
    /// joined with `cat` carry the second's header as a row, which is not a record. A header of one column is never
    /// repeated this way (its one name may be a value).
    public func repeatsHeader(_ row: RawRow) -> Bool {
        guard unguards, headerBytes.count >= 2, row.count == headerBytes.count else { return false }
        for c in 0..<headerBytes.count {
            var b = trimmed(row.field(c))
            if c == 0, b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
                b = UnsafeBufferPointer(rebasing: b[3...])
            }
            if !b.elementsEqual(headerBytes[c]) { return false }
        }
        return true
    }

    /// The source's own id for a row, trimmed; nil when the mapping has none or the cell is empty.
    @_specialize(exported:true,where Record == Lead)
    @_specialize(exported:true,where Record == Opportunity)
    @_specialize(exported:true,where Record == Customer)
    @_specialize(exported:true,where Record == CRMTask)
    public func recordID(_ row: RawRow) -> Result<RecordID?, RowRejection> {
        guard let c = recordIDColumn else { return .success(nil) }
        let s = String(decoding: cell(row, c), as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return .success(nil) }
        guard let id = RecordID(s) else {
            return .failure(
                RowRejection(
                    field: "id", column: header[c],
                    reason: "'\(s)' is not a crmgate record id (the column holds the full ids an export writes)"))
        }
        return .success(id)
    }

    @_specialize(exported:true,where Record == Lead)
    @_specialize(exported:true,where Record == Opportunity)
    @_specialize(exported:true,where Record == Customer)
    @_specialize(exported:true,where Record == CRMTask)
    public func externalID(_ row: RawRow) -> String? {
        guard let c = externalIDColumn else { return nil }
        let s = cell(row, c)
        return s.isEmpty ? nil : String(decoding: s, as: UTF8.self)
    }

    /// Maps one row into a new record with the given id.
    /// - Returns: the record, or the reason the row is rejected.
    @_specialize(exported:true,where Record == Lead)
    @_specialize(exported:true,where Record == Opportunity)
    @_specialize(exported:true,where Record == Customer)
    @_specialize(exported:true,where Record == CRMTask)
    public func map(_ row: RawRow, id: RecordID) -> Result<Record, RowRejection> {
        switch mapValues(row) {
        case .success(let (values, custom)): return .success(Record(id: id, fieldValues: values, custom: custom))
        case .failure(let e): return .failure(e)
        }
    }

    /// Maps one row into field values (in the order of `Record.fields`) and custom fields.
    ///
    /// Does not touch `Record`: the per-row work stays free of generic dispatch.
    public func mapValues(_ row: RawRow) -> Result<([FieldValue], [String: String]), RowRejection> {
        // Empty values, then the template's few defaults: copying the template itself went value by value through the
        // enum's copy, a tenth of the mapping's instructions (callgrind, 200k leads).
        var values = [FieldValue](repeating: .empty, count: template.count)
        for i in templateSet { values[i] = template[i] }
        var custom: [String: String] = [:]
        var region: String?
        for fi in 0..<fields.count {
            let f = fields[fi]
            var value: FieldValue
            if let constant = f.constant {
                value = .text(constant)
            } else if f.columns.count == 1 {
                let bytes = cell(row, f.columns[0])
                if bytes.isEmpty {
                    value = .empty
                } else {
                    guard let s = validUTF8String(bytes) else {
                        return .failure(
                            RowRejection(
                                field: f.target, column: header[f.columns[0]],
                                reason: invalidTextReason(bytes)))
                    }
                    value = .text(s)
                }
            } else {
                var parts: [String] = []
                for c in f.columns {
                    let bytes = cell(row, c)
                    if bytes.isEmpty { continue }
                    guard let s = validUTF8String(bytes) else {
                        return .failure(
                            RowRejection(field: f.target, column: header[c], reason: invalidTextReason(bytes)))
                    }
                    parts.append(s)
                }
                value = parts.isEmpty ? .empty : .text(parts.joined(separator: f.separator))
            }
            if !value.isEmpty {
                for step in f.steps {
                    if f.needsRegion, region == nil {
                        region = rowRegion(row)
                    }
                    switch step.apply(value, kind: f.kind, region: region ?? defaultRegion) {
                    case .ok(let v):
                        value = v
                    case .invalid(let reason):
                        switch f.onInvalid ?? step.defaultOnInvalid {
                        case .reject:
                            return .failure(RowRejection(field: f.target, column: f.columnName(header), reason: reason))
                        case .blank:
                            value = .empty
                        case .keep:
                            break
                        }
                    }
                    if value.isEmpty { break }
                }
            }
            if value.isEmpty, let d = f.defaultValue { value = .text(d) }
            if case .text(let s) = value, f.kind != .text, f.kind != .email, f.kind != .phone {
                switch convert(s, to: f.kind, range: f.fieldIndex.flatMap { Record.fields[$0].range }) {
                case .ok(let v): value = v
                case .invalid(let reason):
                    switch f.onInvalid ?? .reject {
                    case .reject:
                        return .failure(RowRejection(field: f.target, column: f.columnName(header), reason: reason))
                    case .blank, .keep: value = .empty
                    }
                }
            }
            if value.isEmpty {
                if f.required {
                    return .failure(
                        RowRejection(
                            field: f.target, column: f.columnName(header),
                            reason: "a value is required and the cell is empty", isMissing: true))
                }
                continue
            }
            if let key = f.customKey {
                custom[key] = FieldText.text(of: value)
            } else if let i = f.fieldIndex {
                values[i] = value
            }
        }
        return .success((values, custom))
    }

    /// A cell's bytes, trimmed; from a CSV source, with the formula guard taken off: exactly one leading `'` is
    /// dropped when the cell's leading `'`s are followed by `=`, `+`, `-`, `@`, tab or CR. That is what crmgate's
    /// CSV export (and most tools that guard against formula injection) put in front of such a cell, and the export
    /// gives a value that itself begins with `'` and one of those another `'` (`CSVWriter.startsGuarded`), so an
    /// exported file imports unchanged.
    @inline(__always) private func cell(_ row: RawRow, _ column: Int) -> UnsafeBufferPointer<UInt8> {
        let b = trimmed(row.field(column))
        guard unguards, b.count >= 2, b[0] == UInt8(ascii: "'") else { return b }
        var j = 1
        while j < b.count && b[j] == UInt8(ascii: "'") { j += 1 }
        guard j < b.count else { return b }
        switch b[j] {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13:
            return trimmed(UnsafeBufferPointer(rebasing: b[1...]))
        default:
            return b
        }
    }

    private func rowRegion(_ row: RawRow) -> String {
        guard let c = phoneCountryColumn else { return defaultRegion }
        let bytes = cell(row, c)
        if bytes.isEmpty { return defaultRegion }
        let name = String(decoding: bytes, as: UTF8.self)
        return regionCache.lookup(name) { PhoneNumber.regionCode(forCountry: name) ?? defaultRegion }
    }

    private func convert(_ s: String, to kind: FieldKind, range: ClosedRange<Int>?) -> Outcome {
        switch kind {
        case .text, .email, .phone: return .ok(.text(s))
        case .number:
            guard let d = NumberText.parse(s, decimal: UInt8(ascii: "."), thousands: nil) else {
                return .invalid("'\(s)' is not a number (use the number transform for other formats)")
            }
            return .ok(.number(d))
        case .integer:
            guard let i = WholeNumber.parse(s) else {
                // `25.5` was cut to 25 in silence (a trial), where `set` refuses it.
                return .invalid("'\(s)' is not a whole number")
            }
            if let range, !range.contains(i) {
                return .invalid("'\(s)' is not between \(range.lowerBound) and \(range.upperBound)")
            }
            return .ok(.integer(i))
        case .bool:
            guard let b = YesNo.parse(s) else { return .invalid("'\(s)' is not yes or no") }
            return .ok(.bool(b))
        case .day:
            guard let p = DateFormat.parseISO(s), let d = p.calendarDay else {
                return .invalid("'\(s)' is not a YYYY-MM-DD date (use the date transform with a format)")
            }
            return .ok(.day(d))
        case .instant:
            guard let p = DateFormat.parseISO(s), let d = p.instant(zone: zone) else {
                return .invalid("'\(s)' is not an ISO 8601 date-time (use the date transform with a format)")
            }
            return .ok(.instant(d))
        case .list:
            let items = s.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingSpaces }.filter {
                !$0.isEmpty
            }
            return .ok(items.isEmpty ? .empty : .list(items))
        }
    }
}

/// A small memo of country text → phone region; countries repeat on almost every row.
/// Used by one mapping thread at a time (a mapper is not shared between threads).
final class Memo: @unchecked Sendable {
    private var table: [String: String] = [:]
    func lookup(_ key: String, _ make: () -> String) -> String {
        if let v = table[key] { return v }
        let v = make()
        if table.count < 10_000 { table[key] = v }
        return v
    }
}

/// The bytes as a String when they are valid UTF-8 (ASCII takes a fast path).
@inline(__always) func validUTF8String(_ b: UnsafeBufferPointer<UInt8>) -> String? {
    var i = 0
    let n = b.count
    while i < n {
        let c = b[i]
        if c < 0x80 {
            i += 1
            continue
        }
        let len = UTF8Sequence.length(b, at: i)
        if len == 0 { return nil }
        i += len
    }
    return String(decoding: b, as: UTF8.self)
}

/// Why bytes that are not UTF-8 were refused: an unpaired UTF-16 surrogate (the transcoder writes one as ED A0–BF xx)
/// or an odd last byte of a UTF-16 file, else bytes of another encoding.
func invalidTextReason(_ b: UnsafeBufferPointer<UInt8>) -> String {
    for i in b.indices where b[i] == 0xED && i + 1 < b.count && b[i + 1] >= 0xA0 && b[i + 1] <= 0xBF {
        return
            "the text holds an encoded surrogate (an unpaired UTF-16 surrogate: a damaged or cut UTF-16 file); nothing was guessed "
            + "in its place: fix the row (the reject file, UTF-8, shows the surrogate's bytes as \u{FFFD})"
    }
    return
        "the text is not valid UTF-8 (the reject file, UTF-8, shows those bytes as \u{FFFD}): fix the row; only if the whole file "
        + "is in another encoding (Windows-1252, Latin-1), import it again with --encoding, which reads every row that way"
}

@inline(__always) func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var s = 0
    var e = b.count
    while s < e, b[s] == 32 || b[s] == 9 || b[s] == 10 || b[s] == 13 { s += 1 }
    while e > s, b[e - 1] == 32 || b[e - 1] == 9 || b[e - 1] == 10 || b[e - 1] == 13 { e -= 1 }
    if s == 0 && e == b.count { return b }
    return UnsafeBufferPointer(rebasing: b[s..<e])
}

/// Text forms of field values, as custom fields and reports show them.
public enum FieldText {
    /// `2024-03-05`, `2024-03-05T14:22:00Z`, `1234.5`, `true`, list items joined by `; `: the text `set` reads back as
    /// the same list (`RecordEdit.value`), a lone item holding a comma with a `;` after it (`Smith, John;`), or `set`
    /// would split it at the comma (a trial's tag `Smith, John` came back as two, and was pushed so).
    public static func text(of v: FieldValue) -> String {
        switch v {
        case .empty: return ""
        case .text(let s): return s
        case .number(let d): return NSDecimalNumber(decimal: d).stringValue
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .day(let d): return d.description
        case .instant(let d): return d.iso8601UTC
        case .list(let l):
            let text = l.joined(separator: "; ")
            return l.count == 1 && text.contains(",") ? text + ";" : text
        }
    }
}

/// One field of a mapping, compiled. A class, so the per-row loop does not copy it.
final class CompiledField {
    let target: String
    let kind: FieldKind
    let customKey: String?
    /// Index in the record type's `fields`; nil for a custom field.
    let fieldIndex: Int?
    let columns: [Int]
    let separator: String
    let constant: String?
    let steps: [Step]
    let defaultValue: String?
    let required: Bool
    let onInvalid: MappingFile.OnInvalid?
    let needsRegion: Bool

    init(spec: MappingFile.FieldSpec, fieldIndex: Int?, kind: FieldKind, columns: [Int], defaultZone: TimeZone) throws {
        target = spec.target
        self.fieldIndex = fieldIndex
        self.kind = kind
        self.columns = columns
        separator = spec.separator
        constant = spec.value
        required = spec.required
        onInvalid = spec.onInvalid
        customKey = spec.target.hasPrefix("custom.") ? String(spec.target.dropFirst(7)) : nil
        steps = try spec.transforms.map { try Step($0, defaultZone: defaultZone) }
        needsRegion = steps.contains { if case .phone(nil) = $0 { return true } else { return false } }
        defaultValue = spec.defaultValue
    }

    func columnName(_ header: [String]) -> String? {
        columns.first.flatMap { $0 >= 0 && $0 < header.count ? header[$0] : nil }
    }
}
