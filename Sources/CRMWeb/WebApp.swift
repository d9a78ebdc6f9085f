import CRMImport
import CRMMapping
import CRMModel
import CRMStore
import CRMSync
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// What `crmgate serve` serves.
public struct WebConfig: Sendable {
    /// The store: an SQLite file or a PostgreSQL URL.
    public var storePath: String
    public var host = "127.0.0.1"
    public var port = 8080
    /// Pages only; every change is refused.
    public var readOnly = false
    public var usersPath = "mappings/users.yaml"
    public var pipelinesPath = "mappings/pipelines.yaml"
    /// Who a new session acts as (a name in the users file); the first user when nil.
    public var user: String?
    /// The zone task times are shown in and the calendar's days are of (`serve --tz`, as the task commands').
    public var zone = TimeZone(identifier: "UTC")!

    public init(storePath: String) { self.storePath = storePath }
}

/// Why the web page could not start.
public struct WebError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case users, store }
    public let code: Code
    public let message: String
    public var description: String { message }
}

/// The local web app: pages rendered on the server from the store, every change a POST through the same library
/// calls as the commands, refused without the session cookie (401) or the form's CSRF token (403).
public final class WebApp: Sendable {
    let config: WebConfig
    let store: any ReviewStore
    let users: [User]
    let pipelines: Pipelines
    let sessions: WebSessions
    /// The one-time sign-in token (printed by `serve` in the sign-in URL).
    public let signInToken: String

    /// - Throws: `WebError` when the users file or the store cannot be used (`StoreError` passes through).
    public init(config: WebConfig) throws {
        self.config = config
        let users: [User]
        do { users = try UsersFile.load(path: config.usersPath) } catch {
            throw WebError(code: .users, message: "cannot read the users file \(config.usersPath): \(error)")
        }
        self.users = users
        guard let first = users.first else {
            throw WebError(code: .users, message: "the users file \(config.usersPath) names no user")
        }
        let who =
            config.user.flatMap { name in users.first { $0.name.caseInsensitiveCompare(name) == .orderedSame } }
            ?? first
        if let name = config.user, who.name.caseInsensitiveCompare(name) != .orderedSame {
            throw WebError(code: .users, message: "no user '\(name)' in \(config.usersPath)")
        }
        pipelines = (try? Pipelines.load(path: config.pipelinesPath)) ?? Pipelines()
        store = try StoreLocation(config.storePath).openReviewStore(mode: config.readOnly ? .readOnly : .update)
        signInToken = WebSessions.random()
        sessions = WebSessions(token: signInToken, defaultUser: who.name)
    }

    /// The sign-in URL for a port.
    public func signInURL(port: Int) -> String {
        "http://\(config.host.contains(":") ? "[\(config.host)]" : config.host):\(port)/signin?token=\(signInToken)"
    }

    func user(_ s: WebSession) -> User { users.first { $0.name == s.user } ?? users[0] }

