import CRMMapping
import CRMModel
import CRMStore
import Foundation
import Hummingbird

/// What the list and board pages need of a record type.
protocol BoardRecord: CRMRecord {
    /// The field the board's columns are (lead status, opportunity stage).
    static var columnField: String { get }
    static func columns(_ p: Pipelines) -> [String]
    var title: String { get }
    var column: String { get set }
    var money: (amount: Decimal?, currency: String) { get }
    var searchText: String { get }
}

extension Lead: BoardRecord {
    static var columnField: String { "status" }
    static func columns(_ p: Pipelines) -> [String] { p.leadStatuses }
    var title: String { displayTitle }
    var column: String {
        get { status }
        set { status = newValue }
    }
    var money: (amount: Decimal?, currency: String) { (amount, currency) }
    var searchText: String { "\(firstName) \(lastName) \(email) \(company) \(phone)".lowercased() }
}

extension Opportunity: BoardRecord {
    static var columnField: String { "stage" }
    static func columns(_ p: Pipelines) -> [String] { p.opportunityStages }
    var title: String { name + (customerName.isEmpty ? "" : ", \(customerName)") }
    var column: String {
        get { stage }
        set { stage = newValue }
    }
    var money: (amount: Decimal?, currency: String) { (amount, currency) }
    var searchText: String { "\(name) \(customerName) \(contactName) \(contactEmail) \(owner)".lowercased() }
}

extension WebApp {
    static let pageSize = 50

    static func money(_ amount: Decimal?, _ currency: String) -> String {
        guard let amount else { return "" }
        return NSDecimalNumber(decimal: amount).stringValue + (currency.isEmpty ? "" : " " + currency.uppercased())
    }

