public import CRMHTTP
public import CRMMapping
public import CRMModel
public import Foundation
import Yams

/// A remote CRM described declaratively (`mappings/remotes/*.yaml`): where it is, how to authenticate,
/// its limits, and for each record type its endpoints, paging, incremental filter, concurrency control
/// and the mapping between its JSON and the CRM model.
public struct RemoteProfile: Sendable {
    public var name: String
    public var baseURL: String
    public var auth: AuthSpec
    /// Requests per window and per day; nil when the remote states none.
    public var rateLimit: (requests: Int, perSeconds: Double)?
    public var perDay: Int?
    public var throttleStatuses: Set<Int>
    public var maxAttempts: Int
    public var connectTimeout: Double
    public var totalTimeout: Double
    public var connections: Int
    public var maxBodyBytes: Int
    /// Resources by record type.
    public var resources: [RecordType: Resource]
    /// How an opportunity converted into a sale quote or order is created remotely; nil when the remote has no sales.
    public var sales: SaleSpec? = nil

    /// How to authenticate; secret values are named, never written in the profile.
    public enum AuthSpec: Sendable {
        case none
        case bearer(SecretSource)
        case headers([(String, SecretSource)])
        case basic(user: String, password: SecretSource)

        /// Reads the secrets from the environment or files.
        public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPAuth {
            switch self {
            case .none: return .none
            case .bearer(let s): return .bearer(try s.resolve(environment: environment))
            case .headers(let hs):
                return .headers(try hs.map { (name: $0.0, value: try $0.1.resolve(environment: environment)) })
            case .basic(let user, let p): return .basic(user: user, password: try p.resolve(environment: environment))
            }
        }
    }

    /// One record type at the remote.
    public struct Resource: Sendable {
        public var record: RecordType
        /// The remote's name for the collection (`leads`, `lead`, `contacts`).
        public var name: String
        public var idPath: JSONPath
        /// Where records carry their last-modified stamp; nil when they carry none (Cin7 Core).
        public var modifiedPath: JSONPath?
        public var versionPath: JSONPath?
        public var concurrency: Concurrency
        public var list: ListSpec
        /// Reading one record by id; nil when the remote has no such endpoint (then records are re-read by listing).
        public var get: Endpoint?
        public var create: Endpoint
        public var update: Endpoint
        public var delete: Endpoint?
        /// Finding a record before creating it where the remote has no idempotency key or upsert.
        public var lookup: Lookup?
        public var batch: Batch?
        public var fields: [FieldMap]
        /// Remote keys that are local `custom.<key>` values (`custom: custom` maps a whole object).
        public var customPath: JSONPath?
        /// Where records carry what identifies them beyond their id (a creation stamp): a remote that reuses the
        /// ids of deleted records is told apart by it.
        public var identityPath: JSONPath?
        /// Values every create sends (remote paths and JSON values: a required `priority`, a `tags: [lead]`).
        public var createDefaults: [(JSONPath, JSONValue)] = []
    }

    public enum Concurrency: String, Sendable { case etag, version, none }

    public struct Endpoint: Sendable {
        public var method: HTTPMethod
        /// A path under the base URL; `{id}` is replaced by the remote id.
        public var path: String
        /// The query parameter carrying the id (Cin7 Core: `GET /crm/lead?ID=…`).
        public var idParam: String?
        /// The id goes into the body at the resource's id path (Cin7 Core's PUT).
        public var idInBody: Bool
        /// The header carrying an idempotency key on creates.
        public var idempotencyHeader: String?
        /// The remote has said this non-idempotent endpoint may be repeated.
        public var retrySafe: Bool
        /// The record is sent inside a wrapper object under this key (and answered the same way).
        public var wrap: String?
        /// Where the record is in the answer when it is not the whole body (Cin7 Core: `LeadList[0]`).
        public var answer: JSONPath?
    }

    public struct ListSpec: Sendable {
        public var path: String
        public var items: JSONPath
        /// More item lists in the same answer (closed records listed apart), read after `items`.
        public var moreItems: [JSONPath] = []
        public var pagination: Pagination
        public var incremental: Incremental?
        public var deleted: DeletedSpec?
        /// The listing leaves fields out (`detail: true`): a listed record that lacks a field the profile reads is
        /// read whole from `get`, when it is new or its `modified` stamp moved.
        public var detail = false
    }

