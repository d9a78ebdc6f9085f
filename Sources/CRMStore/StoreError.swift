/// An error of the embedded store, with the SQLite code when there is one.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, pattern-matchable.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public static let cannotOpen = Code(rawValue: "cannot-open")
        public static let sqlite = Code(rawValue: "sqlite")
        public static let busy = Code(rawValue: "busy")
        public static let corrupt = Code(rawValue: "corrupt")
        public static let notFound = Code(rawValue: "not-found")
        public var description: String { rawValue }
    }

    public let code: Code
    /// The store file.
    public var path: String?
    /// SQLite's result code, when SQLite reported the error.
    public var sqliteCode: Int32?
    public let message: String

    public init(_ code: Code, path: String? = nil, sqliteCode: Int32? = nil, message: String) {
        self.code = code
        self.path = path
        self.sqliteCode = sqliteCode
        self.message = message
    }

    public var description: String {
        (path.map { "store \($0): " } ?? "store: ") + message + (sqliteCode.map { " (SQLite code \($0))" } ?? "") + " [\(code)]"
    }
}
