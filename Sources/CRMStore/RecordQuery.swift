public import CRMModel
import Foundation

/// Which records a streaming read returns: fields equal to one of some values (case-insensitive),
/// and fields within ranges (compared as stored text: ISO dates and times sort correctly).
public struct RecordQuery: Sendable, Equatable {
    public var anyOf: [(String, [String])] = []

    /// A value an `anyOf` filter compares, written as the store writes the field's values: a number of a number or
    /// whole-number field as its plain decimal text (`120000.00` → `120000`, `120000.50` → `120000.5`, `007` → `7`),
    /// so that an amount as a list shows it finds its record. Anything else as given.
    public static func storedForm<R: CRMRecord>(_ type: R.Type, field: String, _ value: String) -> String {
        guard let i = R.fieldIndex(named: field), [.number, .integer].contains(R.fields[i].kind) else { return value }
        let t = value.trimmingCharacters(in: .whitespaces)
        let digits = t.drop { $0 == "-" || $0 == "+" }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard t.count - digits.count <= 1, (1...2).contains(parts.count), !parts[0].isEmpty,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let d = Decimal(
                string: t.hasPrefix("+") ? String(t.dropFirst()) : t, locale: Locale(identifier: "en_US_POSIX"))
        else { return value }
        return NSDecimalNumber(decimal: d).stringValue
    }
    public var ranges: [Range] = []

    /// An inclusive range on a field; either end may be open.
    public struct Range: Sendable, Equatable {
        public var field: String
        public var from: String?
        public var to: String?
        public init(field: String, from: String?, to: String?) {
            self.field = field
            self.from = from
            self.to = to
        }
    }

    public init() {}

    /// The key of a custom field named as `custom.KEY` (what lists and `set` call it), or nil.
    public static func customKey(_ field: String) -> String? {
        field.hasPrefix("custom.") && field.count > 7 ? String(field.dropFirst(7)) : nil
    }

    public static func == (a: RecordQuery, b: RecordQuery) -> Bool {
        a.ranges == b.ranges && a.anyOf.map(\.0) == b.anyOf.map(\.0) && a.anyOf.map(\.1) == b.anyOf.map(\.1)
    }
}
