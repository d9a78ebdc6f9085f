import Foundation

/// Writes RFC 4180 CSV to a file or standard output, buffered.
///
/// Owns a file descriptor; not `Sendable`.
public final class CSVWriter {
    /// How lines end.
    public enum LineEnding: Sendable { case crlf, lf }

    /// Writer settings.
    public struct Options: Sendable {
        public var delimiter: UInt8 = UInt8(ascii: ",")
        public var lineEnding: LineEnding = .crlf
        /// Start the file with a UTF-8 byte-order mark (Excel reads UTF-8 correctly only with it).
        public var byteOrderMark = false
        /// Prefix cells that a spreadsheet would run as a formula with `'` (the rule: `CSVWriter.needsFormulaGuard`).
        /// crmgate's import takes the `'` off again (`RowMapper`), so a CSV round trip keeps every value.
        public var neutralizeFormulas = true
        /// With `neutralizeFormulas`, prefix `'` to a value that itself begins with `'` and a trigger character too
        /// (`'=SUM(1)`, `'+43`): the import takes one `'` off such a cell, so without a second one the value came back
        /// without its own (a trial's `'=SUM(1)` became `=SUM(1)`). Off for cells written as they were read (the
        /// reject file), which the import reads again just as it read them first.
        public var guardsQuotedValues = true
        public init() {}
    }

    private let fd: Int32
    private let ownsFD: Bool
    private let options: Options
    /// The bytes not yet written: `count` of `capacity`, flushed by `endRow` past `flushAt`. A raw buffer, not an
    /// array: the export lays 240 bytes a row, and an array's checked appends cost a third of its time (callgrind,
    /// 1M opportunities: 4.0 G of 10.7 G instructions in laying fields and appending them).
    private var bytes: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private static let flushAt = 1 << 16
    /// False for a writer that keeps its bytes until `drain(into:)` (`init(memoryWith:)`).
    private let flushes: Bool
    /// The delimiter, `"`, LF and CR repeated in each byte of a word: a field is scanned for them 8 bytes at a time.
    private let delimiterWord: UInt64
    private var fieldsInRow = 0
    public let path: String