    /// A list (search, filter by column, sort, pages) or, with `view=board`, a board in pipeline order with totals per
    /// currency; each card can be moved to another column (a POST through the library: the change counter moves, so
    /// the next push sends it).
    func recordsPage<R: BoardRecord>(_ type: R.Type, _ s: WebSession, query: [String: String]) throws -> String {
        let plural = R.recordType.plural
        let q = (query["q"] ?? "").lowercased()
        let filter = query[R.columnField] ?? ""
        let board = query["view"] == "board"
        var items: [R] = []
        // The pipeline's columns, then any other value the store holds (an import may bring its own, `Nurturing`):
        // the filter offers every one a record has, as `set` accepts them (a trial missed two).
        var stored: [String] = []
        var seen = Set<String>()
        try store.forEach(R.self) { r, _ in
            let c = r.column
            if seen.insert(c).inserted { stored.append(c) }
            if !q.isEmpty, !r.searchText.contains(q) { return }
            if !filter.isEmpty, c.caseInsensitiveCompare(filter) != .orderedSame { return }
            items.append(r)
        }
        let columns = RecordEdit.knownValues(pipeline: R.columns(pipelines), stored: stored)
        var body = """
            <form method="get" action="/\(plural)" class="filters"><input type="search" name="q" value="\(HTML.attr(q))" placeholder="search" aria-label="search">
            <select name="\(R.columnField)" aria-label="\(R.columnField)"><option value="">any \(R.columnField)</option>
            """
        for c in columns {
            body += "<option value=\"\(HTML.attr(c))\"\(c == filter ? " selected" : "")>\(HTML.escape(c))</option>"
        }
        body += "</select>"
        if board { body += "<input type=\"hidden\" name=\"view\" value=\"board\">" }
        body +=
            "<button type=\"submit\">Filter</button> <a href=\"/\(plural)\(board ? "" : "?view=board")\">\(board ? "list" : "board")</a></form>"
        if board {
            let b = Board(
                order: columns,
                items: items.map {
                    (
                        $0.column,
                        Board.Card(id: $0.id, title: $0.title, amount: $0.money.amount, currency: $0.money.currency)
                    )
                })
            body += "<div class=\"board\">"
            for col in b.columns {
                let totals = col.totals.sorted { $0.key < $1.key }.map { Self.money($0.value, $0.key) }.joined(
                    separator: " · ")
                body +=
                    "<section class=\"column\" data-column=\"\(HTML.attr(col.name))\"><h2>\(HTML.text(col.name)) <small>\(col.count)</small></h2>"
                    + (totals.isEmpty ? "" : "<p class=\"totals\">\(HTML.escape(totals))</p>")
                for card in col.cards.prefix(200) {
                    body += """
                        <article class="card"\(config.readOnly ? "" : " draggable=\"true\"") id="card-\(card.id)"><p>\(HTML.text(card.title))</p><p class="amount">\(HTML.escape(Self.money(card.amount, card.currency)))</p>
                        """
                    // A read-only page offers no move it would refuse (a trial counted 114 forms that answered 403).
                    if !config.readOnly {
                        body +=
                            "<form method=\"post\" action=\"/\(plural)/\(card.id)/move\">\(HTML.csrfField(s))<select name=\"to\" aria-label=\"move to\">"
                        for c in b.columns.map(\.name) {
                            body +=
                                "<option value=\"\(HTML.attr(c))\"\(c == col.name ? " selected" : "")>\(HTML.escape(c))</option>"
                        }
                        body += "</select><button type=\"submit\">Move</button></form>"
                    }
                    body += "</article>"
                }
                if col.count > 200 { body += "<p>+\(col.count - 200) more</p>" }
                body += "</section>"
            }
            body += "</div>"
        } else {
            switch query["sort"] ?? "" {
            case "title": items.sort { $0.title.localizedCaseInsensitiveCompare($1.title) == .orderedAscending }
            case R.columnField: items.sort { $0.column < $1.column }
            case "amount": items.sort { ($0.money.amount ?? -1) > ($1.money.amount ?? -1) }
            default: items.sort { ($0.updatedAt ?? .distantPast) > ($1.updatedAt ?? .distantPast) }
            }
            // A page past the last shows the last, and its links go from there (`?page=5` of one page linked to 4).
            let pages = max(1, (items.count + Self.pageSize - 1) / Self.pageSize)
            let page = min(pages, max(1, Int(query["page"] ?? "1") ?? 1))
            let shown = items.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
            func link(_ p: Int, _ label: String) -> String {
                var parts = ["page=\(p)"]
                if !q.isEmpty { parts.append("q=\(HTML.query(q))") }
                if !filter.isEmpty { parts.append("\(R.columnField)=\(HTML.query(filter))") }
                if let sort = query["sort"] { parts.append("sort=\(HTML.query(sort))") }
                return "<a href=\"/\(plural)?\(parts.joined(separator: "&amp;"))\">\(label)</a>"
            }
            let previous = page > 1 ? link(page - 1, "previous") : ""
            let next = page < pages ? link(page + 1, "next") : ""
            body += "<p>\(items.count) \(plural), page \(page) of \(pages) \(previous) \(next)</p>"
            var rows: [[String]] = []
            for r in shown {
                let money = HTML.escape(Self.money(r.money.amount, r.money.currency))
                let updated = HTML.escape(r.updatedAt?.iso8601UTC ?? "")
                rows.append(["<code>\(r.id.short)</code>", HTML.text(r.title), HTML.text(r.column), money, updated])
            }
            body += HTML.table(["id", "name", R.columnField, "amount", "updated"], rows, id: "records")
        }
        return HTML.page(title: plural.capitalized, session: s, users: users.map(\.name), body: body)
    }

    func move<R: BoardRecord>(_ type: R.Type, id: String, form: Form) throws -> Response {
        guard let to = form["to"], !to.isEmpty else {
            throw PageError(.badRequest, "say which \(R.columnField) to move to")
        }
        guard RecordID(id) != nil else { throw PageError(.notFound, "not a record id") }
        var r: R
        do { r = try store.record(R.self, id: id) } catch {
            throw PageError(.notFound, "no such \(R.recordType.rawValue)")
        }
        guard r.column != to else { return Self.redirect("/\(R.recordType.plural)?view=board") }
        // A move is an edit as `set` makes it (RecordEdit): to a column of the pipeline or one the board shows because
        // records already carry it, spelled as there; never to Converted by hand, nor of a converted lead; stamped with
        // its time (incremental exports select on it).
        let known = RecordEdit.knownValues(
            pipeline: R.columns(pipelines), stored: (try? store.distinctValues(R.self, field: R.columnField)) ?? [])
        do {
            _ = try RecordEdit.apply([(R.columnField, to)], to: &r, allowed: [R.columnField: known], at: Date())
        } catch let e as RecordEdit.Refusal {
            throw PageError(.badRequest, e.message)
        }
        try store.save([r])
        return Self.redirect("/\(R.recordType.plural)?view=board")
    }
}
