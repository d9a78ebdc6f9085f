import CRMCSV
import CRMImport
import CRMMapping
import CRMModel
import CRMStore
import CRMSync
import Foundation
import HTTPTypes
import Hummingbird

extension WebApp {
    // MARK: - Status

    func statusPage(_ s: WebSession) throws -> String {
        var body = "<section class=\"counts\">"
        for (type, path) in [
            (RecordType.lead, "/leads"), (.opportunity, "/opportunities"), (.task, "/tasks"), (.customer, nil),
        ] {
            let n = try store.count(type)
            let label = "\(n) \(type.plural)"
            body +=
                path.map { "<a class=\"count\" href=\"\($0)\">\(HTML.escape(label))</a>" }
                ?? "<span class=\"count\">\(HTML.escape(label))</span>"
        }
        body += "</section>"
        let conflicts = try store.conflicts().count
        let aside = try store.setAsideRecords().count
        let pairs = try store.reviewPairs().count
        body +=
            "<ul class=\"waiting\"><li><a href=\"/conflicts\">\(conflicts) open conflict(s)</a></li>"
            + "<li><a href=\"/review\">\(pairs) review pair(s)</a></li><li>\(aside) record(s) set aside by a remote (`crmgate sync errors list`)</li></ul>"
        let imports = try store.imports().prefix(5)
        body +=
            "<h2>Recent imports</h2>"
            + HTML.table(
                ["import", "type", "source", "status", "read", "created", "rejected"],
                imports.map { b in
                    [
                        "<a href=\"/imports/\(b.id)\">#\(b.id)</a>", HTML.text(b.recordType), HTML.text(b.source),
                        HTML.text(b.status),
                        "\(b.counts.read)", "\(b.counts.created)", "\(b.counts.rejected)",
                    ]
                })
        let runs = try store.runs().prefix(5)
        body +=
            "<h2>Recent sync runs</h2>"
            + HTML.table(
                ["run", "job", "started", "status", "counts"],
                runs.map { r in
                    [
                        "\(r.id)", HTML.text(r.job), HTML.text(r.startedAt), HTML.text(r.status.rawValue),
                        "<code>\(HTML.text(r.counts))</code>",
                    ]
                })
        return HTML.page(title: "Status", session: s, users: users.map(\.name), body: body)
    }

    // MARK: - Imports

    func importsPage(_ s: WebSession) throws -> String {
        let rows = try store.imports().map { b in
            [
                "<a href=\"/imports/\(b.id)\">#\(b.id)</a>", HTML.text(b.recordType), HTML.text(b.source),
                HTML.text(b.status), HTML.text(b.startedAt),
                "\(b.counts.read)", "\(b.counts.created)", "\(b.counts.updated)", "\(b.counts.unchanged)",
                "\(b.counts.merged)", "\(b.counts.rejected)",
            ]
        }
        return HTML.page(
            title: "Imports", session: s, users: users.map(\.name),
            body: rows.isEmpty
                ? "<p>No imports yet.</p>"
                : HTML.table(
                    [
                        "import", "type", "source", "status", "started", "read", "created", "updated", "unchanged",
                        "merged", "rejected",
                    ], rows))
    }

    func importPage(_ s: WebSession, id: Int64) throws -> String {
        guard let b = try store.imports().first(where: { $0.id == id }) else {
            throw PageError(.notFound, "no import #\(id)")
        }
        let c = b.counts
        let parts: [(String, Int, String)] = [
            ("created", c.created, "c1"), ("updated", c.updated, "c2"), ("unchanged", c.unchanged, "c3"),
            ("merged", c.merged, "c4"), ("rejected", c.rejected, "c5"),
        ]
        let sum = parts.map(\.1).reduce(0, +)
        var body =
            "<p>\(HTML.text(b.source)) through \(HTML.text(b.mapping)), \(HTML.text(b.status)), started \(HTML.text(b.startedAt))</p>"
        if let e = b.error { body += "<p class=\"error\">\(HTML.text(e))</p>" }
        body += HTML.table(
            ["outcome", "rows"],
            parts.map { [$0.0, "\($0.1)"] } + [["<strong>read</strong>", "<strong>\(c.read)</strong>"]], id: "counts")
        body +=
            sum == c.read
            ? "<p class=\"ok\" id=\"adds-up\">The outcomes add up to the rows read.</p>"
            : "<p class=\"error\" id=\"adds-up\">The outcomes add up to \(sum), not \(c.read).</p>"
        // The outcome chart: one bar per outcome, as wide as its share.
        var svg =
            "<svg class=\"chart\" role=\"img\" aria-label=\"outcomes\" width=\"420\" height=\"\(parts.count * 22)\" viewBox=\"0 0 420 \(parts.count * 22)\">"
        for (i, p) in parts.enumerated() {
            let w = c.read > 0 ? Int((Double(p.1) / Double(c.read)) * 300) : 0
            svg +=
                "<text x=\"0\" y=\"\(i * 22 + 15)\">\(p.0)</text><rect class=\"\(p.2)\" x=\"90\" y=\"\(i * 22 + 3)\" width=\"\(w)\" height=\"16\"></rect>"
                + "<text x=\"\(95 + w)\" y=\"\(i * 22 + 15)\">\(p.1)</text>"
        }
        body += svg + "</svg>"
        let groups = try store.rejectGroups(importID: id)
        if !groups.isEmpty {
            let samples = sampleRejects(importID: id, lines: Set(groups.flatMap(\.lines)))
            body += "<h2>Rejected rows by reason</h2>"
            for g in groups {
                body +=
                    "<section class=\"reject\"><h3>\(HTML.text(g.reason)) <small>\(g.count) row(s)</small></h3><p>lines "
                    + g.lines.map(String.init).joined(separator: ", ") + (g.count > g.lines.count ? ", …" : "") + "</p>"
                if let header = samples.header {
                    let rows = g.lines.compactMap { samples.rows[$0] }.map { r in r.map(HTML.text) }
                    if !rows.isEmpty { body += HTML.table(header, rows) }
                }
                body += "</section>"
            }
            if try store.rejectsFile(importID: id).map({ FileManager.default.fileExists(atPath: $0) }) == true {
                body +=
                    "<p><a href=\"/imports/\(id)/rejects.csv\" download>Download the reject file</a> (the rejected rows as written, with line and reason).</p>"
            }
        }
        return HTML.page(title: "Import #\(id)", session: s, users: users.map(\.name), body: body)
    }

