/// A request that could not produce a usable response: a transport failure, a refused request, or a
/// retryable status that stayed after every retry. It never contains a secret (see ``Redactor``).
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The URL is not an absolute http(s) URL.
        case invalidURL
        /// Connect, DNS, TLS, timeout, dropped connection: libcurl's code says which.
        case transport
        /// The body was larger than the configured cap.
        case bodyTooLarge
        /// A retryable status (throttled, 5xx) or a rejected body persisted through every attempt.
        case retriesExhausted
        /// The remote's daily request budget is spent.
        case dailyLimitReached
        /// A secret named by the profile is missing.
        case missingSecret
        /// The client was shut down.
        case cancelled
    }

    public var code: Code
    public var method: String
    /// The URL with credentials and secret query values removed.
    public var url: String
    public var status: Int?
    /// libcurl's `CURLcode`, when the transport failed.
    public var curlCode: Int?
    /// libcurl's message or the server's answer (shortened, redacted).
    public var message: String
    public var attempts: Int

    public init(
        code: Code, method: String, url: String, status: Int? = nil, curlCode: Int? = nil, message: String,
        attempts: Int = 1
    ) {
        self.code = code
        self.method = method
        self.url = url
        self.status = status
        self.curlCode = curlCode
        self.message = message
        self.attempts = attempts
    }

    public var description: String {
        var s = "\(method) \(url) failed"
        if let status { s += " with HTTP \(status)" }
        if let curlCode { s += " (curl error \(curlCode))" }
        s += " after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        if !message.isEmpty { s += ": \(message)" }
        switch code {
        case .transport: s += ". Check the base URL, the network and the remote's availability."
        case .retriesExhausted: s += ". The remote kept refusing; the run can be resumed later."
        case .bodyTooLarge: s += ". Raise the body limit in the profile if this answer is expected."
        case .dailyLimitReached:
            s += ". The profile's per-day request limit is reached; run again tomorrow or raise it."
        case .missingSecret, .invalidURL, .cancelled: break
        }
        return s
    }
}
