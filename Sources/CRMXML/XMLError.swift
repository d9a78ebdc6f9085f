/// An XML file that cannot be read, or a record path or field path that cannot be parsed.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, pattern-matchable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        /// Not well-formed: an unclosed tag, a bad byte for the declared encoding, a truncated file.
        public static let malformed = Code(rawValue: "malformed-xml")
        /// A document type declaration: refused, since DTDs carry entity bombs and external references.
        public static let doctypeRefused = Code(rawValue: "doctype-refused")
        /// An element past one of `XMLLimits` (attributes, namespace declarations in scope, nesting), refused
        /// before libxml2 parses it.
        public static let limitExceeded = Code(rawValue: "limit-exceeded")
        /// An encoding the reader does not follow: EBCDIC, UCS-4 in an unusual byte order, or a declaration naming
        /// an encoding that does not fit the document's first bytes (UTF-16LE after an ASCII prolog, UTF-7...).
        public static let unsupportedEncoding = Code(rawValue: "unsupported-encoding")
        public static let cannotOpen = Code(rawValue: "cannot-open")
        public static let invalidPath = Code(rawValue: "invalid-path")
        public static let noRecords = Code(rawValue: "no-records")
        public var description: String { rawValue }
    }

    public let code: Code
    public var path: String?
    /// 1-based line and column of the fault, as libxml2 reports them.
    public var line: Int?
    public var column: Int?
    /// What libxml2 (or crmgate) said.
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
        if let line { place += (place.isEmpty ? "" : ":") + "line \(line)" }
        if let column { place += ", column \(column)" }
        return (place.isEmpty ? "" : place + ": ") + message + " [\(code)]"
    }
}
