public import Foundation

/// A credential value. Its description never shows the value.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The value, to put into a request header and nowhere else.
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Where a secret comes from: an environment variable or a file. Never the command line.
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        }
    }

    /// Reads the secret.
    /// - Throws: ``HTTPError`` with code `missingSecret` when the variable is unset or empty, or the file unreadable.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secret {
        switch self {
        case .environment(let name):
            guard let v = environment[name], !v.isEmpty else {
                throw HTTPError(
                    code: .missingSecret, method: "-", url: "-",
                    message: "the \(self) is not set; export it before running")
            }
            return Secret(v)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: (path as NSString).expandingTildeInPath) else {
                throw HTTPError(code: .missingSecret, method: "-", url: "-", message: "cannot read the secret \(self)")
            }
            let v = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !v.isEmpty else {
                throw HTTPError(code: .missingSecret, method: "-", url: "-", message: "the secret \(self) is empty")
            }
            return Secret(v)
        }
    }
}

/// Removes known secret values, URL credentials and secret-looking query values from text.
public struct Redactor: Sendable {
    private var secrets: [String]

    public init(secrets: [Secret] = []) { self.secrets = secrets.map(\.value).filter { $0.count >= 3 } }

    public mutating func add(_ secret: Secret) { if secret.value.count >= 3 { secrets.append(secret.value) } }

    /// Query parameter names whose values are hidden in logged URLs.
    static let secretParameterNames: Set<String> = [
        "token", "access_token", "api_key", "apikey", "key", "password", "secret", "signature", "sig", "hapikey",
        "client_secret", "code",
    ]

    /// `text` with every known secret replaced by `***`.
    public func redact(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "***") }
        // Base64 of "user:password" in a Basic header would hide the password: hide Authorization values too.
        if let r = out.range(of: "Authorization:", options: .caseInsensitive) {
            let lineEnd = out[r.upperBound...].firstIndex(where: { $0 == "\n" || $0 == "\r" }) ?? out.endIndex
            out.replaceSubrange(r.upperBound..<lineEnd, with: " ***")
        }
        return out
    }

    /// `url` without user info and with secret-looking query values replaced; known secrets removed as well.
    public func redactURL(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return redact(url) }
        if c.user != nil || c.password != nil {
            c.user = nil
            c.password = nil
        }
        if let items = c.queryItems, !items.isEmpty {
            c.queryItems = items.map { item in
                Self.secretParameterNames.contains(item.name.lowercased())
                    ? URLQueryItem(name: item.name, value: "***") : item
            }
        }
        return redact(c.string ?? url)
    }
}
