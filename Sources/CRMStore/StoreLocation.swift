import Foundation

/// Where a store is: an SQLite file (the embedded default) or a PostgreSQL database named by a URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A `postgresql://user@host:port/db[?passfile=FILE&sslmode=…]` URL without a password.
    case postgres(url: String)

    /// Reads `--store` (or `CRMGATE_STORE`): a `postgresql://` or `postgres://` URL, or a file path.
    /// - Throws: `StoreError(.invalidLocation)` for a URL that carries a password (command lines and environments of
    ///   other processes are visible to every user of a machine: give it in `PGPASSWORD`, a `.pgpass` file,
    ///   `PGPASSFILE` or `passfile=` in the URL), or a URL that is not one.
    public init(_ text: String) throws {
        let lower = text.lowercased()
        guard lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") else {
            // libpq's keyword form (`host=… dbname=…`) is no file name: taken for one, it made an SQLite file named
            // after the password, and messages printed it (a trial). Refused without repeating it.
            let keywords = ["host=", "hostaddr=", "dbname=", "user=", "port=", "password=", "service=", "sslmode="]
            let words = lower.split(separator: " ")
            if words.contains(where: { w in keywords.contains { w.hasPrefix($0) } }),
                text.contains(" ") || words.count == 1,
                words.allSatisfy({ $0.contains("=") })
            {
                throw StoreError(
                    .invalidLocation,
                    message:
                        "--store takes a file path or a postgresql://user@host:port/database URL, not libpq's keyword=value form; "
                        + "give the password in PGPASSWORD, a .pgpass file (~/.pgpass or PGPASSFILE) or ?passfile=FILE in the URL"
                )
            }
            self = .sqlite(path: text)
            return
        }
        guard let c = URLComponents(string: text) else {
            throw StoreError(
                .invalidLocation, message: "the store URL is not a URL (postgresql://user@host:port/database)")
        }
        // `password`, and `sslpassword` (a client key's passphrase): no secret in a URL.
        let passwordParam = c.queryItems?.contains { $0.name.lowercased().contains("password") } ?? false
        if c.password != nil || passwordParam {
            var shown = c
            shown.password = nil
            shown.queryItems = c.queryItems?.filter { !$0.name.lowercased().contains("password") }
            if shown.queryItems?.isEmpty == true { shown.queryItems = nil }
            throw StoreError(
                .invalidLocation, path: shown.string,
                message:
                    "the store URL holds a password, which other users of this machine can read from a command line: "
                    + "remove it and give it in PGPASSWORD, a .pgpass file (~/.pgpass or PGPASSFILE) or a file named in the URL (?passfile=FILE)"
            )
        }
        self = .postgres(url: text)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url
        }
    }

    /// Opens the store as the sync core sees it.
    public func openSyncStore(mode: CRMStore.OpenMode) throws -> any SyncStore {
        switch self {
        case .sqlite(let path): return try CRMStore(path: path, mode: mode)
        case .postgres(let url): return try PostgresStore(url: url, mode: mode)
        }
    }
}
