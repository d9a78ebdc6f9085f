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
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    public let path: String

    /// Creates (or truncates) `path`; `-` writes to standard output.
    /// - Throws: `CSVError.cannotOpen`.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        if path == "-" {
            fd = 1
            ownsFD = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            ownsFD = true
            guard fd >= 0 else {
                throw CSVError(
                    .cannotOpen, path: path, message: "cannot create the file: \(String(cString: strerror(errno)))")
            }
        }
        buffer.reserveCapacity(1 << 16)
        if options.byteOrderMark { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    deinit {
        try? flush()
        if ownsFD { close(fd) }
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
        // One access to the buffer for the whole field (each append to a class's property is checked at run time).
        Self.lay(utf8, separate: separate, options, into: &buffer)
    }

    /// The field's bytes as written: after a delimiter unless it is the row's first, guarded against formulas,
    /// quoted when it holds the delimiter, a quote, CR or LF, or starts or ends with a space.
    private static func lay(
        _ utf8: UnsafeBufferPointer<UInt8>, separate: Bool, _ options: Options, into buffer: inout [UInt8]
    ) {
        let d = options.delimiter
        if separate { buffer.append(d) }
        let neutralize = options.neutralizeFormulas && guards(utf8, quotedValues: options.guardsQuotedValues)
        // With `'` as the delimiter, the guard's `'` must be inside quotes like any other delimiter byte.
        var needsQuotes = utf8.first == 32 || utf8.last == 32 || (neutralize && d == UInt8(ascii: "'"))
        if !needsQuotes {
            for b in utf8 where b == d || b == 34 || b == 10 || b == 13 {
                needsQuotes = true
                break
            }
        }
        if needsQuotes { buffer.append(34) }
        if neutralize { buffer.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for b in utf8 {
                if b == 34 { buffer.append(34) }
                buffer.append(b)
            }
            buffer.append(34)
        } else {
            buffer.append(contentsOf: utf8)
        }
    }

    /// Ends the current row.
    public func endRow() throws {
        if options.lineEnding == .crlf { buffer.append(13) }
        buffer.append(10)
        fieldsInRow = 0
        if buffer.count >= 1 << 16 { try flush() }
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
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError(.writeFailed, path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
