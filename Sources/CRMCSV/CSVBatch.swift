/// Records parsed from CSV, stored compactly: all field bytes in one buffer, field end offsets in another.
///
/// Every field is followed in `bytes` by one separator byte that is not part of it (the delimiter or line break
/// it was read with, or a line feed), so field `k` starts at `fieldEnds[k - 1] + 1`: a run of unquoted fields
/// is copied from the input in one piece, separators and all.
///
/// A batch is the unit that moves between pipeline stages; reading a field does not allocate.
public struct CSVBatch: Sendable {
    /// The unescaped bytes of every field, each followed by one separator byte (UTF-8).
    public internal(set) var bytes: [UInt8] = []
    /// End offset in `bytes` of every field.
    public internal(set) var fieldEnds: [Int] = []
    /// For record `r`, its fields are `fieldEnds[recordFieldStarts[r] ..< recordFieldStarts[r + 1]]`.
    /// The last element is where the record being parsed begins.
    var recordFieldStarts: [Int] = [0]
    /// The physical line each record starts on (1-based).
    public internal(set) var lines: [Int] = []
    /// Structural errors by record index (unterminated quote, oversized field, ragged row).
    public internal(set) var issues: [Int: CSVError] = [:]
    /// For each record, whether one of its fields was written in quotes (`""` included).
    var quoted: [Bool] = []

    public init() {}

    /// The number of complete records.
    public var count: Int { lines.count }

    /// Index in `fieldEnds` of record `r`'s first field.
    @inline(__always) public func firstField(_ r: Int) -> Int { recordFieldStarts[r] }

    /// The number of fields of record `r`.
    public func fieldCount(_ r: Int) -> Int { recordFieldStarts[r + 1] - recordFieldStarts[r] }

    /// True when a field of record `r` was written in quotes: `""` is a value given on purpose, so a
    /// record holding one is data even when all its fields are empty.
    public func hasQuotedField(_ r: Int) -> Bool { r < quoted.count && quoted[r] }

    /// True when record `r` is a line of spaces and delimiters: every field empty or whitespace and none written in
    /// quotes. The import skips such a line as blank (not a row), whatever its number of fields, and `csv scan`
    /// counts it so too.
    public func isBlank(_ r: Int) -> Bool {
        if hasQuotedField(r) { return false }
        for f in 0..<fieldCount(r) {
            for i in fieldRange(r, f) where bytes[i] != 32 && bytes[i] != 9 && bytes[i] != 10 && bytes[i] != 13 {
                return false
            }
        }
        return true
    }

    /// The byte range of field `f` of record `r` in `bytes`.
    @inline(__always) public func fieldRange(_ r: Int, _ f: Int) -> Range<Int> {
        let k = recordFieldStarts[r] + f
        let start = k == 0 ? 0 : fieldEnds[k - 1] + 1
        return start..<fieldEnds[k]
    }

    /// Field `f` of record `r` as a String (invalid UTF-8 is repaired with U+FFFD).
    public func string(_ r: Int, _ f: Int) -> String {
        let range = fieldRange(r, f)
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self)
        }
    }

    /// All fields of record `r` as Strings.
    public func fields(_ r: Int) -> [String] { (0..<fieldCount(r)).map { string(r, $0) } }

    /// Adds a record (used by tests and by writers that build batches by hand).
    public mutating func append(fields: [String], line: Int) {
        for f in fields {
            bytes.append(contentsOf: f.utf8)
            fieldEnds.append(bytes.count)
            bytes.append(10)
        }
        recordFieldStarts.append(fieldEnds.count)
        lines.append(line)
        quoted.append(false)
    }

    mutating func markIssue(_ r: Int, _ e: CSVError) { issues[r] = e }
}
