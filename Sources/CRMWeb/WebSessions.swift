import Foundation

/// A signed-in browser: its session id (the cookie), its CSRF token (every form carries it) and the user it acts as.
public struct WebSession: Sendable, Equatable {
    public let id: String
    public let csrf: String
    public var user: String
}

/// The sign-in token (printed once by `serve`, good for one sign-in) and the sessions it opened.
final class WebSessions: @unchecked Sendable {
    private let lock = NSLock()
    private var token: String?
    private var sessions: [String: WebSession] = [:]
    let defaultUser: String

    init(token: String, defaultUser: String) {
        self.token = token
        self.defaultUser = defaultUser
    }

    /// 32 random bytes as hex.
    static func random() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    /// Equal without stopping at the first different byte.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in x.indices { d |= x[i] ^ y[i] }
        return d == 0
    }

    /// Trades the sign-in token for a session; nil when the token is wrong or was used already.
    func signIn(token given: String) -> WebSession? {
        lock.withLock {
            guard let token, Self.same(token, given) else { return nil }
            self.token = nil
            let s = WebSession(id: Self.random(), csrf: Self.random(), user: defaultUser)
            sessions[s.id] = s
            return s
        }
    }

    func session(id: String?) -> WebSession? {
        guard let id else { return nil }
        return lock.withLock { sessions[id] }
    }

    func setUser(_ user: String, session id: String) {
        lock.withLock { sessions[id]?.user = user }
    }
}
