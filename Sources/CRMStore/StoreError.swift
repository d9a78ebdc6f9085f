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
        /// There is no store file where one must already exist (a read-only or update open).
        public static let missing = Code(rawValue: "missing")
        /// The store's schema is older than this crmgate's, and the open may not migrate it.
        public static let outdated = Code(rawValue: "outdated")
        /// The store's schema is newer than this crmgate's: it would misread what it does not know (a ledger line
        /// that stands for several rows, say), so it does not open it.
        public static let newer = Code(rawValue: "newer")
        /// A short or partial record id matches more than one record.
        public static let ambiguous = Code(rawValue: "ambiguous")
        /// Text that cannot be a record id or a part of one.
        public static let invalidID = Code(rawValue: "invalid-id")
        /// PostgreSQL refused a statement (the SQLSTATE says why).
        public static let postgres = Code(rawValue: "postgres")
        /// The connection to PostgreSQL dropped (a restart, a network fault); reconnecting may help.
        public static let connectionLost = Code(rawValue: "connection-lost")
        /// The store location is not usable as given (a password in a URL, an unknown scheme).
        public static let invalidLocation = Code(rawValue: "invalid-location")
        /// The command needs a store engine it was not given (a command that works only on SQLite yet).
        public static let unsupported = Code(rawValue: "unsupported")
        public var description: String { rawValue }
    }

    public let code: Code
    /// The store file.
    public var path: String?
    /// SQLite's result code, when SQLite reported the error.
    public var sqliteCode: Int32?
    /// PostgreSQL's SQLSTATE, when PostgreSQL reported the error.
    public var sqlState: String?
    public let message: String

    public init(_ code: Code, path: String? = nil, sqliteCode: Int32? = nil, sqlState: String? = nil, message: String) {
        self.code = code
        self.path = path
        self.sqliteCode = sqliteCode
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        (path.map { "store \($0): " } ?? "store: ") + message + (sqliteCode.map { " (SQLite code \($0))" } ?? "")
            + (sqlState.map { " (SQLSTATE \($0))" } ?? "") + " [\(code)]"
    }
}

/// A state column read back as its enum: text the enum does not know (a store written by a newer crmgate, or edited by
/// hand) is refused with the column's name, never read as some default state.
func storedEnum<E: RawRepresentable>(_ type: E.Type, _ text: String?, _ column: String) throws -> E
where E.RawValue == String {
    guard let text, let v = E(rawValue: text) else {
        throw StoreError(
            .corrupt,
            message:
                "the store holds \(text.map { "'\($0)'" } ?? "nothing") in \(column), which this crmgate does not know"
                + " (a store written by a newer version?)")
    }
    return v
}
