import CRMHTTP
import CRMTestSupport
import Foundation
import InMemoryLogging
import Logging
import Testing

/// The client against a real server on 127.0.0.1 (the generic test remote), with its fault switches.
@Suite("HTTP client over libcurl", .serialized)
struct HTTPClientTests {
    let remote: TestRemote
    var token: String { remote.environment["CRM_API_TOKEN"]! }

    init() throws { remote = try TestRemote(flavor: "generic") }

    func client(
        _ tweak: (inout HTTPClientConfiguration) -> Void = { _ in }, governor: RateGovernor = RateGovernor(),
        logger: Logger = Logger(label: "test")
    ) -> HTTPClient {
        var c = HTTPClientConfiguration()
        c.auth = .bearer(Secret(token))
        c.retry = RetryPolicy(maxAttempts: 6, baseDelay: 0.02, maxDelay: 0.2)
        tweak(&c)
        return HTTPClient(c, governor: governor, logger: logger)
    }

    @Test("a GET with the bearer token answers 200 with JSON; a wrong token is a 401 response, not an error")
    func authenticated() async throws {
        let r = try await client().send(HTTPRequest(.get, remote.baseURL + "/leads?limit=5"))
        #expect(r.status == 200)
        #expect(r.text.contains("\"data\""))
        #expect(r.attempts == 1)
        let wrong = try await client { $0.auth = .bearer(Secret("nope-nope")) }.send(
            HTTPRequest(.get, remote.baseURL + "/leads"))
        #expect(wrong.status == 401)
    }

