import Foundation

/// A test remote (`Tests/Remotes/crm_remote.py`) on 127.0.0.1 on an ephemeral port, one flavour per bundled
/// profile, with control endpoints for seeding, editing, faults and stats. Stopped with SIGKILL.
public final class TestRemote: @unchecked Sendable {
    public let flavor: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" + (flavor == "cin7" ? "/ExternalApi/v2" : "") }
    public var controlURL: String { "http://127.0.0.1:\(port)/_control" }
    private let process: Process
    /// The credentials the server expects, as environment variables for crmgate.
    public let environment: [String: String]

    /// Starts a server. - Throws: when python3 is missing or the server does not report its port.
    public init(flavor: String, arguments: [String] = []) throws {
        guard let py = TestSupport.python else { throw TestSupportError("python3 is not installed") }
        self.flavor = flavor
        let env: [String: String] =
            switch flavor {
            case "cin7":
                [
                    "CIN7_ACCOUNT_ID": "acct-\(UUID().uuidString.prefix(8))",
                    "CIN7_APPLICATION_KEY": "key-\(UUID().uuidString)",
                ]
            case "hubspot": ["HUBSPOT_TOKEN": "pat-\(UUID().uuidString)"]
            default: ["CRM_API_TOKEN": "tok-\(UUID().uuidString)"]
            }
        environment = env
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments =
            [
                TestSupport.repoRoot.appendingPathComponent("Tests/Remotes/crm_remote.py").path, "--flavor", flavor,
                "--port", "0",
            ] + arguments
        var pe = ProcessInfo.processInfo.environment
        for (k, v) in env { pe[k] = v }
        p.environment = pe
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        var line = ""
        let handle = out.fileHandleForReading
        while !line.hasSuffix("\n") {
            let d = handle.readData(ofLength: 1)
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        guard line.hasPrefix("LISTENING "),
            let port = Int(line.dropFirst(10).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(p.processIdentifier, SIGKILL)
            throw TestSupportError("the test remote did not start: \(line)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Stops the server (SIGKILL: a child of a test may ignore SIGTERM).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A control request; returns the status and the body's bytes.
    @discardableResult
    public func control(_ method: String, _ path: String, json: String? = nil) throws -> (status: Int, body: String) {
        let curl = "/usr/bin/curl"
        var args = ["-s", "-S", "-X", method, "-w", "\n%{http_code}", controlURL + path]
        if let json { args += ["-H", "Content-Type: application/json", "--data-binary", json] }
        let r = try TestSupport.run(curl, args)
        guard r.status == 0 else { throw TestSupportError("control \(method) \(path) failed: \(r.stderr)") }
        let parts = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
    }

    /// The records the server holds (deleted ones included), as JSON objects.
    public func records(_ type: String) throws -> [[String: Any]] {
        let body = try control("GET", "/records/\(type)").body
        let obj = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return obj?["data"] as? [[String: Any]] ?? []
    }

    /// The server's counters.
    public func stats() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(try control("GET", "/stats").body.utf8)) as? [String: Any]) ?? [:]
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
