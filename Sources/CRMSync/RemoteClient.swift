public import CRMHTTP
public import CRMModel
public import Foundation
public import Logging

/// Where a listing continues: a cursor, a page number, an offset, a URL, or a search offset.
public struct PageToken: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }
}

/// One page of a listing.
public struct RemotePage: Sendable {
    public var records: [JSONValue]
    /// Nil on the last page.
    public var next: PageToken?
}

/// The result of an update.
public enum UpdateOutcome: Sendable {
    case updated(JSONValue, etag: String?)
    /// The remote's version moved on since it was read (412 or 409), or it refuses the values: the caller reads the
    /// record again to tell which, and throws the answer (`SyncError.refusedConflict`) when nothing moved on.
    case stale(SyncError)
    case notFound
}

/// Talks to one remote as its profile describes, over ``HTTPClient``.
public final class RemoteClient: Sendable {
    public let profile: RemoteProfile
    public let baseURL: String
    public let http: HTTPClient

    /// - Parameters:
    ///   - baseURL: another host for the profile (a sandbox, a server on 127.0.0.1).
    ///   - insecure: turns TLS verification off (only the `--insecure` flag passes true).
    /// - Throws: `SyncError(.invalidProfile)` when a secret the profile names is missing.
    public init(
        profile: RemoteProfile, baseURL: String? = nil, insecure: Bool = false, caBundle: String? = nil,
        connections: Int? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "crmgate.http")
    ) throws {
        self.profile = profile
        var base = baseURL ?? profile.baseURL
        if base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        var c = HTTPClientConfiguration()
        do { c.auth = try profile.auth.resolve(environment: environment) } catch let e as HTTPError {
            throw SyncError(.invalidProfile, context: profile.name, message: e.message)
        }
        c.insecure = insecure
        c.caBundle = caBundle
        c.connectTimeout = profile.connectTimeout
        c.totalTimeout = profile.totalTimeout
        c.maxConnections = connections ?? profile.connections
        c.maxBodyBytes = profile.maxBodyBytes
        c.retry = RetryPolicy(maxAttempts: profile.maxAttempts, throttleStatuses: profile.throttleStatuses)
        let governor = RateGovernor(
            limit: profile.rateLimit?.requests, window: profile.rateLimit?.perSeconds ?? 60, perDay: profile.perDay)
        http = HTTPClient(c, governor: governor, logger: logger)
    }

    public func resource(_ type: RecordType) throws -> RemoteProfile.Resource {
        guard let r = profile.resources[type] else {
            throw SyncError(.invalidProfile, context: profile.name, message: "the profile has no \(type.plural)")
        }
        return r
    }

    // MARK: - Reading

    /// One page of records changed since `since` (all when nil), continuing at `token`.
    public func listPage(
        _ type: RecordType, since: Date?, token: PageToken?, includeDeleted: Bool = false
    ) async throws -> RemotePage {
        let r = try resource(type)
        if let since, let inc = r.list.incremental, let searchPath = inc.searchPath {
            return try await searchPage(r, inc, searchPath, since: since, token: token)
        }
        var query: [(String, String)] = []
        var url: String
        switch r.list.pagination {
        case .cursor(let lp, let limit, let cp, _):
            query.append((lp, String(limit)))
            if let token { query.append((cp, token.text)) }
        case .page(let pp, let lp, let limit, _):
            query.append((pp, token?.text ?? "1"))
            query.append((lp, String(limit)))
        case .offset(let op, let lp, let limit):
            query.append((op, token?.text ?? "0"))
            query.append((lp, String(limit)))
        case .link(let lp, let limit, _):
            query.append((lp, String(limit)))
        case .none:
            break
        }
        if let since, let inc = r.list.incremental, let p = inc.param { query.append((p, inc.format(since))) }
        if includeDeleted, let d = r.list.deleted { query.append((d.param, d.value)) }
        url = self.url(r.list.path, query: query)
        if case .link = r.list.pagination, let token { url = token.text }
        let (json, response) = try await getJSON(url)
        guard var items = r.list.items.get(json)?.arrayValue else {
            throw SyncError(
                .badResponse, context: "GET \(http.redactor.redactURL(url))",
                message: "the answer has no list at '\(r.list.items)'")
        }
        let counted = items.count
        for more in r.list.moreItems {
            guard let extra = more.get(json)?.arrayValue else {
                throw SyncError(
                    .badResponse, context: "GET \(http.redactor.redactURL(url))",
                    message: "the answer has no list at '\(more)'")
            }
            items += extra
        }
        var next: PageToken?
        switch r.list.pagination {
        case .cursor(_, _, _, let nextPath):
            if let c = nextPath.get(json)?.stringValue, !c.isEmpty { next = PageToken(c) }
        case .page(_, _, let limit, let totalPath):
            let page = Int(token?.text ?? "1") ?? 1
            var more = counted >= limit
            if let totalPath, let total = totalPath.get(json).flatMap({ $0.stringValue }).flatMap({ Int($0) }) {
                more = page * limit < total
            }
            if more, !items.isEmpty { next = PageToken(String(page + 1)) }
        case .offset(_, _, let limit):
            if counted >= limit { next = PageToken(String((Int(token?.text ?? "0") ?? 0) + counted)) }
        case .link(_, _, let bodyPath):
            if let bodyPath, let u = bodyPath.get(json)?.stringValue, !u.isEmpty {
                next = PageToken(u)
            } else if let link = response.headers["Link"], let u = Self.nextLink(link) {
                next = PageToken(u)
            }
        case .none:
            break
        }
        return RemotePage(records: items, next: next)
    }

    private func searchPage(
        _ r: RemoteProfile.Resource, _ inc: RemoteProfile.Incremental, _ path: String, since: Date, token: PageToken?
    ) async throws -> RemotePage {
        let property = inc.searchProperty ?? "hs_lastmodifieddate"
        var body = JSONValue.object([
            (
                "filterGroups",
                .array([
                    .object([
                        (
                            "filters",
                            .array([
                                .object([
                                    ("propertyName", .string(property)), ("operator", .string("GTE")),
                                    ("value", .string(inc.format(since))),
                                ])
                            ])
                        )
                    ])
                ])
            ),
            ("sorts", .array([.object([("propertyName", .string(property)), ("direction", .string("ASCENDING"))])])),
            ("limit", .number(Double(inc.searchLimit))),
        ])
        if let token { body.set("after", .string(token.text)) }
        let url = self.url(path, query: [])
        let response = try await send(.json(.post, url, body: body.bytes), retrySafe: true)
        let json = try parse(response, url)
        guard let items = r.list.items.get(json)?.arrayValue else {
            throw SyncError(
                .badResponse, context: "POST \(http.redactor.redactURL(url))",
                message: "the answer has no list at '\(r.list.items)'")
        }
        let next = (try? JSONPath("paging.next.after"))?.get(json)?.stringValue
        return RemotePage(records: items, next: next.map(PageToken.init))
    }

    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") || part.contains("rel=next") {
            if let a = part.firstIndex(of: "<"), let b = part.firstIndex(of: ">"), a < b {
                return String(part[part.index(after: a)..<b])
            }
        }
        return nil
    }

    /// The record with this remote id, and its ETag; nil when the remote has no such record.
    public func get(_ type: RecordType, remoteID: String) async throws -> (record: JSONValue, etag: String?)? {
        let r = try resource(type)
        guard let get = r.get else {
            // No endpoint for one record: it is found in the listing.
            var token: PageToken?
            repeat {
                let page = try await listPage(type, since: nil, token: token)
                if let found = page.records.first(where: { RecordCodec(r).remoteID($0) == remoteID }) {
                    return (found, nil)
                }
                token = page.next
            } while token != nil
            return nil
        }
        let url: String
        if let p = get.idParam {
            url = self.url(get.path, query: [(p, remoteID)])
        } else {
            url = self.url(get.path.replacingOccurrences(of: "{id}", with: Self.escape(remoteID)), query: [])
        }
        let response = try await send(HTTPRequest(.get, url))
        if response.status == 404 || response.status == 410 { return nil }
        try expectSuccess(response, "GET", url)
        var json = try parse(response, url)
        // A list-shaped answer to a filtered GET (Cin7 Core): the one record in it.
        if get.idParam != nil, let items = r.list.items.get(json)?.arrayValue {
            guard let first = items.first(where: { RecordCodec(r).remoteID($0) == remoteID }) else { return nil }
            json = first
        }
        return (json, response.headers["ETag"])
    }

    /// Records whose lookup field equals `value` (lookup before create where the remote has no idempotency).
    public func lookup(_ type: RecordType, value: String) async throws -> [JSONValue] {
        let r = try resource(type)
        guard let l = r.lookup else { return [] }
        guard let param = l.param else {
            // No filter: the whole listing, filtered here on the lookup field.
            let codec = RecordCodec(r)
            var out: [JSONValue] = []
            var token: PageToken?
            repeat {
                let page = try await listPage(type, since: nil, token: token)
                out += page.records.filter { codec.snapshot($0)[l.field] == value }
                token = page.next
            } while token != nil
            return out
        }
        let url = self.url(r.list.path, query: [(param, value)])
        let (json, _) = try await getJSON(url)
        return r.list.items.get(json)?.arrayValue ?? []
    }

    // MARK: - Writing

    /// Creates a record; the idempotency key goes into the profile's header when it has one.
    public func create(
        _ type: RecordType, body: JSONValue, idempotencyKey: String?
    ) async throws -> (record: JSONValue, etag: String?) {
        let r = try resource(type)
        let url = self.url(r.create.path, query: [])
        var request = HTTPRequest.json(r.create.method, url, body: wrapped(body, r.create.wrap).bytes)
        if let h = r.create.idempotencyHeader, let idempotencyKey { request.headers.set(h, idempotencyKey) }
        request.retrySafe = r.create.retrySafe
        var attempts = 0
        while true {
            attempts += 1
            let response = try await send(request)
            // Without a key of its own a create cannot be "in progress" elsewhere: a 409 says a record like it exists.
            if response.status == 409, r.create.idempotencyHeader == nil {
                throw conflictRefusal(response, r.create.method.rawValue, url)
            }
            try expectSuccess(response, r.create.method.rawValue, url)
            do {
                return (answer(unwrapped(try parse(response, url), r.create.wrap), r.create), response.headers["ETag"])
            } catch let e as SyncError where e.code == .badResponse && request.mayRepeat && attempts < 4 {
                continue  // the same key again returns the record it created
            }
        }
    }

    /// Creates or updates records by the profile's unique property (`batch.upsert`, `upsert_key`): repeatable, so a
    /// batch whose answer was lost is sent again without making duplicates. Returns the records of the answer.
    public func batchUpsert(_ type: RecordType, inputs: [(key: String, body: JSONValue)]) async throws -> [JSONValue] {
        let r = try resource(type)
        guard let b = r.batch, let path = b.upsert, let idProperty = b.upsertKey else {
            throw SyncError(
                .invalidProfile, context: profile.name, message: "the profile has no batch upsert for \(type.plural)")
        }
        let items: [JSONValue] = inputs.map { input in
            var o = input.body
            o.set("idProperty", .string(idProperty))
            o.set("id", .string(input.key))
            return o
        }
        let url = self.url(path, query: [])
        var request = HTTPRequest.json(.post, url, body: JSONValue.object([(b.inputs, .array(items))]).bytes)
        request.retrySafe = true  // an upsert by a unique property is idempotent
        let response = try await send(request)
        try expectSuccess(response, "POST", url)
        let json = try parse(response, url)
        guard let results = json["results"]?.arrayValue else {
            throw SyncError(
                .badResponse, context: "POST \(http.redactor.redactURL(url))",
                message: "the answer has no list at 'results'")
        }
        return results
    }

    /// Updates the fields in `body`, guarded by the ETag or version when the profile uses them.
    public func update(
        _ type: RecordType, remoteID: String, body: JSONValue, etag: String?, version: String?
    ) async throws -> UpdateOutcome {
        let r = try resource(type)
        var body = body
        let url: String
        if r.update.idInBody {
            r.idPath.set(&body, .string(remoteID))
            url = self.url(r.update.path, query: [])
        } else {
            url = self.url(r.update.path.replacingOccurrences(of: "{id}", with: Self.escape(remoteID)), query: [])
        }
        if r.concurrency == .version, let version, let vp = r.versionPath {
            vp.set(&body, Double(version).map { .number($0) } ?? .string(version))
        }
        var request = HTTPRequest.json(r.update.method, url, body: wrapped(body, r.update.wrap).bytes)
        if r.concurrency == .etag, let etag { request.headers.set("If-Match", etag) }
        request.retrySafe = true  // an update with the same values is repeatable; If-Match guards the rest
        let response = try await send(request)
        if response.status == 412 || response.status == 409 {
            return .stale(conflictRefusal(response, r.update.method.rawValue, url))
        }
        if response.status == 404 || response.status == 410 { return .notFound }
        try expectSuccess(response, r.update.method.rawValue, url)
        return .updated(
            answer(unwrapped(try parse(response, url), r.update.wrap), r.update), etag: response.headers["ETag"])
    }

    /// Deletes a record; true when it was there.
    public func delete(_ type: RecordType, remoteID: String, etag: String?) async throws -> Bool {
        let r = try resource(type)
        guard let d = r.delete else {
            throw SyncError(.rejected, context: profile.name, message: "the profile cannot delete \(type.plural)")
        }
        let url = self.url(
            d.path.replacingOccurrences(of: "{id}", with: Self.escape(remoteID)),
            query: d.idParam.map { [($0, remoteID)] } ?? [])
        var request = HTTPRequest(d.method, url)
        if r.concurrency == .etag, let etag { request.headers.set("If-Match", etag) }
        let response = try await send(request)
        if response.status == 404 || response.status == 410 { return false }
        if response.status == 412 {
            throw SyncError(
                .rejected, context: "DELETE \(http.redactor.redactURL(url))",
                message: "the record changed remotely; not deleted")
        }
        try expectSuccess(response, d.method.rawValue, url)
        return true
    }

    // MARK: - Sales

    /// Sends a sale header or document (`SaleSpec`); returns the answer. Not repeated on a lost answer (a create).
    public func sendSale(_ e: RemoteProfile.Endpoint, body: JSONValue) async throws -> JSONValue {
        let url = self.url(e.path, query: [])
        let response = try await send(HTTPRequest.json(e.method, url, body: wrapped(body, e.wrap).bytes))
        try expectSuccess(response, e.method.rawValue, url)
        return answer(unwrapped(try parse(response, url), e.wrap), e)
    }

    /// A sale read by its id (the spec's `get`); nil when the remote has none.
    public func getSale(_ e: RemoteProfile.Endpoint, id: String) async throws -> JSONValue? {
        let url =
            e.idParam.map { self.url(e.path, query: [($0, id)]) }
            ?? self.url(e.path.replacingOccurrences(of: "{id}", with: Self.escape(id)), query: [])
        let response = try await send(HTTPRequest(.get, url))
        if response.status == 404 || response.status == 410 { return nil }
        try expectSuccess(response, "GET", url)
        return answer(try parse(response, url), e)
    }

    /// The ids of the sale headers whose reference is `reference` (the spec's lookup).
    public func findSales(_ l: SaleSpec.Lookup, reference: String) async throws -> [String] {
        let (json, _) = try await getJSON(self.url(l.path, query: [(l.param, reference)]))
        return (l.items.get(json)?.arrayValue ?? []).filter { l.field.get($0)?.stringValue == reference }
            .compactMap { l.id.get($0)?.stringValue }
    }

    // MARK: - Plumbing

    func url(_ path: String, query: [(String, String)]) -> String {
        var s = baseURL + (path.hasPrefix("/") ? path : "/" + path)
        if !query.isEmpty {
            s +=
                (s.contains("?") ? "&" : "?")
                + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        return s
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    private func wrapped(_ body: JSONValue, _ key: String?) -> JSONValue { key.map { .object([($0, body)]) } ?? body }
    private func answer(_ body: JSONValue, _ e: RemoteProfile.Endpoint) -> JSONValue {
        e.answer.flatMap { $0.get(body) } ?? body
    }
    private func unwrapped(_ body: JSONValue, _ key: String?) -> JSONValue { key.flatMap { body[$0] } ?? body }

    private func send(_ request: HTTPRequest, retrySafe: Bool = false) async throws -> HTTPResponse {
        var request = request
        if retrySafe { request.retrySafe = true }
        do { return try await http.send(request) } catch let e as HTTPError {
            // The HTTP error's text names the request already; a context would say it twice.
            throw SyncError(.transport, message: e.description)
        }
    }

    /// GETs JSON, repeating when the body is not JSON (a truncated or garbled answer).
    private func getJSON(_ url: String) async throws -> (JSONValue, HTTPResponse) {
        var attempt = 0
        while true {
            attempt += 1
            let response = try await send(HTTPRequest(.get, url))
            try expectSuccess(response, "GET", url)
            do { return (try parse(response, url), response) } catch let e as SyncError
                where e.code == .badResponse && attempt < profile.maxAttempts
            {
                try await Task.sleep(nanoseconds: UInt64(http.configuration.retry.backoff(retry: attempt) * 1e9))
                _ = e
            }
        }
    }

    private func parse(_ response: HTTPResponse, _ url: String) throws -> JSONValue {
        do { return try JSONValue.parse(response.body) } catch var e as SyncError {
            e.context = "\(http.redactor.redactURL(url))"
            throw e
        }
    }

    /// A 409 or 412 as a refusal of the record's values, with the remote's answer.
    private func conflictRefusal(_ response: HTTPResponse, _ method: String, _ url: String) -> SyncError {
        let text = http.redactor.redact(String(decoding: response.body.prefix(300), as: UTF8.self))
        return SyncError(
            .refusedConflict, context: "\(method) \(http.redactor.redactURL(url))",
            message: "HTTP \(response.status): \(text)", status: response.status)
    }

    private func expectSuccess(_ response: HTTPResponse, _ method: String, _ url: String) throws {
        guard !response.isSuccess else { return }
        let text = http.redactor.redact(String(decoding: response.body.prefix(300), as: UTF8.self))
        let hint = response.status == 401 || response.status == 403 ? " (check the credentials the profile names)" : ""
        throw SyncError(
            .rejected, context: "\(method) \(http.redactor.redactURL(url))",
            message: "HTTP \(response.status)\(hint): \(text)",
            status: response.status)
    }
}
