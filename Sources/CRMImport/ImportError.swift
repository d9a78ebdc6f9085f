/// An import that could not run, or stopped; nothing of it was committed.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, pattern-matchable; `exitCode` maps it for cron.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        /// The input file cannot be opened or read.
        public static let unreadableSource = Code(rawValue: "unreadable-source")
        /// The input is not a text file crmgate can decode (binary, empty, no header).
        public static let malformedSource = Code(rawValue: "malformed-source")
        /// The mapping file is wrong or does not fit the file's header.
        public static let mapping = Code(rawValue: "mapping")
        /// The mapping file cannot be opened or read (missing, a directory, unreadable).
        public static let unreadableMapping = Code(rawValue: "unreadable-mapping")
        /// The store failed.
        public static let store = Code(rawValue: "store")
        /// The reject file cannot be written.
        public static let rejectFile = Code(rawValue: "reject-file")
        /// Another output file (clusters, review) cannot be written.
        public static let output = Code(rawValue: "output")
        /// An option names what the input does not have (`dedupe --explain` past the file's last row).
        public static let usage = Code(rawValue: "usage")
        /// The import was stopped (Ctrl-C, SIGTERM) before it committed.
        public static let interrupted = Code(rawValue: "interrupted")
        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String
    /// The error underneath (CSVError, MappingError, StoreError), for its details.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

    /// The process exit code documented for cron: 64 usage, 65 bad data, 66 unreadable input or mapping, 74 store or
    /// output failure, 130 interrupted.
    public var exitCode: Int32 {
        switch code {
        case .usage: return 64
        case .interrupted: return 130
        case .unreadableSource, .unreadableMapping: return 66
        case .malformedSource, .mapping: return 65
        default: return 74
        }
    }
}
