/// One source row as bytes, before mapping: fields of UTF-8 text addressed by column index.
///
/// The layout (each field's bytes followed by one separator byte, and each field's end offset) is what the CSV
/// and XML readers produce, so a row is mapped without copying its fields first.
public struct RawRow {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let fieldEnds: UnsafeBufferPointer<Int>
    /// Index in `fieldEnds` of this row's first field.
    public let firstField: Int
    /// The number of fields.
    public let count: Int
    /// The physical line (CSV) or line of the element (XML) where the row starts.
    public let line: Int
    /// A field of the row was written in quotes (CSV): even `""` is a value given on purpose, so the row
    /// is data, never a blank line.
    public let hasQuotedField: Bool

    public init(
        bytes: UnsafeBufferPointer<UInt8>, fieldEnds: UnsafeBufferPointer<Int>, firstField: Int, count: Int, line: Int,
        hasQuotedField: Bool = false
    ) {
        self.bytes = bytes
        self.fieldEnds = fieldEnds
        self.firstField = firstField
        self.count = count
        self.line = line
        self.hasQuotedField = hasQuotedField
    }

    /// The bytes of field `f` (empty when the row has fewer fields).
    @inline(__always) public func field(_ f: Int) -> UnsafeBufferPointer<UInt8> {
        guard f < count else { return UnsafeBufferPointer(start: nil, count: 0) }
        let k = firstField + f
        let start = k == 0 ? 0 : fieldEnds[k - 1] + 1
        return UnsafeBufferPointer(rebasing: bytes[start..<fieldEnds[k]])
    }

    /// Field `f` as text, with invalid UTF-8 repaired (for reports).
    public func text(_ f: Int) -> String { String(decoding: field(f), as: UTF8.self) }

    /// Every field as text (for reject files).
    public var texts: [String] { (0..<count).map(text) }

    /// Whether every field is valid UTF-8, so `texts` is the row as written (not \u{FFFD} in place of bytes).
    public var isValidUTF8: Bool { (0..<count).allSatisfy { validUTF8String(field($0)) != nil } }

    /// Whether field `f` begins with `prefix` (compared as bytes).
    public func field(_ f: Int, hasPrefix prefix: [UInt8]) -> Bool {
        let b = field(f)
        return b.count >= prefix.count && zip(b, prefix).allSatisfy { $0 == $1 }
    }
}

/// Why a row could not be mapped.
public struct RowRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target field, when one field is to blame.
    public var field: String?
    /// The source column, when known.
    public var column: String?
    /// The reason, in words a user can act on.
    public var reason: String
    /// True when a required field's cell is empty (the value is missing rather than invalid).
    public var isMissing = false

    public init(field: String? = nil, column: String? = nil, reason: String, isMissing: Bool = false) {
        self.field = field
        self.column = column
        self.reason = reason
        self.isMissing = isMissing
    }

    public var description: String {
        var s = ""
        if let field { s += field }
        if let column { s += (s.isEmpty ? "" : " ") + "(column '\(column)')" }
        return (s.isEmpty ? "" : s + ": ") + reason
    }
}