    /// Creates (or truncates) `path`; `-` writes to standard output.
    /// - Throws: `CSVError.cannotOpen`.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        flushes = true
        delimiterWord = UInt64(options.delimiter) &* Self.ones
        capacity = Self.flushAt * 2
        bytes = .allocate(capacity: capacity)
        if path == "-" {
            fd = 1
            ownsFD = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            ownsFD = true
            guard fd >= 0 else {
                bytes.deallocate()
                throw CSVError(
                    .cannotOpen, path: path, message: "cannot create the file: \(String(cString: strerror(errno)))")
            }
        }
        if options.byteOrderMark {
            bytes[0] = 0xEF
            bytes[1] = 0xBB
            bytes[2] = 0xBF
            count = 3
        }
    }

    /// A writer that keeps what it writes in memory, until `drain(into:)` hands it to another writer's file: a block of
    /// rows laid out on one thread and written in order by another (`CSVPipeline`). The options' byte-order mark is
    /// not written.
    public init(memoryWith options: Options) {
        path = "(memory)"
        self.options = options
        flushes = false
        delimiterWord = UInt64(options.delimiter) &* Self.ones
        capacity = Self.flushAt * 2
        bytes = .allocate(capacity: capacity)
        fd = -1
        ownsFD = false
    }

    /// The bytes kept so far, for `other` to write after its own; this writer is empty afterwards.
    /// - Throws: `CSVError.writeFailed` from `other`'s file.
    public func drain(into other: CSVWriter) throws {
        try other.flush()
        try other.write(bytes, count)
        count = 0
    }

    deinit {
        if flushes { try? flush() }
        if ownsFD { close(fd) }
        bytes.deallocate()
    }

    /// Writes one row.
    public func writeRow(_ fields: [String]) throws {
        for f in fields { writeField(f) }
        try endRow()
    }

    /// Appends one field to the current row.
    public func writeField(_ field: String) {
        var field = field
        field.withUTF8 { writeField(bytes: $0) }
    }

    /// Appends one field given as UTF-8 bytes (the fast path: no String is made).
    public func writeField(bytes utf8: UnsafeBufferPointer<UInt8>) {
        let separate = fieldsInRow > 0
        fieldsInRow += 1
        // The most a field can take: a delimiter, two quotes, the guard's `'` and every byte doubled.
        reserve(4 + 2 * utf8.count)
        let d = options.delimiter
        var at = bytes + count
        if separate {
            at.pointee = d
            at += 1
        }
        // Only a first byte that could start a formula, or a `'`, can need the guard.
        let neutralize =
            options.neutralizeFormulas && utf8.first.map { Self.isFormulaStart($0) || $0 == UInt8(ascii: "'") } == true
            && Self.guards(utf8, quotedValues: options.guardsQuotedValues)
        // With `'` as the delimiter, the guard's `'` must be inside quotes like any other delimiter byte.
        let needsQuotes =
            utf8.first == 32 || utf8.last == 32 || (neutralize && d == UInt8(ascii: "'")) || hasSpecialByte(utf8)
        if needsQuotes {
            at.pointee = 34
            at += 1
        }
        if neutralize {
            at.pointee = UInt8(ascii: "'")
            at += 1
        }
        if needsQuotes {
            for b in utf8 {
                if b == 34 {
                    at.pointee = 34
                    at += 1
                }
                at.pointee = b
                at += 1
            }
            at.pointee = 34
            at += 1
        } else if let base = utf8.baseAddress, !utf8.isEmpty {
            at.update(from: base, count: utf8.count)
            at += utf8.count
        }
        count = at - bytes
    }

    /// Room for `n` more bytes (a field longer than the buffer grows it).
    @inline(__always) private func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let grown = max(capacity * 2, count + n)
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        b.update(from: bytes, count: count)
        bytes.deallocate()
        bytes = b
        capacity = grown
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080
    private static let quoteWord = 34 &* ones, lfWord = 10 &* ones, crWord = 13 &* ones

    /// Whether a byte of `w` is zero (the classic bit trick: exact, with no false positives when any byte is).
    @inline(__always) private static func hasZeroByte(_ w: UInt64) -> Bool {
        (w &- ones) & ~w & highs != 0
    }

    /// Whether the field holds the delimiter, a quote, LF or CR: 8 bytes a step, the rest one by one.
    @inline(__always) private func hasSpecialByte(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let n = utf8.count
        var i = 0
        let raw = UnsafeRawPointer(base)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if Self.hasZeroByte(w ^ delimiterWord) || Self.hasZeroByte(w ^ Self.quoteWord)
                || Self.hasZeroByte(w ^ Self.lfWord) || Self.hasZeroByte(w ^ Self.crWord)
            {
                return true
            }
            i += 8
        }
        let d = options.delimiter
        while i < n {
            let b = base[i]
            if b == d || b == 34 || b == 10 || b == 13 { return true }
            i += 1
        }
        return false
    }

    /// Ends the current row.
    public func endRow() throws {
        reserve(2)
        if options.lineEnding == .crlf {
            bytes[count] = 13
            count += 1
        }
        bytes[count] = 10
        count += 1
        fieldsInRow = 0
        if count >= Self.flushAt && flushes { try flush() }
    }

    /// True for a first byte that can make a spreadsheet treat a cell as a formula: `=`, `+`, `-`, `@`,
    /// tab or CR (the triggers; `needsFormulaGuard` says which cells starting with one are guarded).
    public static func isFormulaStart(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@") || b == 9
            || b == 13
    }

    /// True when a cell must be written as `'` + cell so that a spreadsheet shows it instead of running it.
    ///
    /// The rule: a cell starting with `=`, `@`, tab or CR is always guarded. A cell starting with `+` or `-`
    /// is guarded unless it is a plain number: at least one digit after the sign and nothing but ASCII digits,
    /// spaces, `.` and parentheses (`+4311552754`, `+43 (1) 155 2754`, `-12.5`); such a cell has no
    /// operator, name, reference or call for a spreadsheet to run. Everything else (`-1+1`, `+A1`,
    /// `-2+3+cmd|' /C calc'!A0`, `+1 415-555-0101`) is guarded.
    ///
    /// crmgate's CSV import takes exactly one `'` off a cell whose leading `'`s are followed by one of the six
    /// trigger characters; a value that itself begins that way gets one more (`startsGuarded`,
    /// `Options.guardsQuotedValues`), so every value comes back as it was.
    public static func needsFormulaGuard(_ utf8: some Collection<UInt8>) -> Bool {
        guard let first = utf8.first, isFormulaStart(first) else { return false }
        guard first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return true }
        var digits = 0
        for b in utf8.dropFirst() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            // A number's marks in any locale: `-12,5` and `-1.234,56` (German), `-1'234.5` (Swiss) are numbers, which a
            // guard made text to a spreadsheet (a trial's `--locale de` export).
            case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "'"), UInt8(ascii: "("),
                UInt8(ascii: ")"):
                break
            default: return true
            }
        }
        return digits == 0
    }

    /// Whether the writer puts the guard's `'` before a value (with `neutralizeFormulas`): it would run as a formula
    /// (`needsFormulaGuard`), or, with `quotedValues`, it begins as a guarded cell does (`startsGuarded`).
    public static func guards(_ utf8: some Collection<UInt8>, quotedValues: Bool = true) -> Bool {
        needsFormulaGuard(utf8) || (quotedValues && startsGuarded(utf8))
    }

    /// True for a cell of one or more `'` followed by one of the six trigger characters: the form the guard gives a
    /// cell, which crmgate's import takes one `'` off.
    public static func startsGuarded(_ utf8: some Collection<UInt8>) -> Bool {
        guard utf8.first == UInt8(ascii: "'") else { return false }
        for b in utf8 where b != UInt8(ascii: "'") { return isFormulaStart(b) }
        return false
    }

    /// Writes buffered bytes to the file.
    /// - Throws: `CSVError.writeFailed` (disk full, closed pipe).
    public func flush() throws {
        guard flushes else { return }
        try write(bytes, count)
        count = 0
    }

    /// Writes `n` bytes at `p` to the file, as they are.
    private func write(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) throws {
        var off = 0
        while off < n {
            let written = Foundation.write(fd, p + off, n - off)
            if written < 0 {
                if errno == EINTR { continue }
                throw CSVError(.writeFailed, path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            off += written
        }
    }
}
