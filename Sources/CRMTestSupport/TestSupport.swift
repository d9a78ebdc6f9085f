public import Foundation

/// Paths and helpers shared by the test targets.
public enum TestSupport {
    /// The repository root, found from this file's location.
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `fixtures/`.
    public static func fixture(_ relative: String) -> String {
        repoRoot.appendingPathComponent("fixtures/" + relative).path
    }

    /// A file under `mappings/`.
    public static func mapping(_ relative: String) -> String {
        repoRoot.appendingPathComponent("mappings/" + relative).path
    }

    /// The bytes of a fixture.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(relative))))
    }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory(_ name: String = "crmgate-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The crmgate binary built next to the tests (`swift build --build-tests` builds it).
    public static var crmgateBinary: String? {
        for config in ["debug", "release"] {
            let p = repoRoot.appendingPathComponent(".build/\(config)/crmgate").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs a program to its end and returns its exit status, standard output and standard error.
    /// - Parameter environment: variables set (or, with an empty value, removed) for the program; the rest of
    ///   this process's environment is passed on.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:]
    ) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let dir = try temporaryDirectory("crmgate-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out")
        let errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = cwd }
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v.isEmpty ? nil : v }
            p.environment = env
        }
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (
            p.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }

    /// The path of `python3`, if there is one.
    public static var python: String? {
        for p in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        let env = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in env.split(separator: ":") {
            let p = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// A Python with `packages` installed, in a virtual environment under `.build/` made once per test run.
    /// Nil (with the reason) when python3 or the package index is not available.
    public static func pythonWith(_ packages: [String]) -> (python: String?, problem: String?) {
        PythonVenvs.shared.get(packages)
    }
}

/// Virtual environments made for tests, one per package list, created once (tests may ask concurrently).
final class PythonVenvs: @unchecked Sendable {
    static let shared = PythonVenvs()
    private let lock = NSLock()
    private var made: [String: (String?, String?)] = [:]

    func get(_ packages: [String]) -> (python: String?, problem: String?) {
        lock.lock()
        defer { lock.unlock() }
        let key = packages.sorted().joined(separator: "-")
        if let r = made[key] { return r }
        let r = make(packages, key)
        made[key] = r
        return r
    }

    private func make(_ packages: [String], _ key: String) -> (String?, String?) {
        guard let py = TestSupport.python else { return (nil, "python3 is not installed") }
        let dir = TestSupport.repoRoot.appendingPathComponent(".build/test-venv-\(key)")
        let bin = dir.appendingPathComponent("bin/python").path
        let check = "import " + packages.joined(separator: ", ")
        if FileManager.default.isExecutableFile(atPath: bin), (try? TestSupport.run(bin, ["-c", check]))?.status == 0 {
            return (bin, nil)
        }
        do {
            let v = try TestSupport.run(py, ["-m", "venv", dir.path])
            guard v.status == 0 else { return (nil, "python3 -m venv failed: \(v.stderr)") }
            let p = try TestSupport.run(bin, ["-m", "pip", "install", "-q"] + packages)
            guard p.status == 0 else {
                return (nil, "pip install \(packages.joined(separator: " ")) failed: \(p.stderr)")
            }
            return (bin, nil)
        } catch {
            return (nil, "\(error)")
        }
    }
}
