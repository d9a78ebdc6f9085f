public import CRMModel
public import Foundation

/// A record's synced fields as canonical text, keyed by model field name (`first_name`, `address.city`,
/// `custom.<key>`): what the three-way merge compares. Lists are joined with U+001F; empty values are absent.
public struct Snapshot: Sendable, Hashable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        // Filtered only when it holds an empty value: a filter builds a new dictionary (2% of a pull's CPU, `perf`).
        self.values = values.values.contains(where: \.isEmpty) ? values.filter { !$0.value.isEmpty } : values
    }

    public subscript(field: String) -> String? {
        get { values[field] }
        set { values[field] = (newValue?.isEmpty ?? true) ? nil : newValue }
    }

    static let listSeparator = "\u{1F}"

    /// Stable JSON text (sorted keys), as the store keeps base snapshots.
    public var json: String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(values.count * 24)
        for (i, e) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(e.key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.writeString(e.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads `json`.
    public init(json: String) {
        var v: [String: String] = [:]
        if case .object(let o)? = try? JSONValue.parse(Array(json.utf8)) { for (k, x) in o { v[k] = x.stringValue } }
        self.init(v)
    }

    /// A digest that tells whether a record changed (FNV-1a over the sorted JSON).
    public var digest: String { Snapshot.digest(ofJSON: json) }

    /// The digest of a snapshot whose `json` is `text`.
    static func digest(ofJSON text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// The snapshot of a local record, restricted to `fields` (and every custom field when `withCustom`).
    public static func of<R: CRMRecord>(_ record: R, fields: Set<String>, withCustom: Bool) -> Snapshot {
        var out: [String: String] = [:]
        let values = record.fieldValues()
        for (i, d) in R.fields.enumerated() where fields.contains(d.name) {
            out[d.name] = canonical(values[i])
        }
        for (k, v) in record.custom where withCustom || fields.contains("custom." + k) { out["custom." + k] = v }
        return Snapshot(out)
    }

    /// `record` with this snapshot's values written into the given fields (absent values clear them).
    public func apply<R: CRMRecord>(to record: R, fields: Set<String>, withCustom: Bool) -> R {
        apply(to: record, plan: ApplyPlan(R.self, fields: fields, withCustom: withCustom))
    }

    /// Which fields of a record type `apply` writes, worked out once for the many records of a pull.
    public struct ApplyPlan: Sendable {
        let fields: Set<String>
        let withCustom: Bool
        /// The model fields written: their place in `fieldValues()`, name and kind.
        let model: [(index: Int, name: String, kind: FieldKind)]
        /// The custom fields named one by one (`custom.<key>`), as keys.
        let customKeys: [String]

        /// The plan for records of type `R`.
        public init<R: CRMRecord>(_ type: R.Type, fields: Set<String>, withCustom: Bool) {
            self.fields = fields
            self.withCustom = withCustom
            model = R.fields.enumerated().filter { fields.contains($0.element.name) }.map {
                ($0.offset, $0.element.name, $0.element.kind)
            }
            customKeys = fields.filter { $0.hasPrefix("custom.") }.map { String($0.dropFirst(7)) }
        }
    }

    /// `record` with this snapshot's values written into the plan's fields (absent values clear them).
    public func apply<R: CRMRecord>(to record: R, plan: ApplyPlan) -> R {
        var values = record.fieldValues()
        for f in plan.model { values[f.index] = Snapshot.fieldValue(self.values[f.name], kind: f.kind) }
        var custom = record.custom
        if plan.withCustom {
            if !custom.isEmpty { custom = custom.filter { plan.fields.contains("custom." + $0.key) } }
            for (k, v) in self.values where k.hasPrefix("custom.") { custom[String(k.dropFirst(7))] = v }
        }
        for k in plan.customKeys { custom[k] = self.values["custom." + k] }
        var r = R(id: record.id, fieldValues: values, custom: custom)
        // The record's own stamps are kept, unless the profile syncs `created_at` as a field.
        if !plan.fields.contains("created_at") { r.createdAt = record.createdAt }
        r.updatedAt = record.updatedAt
        return r
    }

    /// Canonical text of a value.
    public static func canonical(_ v: FieldValue) -> String {
        switch v {
        case .empty: return ""
        case .text(let s): return s
        // Through the decimal text: Foundation's `doubleValue` of 1.99 is 1.9899999999999998 on Linux.
        case .number(let d): return Double(d.description).map(canonicalNumber) ?? d.description
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .day(let d): return d.description
        case .instant(let t): return t.iso8601UTC
        case .list(let l): return l.joined(separator: listSeparator)
        }
    }

    static func canonicalNumber(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    /// The typed value of canonical text for a field of `kind`.
    public static func fieldValue(_ text: String?, kind: FieldKind) -> FieldValue {
        guard let text, !text.isEmpty else { return .empty }
        switch kind {
        case .text, .email, .phone: return .text(text)
        // `Decimal(string:)` reads a prefix ("12,50" as 12): only text that is a number as a whole is one.
        case .number:
            guard Double(text) != nil else { return .empty }
            return Decimal(string: text, locale: posix).map { .number($0) } ?? .empty
        case .integer: return Int(text).map { .integer($0) } ?? Double(text).map { .integer(Int($0)) } ?? .empty
        case .bool: return .bool(text == "true" || text == "1")
        case .day: return CalendarDay(iso: String(text.prefix(10))).map { .day($0) } ?? .empty
        case .instant: return RemoteTime.parse(text).map { .instant($0) } ?? .empty
        case .list: return .list(text.components(separatedBy: listSeparator))
        }
    }
}

/// RFC 3339 timestamps, epoch milliseconds and plain dates as remotes write them.
public enum RemoteTime {
    /// The instant `text` names: epoch milliseconds (12 digits or more), RFC 3339 with or without a fraction, or a
    /// date and time without a zone (UTC), or a plain date; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        if let ms = Int64(text), text.count >= 12 { return Date(timeIntervalSince1970: Double(ms) / 1000) }
        // RFC 3339 as remotes write it, read without a formatter (one made per call was most of the time a pull of
        // changed records spends on their stamps); anything else goes through Foundation's formatters as before.
        return rfc3339(text) ?? viaFormatters(text)
    }

    /// `text` read by Foundation's formatters alone (what every stamp took before `rfc3339`; its tests' oracle).
    static func viaFormatters(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        let g = DateFormatter()
        g.locale = Locale(identifier: "en_US_POSIX")
        g.timeZone = TimeZone(identifier: "UTC")
        for p in ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            g.dateFormat = p
            if let d = g.date(from: text) { return d }
        }
        return nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T` or `t`, `Z` or `z`), a valid calendar day and time of day
    /// (seconds to 59; a leap second goes to the formatters), or nil. The fraction is kept to the microsecond.
    static func rfc3339(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            guard b.count >= 20, b.count <= 40 else { return nil }
            func digits(_ at: Int, _ n: Int) -> Int? {
                var v = 0
                for i in at..<(at + n) {
                    let d = Int(b[i]) - 48
                    guard d >= 0, d <= 9 else { return nil }
                    v = v * 10 + d
                }
                return v
            }
            guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
                b[10] == 84 || b[10] == 116, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2),
                b[16] == 58, let second = digits(17, 2)
            else { return nil }
            guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 23,
                minute <= 59, second <= 59
            else { return nil }
            var i = 19
            var micros = 0
            if b[i] == 46 {
                i += 1
                var n = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if n < 6 { micros = micros * 10 + Int(b[i]) - 48 }
                    n += 1
                    i += 1
                }
                guard n >= 1, n <= 9 else { return nil }
                for _ in n..<max(n, 6) { micros *= 10 }
            }
            guard i < b.count else { return nil }
            var offset = 0
            if b[i] == 90 || b[i] == 122 {
                guard i + 1 == b.count else { return nil }
            } else if b[i] == 43 || b[i] == 45 {
                guard i + 6 == b.count, let oh = digits(i + 1, 2), b[i + 3] == 58, let om = digits(i + 4, 2), oh <= 23,
                    om <= 59
                else { return nil }
                offset = (oh * 60 + om) * 60 * (b[i] == 45 ? -1 : 1)
            } else {
                return nil
            }
            let days = daysFromCivil(year: year, month: month, day: day)
            let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