    public enum Pagination: Sendable {
        /// `?limit=N&cursor=C`, the next cursor read from the body (null or missing at the end).
        case cursor(limitParam: String, limit: Int, cursorParam: String, next: JSONPath)
        /// `?page=P&limit=N` (1-based); the end is a short page or `total` reached.
        case page(pageParam: String, limitParam: String, limit: Int, total: JSONPath?)
        /// `?offset=O&limit=N`.
        case offset(offsetParam: String, limitParam: String, limit: Int)
        /// The next page's URL in a `Link: <…>; rel="next"` header or at a body path.
        case link(limitParam: String, limit: Int, bodyPath: JSONPath?)
        /// One answer holds every record (no paging).
        case none

        public var limit: Int {
            switch self {
            case .cursor(_, let l, _, _), .page(_, _, let l, _), .offset(_, _, let l), .link(_, let l, _): l
            case .none: Int.max
            }
        }
    }

    public struct Incremental: Sendable {
        /// The query parameter of the "changed since" filter; nil with a search endpoint.
        public var param: String?
        /// `rfc3339`, `rfc3339ms`, `epoch_ms`, or a date pattern such as `yyyy-MM-dd'T'HH:mm:ss`.
        public var format: String
        /// A search endpoint (HubSpot): POST `path` with a filter on `property` ≥ the mark, sorted by it.
        public var searchPath: String?
        public var searchProperty: String?
        public var searchLimit: Int

        /// The mark as the remote wants it.
        public func format(_ date: Date) -> String {
            switch format {
            case "rfc3339": return Date(timeIntervalSince1970: floor(date.timeIntervalSince1970)).iso8601UTC
            case "rfc3339ms": return date.iso8601UTC
            case "epoch_ms": return String(Int64(date.timeIntervalSince1970 * 1000))
            default:
                let f = DateFormatter()
                f.locale = Locale(identifier: "en_US_POSIX")
                f.timeZone = TimeZone(identifier: "UTC")
                f.dateFormat = format
                return f.string(from: date)
            }
        }
    }

    public struct DeletedSpec: Sendable {
        public var param: String
        public var value: String
        /// The record field that says it is deleted (`deleted`, `archived`).
        public var flag: JSONPath
    }

    public struct Lookup: Sendable {
        /// The list filter parameter, e.g. Cin7 Core's `Name`; nil when the remote has no filter (the listing is
        /// read and filtered here).
        public var param: String?
        /// The model field whose value is looked up.
        public var field: String
    }

    public struct Batch: Sendable {
        public var create: String?
        public var update: String?
        public var upsert: String?
        public var size: Int
        /// The unique property upserts key on (HubSpot: `idProperty`).
        public var upsertKey: String?
        public var inputs: String
    }

    /// How one model field is found in the remote's JSON.
    public struct FieldMap: Sendable {
        /// Model field names: one, or several for `name_parts` (first, last).
        public var fields: [String]
        /// Where the value is read.
        public var path: JSONPath
        public var kind: Kind
        /// Where the value is written, when not where it is read (a stage read as `stage_id`, written as `stage`);
        /// nil with `readOnly`.
        public var writePath: JSONPath?
        /// The field is never sent.
        public var readOnly = false
        /// Local value → remote value on writes (`values:`), and its reverse on reads.
        public var writeValues: [String: JSONValue] = [:]
        /// Remote value → local value on reads, where it is not the reverse of `writeValues` (`read_values:`).
        public var readValues: [String: String] = [:]
        /// A remote value the maps do not name: kept as it is (nil) or read as this local value.
        public var readOtherwise: String?
        /// A local value the maps do not name: sent as it is (nil) or as this remote value.
        public var writeOtherwise: JSONValue?
        /// The remote holds the value times this (integer cents for a decimal amount: 100).
        public var scale: Double?
        /// The remote's text form of the value, where it is not the model's.
        public var format: Format?
        /// Sent on create when the local value is empty.
        public var defaultValue: JSONValue?
        /// The mapping files' transforms applied to a value read from the remote (`read_transform:`).
        public var readTransform: TransformChain?
        /// Their writing half, applied to a value sent to the remote (`write_transform:`).
        public var writeTransform: TransformChain?
        /// The JSON type a written text is sent as (`write_as:`), where the remote wants a number or boolean.
        public var writeAs: WriteType?

        /// The JSON types `write_as:` names.
        public enum WriteType: String, Sendable {
            case string, number, integer, boolean
        }