    // MARK: - Responses

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (
            .contentSecurityPolicy,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),  // no-referrer would make browsers send `Origin: null` on our own forms
        (.cacheControl, "no-store"),
    ]

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        for (k, v) in securityHeaders { headers[k] = v }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func redirect(_ to: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = to
        for (k, v) in securityHeaders { headers[k] = v }
        return Response(status: .seeOther, headers: headers)
    }

    /// Where a change would be offered on a page started with `--read-only`.
    static let readOnlyNote = "<p class=\"read-only\">Read-only: this page was started with --read-only.</p>"

    /// 405 for a method a page does not take, with the ones it does.
    static func wrongMethod(allow: String) -> Response {
        var r = problem(.methodNotAllowed, "This page takes \(allow) only.")
        r.headers[.allow] = allow
        return r
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        html(
            HTML.page(
                title: "\(status.code) \(status.reasonPhrase)", session: nil,
                body: "<p class=\"error\">\(HTML.text(message))</p>"), status: status)
    }

    // MARK: - Requests

    /// The session cookie's name, with the port the page was reached on: cookies do not tell ports apart, so two
    /// `serve` on one machine would otherwise overwrite each other's session.
    static func cookieName(_ request: Request) -> String {
        guard let authority = request.head.authority, let colon = authority.lastIndex(of: ":") else {
            return "crmgate_session"
        }
        let port = authority[authority.index(after: colon)...]
        return port.allSatisfy(\.isNumber) && !port.isEmpty ? "crmgate_session_\(port)" : "crmgate_session"
    }

    func session(of request: Request) -> WebSession? {
        sessions.session(id: request.cookies[Self.cookieName(request)]?.value)
    }

    /// A page: the session is required (401 without it).
    func page(_ request: Request, _ body: (WebSession) throws -> String) -> Response {
        guard let s = session(of: request) else {
            return Self.problem(.unauthorized, "Not signed in: open the sign-in URL that `crmgate serve` printed.")
        }
        do { return Self.html(try body(s)) } catch let e as PageError {
            return Self.problem(e.status, e.message)
        } catch {
            return Self.problem(.internalServerError, "\(error)")
        }
    }

    /// A change: the session (401) and the form's CSRF token (403) are required, and the request must come from this
    /// page's own origin when the browser says where it comes from (403): by `Origin`, by `Sec-Fetch-Site`, or, when
    /// neither is sent, by `Referer` (a trial's POST with only a foreign `Referer`, or `Sec-Fetch-Site: cross-site`, and
    /// a valid token was taken).
    func action(
        _ request: Request, changesRecords: Bool = true, _ body: (WebSession, Form) throws -> Response
    ) async -> Response {
        guard let s = session(of: request) else { return Self.problem(.unauthorized, "Not signed in.") }
        if !Self.sameOrigin(request) { return Self.problem(.forbidden, "The request came from another site.") }
        var request = request
        guard let buffer = try? await request.collectBody(upTo: 1 << 20) else {
            return Self.problem(.contentTooLarge, "The form is larger than 1 MiB.")
        }
        let form = Form(String(buffer: buffer))
        guard let token = form["csrf"], WebSessions.same(token, s.csrf) else {
            return Self.problem(.forbidden, "The form's CSRF token is missing or wrong: reload the page and try again.")
        }
        if config.readOnly && changesRecords {
            return Self.problem(.forbidden, "This page was started with --read-only: nothing can be changed.")
        }
        do { return try body(s, form) } catch let e as PageError {
            return Self.problem(e.status, e.message)
        } catch {
            return Self.problem(.internalServerError, "\(error)")
        }
    }

    /// Whether what the browser says of where a request comes from is this page: `Origin` (when sent) is its own
    /// origin, `Sec-Fetch-Site` (when sent) is `same-origin` or `none` (typed or bookmarked), and without `Origin` a
    /// `Referer` (when sent) is on its own origin.
    static func sameOrigin(_ request: Request) -> Bool {
        let host = request.head.authority ?? ""
        let own = ["http://\(host)", "https://\(host)"]
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            return false
        }
        if let origin = request.headers[.origin] { return own.contains(origin) }
        if let referer = request.headers[.referer] {
            return own.contains { referer == $0 || referer.hasPrefix($0 + "/") }
        }
        return true
    }

    /// Whether a host name is this machine's loopback: `127.0.0.1` (and the rest of 127/8), `localhost`, `::1`.
    static func isLoopback(host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    /// The host name of a request's authority (`Host`): without its port, an IPv6 address without its brackets.
    static func hostName(of authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        return String(authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        // HEAD answers as GET does, without the body (it was 404 on every page).
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: WebGuard(checksHost: Self.isLoopback(host: config.host)))
        /// The other methods at `path` answer 405 with `Allow` (a trial's POST to a page got 404, as if it did not
        /// exist).
        func refuse(_ path: RouterPath, allowing method: HTTPRequest.Method) {
            let allow = method == .get ? "GET, HEAD" : method.rawValue
            for other: HTTPRequest.Method in [.get, .post, .put, .delete, .patch, .options] where other != method {
                router.on(path, method: other) { _, _ in Self.wrongMethod(allow: allow) }
            }
        }
        func get(
            _ path: RouterPath, _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
        ) {
            router.get(path, use: handler)
            refuse(path, allowing: .get)
        }
        func post(
            _ path: RouterPath, _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
        ) {
            router.post(path, use: handler)
            refuse(path, allowing: .post)
        }
        get("/static/app.css") { _, _ in Self.asset(Assets.css, type: "text/css; charset=utf-8") }
        get("/static/app.js") { _, _ in Self.asset(Assets.js, type: "text/javascript; charset=utf-8") }
        get("/signin") { request, _ -> Response in
            guard let token = request.uri.queryParameters["token"], let s = self.sessions.signIn(token: String(token))
            else {
                return Self.problem(
                    .unauthorized,
                    "This sign-in link is wrong or was used already: start `crmgate serve` again for a new one.")
            }
            var r = Self.redirect("/")
            r.setCookie(
                Cookie(name: Self.cookieName(request), value: s.id, path: "/", httpOnly: true, sameSite: .strict))
            return r
        }
        get("/") { request, _ in self.page(request) { s in try self.statusPage(s) } }
        get("/imports") { request, _ in self.page(request) { s in try self.importsPage(s) } }
        get("/imports/:id") { request, context in
            self.page(request) { s in try self.importPage(s, id: try PageError.int(context.parameters.get("id"))) }
        }
        get("/imports/:id/rejects.csv") { request, context -> Response in
            guard self.session(of: request) != nil else { return Self.problem(.unauthorized, "Not signed in.") }
            return self.rejectsDownload(id: Int64(context.parameters.get("id") ?? "") ?? -1)
        }
        get("/review") { request, _ in self.page(request) { s in try self.reviewPage(s) } }
        post("/review/:id/:decision") { request, context in
            await self.action(request) { s, _ in
                try self.decideReview(
                    id: try PageError.int(context.parameters.get("id")),
                    decision: context.parameters.get("decision") ?? "")
            }
        }
        get("/conflicts") { request, _ in self.page(request) { s in try self.conflictsPage(s) } }
        post("/conflicts/:id/resolve") { request, context in
            await self.action(request) { _, form in
                try self.resolveConflict(id: try PageError.int(context.parameters.get("id")), form: form)
            }
        }
        get("/leads") { request, _ in
            self.page(request) { s in try self.recordsPage(Lead.self, s, query: Self.query(request)) }
        }
        get("/opportunities") { request, _ in
            self.page(request) { s in try self.recordsPage(Opportunity.self, s, query: Self.query(request)) }
        }
        post("/leads/:id/move") { request, context in
            await self.action(request) { _, form in
                try self.move(Lead.self, id: context.parameters.get("id") ?? "", form: form)
            }
        }
        post("/opportunities/:id/move") { request, context in
            await self.action(request) { _, form in
                try self.move(Opportunity.self, id: context.parameters.get("id") ?? "", form: form)
            }
        }
        get("/tasks") { request, _ in self.page(request) { s in try self.tasksPage(s, result: nil) } }
        get("/tasks/calendar") { request, _ in
            self.page(request) { s in
                try self.calendarPage(s, month: request.uri.queryParameters["month"].map(String.init))
            }
        }
        post("/tasks/bulk") { request, _ in
            await self.action(request) { s, form in try self.bulkTasks(s, form: form) }
        }
        // Whom the page acts as changes no record: a read-only page may be viewed as another user too.
        post("/session/user") { request, _ in
            await self.action(request, changesRecords: false) { s, form in
                guard let name = form["user"], self.users.contains(where: { $0.name == name }) else {
                    throw PageError(.badRequest, "no such user in \(self.config.usersPath)")
                }
                self.sessions.setUser(name, session: s.id)
                return Self.redirect("/")
            }
        }
        return router
    }

    /// The query string as a dictionary (the first value of a repeated name).
    static func query(_ request: Request) -> [String: String] {
        // Decoded as a form is (`+` is a space: a GET form sends `Needs+Analysis`).
        var out: [String: String] = [:]
        for (k, v) in Form(request.uri.query ?? "").pairs where out[k] == nil { out[k] = v }
        return out
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        for (k, v) in securityHeaders { headers[k] = v }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Serves until the task is cancelled (SIGINT/SIGTERM end `serve`); `onStart` gets the bound port.
    public func run(onStart: @escaping @Sendable (Int) -> Void) async throws {
        // The server's own log goes to standard error, warnings only: standard output's first line is the sign-in URL.
        var logger = Logger(label: "crmgate.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let app = Application(
            router: router(),
            // A connection idle for 30 s is closed: a trial's 300 half-sent requests held theirs open for good.
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "crmgate"),
            onServerRunning: { channel in onStart(channel.localAddress?.port ?? 0) }, logger: logger)
        try await app.runService()
    }
}

