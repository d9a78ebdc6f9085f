import Foundation
public import Logging

/// How a client talks to one remote.
public struct HTTPClientConfiguration: Sendable {
    public var connectTimeout: Double = 10
    /// The whole request, body included.
    public var totalTimeout: Double = 60
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned.
    public var lowSpeedBytesPerSecond: Int = 1
    public var lowSpeedSeconds: Int = 30
    /// Answers larger than this fail with `bodyTooLarge`.
    public var maxBodyBytes: Int = 64 << 20
    /// Connections open at once to the remote (requests beyond wait in libcurl's queue).
    public var maxConnections: Int = 8
    /// A CA bundle to trust instead of the system's.
    public var caBundle: String?
    /// Turns TLS certificate and host verification off. Only the `--insecure` flag sets this.
    public var insecure: Bool = false
    public var userAgent: String = "crmgate/0.1"
    public var retry = RetryPolicy()
    public var auth: HTTPAuth = .none

    public init() {}
}

/// An HTTP client over libcurl: requests run on one dedicated thread through the multi interface (connection
/// reuse, keep-alive, HTTP/2 when offered, gzip), with retries, backoff, `Retry-After` and a shared rate budget.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    /// Every secret this client knows, to scrub from what it reports.
    public let redactor: Redactor
    public let governor: RateGovernor
    private let loop: CurlMultiLoop
    private let settings: TransferSettings
    private let logger: Logger

    public init(
        _ configuration: HTTPClientConfiguration, governor: RateGovernor = RateGovernor(),
        logger: Logger = Logger(label: "crmgate.http")
    ) {
        self.configuration = configuration
        self.redactor = Redactor(secrets: configuration.auth.secrets)
        self.governor = governor
        self.logger = logger
        loop = CurlMultiLoop(maxConnections: configuration.maxConnections)
        settings = TransferSettings(
            connectTimeoutMs: Int(configuration.connectTimeout * 1000),
            totalTimeoutMs: Int(configuration.totalTimeout * 1000),
            lowSpeedBytesPerSecond: configuration.lowSpeedBytesPerSecond,
            lowSpeedSeconds: configuration.lowSpeedSeconds,
            maxBodyBytes: configuration.maxBodyBytes, caBundle: configuration.caBundle,
            insecure: configuration.insecure,
            userAgent: configuration.userAgent)
    }

    deinit { loop.shutdown() }

    /// Sends `request` (adding the client's auth), retrying what may be retried.
    /// - Returns: the response, whatever its status, once it is not a retryable one (or the last attempt's is).
    /// - Throws: ``HTTPError`` for transport failures that persist, retries spent on throttling or 5xx,
    ///   oversized bodies, invalid URLs and a spent daily budget. A 4xx is a response, not an error.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        try prepare(&request)
        var attempt = 0
        while true {
            attempt += 1
            guard let wait = governor.reserve() else {
                throw error(.dailyLimitReached, request, attempt: attempt - 1, message: "")
            }
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
            while let more = governor.confirm() { try await Task.sleep(nanoseconds: UInt64(more * 1e9)) }
            let result = await withCheckedContinuation { (c: CheckedContinuation<AttemptResult, Never>) in
                loop.submit(request, settings) { c.resume(returning: $0) }
            }
            switch decide(result, request, attempt) {
            case .done(var r):
                r.attempts = attempt
                return r
            case .fail(let e): throw e
            case .retry(let delay): try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
        }
    }

    /// The blocking form of ``send(_:)`` for callers on their own thread (never call it from a Swift task).
    public func sendBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        var request = request
        try prepare(&request)
        var attempt = 0
        while true {
            attempt += 1
            guard let wait = governor.reserve() else {
                throw error(.dailyLimitReached, request, attempt: attempt - 1, message: "")
            }
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            while let more = governor.confirm() { Thread.sleep(forTimeInterval: more) }
            let done = DispatchSemaphore(value: 0)
            let box = ResultBox()
            loop.submit(request, settings) { r in
                box.value = r
                done.signal()
            }
            done.wait()
            switch decide(box.value!, request, attempt) {
            case .done(var r):
                r.attempts = attempt
                return r
            case .fail(let e): throw e
            case .retry(let delay): Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    /// Sends many requests at once, at most `concurrency` in flight, and returns their outcomes in order.
    public func sendAll(_ requests: [HTTPRequest], concurrency: Int? = nil) async -> [Result<HTTPResponse, HTTPError>] {
        await BoundedConcurrency.map(requests, width: concurrency ?? configuration.maxConnections) {
            r -> Result<HTTPResponse, HTTPError> in
            do { return .success(try await self.send(r)) } catch let e as HTTPError { return .failure(e) } catch {
                return .failure(
                    HTTPError(
                        code: .cancelled, method: r.method.rawValue, url: self.redactor.redactURL(r.url),
                        message: "\(error)"))
            }
        }.map { $0! }
    }

    /// Ends the client's thread; requests in flight fail with `cancelled`.
    public func shutdown() { loop.shutdown() }

    // MARK: - Policy

    private enum Decision {
        case done(HTTPResponse)
        case retry(Double)
        case fail(HTTPError)
    }

    private func prepare(_ request: inout HTTPRequest) throws {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), URL(string: request.url)?.host != nil else {
            throw HTTPError(
                code: .invalidURL, method: request.method.rawValue, url: redactor.redactURL(request.url),
                message: "only absolute http:// and https:// URLs are allowed", attempts: 0)
        }
        configuration.auth.apply(to: &request.headers)
        if request.headers["Accept"] == nil { request.headers.set("Accept", "application/json") }
    }

    private func decide(_ result: AttemptResult, _ request: HTTPRequest, _ attempt: Int) -> Decision {
        let policy = configuration.retry
        let url = redactor.redactURL(request.url)
        let last = attempt >= policy.maxAttempts
        switch result {
        case .failure(let code, let message, let tooLarge):
            let msg = redactor.redact(message)
            logger.debug("\(request.method.rawValue) \(url) → curl error \(code): \(msg) (attempt \(attempt))")
            if tooLarge {
                return .fail(
                    HTTPError(
                        code: .bodyTooLarge, method: request.method.rawValue, url: url, curlCode: code,
                        message: "the answer exceeds \(configuration.maxBodyBytes) bytes", attempts: attempt))
            }
            if code == -1 { return .fail(error(.cancelled, request, attempt: attempt, message: msg, curlCode: nil)) }
            // Nothing reached the server when the connection could not be made: any request may be repeated then.
            let notSent = code == 6 || code == 7
            let retryable = Self.retryableCurlCodes.contains(code) && (request.mayRepeat || notSent)
            if !retryable || last {
                return .fail(error(.transport, request, attempt: attempt, message: msg, curlCode: code))
            }
            return .retry(policy.backoff(retry: attempt))
        case .response(let r):
            logger.debug(
                "\(request.method.rawValue) \(url) → \(r.status) in \(Int(r.elapsed * 1000)) ms (attempt \(attempt), HTTP/\(r.httpVersion), \(r.body.count) bytes)"
            )
            let throttled = policy.throttleStatuses.contains(r.status)
            let after = r.headers["Retry-After"].flatMap { RetryPolicy.retryAfter($0) }
            if throttled { governor.throttled(retryAfter: after) }
            if r.isSuccess, let accept = request.acceptBody, !accept(r) {
                if !request.mayRepeat { return .done(r) }
                if last {
                    return .fail(
                        error(
                            .retriesExhausted, request, attempt: attempt,
                            message: "the answer's body could not be read: " + snippet(r), status: r.status))
                }
                return .retry(policy.backoff(retry: attempt))
            }
            // A throttled request was refused before it was processed, so it is safe to repeat.
            guard throttled || (policy.retryStatuses.contains(r.status) && request.mayRepeat) else { return .done(r) }
            if let after, after > policy.maxRetryAfter {
                return .fail(
                    error(
                        .retriesExhausted, request, attempt: attempt,
                        message: "the remote asks to wait \(Int(after)) s (Retry-After), longer than allowed",
                        status: r.status))
            }
            if last {
                return .fail(error(.retriesExhausted, request, attempt: attempt, message: snippet(r), status: r.status))
            }
            return .retry(max(after ?? 0, policy.backoff(retry: attempt)))
        }
    }

    /// Connection refused/reset, DNS, timeouts, partial or empty answers, send/receive errors, HTTP/2 stream errors.
    static let retryableCurlCodes: Set<Int> = [6, 7, 16, 18, 28, 52, 55, 56, 92]

    private func snippet(_ r: HTTPResponse) -> String {
        let text = String(decoding: r.body.prefix(300), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return redactor.redact(text) + (r.body.count > 300 ? "…" : "")
    }

    private func error(
        _ code: HTTPError.Code, _ r: HTTPRequest, attempt: Int, message: String, curlCode: Int? = nil,
        status: Int? = nil
    ) -> HTTPError {
        HTTPError(
            code: code, method: r.method.rawValue, url: redactor.redactURL(r.url), status: status, curlCode: curlCode,
            message: redactor.redact(message), attempts: attempt)
    }
}

private final class ResultBox: @unchecked Sendable { var value: AttemptResult? }
