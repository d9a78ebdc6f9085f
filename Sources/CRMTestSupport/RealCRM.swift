import Foundation

/// A real CRM for the test suite: amagi-crm 0.1.0 (PyPI), started by `scripts/amagi-crm.sh` on 127.0.0.1 on a free
/// port, in its own data folder, and stopped (with its folder removed) when this object goes. Tests read the
/// server's own API through `api`, not crmgate's output.
public final class RealCRM: @unchecked Sendable {
    /// The API root, e.g. `http://127.0.0.1:PORT/api`.
    public let apiURL: String
    /// The environment crmgate needs to reach it (the token the bundled profile names).
    public let environment: [String: String]
    private let dir: URL
    private let headerFile: String

    /// Starts a server. - Throws: with the script's message when python3 (with venv) or pip cannot provide it.
    public init() throws {
        dir = try TestSupport.temporaryDirectory("crmgate-amagi")
        let script = TestSupport.repoRoot.appendingPathComponent("scripts/amagi-crm.sh").path
        let r = try TestSupport.run("/bin/bash", [script, "start", dir.path])
        guard r.status == 0 else {
            throw TestSupportError("amagi-crm did not start (exit \(r.status)): \(r.stderr.suffix(2000))")
        }
        var values: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let url = values["AMAGI_URL"], let tokenFile = values["AMAGI_TOKEN_FILE"] else {
            throw TestSupportError("amagi-crm.sh printed no AMAGI_URL/AMAGI_TOKEN_FILE: \(r.stdout)")
        }
        apiURL = url
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        environment = ["AMAGI_TOKEN": token]
        // The token goes to curl in a header file, never on a command line.
        headerFile = dir.appendingPathComponent("auth-header").path
        _ = FileManager.default.createFile(
            atPath: headerFile, contents: Data("Authorization: Bearer \(token)\n".utf8),
            attributes: [.posixPermissions: 0o600])
    }

    deinit { stop() }

    /// Stops the server and removes its folder.
    public func stop() {
        let script = TestSupport.repoRoot.appendingPathComponent("scripts/amagi-crm.sh").path
        _ = try? TestSupport.run("/bin/bash", [script, "stop", dir.path])
        try? FileManager.default.removeItem(at: dir)
    }

    /// One request to the server's API; the answer's status and its JSON (nil for an empty body).
    @discardableResult
    public func api(_ method: String, _ path: String, json: String? = nil) throws -> (status: Int, body: Any?) {
        var args = ["-s", "-S", "-X", method, "-H", "@" + headerFile, "-w", "\n%{http_code}", apiURL + path]
        if let json { args += ["-H", "Content-Type: application/json", "--data-binary", json] }
        let r = try TestSupport.run("/usr/bin/curl", args)
        guard r.status == 0 else { throw TestSupportError("\(method) \(path) failed: \(r.stderr)") }
        let parts = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let body = parts.dropLast().joined(separator: "\n")
        return (
            Int(parts.last ?? "") ?? 0,
            body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])
        )
    }

    /// Every contact the server holds.
    public func contacts() throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        while true {
            let page = try api("GET", "/contacts?limit=1000&offset=\(out.count)").body as? [String: Any]
            let items = page?["items"] as? [[String: Any]] ?? []
            out += items
            if items.count < 1000 { return out }
        }
    }

    /// Every deal, or every task (bare-array listings).
    public func list(_ path: String) throws -> [[String: Any]] { try api("GET", path).body as? [[String: Any]] ?? [] }
}
