/// An export that could not be written.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, pattern-matchable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public static let unknownColumn = Code(rawValue: "unknown-column")
        public static let unsupportedFormat = Code(rawValue: "unsupported-format")
        public static let cannotWrite = Code(rawValue: "cannot-write")
        public static let store = Code(rawValue: "store")
        /// A filter that cannot be applied: a date that is not YYYY-MM-DD, a range backwards, a stage on customers.
        public static let invalidFilter = Code(rawValue: "invalid-filter")
        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String
    /// What to do about it, when there is more to say than the message.
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) [\(code)]" }
}
