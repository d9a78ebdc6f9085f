public import Foundation

/// A throw-away PostgreSQL cluster on 127.0.0.1 (`scripts/postgres.sh`), started once per test process when a test
/// first asks for a database and stopped when the process exits. `CRMGATE_TEST_POSTGRES` (with
/// `CRMGATE_TEST_PGPASSFILE`) names a running server instead.
public final class PostgresServer: @unchecked Sendable {
    /// The server's base URL (database `postgres`), without a password.
    public let baseURL: String
    /// The `.pgpass` file with the password.
    public let passfile: String
    /// The cluster's folder (nil for a server named by the environment).
    public let dir: URL?

    private init(baseURL: String, passfile: String, dir: URL?) {
        self.baseURL = baseURL
        self.passfile = passfile
        self.dir = dir
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<PostgresServer, TestSupportError>?
    nonisolated(unsafe) private static var postmasterPID: pid_t = 0
    nonisolated(unsafe) private static var clusterDir: String?

    /// The server, started on first use.
    /// - Throws: when no PostgreSQL server is installed or it does not start (the message says why).
    public static func shared() throws -> PostgresServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result: Result<PostgresServer, TestSupportError>
        do { result = .success(try start()) } catch let e as TestSupportError { result = .failure(e) } catch {
            result = .failure(TestSupportError("\(error)"))
        }
        started = result
        return try result.get()
    }

    private static func start() throws -> PostgresServer {
        let env = ProcessInfo.processInfo.environment
        if let url = env["CRMGATE_TEST_POSTGRES"], let pass = env["CRMGATE_TEST_PGPASSFILE"] {
            return PostgresServer(baseURL: url, passfile: pass, dir: nil)
        }
        let server = try startCluster()
        if let dir = server.dir,
            let pidText = try? String(contentsOf: dir.appendingPathComponent("data/postmaster.pid"), encoding: .utf8),
            let pid = pid_t(pidText.split(separator: "\n").first ?? "")
        {
            postmasterPID = pid
        }
        clusterDir = server.dir?.path
        atexit {
            // Fast shutdown (SIGINT to the postmaster), then the folder goes.
            let pid = PostgresServer.postmasterPID
            if pid > 0, kill(pid, SIGINT) == 0 {
                for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
            }
            if let d = PostgresServer.clusterDir { try? FileManager.default.removeItem(atPath: d) }
        }
        return server
    }

    /// A cluster of its own for a test that restarts or stops it (the shared one serves tests running at once);
    /// the caller stops it with `stop()`.
    public static func startPrivate() throws -> PostgresServer { try startCluster() }

    /// Stops a cluster from `startPrivate` and removes its folder.
    public func stop() {
        guard let dir else { return }
        _ = try? TestSupport.run(
            TestSupport.repoRoot.appendingPathComponent("scripts/postgres.sh").path, ["stop", dir.path])
        try? FileManager.default.removeItem(at: dir)
    }

    private static func startCluster() throws -> PostgresServer {
        let dir = URL(fileURLWithPath: "/tmp/crmgate-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        let r = try TestSupport.run(
            TestSupport.repoRoot.appendingPathComponent("scripts/postgres.sh").path, ["start", dir.path])
        guard r.status == 0 else { throw TestSupportError("scripts/postgres.sh start failed: \(r.stderr)") }
        var values: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let url = values["CRMGATE_TEST_POSTGRES"], let pass = values["CRMGATE_TEST_PGPASSFILE"] else {
            throw TestSupportError("scripts/postgres.sh printed no URL: \(r.stdout)")
        }
        return PostgresServer(baseURL: url, passfile: pass, dir: dir)
    }

    /// A new, empty database on the server, as a URL that names the password file (`?passfile=`).
    public func makeDatabase(_ prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let psql = ["/usr/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "psql"
        let r = try TestSupport.run(
            psql, [baseURL, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"],
            environment: ["PGPASSFILE": passfile])
        guard r.status == 0 else { throw TestSupportError("CREATE DATABASE failed: \(r.stderr)") }
        return url(database: name)
    }

    /// The URL of a database on this server, with `passfile=`.
    public func url(database: String) -> String {
        var base = baseURL
        if let slash = base.range(of: "/", options: .backwards) { base = String(base[..<slash.upperBound]) }
        return base + database + "?passfile=" + passfile
    }

    /// Restarts a cluster from `startPrivate` (the fault tests' database restart).
    public func restart() throws {
        guard let dir else { throw TestSupportError("the server was not started by this test process") }
        let r = try TestSupport.run(
            TestSupport.repoRoot.appendingPathComponent("scripts/postgres.sh").path, ["restart", dir.path])
        guard r.status == 0 else { throw TestSupportError("restart failed: \(r.stderr)") }
    }
}

/// The store engines a store test runs on: one body, both engines.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    /// A new, empty store's location (`--store` text): a file in a new folder, or a new database.
    public func makeLocation() throws -> String {
        switch self {
        case .sqlite:
            return try TestSupport.temporaryDirectory("crmgate-store").appendingPathComponent("store.sqlite").path
        case .postgres: return try PostgresServer.shared().makeDatabase()
        }
    }

    public var description: String { rawValue }
}
