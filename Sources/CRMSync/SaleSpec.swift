import CRMHTTP
import CRMMapping
public import CRMModel
import Foundation
import Yams

/// How a remote creates the sale document an opportunity converts into (`opportunities convert ID --to quote|order`),
/// from a profile's `sales:` section. The shape of each request body is a template in the profile: JSON with
/// `$name` placeholders, so that no remote's shape is written in code. Cin7 Core, for example, creates a sale header
/// (`POST /sale`), then its quote or order (`POST /sale/quote`, `POST /sale/order`) with the header's id and lines.
public struct SaleSpec: Sendable {
    /// Creates the sale header; `id` is where the new sale's id is in the answer.
    public var create: RemoteProfile.Endpoint
    public var id: JSONPath
    /// Creates the document of each kind for a sale header.
    public var documents: [Conversion.SaleKind: RemoteProfile.Endpoint]
    /// Finds a header already created by its reference (a create whose answer was lost is not sent again).
    public var lookup: Lookup?
    /// Reads a sale by its id (`get: {path, id_param}`), and where each kind's document status is in it
    /// (`document_status: {quote: Quote.Status, …}`): a document whose status is there and not one of `openStatuses`
    /// exists already, so a rerun after a lost answer does not send it again.
    public var get: RemoteProfile.Endpoint?
    public var documentStatus: [Conversion.SaleKind: JSONPath] = [:]
    /// Document statuses that mean "not made yet, or still a draft that may be sent again" (`open_statuses`; default
    /// NOT AVAILABLE and DRAFT): any other status there means the document exists and is not sent again.
    public var openStatuses: Set<String> = ["NOT AVAILABLE", "DRAFT"]
    /// Body templates: the header, the document, and one line of the document (at `linesPath` in it).
    public var header: JSONValue
    public var document: JSONValue
    public var linesPath: JSONPath?
    public var line: JSONValue

    /// `GET path?param=REFERENCE`; the items at `items`, each with its id at `id` and its reference at `field`.
    public struct Lookup: Sendable {
        public var path: String
        public var param: String
        public var items: JSONPath
        public var id: JSONPath
        public var field: JSONPath
    }

    /// Placeholders a template may use. Opportunity-level: `$ref` (crmgate's reference for the sale, sent so that
    /// the lookup finds it), `$name`, `$customer_name`, `$contact_name`, `$currency`, `$owner`, `$amount`, `$total`,
    /// `$notes`, `$kind` (quote or order), `$is_order` (true or false), `$date` (today, YYYY-MM-DD), `$sale_id` (the
    /// header's id, in the document). Line-level: `$product`, `$quantity`, `$unit_price`, `$line_total`.
    /// A value written `$$…` is the literal text `$…`.
    public static let placeholders: Set<String> = [
        "ref", "name", "customer_name", "contact_name", "currency", "owner", "amount", "total", "notes", "kind",
        "is_order", "date",
        "sale_id", "product", "quantity", "unit_price", "line_total",
    ]

    static func decode(_ m: YAMLMap) throws -> SaleSpec {
        try m.allow([
            "create", "id", "quote", "order", "lookup", "get", "document_status", "open_statuses", "header", "document",
            "lines",
        ])
        guard let create = try RemoteProfile.endpoint(m["create"], "sales.create", defaultMethod: .post, line: m.line)
        else {
            throw MappingError(
                .missingKey, line: m.line, message: "sales needs 'create' (the endpoint that creates a sale header)")
        }
        var documents: [Conversion.SaleKind: RemoteProfile.Endpoint] = [:]
        for kind in Conversion.SaleKind.allCases {
            if let e = try RemoteProfile.endpoint(
                m[kind.rawValue], "sales.\(kind.rawValue)", defaultMethod: .post, line: m.line)
            {
                documents[kind] = e
            }
        }
        var lookup: Lookup?
        if let node = m["lookup"] {
            let l = try YAMLMap(node, what: "sales.lookup")
            try l.allow(["path", "param", "items", "id", "field"])
            lookup = Lookup(
                path: try l.requiredString("path"), param: try l.requiredString("param"),
                items: try JSONPath(try l.requiredString("items")), id: try JSONPath(try l.requiredString("id")),
                field: try JSONPath(try l.requiredString("field")))
        }
        var linesPath: JSONPath?
        var line = JSONValue.object([])
        if let node = m["lines"] {
            let l = try YAMLMap(node, what: "sales.lines")
            try l.allow(["path", "item"])
            linesPath = try JSONPath(try l.requiredString("path"))
            line = try template(l["item"], "sales.lines.item", line: l.line(of: "item"), allowed: placeholders)
        }
        var spec = SaleSpec(
            create: create, id: try JSONPath(try m.string("id") ?? "ID"), documents: documents, lookup: lookup,
            header: try template(
                m["header"], "sales.header", line: m.line(of: "header"),
                allowed: placeholders.subtracting(lineLevel + ["sale_id"])),
            document: try template(
                m["document"], "sales.document", line: m.line(of: "document"),
                allowed: placeholders.subtracting(lineLevel)),
            linesPath: linesPath, line: line)
        spec.get = try RemoteProfile.endpoint(m["get"], "sales.get", defaultMethod: .get, line: m.line)
        if let node = m["document_status"] {
            let d = try YAMLMap(node, what: "sales.document_status")
            try d.allow(Set(Conversion.SaleKind.allCases.map(\.rawValue)))
            for kind in Conversion.SaleKind.allCases {
                if let path = try d.string(kind.rawValue) { spec.documentStatus[kind] = try JSONPath(path) }
            }
        }
        if let open = try m.stringList("open_statuses") { spec.openStatuses = Set(open.map { $0.uppercased() }) }
        return spec
    }

    /// Placeholders only a line has (a line also has every other).
    static let lineLevel: Set<String> = ["product", "quantity", "unit_price", "line_total"]

    /// A body template, its placeholders checked against `placeholders` (a typo is an error with its line).
    static func template(_ node: Node?, _ what: String, line: Int?, allowed: Set<String>) throws -> JSONValue {
        guard let node else { return .object([]) }
        guard case .mapping = node else {
            throw MappingError(.invalidValue, line: line, message: "\(what) must be a mapping of fields to values")
        }
        func check(_ n: Node) throws {
            switch n {
            case .scalar(let s):
                if s.string.hasPrefix("$"), !s.string.hasPrefix("$$"), !allowed.contains(String(s.string.dropFirst())) {
                    throw MappingError(
                        .invalidValue, line: n.mark?.line,
                        message:
                            "\(what): unknown placeholder '\(s.string)' here; known: \(allowed.sorted().map { "$" + $0 }.joined(separator: ", "))"
                    )
                }
            case .sequence(let seq): for c in seq { try check(c) }
            case .mapping(let map): for (_, v) in map { try check(v) }
            default: break
            }
        }
        try check(node)
        return RemoteProfile.jsonValue(node)
    }

    /// The template with its placeholders replaced (a placeholder with no value becomes null).
    static func render(_ t: JSONValue, _ values: [String: JSONValue]) -> JSONValue {
        switch t {
        case .string(let s) where s.hasPrefix("$$"): return .string(String(s.dropFirst()))
        case .string(let s) where s.hasPrefix("$"): return values[String(s.dropFirst())] ?? .null
        case .array(let a): return .array(a.map { render($0, values) })
        case .object(let o): return .object(o.map { ($0.0, render($0.1, values)) })
        default: return t
        }
    }
}
