/// An error reading or writing CSV, with where it happened and what to do about it.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, pattern-matchable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public static let unterminatedQuote = Code(rawValue: "unterminated-quote")
        public static let fieldTooLarge = Code(rawValue: "field-too-large")
        public static let raggedRow = Code(rawValue: "ragged-row")
        public static let invalidEncoding = Code(rawValue: "invalid-encoding")
        public static let binaryFile = Code(rawValue: "binary-file")
        /// UTF-8 and bytes of an 8-bit encoding in one file, neither few enough to be strays.
        public static let mixedEncoding = Code(rawValue: "mixed-encoding")
        public static let emptyFile = Code(rawValue: "empty-file")
        public static let cannotOpen = Code(rawValue: "cannot-open")
        public static let readFailed = Code(rawValue: "read-failed")
        public static let writeFailed = Code(rawValue: "write-failed")
        public var description: String { rawValue }
    }

    public let code: Code
    /// The file, when known.
    public var path: String?
    /// 1-based physical line, when the error is about a place in the file.
    public var line: Int?
    /// 1-based column (in bytes of the UTF-8 text) within that line.
    public var column: Int?
    /// A sentence a user can act on.
    public let message: String

    public init(_ code: Code, path: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = path ?? ""
        if let line { place += (place.isEmpty ? "" : ", ") + "line \(line)" }
        if let column { place += ", column \(column)" }
        return (place.isEmpty ? "" : place + ": ") + message + " [\(code)]"
    }

    /// The message after the column where the fault starts, for a row's issue (whose line is said beside it):
    /// `column 12: quoted field opened here is never closed (file ends inside it)`.
    public var messageWithColumn: String { (column.map { "column \($0): " } ?? "") + message }
}