/// A page's refusal: the HTTP status and a message for the person.
struct PageError: Error {
    let status: HTTPResponse.Status
    let message: String
    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func int(_ s: String?) throws -> Int64 {
        guard let s, let n = Int64(s) else { throw PageError(.notFound, "no such page") }
        return n
    }
}

/// A submitted `application/x-www-form-urlencoded` form; a name may repeat (checkboxes).
struct Form {
    let pairs: [(String, String)]

    init(_ body: String) {
        pairs = body.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    subscript(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}

/// What every request goes through first. On a page served on loopback, a request must name a loopback host: a site
/// whose own name resolves to 127.0.0.1 (DNS rebinding) would otherwise be this page's origin to the browser (a trial's
/// `Host: evil.example` was served, and its `Origin` passed the same-origin check, which compares with `Host`). And a
/// page that does not exist is a page with the security headers, not an empty 404.
struct WebGuard<Context: RequestContext>: RouterMiddleware {
    let checksHost: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // HTTP/1.1's `Host` becomes the request's authority; a `Host` field left as it is counts too.
        let named = [request.head.authority, request.headers[HTTPField.Name("Host")!]].compactMap { $0 }
        if checksHost, let authority = named.first(where: { !WebApp.isLoopback(host: WebApp.hostName(of: $0)) }) {
            return WebApp.problem(
                .misdirectedRequest,
                "This page answers to 127.0.0.1, localhost and [::1] only, not to \(authority): open the URL `crmgate serve` printed."
            )
        }
        do { return try await next(request, context) } catch let e as HTTPError where e.status == .notFound {
            return WebApp.problem(.notFound, "No such page.")
        }
    }
}