    /// Rows of the reject file whose line is one of `lines` (read as a stream; stops when all are found).
    func sampleRejects(importID: Int64, lines: Set<Int>) -> (header: [String]?, rows: [Int: [String]]) {
        guard let path = try? store.rejectsFile(importID: importID), FileManager.default.fileExists(atPath: path),
            let reader = try? CSVReader(path: path)
        else { return (nil, [:]) }
        // The reader has read the header row when it opened the file.
        let header = reader.header
        let lineColumn = header.lastIndex(of: "crmgate_line") ?? -1
        var rows: [Int: [String]] = [:]
        while lineColumn >= 0, rows.count < lines.count, let batch = try? reader.nextBatch() {
            for r in 0..<batch.count {
                let fields = batch.fields(r)
                if lineColumn < fields.count, let line = Int(fields[lineColumn]), lines.contains(line) {
                    rows[line] = fields
                }
            }
        }
        return (header, rows)
    }

    func rejectsDownload(id: Int64) -> Response {
        guard let path = try? store.rejectsFile(importID: id),
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        else {
            return Self.problem(.notFound, "this import has no reject file (any more)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"import-\(id)-rejects.csv\""
        for (k, v) in Self.securityHeaders { headers[k] = v }
        // Streamed in 64 KiB pieces: a reject file may be as large as its import.
        let body = ResponseBody(contentLength: size) { writer in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var sent = 0
            while sent < size, let data = try handle.read(upToCount: 1 << 16), !data.isEmpty {
                let piece = data.prefix(size - sent)
                try await writer.write(ByteBuffer(bytes: piece))
                sent += piece.count
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: - Review

    static var reviewFields: [(String, (Lead) -> String)] {
        [
            ("first name", { $0.firstName }), ("last name", { $0.lastName }), ("email", { $0.email }),
            ("phone", { $0.phone }),
            ("company", { $0.company }), ("street", { $0.address.street }), ("city", { $0.address.city }),
            ("postcode", { $0.address.postcode }),
            ("country", { $0.address.country }),
        ]
    }

    func reviewPage(_ s: WebSession) throws -> String {
        let pairs = try store.reviewPairs()
        guard !pairs.isEmpty else {
            return HTML.page(title: "Review", session: s, users: users.map(\.name), body: "<p>No pairs to review.</p>")
        }
        var body =
            "<p>Pairs the fuzzy matcher was unsure about, most likely first. Keys: <kbd>a</kbd> accept, <kbd>r</kbd> reject the first pair.</p>"
        for p in pairs {
            let a = try? store.record(Lead.self, id: p.a)
            let b = try? store.record(Lead.self, id: p.b)
            var rows: [[String]] = []
            for (name, get) in Self.reviewFields {
                let va = a.map(get) ?? ""
                let vb = b.map(get) ?? ""
                let level =
                    va.isEmpty || vb.isEmpty ? "missing" : va.lowercased() == vb.lowercased() ? "same" : "differs"
                rows.append([
                    HTML.escape(name), HTML.text(va), HTML.text(vb), "<span class=\"\(level)\">\(level)</span>",
                ])
            }
            body += """
                <section class="pair" id="pair-\(p.id)"><h2>Pair \(p.id) <small>match weight \(String(format: "%.1f", p.weight))</small></h2>
                \(HTML.table(["field", RecordID.short(p.a), RecordID.short(p.b), "values"], rows))
                \(p.explanation.map { "<h3>Why the matcher was unsure</h3><pre class=\"explain\">\(HTML.escape($0))</pre>" }
                    ?? "<p>No explanation was kept for this pair (queued before crmgate kept them).</p>")
                \(config.readOnly ? Self.readOnlyNote : """
                    <form method="post" action="/review/\(p.id)/accept" data-key="a">\(HTML.csrfField(s))<button type="submit" class="accept">Accept: the same person</button></form>
                    <form method="post" action="/review/\(p.id)/reject" data-key="r">\(HTML.csrfField(s))<button type="submit" class="reject">Reject: different people</button></form>
                    """)
                </section>
                """
        }
        return HTML.page(title: "Review", session: s, users: users.map(\.name), body: body)
    }

    func decideReview(id: Int64, decision: String) throws -> Response {
        guard let p = try store.reviewPair(id: id), p.status == .open else {
            throw PageError(.notFound, "no open review pair \(id)")
        }
        switch decision {
        case "accept": _ = try FuzzyImportPass.accept(store: store, pair: p)
        case "reject": try store.decideReview(id: id, status: .rejected)
        default: throw PageError(.notFound, "no such decision")
        }
        return Self.redirect("/review")
    }

    // MARK: - Conflicts

    func conflictsPage(_ s: WebSession) throws -> String {
        let open = try store.conflicts()
        guard !open.isEmpty else {
            return HTML.page(
                title: "Conflicts", session: s, users: users.map(\.name), body: "<p>No open conflicts.</p>")
        }
        var body = ""
        for c in open {
            let base = Snapshot(json: c.base).values
            let local = Snapshot(json: c.local).values
            let remote = Snapshot(json: c.remoteSide).values
            var rows: [[String]] = []
            for f in c.fields {
                let n = HTML.attr(f)
                rows.append([
                    HTML.text(f), HTML.text(base[f] ?? ""), HTML.text(local[f] ?? ""), HTML.text(remote[f] ?? ""),
                    """
                    <label><input type="radio" name="choose.\(n)" value="local" checked> local</label>
                    <label><input type="radio" name="choose.\(n)" value="remote"> remote</label>
                    <label><input type="radio" name="choose.\(n)" value="edit"> <input type="text" name="edit.\(n)" value="\(HTML.attr(local[f] ?? ""))" aria-label="value of \(n)"></label>
                    """,
                ])
            }
            body += """
                <section class="conflict" id="conflict-\(c.id)"><h2>Conflict \(c.id) <small>\(HTML.text(c.recordType.rawValue)) \(HTML.text(RecordID.short(c.localID))) at \(HTML.text(c.remote))</small></h2>
                \(config.readOnly ? "<div>" : "<form method=\"post\" action=\"/conflicts/\(c.id)/resolve\">\(HTML.csrfField(s))")
                \(HTML.table(["field", "base", "local", "remote", "take"], rows))
                <p>Fields only one side changed: <label><input type="radio" name="take" value="merged" checked> both sides' changes</label>
                <label><input type="radio" name="take" value="local"> local</label> <label><input type="radio" name="take" value="remote"> remote</label></p>
                \(config.readOnly ? Self.readOnlyNote + "</div>" : "<button type=\"submit\">Resolve</button></form>")</section>
                """
        }
        return HTML.page(title: "Conflicts", session: s, users: users.map(\.name), body: body)
    }

    func resolveConflict(id: Int64, form: Form) throws -> Response {
        guard let c = try store.conflict(id: id), c.status == .open else {
            throw PageError(.notFound, "no open conflict \(id)")
        }
        // Only the choices the form offers: anything else is refused, not taken for a default (a trial's `take=bogus`
        // resolved the conflict, and `edit` without its value emptied the field).
        guard let take = ConflictResolution.Take(rawValue: form["take"] ?? "merged") else {
            throw PageError(.badRequest, "take must be merged, local or remote")
        }
        let local = Snapshot(json: c.local).values
        let remote = Snapshot(json: c.remoteSide).values
        var sets: [String: String] = [:]
        for f in c.fields {
            switch form["choose.\(f)"] ?? "local" {
            case "remote": sets[f] = remote[f] ?? ""
            case "local": sets[f] = local[f] ?? ""
            case "edit":
                guard let edited = form["edit.\(f)"] else { throw PageError(.badRequest, "no value given for \(f)") }
                sets[f] = edited
            default: throw PageError(.badRequest, "the choice for \(f) must be local, remote or edit")
            }
        }
        do { try ConflictResolution.resolve(store: store, id: id, take: take, sets: sets) } catch let e as SyncError {
            throw PageError(.badRequest, e.description)
        }
        return Self.redirect("/conflicts")
    }
}
