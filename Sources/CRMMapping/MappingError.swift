/// An error in a mapping file, or between a mapping and a file's header.
public struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, pattern-matchable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public static let invalidYAML = Code(rawValue: "invalid-yaml")
        public static let unknownKey = Code(rawValue: "unknown-key")
        public static let missingKey = Code(rawValue: "missing-key")
        public static let invalidValue = Code(rawValue: "invalid-value")
        public static let unknownField = Code(rawValue: "unknown-field")
        public static let unknownTransform = Code(rawValue: "unknown-transform")
        public static let missingColumn = Code(rawValue: "missing-column")
        /// A column the mapping uses by name is in the header more than once.
        public static let duplicateColumn = Code(rawValue: "duplicate-column")
        /// The file is missing, a directory, unreadable or not UTF-8 (the message names it).
        public static let cannotRead = Code(rawValue: "cannot-read")
        public var description: String { rawValue }
    }

    public let code: Code
    /// The mapping file, when known.
    public var path: String?
    /// 1-based line in the mapping file.
    public var line: Int?
    public let message: String

    public init(_ code: Code, path: String? = nil, line: Int? = nil, message: String) {
        self.code = code
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        // A file that cannot be read is named in the message itself.
        if code == .cannotRead { return "\(message) [\(code)]" }
        var place = path ?? "mapping"
        if let line { place += ":\(line)" }
        return "\(place): \(message) [\(code)]"
    }
}
