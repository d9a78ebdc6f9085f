import Foundation

/// An HTTP method.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2).
    public var isIdempotent: Bool { self != .post && self != .patch }
}

/// Header fields in the order given; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) { self.fields = fields.map { (name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The first value of `name`, if present.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// All values of `name`.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Replaces every value of `name` with `value`.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        fields.append((name: name, value: value))
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One request to send.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Marks a non-idempotent request as safe to repeat (the profile says so, or it carries an idempotency key).
    public var retrySafe: Bool
    /// Called on a 2xx answer of an idempotent request: returning false (e.g. a truncated JSON body) retries it.
    public var acceptBody: (@Sendable (HTTPResponse) -> Bool)?

    public init(
        _ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, retrySafe: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.retrySafe = retrySafe
        self.acceptBody = nil
    }

    /// A request with a JSON body and the matching content type.
    public static func json(
        _ method: HTTPMethod, _ url: String, body: [UInt8], headers: HTTPHeaders = [:]
    ) -> HTTPRequest {
        var h = headers
        h.set("Content-Type", "application/json")
        return HTTPRequest(method, url, headers: h, body: body)
    }

    /// Whether the request may be sent again after a failure that may have reached the server.
    public var mayRepeat: Bool {
        method.isIdempotent || retrySafe || headers["Idempotency-Key"] != nil
    }
}

/// An answer from the server. A 4xx or 5xx is a response; policy decides whether it is an error.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The HTTP version spoken, e.g. `1.1` or `2`.
    public var httpVersion: String
    /// Time of the last attempt, in seconds.
    public var elapsed: Double
    /// How many attempts it took (1 when the first one answered).
    public var attempts: Int

    public init(
        status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], httpVersion: String = "1.1", elapsed: Double = 0,
        attempts: Int = 1
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.elapsed = elapsed
        self.attempts = attempts
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