    @Test("503, 429 and 500 on half the requests are retried until every request succeeds")
    func retriesStatuses() async throws {
        try remote.control(
            "POST", "/faults", json: #"{"fraction":0.3,"kinds":["503","429","500"],"retry_after":"0","seed":3}"#)
        let c = client { $0.retry = RetryPolicy(maxAttempts: 10, baseDelay: 0.02, maxDelay: 0.2) }
        let results = await c.sendAll(
            (0..<40).map { _ in HTTPRequest(.get, remote.baseURL + "/leads?limit=1") }, concurrency: 4)
        let statuses = results.map { (try? $0.get())?.status }
        #expect(statuses.allSatisfy { $0 == 200 })
        let faults = try remote.stats()["faults_injected"] as? Int ?? 0
        #expect(faults > 5)
        #expect(results.compactMap { try? $0.get() }.contains { $0.attempts > 1 })
    }

    @Test("Retry-After as an HTTP-date is waited for")
    func retryAfterDate() async throws {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = f.string(from: Date(timeIntervalSinceNow: 2))  // whole seconds: a wait between 1 and 2 s
        try remote.control(
            "POST", "/faults", json: #"{"fraction":1,"kinds":["429"],"retry_after":"\#(date)","max_faults":1}"#)
        let started = Date()
        let r = try await client().send(HTTPRequest(.get, remote.baseURL + "/leads"))
        #expect(r.status == 200)
        #expect(r.attempts == 2)
        #expect(Date().timeIntervalSince(started) > 0.9)
    }

    @Test("Retry-After values: seconds, HTTP-date, garbage")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryPolicy.retryAfter("7", now: now) == 7)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == 10)
        #expect(RetryPolicy.retryAfter("soon", now: now) == nil)
        let p = RetryPolicy(baseDelay: 1, maxDelay: 8)
        #expect(p.backoff(retry: 1, random: 0) == 0.5)
        #expect(p.backoff(retry: 10, random: 1) == 8)
    }

    @Test("a server that never answers times out with curl error 28, after the allowed attempts")
    func timeout() async throws {
        try remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["timeout"],"timeout_ms":3000}"#)
        let c = client {
            $0.totalTimeout = 0.3
            $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02)
        }
        let e = await #expect(throws: HTTPError.self) { try await c.send(HTTPRequest(.get, remote.baseURL + "/leads")) }
        #expect(e?.code == .transport)
        #expect(e?.curlCode == 28)
        #expect(e?.attempts == 2)
        #expect(e?.method == "GET")
    }

    @Test(
        "a connection dropped mid-answer: a POST without idempotency key is not repeated; with a key it is, and creates once"
    )
    func droppedConnections() async throws {
        try remote.control(
            "POST", "/faults", json: #"{"fraction":1,"kinds":["drop_after"],"max_faults":1,"only_methods":["POST"]}"#)
        let c = client()
        let body = Array(#"{"first_name":"Ada","email":"ada@example.com"}"#.utf8)
        await #expect(throws: HTTPError.self) { try await c.send(.json(.post, remote.baseURL + "/leads", body: body)) }
        #expect(try remote.records("leads").count == 1)  // it happened once, and was not sent again

        try remote.control(
            "POST", "/faults", json: #"{"fraction":1,"kinds":["drop_after"],"max_faults":1,"only_methods":["POST"]}"#)
        let r = try await c.send(
            .json(
                .post, remote.baseURL + "/leads", body: Array(#"{"first_name":"Bob"}"#.utf8),
                headers: ["Idempotency-Key": "k-1"]))
        #expect(r.status == 201)
        #expect(r.attempts == 2)
        #expect(try remote.records("leads").count == 2)
    }

    @Test(
        "a GET whose connection drops, before or during the answer, is repeated and succeeds",
        arguments: ["drop", "drop_after"])
    func droppedGet(kind: String) async throws {
        try remote.control("POST", "/records/leads", json: #"{"data":[{"first_name":"Ada"}]}"#)
        try remote.control(
            "POST", "/faults", json: #"{"fraction":1,"kinds":["\#(kind)"],"max_faults":1,"only_methods":["GET"]}"#)
        let r = try await client().send(HTTPRequest(.get, remote.baseURL + "/leads"))
        #expect(r.status == 200)
        #expect(r.attempts == 2)
        #expect(String(decoding: r.body, as: UTF8.self).contains("Ada"))
    }

    @Test("an answer above the body limit fails with bodyTooLarge")
    func bodyCap() async throws {
        try remote.control(
            "POST", "/records/leads", json: #"{"data":[{"first_name":"A"},{"first_name":"B"},{"first_name":"C"}]}"#)
        let c = client { $0.maxBodyBytes = 64 }
        let e = await #expect(throws: HTTPError.self) { try await c.send(HTTPRequest(.get, remote.baseURL + "/leads")) }
        #expect(e?.code == .bodyTooLarge)
    }

    @Test(
        "only http and https URLs are allowed",
        arguments: ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "not a url"])
    func protocols(url: String) async throws {
        let e = await #expect(throws: HTTPError.self) { try await client().send(HTTPRequest(.get, url)) }
        #expect(e?.code == .invalidURL)
    }

    @Test("TLS verification is on: an https server with a certificate nobody signed is refused unless insecure")
    func tlsVerification() async throws {
        // A plain-HTTP port spoken to with https fails the TLS handshake: the point is that it is an error, not a
        // silent success.
        let url = remote.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/leads"
        let e = await #expect(throws: HTTPError.self) {
            try await client { $0.retry = RetryPolicy(maxAttempts: 1) }.send(HTTPRequest(.get, url))
        }
        #expect(e?.code == .transport)
    }

    @Test("secrets appear in no error, no log line and no redacted URL")
    func redaction() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        try remote.control("POST", "/faults", json: #"{"fraction":1,"kinds":["500"]}"#)
        let c = client({ $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.01) }, logger: logger)
        let url = remote.baseURL + "/leads?token=\(token)&limit=1"
        let e = await #expect(throws: HTTPError.self) { try await c.send(HTTPRequest(.get, url)) }
        let text = "\(e.map { "\($0)" } ?? "")" + logs.entries.map { "\($0.message)" }.joined(separator: "\n")
        #expect(!logs.entries.isEmpty)
        #expect(!text.contains(token))
        #expect(text.contains("token=***"))
        #expect(!c.redactor.redact("Authorization: Bearer \(token)").contains(token))
        #expect("\(Secret(token))" == "<redacted>")
        let basic = HTTPAuth.basic(user: "u", password: Secret("hunter22"))
        #expect(Redactor(secrets: basic.secrets).redact("Basic dTpodW50ZXIyMg== and hunter22") == "Basic *** and ***")
    }

    @Test("the rate governor keeps a run under the remote's limit: no 429 reaches the server's counter")
    func governor() async throws {
        try remote.control("POST", "/rate_limit", json: #"{"limit":8,"window":1}"#)
        defer { _ = try? remote.control("POST", "/rate_limit", json: #"{"limit":null}"#) }
        let c = client(governor: RateGovernor(limit: 8, window: 1))
        let started = Date()
        let results = await c.sendAll(
            (0..<24).map { _ in HTTPRequest(.get, remote.baseURL + "/leads?limit=1") }, concurrency: 8)
        #expect(results.allSatisfy { (try? $0.get())?.status == 200 })
        let stats = try remote.stats()
        #expect(stats["throttled"] as? Int == 0)
        #expect(Date().timeIntervalSince(started) >= 2)
    }

    @Test("without a configured limit the governor learns from throttled answers and every request still succeeds")
    func governorLearns() async throws {
        try remote.control("POST", "/rate_limit", json: #"{"limit":5,"window":1}"#)
        defer { _ = try? remote.control("POST", "/rate_limit", json: #"{"limit":null}"#) }
        let g = RateGovernor()
        let c = client({ $0.retry = RetryPolicy(maxAttempts: 10, baseDelay: 0.05, maxDelay: 1) }, governor: g)
        let results = await c.sendAll(
            (0..<15).map { _ in HTTPRequest(.get, remote.baseURL + "/leads?limit=1") }, concurrency: 4)
        #expect(results.allSatisfy { (try? $0.get())?.status == 200 })
    }

    @Test("many requests at once reuse connections and all answer")
    func concurrency() async throws {
        let c = client { $0.maxConnections = 4 }
        let results = await c.sendAll(
            (0..<200).map { _ in HTTPRequest(.get, remote.baseURL + "/leads?limit=1") }, concurrency: 16)
        #expect(results.allSatisfy { (try? $0.get())?.status == 200 })
    }

    @Test("the blocking form works from a plain thread")
    func blocking() throws {
        let r = try client().sendBlocking(HTTPRequest(.get, remote.baseURL + "/leads"))
        #expect(r.status == 200)
    }
}