        public enum Format: String, Sendable {
            /// `YYYY-MM-DD` where the model may hold a timestamp (the day is the UTC day of it).
            case date
            /// A whole number.
            case integer
        }

        public enum Kind: Sendable, Equatable {
            case plain
            /// A list held as one delimited string (Cin7 Core's `Tags`).
            case joinedList(separator: String)
            /// A full name held in one string, split into first and last names.
            case nameParts
            /// A number or boolean held as a string (HubSpot's properties).
            case stringly
        }
    }
}

// MARK: - Loading

extension RemoteProfile {
    /// The bundled profiles' folder, relative to a checkout.
    public static let bundledFolder = "mappings/remotes"

    /// Where bundled profiles are looked for by name, in order: the working directory's `mappings/remotes`, then the
    /// executable's folder and up from it: `mappings/remotes` beside the binary (an unpacked release; a trial found it
    /// was never looked at), `<prefix>/share/crmgate/mappings/remotes` (scripts/install.sh), or the checkout whose
    /// `.build/…/crmgate` it is.
    public static var bundledFolders: [String] {
        var out = [bundledFolder]
        var dir = executableFolder
        out.append(dir.appendingPathComponent(bundledFolder).path)
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            out.append(dir.appendingPathComponent("share/crmgate/\(bundledFolder)").path)
            out.append(dir.appendingPathComponent(bundledFolder).path)
        }
        return out.filter { FileManager.default.fileExists(atPath: $0) || $0 == bundledFolder }
    }

    /// The folder of the running executable, read once: a binary replaced while it runs (an upgrade under a running
    /// worker) is `… (deleted)` to `/proc/self/exe`, which no longer resolves, and a trial's worker then found no
    /// bundled profile until restarted.
    static let executableFolder: URL = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }
        var path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }()

    /// Loads a profile by path, or by name from `mappings/remotes/NAME.yaml`.
    /// - Throws: `SyncError(.invalidProfile)` with the file and line.
    public static func load(_ nameOrPath: String) throws -> RemoteProfile {
        var path = nameOrPath
        let folders = bundledFolders
        if !FileManager.default.fileExists(atPath: path) {
            for folder in folders where FileManager.default.fileExists(atPath: "\(folder)/\(nameOrPath).yaml") {
                path = "\(folder)/\(nameOrPath).yaml"
                break
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let known =
                folders.lazy.compactMap { try? FileManager.default.contentsOfDirectory(atPath: $0) }.first?
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted().joined(separator: ", ") ?? ""
            throw SyncError(
                .invalidProfile, context: nameOrPath,
                message: "no such remote profile: give the path of a profile file"
                    + (known.isEmpty
                        ? ", or install the bundled ones (scripts/install.sh)" : ", or a bundled name: \(known)"))
        }
        do {
            return try parse(yaml: String(decoding: data, as: UTF8.self))
        } catch var e as SyncError {
            e.context = path + (e.context.map { ":\($0)" } ?? "")
            throw e
        }
    }

    /// Decodes profile YAML. Unknown keys are errors.
    public static func parse(yaml: String) throws -> RemoteProfile {
        do {
            return try decode(try MappingFile.yamlTop(yaml, what: "the remote profile"))
        } catch let e as MappingError {
            throw SyncError(.invalidProfile, context: e.line.map { "line \($0)" }, message: e.message)
        }
    }

    static func decode(_ top: YAMLMap) throws -> RemoteProfile {
        try top.allow([
            "name", "description", "base_url", "auth", "limits", "throttle_statuses", "retry", "timeouts",
            "connections", "max_body_bytes", "resources", "sales",
        ])
        let base = try top.requiredString("base_url")
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw MappingError(
                .invalidValue, line: top.line(of: "base_url"), message: "base_url must start with http:// or https://")
        }
        var p = RemoteProfile(
            name: try top.requiredString("name"), baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base,
            auth: .none,
            rateLimit: nil, perDay: nil, throttleStatuses: [429], maxAttempts: 6, connectTimeout: 10, totalTimeout: 60,
            connections: 8, maxBodyBytes: 64 << 20, resources: [:])
        if let a = top["auth"] { p.auth = try decodeAuth(try YAMLMap(a, what: "auth")) }
        if let l = top["limits"] {
            let m = try YAMLMap(l, what: "limits")
            try m.allow(["requests", "per_seconds", "per_day"])
            if let r = try int(m, "requests") { p.rateLimit = (r, Double(try int(m, "per_seconds") ?? 60)) }
            p.perDay = try int(m, "per_day")
        }
        if let t = try top.stringList("throttle_statuses") { p.throttleStatuses = Set(t.compactMap(Int.init)) }
        if let r = top["retry"] {
            let m = try YAMLMap(r, what: "retry")
            try m.allow(["max_attempts"])
            p.maxAttempts = try int(m, "max_attempts") ?? 6
        }
        if let t = top["timeouts"] {
            let m = try YAMLMap(t, what: "timeouts")
            try m.allow(["connect", "total"])
            p.connectTimeout = Double(try int(m, "connect") ?? 10)
            p.totalTimeout = Double(try int(m, "total") ?? 60)
        }
        p.connections = try int(top, "connections") ?? 8
        p.maxBodyBytes = try int(top, "max_body_bytes") ?? (64 << 20)
        guard let rs = top["resources"] else {
            throw MappingError(.missingKey, line: top.line, message: "'resources' is required")
        }
        for (key, node) in try YAMLMap(rs, what: "resources").pairs {
            let r = try decodeResource(key, try YAMLMap(node, what: "resource '\(key)'"))
            p.resources[r.record] = r
        }
        if let node = top["sales"] { p.sales = try SaleSpec.decode(try YAMLMap(node, what: "sales")) }
        return p
    }

    static func int(_ m: YAMLMap, _ key: String) throws -> Int? {
        guard let s = try m.string(key) else { return nil }
        guard let v = Int(s), v >= 0 else {
            throw MappingError(.invalidValue, line: m.line(of: key), message: "'\(key)' must be a whole number")
        }
        return v
    }

    static func secret(_ node: Node?, _ what: String, line: Int?) throws -> SecretSource {
        guard let node else {
            throw MappingError(.missingKey, line: line, message: "\(what) needs {env: NAME} or {file: PATH}")
        }
        if node.scalar != nil {
            throw MappingError(
                .invalidValue, line: node.mark?.line,
                message: "\(what) must be {env: NAME} or {file: PATH}: secrets are never written in a profile")
        }
        let m = try YAMLMap(node, what: what)
        try m.allow(["env", "file"])
        if let e = try m.string("env") { return .environment(e) }
        if let f = try m.string("file") { return .file(f) }
        throw MappingError(
            .missingKey, line: m.line,
            message: "\(what) needs {env: NAME} or {file: PATH}; secrets are never written in a profile")
    }

    static func decodeAuth(_ m: YAMLMap) throws -> AuthSpec {
        try m.allow(["type", "token", "headers", "user", "password"])
        switch try m.requiredString("type") {
        case "none": return .none
        case "bearer": return .bearer(try secret(m["token"], "auth.token", line: m.line))
        case "basic":
            return .basic(
                user: try m.requiredString("user"), password: try secret(m["password"], "auth.password", line: m.line))
        case "headers":
            guard let h = m["headers"] else {
                throw MappingError(.missingKey, line: m.line, message: "auth type headers needs 'headers'")
            }
            return .headers(
                try YAMLMap(h, what: "auth.headers").pairs.map {
                    ($0.0, try secret($0.1, "auth.headers.\($0.0)", line: m.line))
                })
        case let other:
            throw MappingError(
                .invalidValue, line: m.line(of: "type"),
                message: "auth type '\(other)' is not one of none, bearer, headers, basic")
        }
    }

    static func path(_ m: YAMLMap, _ key: String) throws -> JSONPath? {
        guard let s = try m.string(key) else { return nil }
        do { return try JSONPath(s) } catch let e as SyncError {
            throw MappingError(.invalidValue, line: m.line(of: key), message: e.message)
        }
    }

    static func endpoint(_ node: Node?, _ what: String, defaultMethod: HTTPMethod, line: Int?) throws -> Endpoint? {
        guard let node else { return nil }
        let m = try YAMLMap(node, what: what)
        try m.allow(["method", "path", "id_param", "id_in_body", "idempotency_header", "retry_safe", "wrap", "answer"])
        var method = defaultMethod
        if let s = try m.string("method") {
            guard let v = HTTPMethod(rawValue: s.uppercased()) else {
                throw MappingError(.invalidValue, line: m.line(of: "method"), message: "unknown method '\(s)'")
            }
            method = v
        }
        return Endpoint(
            method: method, path: try m.requiredString("path"), idParam: try m.string("id_param"),
            idInBody: try m.bool("id_in_body") ?? false,
            idempotencyHeader: try m.string("idempotency_header"), retrySafe: try m.bool("retry_safe") ?? false,
            wrap: try m.string("wrap"),
            answer: try path(m, "answer"))
    }

    static func decodeResource(_ key: String, _ m: YAMLMap) throws -> Resource {
        try m.allow([
            "record", "name", "id", "modified", "version", "concurrency", "list", "get", "create", "update", "delete",
            "lookup", "batch", "fields",
            "created", "create_defaults",
        ])
        let recordName = try m.requiredString("record")
        guard let record = RecordType(rawValue: recordName) else {
            throw MappingError(
                .invalidValue, line: m.line(of: "record"), message: "unknown record type '\(recordName)'")
        }
        let concurrencyName = try m.string("concurrency") ?? "none"
        guard let concurrency = Concurrency(rawValue: concurrencyName) else {
            throw MappingError(
                .invalidValue, line: m.line(of: "concurrency"), message: "concurrency must be etag, version or none")
        }
        guard let listNode = m["list"] else {
            throw MappingError(.missingKey, line: m.line, message: "resource '\(key)' needs 'list'")
        }
        let list = try decodeList(try YAMLMap(listNode, what: "\(key).list"))
        let get = try endpoint(m["get"], "\(key).get", defaultMethod: .get, line: m.line)
        if list.detail, get == nil {
            throw MappingError(
                .missingKey, line: m.line(of: "list"),
                message: "'\(key).list.detail' reads records from the get endpoint; add `get:`")
        }
        guard let create = try endpoint(m["create"], "\(key).create", defaultMethod: .post, line: m.line),
            let update = try endpoint(m["update"], "\(key).update", defaultMethod: .patch, line: m.line)
        else {
            throw MappingError(
                .missingKey, line: m.line, message: "resource '\(key)' needs create and update endpoints")
        }
        var lookup: Lookup?
        if let l = m["lookup"] {
            let lm = try YAMLMap(l, what: "\(key).lookup")
            try lm.allow(["param", "field"])
            lookup = Lookup(param: try lm.string("param"), field: try lm.requiredString("field"))
        }
        var batch: Batch?
        if let b = m["batch"] {
            let bm = try YAMLMap(b, what: "\(key).batch")
            try bm.allow(["create", "update", "upsert", "size", "upsert_key", "inputs"])
            batch = Batch(
                create: try bm.string("create"), update: try bm.string("update"), upsert: try bm.string("upsert"),
                size: try int(bm, "size") ?? 100,
                upsertKey: try bm.string("upsert_key"), inputs: try bm.string("inputs") ?? "inputs")
        }
        guard let fieldsNode = m["fields"] else {
            throw MappingError(.missingKey, line: m.line, message: "resource '\(key)' needs 'fields'")
        }
        var fields: [FieldMap] = []
        var customPath: JSONPath?
        let known = Set(MappingFile.fieldNames(of: record))
        for (name, node) in try YAMLMap(fieldsNode, what: "\(key).fields").pairs {
            let line = node.mark?.line
            if name == "custom" {
                guard let s = node.scalar?.string else {
                    throw MappingError(.invalidValue, line: line, message: "custom must be a JSON path")
                }
                customPath = try JSONPath(s)
                continue
            }
            var spec: (path: String, kind: FieldMap.Kind)
            var extra: ((inout FieldMap) -> Void)?
            if let s = node.scalar?.string {
                spec = (s, .plain)
            } else {
                let fm = try YAMLMap(node, what: "field '\(name)'")
                try fm.allow([
                    "path", "read", "write", "read_only", "list_separator", "name_parts", "stringly", "values",
                    "read_values", "otherwise",
                    "write_otherwise", "scale", "format", "default", "read_transform", "write_transform", "write_as",
                ])
                guard let readText = try fm.string("read") ?? fm.string("path") else {
                    throw MappingError(
                        .missingKey, line: fm.line, message: "field '\(name)' needs 'path' (or 'read' and 'write')")
                }
                spec = (readText, .plain)
                if let sep = try fm.string("list_separator") { spec.kind = .joinedList(separator: sep) }
                if try fm.bool("name_parts") == true { spec.kind = .nameParts }
                if try fm.bool("stringly") == true { spec.kind = .stringly }
                extra = try decodeFieldOptions(fm, name)
            }
            let names = spec.kind == .nameParts ? name.split(separator: "+").map(String.init) : [name]
            for n in names where !known.contains(n) && !n.hasPrefix("custom.") {
                throw MappingError(.unknownField, line: line, message: "'\(n)' is not a \(record.rawValue) field")
            }
            let jp: JSONPath
            do { jp = try JSONPath(spec.path) } catch let e as SyncError {
                throw MappingError(.invalidValue, line: line, message: e.message)
            }
            var fieldMap = FieldMap(fields: names, path: jp, kind: spec.kind)
            fieldMap.writePath = jp
            extra?(&fieldMap)
            fields.append(fieldMap)
        }
        var createDefaults: [(JSONPath, JSONValue)] = []
        if let d = m["create_defaults"] {
            for (k, v) in try YAMLMap(d, what: "\(key).create_defaults").pairs {
                let jp: JSONPath
                do { jp = try JSONPath(k) } catch let e as SyncError {
                    throw MappingError(.invalidValue, line: v.mark?.line, message: e.message)
                }
                createDefaults.append((jp, jsonValue(v)))
            }
        }
        return Resource(
            record: record, name: try m.string("name") ?? key, idPath: try path(m, "id") ?? JSONPath("id"),
            modifiedPath: try path(m, "modified"),
            versionPath: try path(m, "version"), concurrency: concurrency, list: list, get: get, create: create,
            update: update,
            delete: try endpoint(m["delete"], "\(key).delete", defaultMethod: .delete, line: m.line), lookup: lookup,
            batch: batch,
            fields: fields, customPath: customPath, identityPath: try path(m, "created"), createDefaults: createDefaults
        )
    }

    static func decodeList(_ m: YAMLMap) throws -> ListSpec {
        try m.allow(["path", "items", "more_items", "pagination", "incremental", "deleted", "detail"])
        var pagination = Pagination.cursor(
            limitParam: "limit", limit: 100, cursorParam: "cursor", next: try JSONPath("next_cursor"))
        if let pn = m["pagination"] {
            let pm = try YAMLMap(pn, what: "pagination")
            try pm.allow([
                "style", "limit_param", "limit", "cursor_param", "next", "page_param", "total", "offset_param",
            ])
            let limit = try int(pm, "limit") ?? 100
            let limitParam = try pm.string("limit_param") ?? "limit"
            switch try pm.requiredString("style") {
            case "cursor":
                pagination = .cursor(
                    limitParam: limitParam, limit: limit, cursorParam: try pm.string("cursor_param") ?? "cursor",
                    next: try path(pm, "next") ?? JSONPath("next_cursor"))
            case "page":
                pagination = .page(
                    pageParam: try pm.string("page_param") ?? "page", limitParam: limitParam, limit: limit,
                    total: try path(pm, "total"))
            case "offset":
                pagination = .offset(
                    offsetParam: try pm.string("offset_param") ?? "offset", limitParam: limitParam, limit: limit)
            case "link": pagination = .link(limitParam: limitParam, limit: limit, bodyPath: try path(pm, "next"))
            case "none": pagination = .none
            case let s:
                throw MappingError(
                    .invalidValue, line: pm.line(of: "style"),
                    message: "pagination style '\(s)' is not one of cursor, page, offset, link, none")
            }
        }
        var incremental: Incremental?
        if let inode = m["incremental"] {
            let im = try YAMLMap(inode, what: "incremental")
            try im.allow(["param", "format", "search_path", "search_property", "search_limit"])
            incremental = Incremental(
                param: try im.string("param"), format: try im.string("format") ?? "rfc3339",
                searchPath: try im.string("search_path"),
                searchProperty: try im.string("search_property"), searchLimit: try int(im, "search_limit") ?? 100)
        }
        var deleted: DeletedSpec?
        if let d = m["deleted"] {
            let dm = try YAMLMap(d, what: "deleted")
            try dm.allow(["param", "value", "flag"])
            deleted = DeletedSpec(
                param: try dm.requiredString("param"), value: try dm.string("value") ?? "true",
                flag: try path(dm, "flag") ?? JSONPath("deleted"))
        }
        var list = ListSpec(
            path: try m.requiredString("path"), items: try path(m, "items") ?? JSONPath("data"), pagination: pagination,
            incremental: incremental, deleted: deleted)
        for p in try m.stringList("more_items") ?? [] {
            do { list.moreItems.append(try JSONPath(p)) } catch let e as SyncError {
                throw MappingError(.invalidValue, line: m.line(of: "more_items"), message: e.message)
            }
        }
        list.detail = try m.bool("detail") ?? false
        return list
    }
}
