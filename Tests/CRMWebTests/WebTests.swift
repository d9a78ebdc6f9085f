import CRMImport
import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import CRMWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A store with something on every page: leads and opportunities (some with hostile names), tasks of two users, a
/// review pair, a conflict, an import with rejected rows.
final class WebFixture: @unchecked Sendable {
    static let hostile = [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "javascript:alert(3)", "\u{202E}evil\u{202C}",
        "' onmouseover='alert(4)",
        "</textarea><svg onload=alert(5)>", "&lt;script&gt;",
    ]
    let dir: URL
    /// The store's `--store` text: a file, or a PostgreSQL database's URL.
    let storePath: String
    let store: any ReviewStore
    var leads: [Lead] = []
    var opportunities: [Opportunity] = []
    var tasks: [CRMTask] = []
    var conflictID: Int64 = 0
    var pairID: Int64 = 0
    var importID: Int64 = 0

    init(kind: StoreKind = .sqlite) throws {
        dir = try TestSupport.temporaryDirectory("crmgate-web")
        storePath = kind == .sqlite ? dir.appendingPathComponent("store.sqlite").path : try kind.makeLocation()
        store = try StoreLocation(storePath).openReviewStore(mode: .create)
        for (i, name) in (["Ada", "Ada"] + Self.hostile).enumerated() {
            var l = Lead(id: RecordID.make())
            l.firstName = name
            l.lastName = "Lovelace"
            l.email = "ada\(i)@example.com"
            l.company = Self.hostile[i % Self.hostile.count]
            l.status = ["New", "Contacted", "Qualified"][i % 3]
            leads.append(l)
        }
        for (i, name) in (["Deal A", "Deal B"] + Self.hostile).enumerated() {
            var o = Opportunity(id: RecordID.make())
            o.name = name
            o.amount = Decimal(100 * (i + 1))
            o.currency = i % 2 == 0 ? "EUR" : "USD"
            opportunities.append(o)
        }
        let day: TimeInterval = 86400
        for (i, who) in ["Grace Kim", "Pablo Ruiz", "Pablo Ruiz", "Maya Cohen"].enumerated() {
            var t = CRMTask(id: RecordID.make())
            t.title = i == 3 ? Self.hostile[0] : "Call \(i)"
            t.assignee = who
            t.creator = "Grace Kim"
            t.due = Date(timeIntervalSince1970: 1_795_000_000 + Double(i) * day)
            tasks.append(t)
        }
        try store.save(leads)
        try store.save(opportunities)
        try store.save(tasks)
        _ = try store.proposeReview(
            type: .lead, pairs: [(leads[0].id.description, leads[1].id.description, 4.2)], importID: nil,
            explanations: [
                "rows 1 and 2: compared\n  first_name exact +3.20\n  total 4.20 (match 6.00, review 2.00) <b>bold</b>"
            ])
        pairID = try #require(try store.reviewPairs().first).id
        // A conflict on lead 2: local and remote changed company and phone differently.
        let remote = "generic-rest@http://127.0.0.1:1"
        let id = leads[2].id.description
        try store.applySync(
            Lead.self, records: [],
            links: [
                SyncLink(
                    remote: remote, recordType: .lead, localID: id, remoteID: "r-2",
                    base: #"{"company":"Base Co","phone":"+1"}"#)
            ])
        conflictID = try store.openConflict(
            job: "j", remote: remote, type: .lead, localID: id, remoteID: "r-2", fields: ["company", "phone"],
            base: #"{"company":"Base Co","phone":"+1"}"#,
            local: #"{"company":"Local Co","phone":"+2"}"#, remoteSide: #"{"company":"Remote Co","phone":"+3"}"#)
        // An import with rejected rows (invalid e-mails), its reject file next to the store.
        var o = ImportOptions(
            source: TestSupport.fixture("csv/bad/invalid-emails.csv"),
            mapping: TestSupport.mapping("sources/generic-leads-min.yaml"))
        o.store = storePath
        o.rejectsPath = dir.appendingPathComponent("rejects.csv").path
        importID = try #require(try Importer.run(o).importID)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func app(
        readOnly: Bool = false, user: String? = nil, zone: TimeZone = TimeZone(identifier: "UTC")!
    ) throws -> (WebApp, Application<RouterResponder<BasicRequestContext>>) {
        var c = WebConfig(storePath: storePath)
        c.zone = zone
        c.usersPath = TestSupport.mapping("users.yaml")
        c.pipelinesPath = TestSupport.mapping("pipelines.yaml")
        c.readOnly = readOnly
        c.user = user
        let web = try WebApp(config: c)
        return (web, Application(router: web.router()))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// Signs in through the one-time token: the session cookie, and a page's CSRF token.
func signIn(_ client: some TestClientProtocol, _ web: WebApp) async throws -> (cookie: String, csrf: String) {
    let r = try await client.execute(uri: "/signin?token=\(web.signInToken)", method: .get)
    #expect(r.status == .seeOther)
    let set = try #require(r.headers[.setCookie])
    #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict"))
    let cookie = String(set.split(separator: ";")[0])
    let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
    let text = page.text
    let marker = "name=\"csrf\" value=\""
    let start = try #require(text.range(of: marker)).upperBound
    let csrf = String(text[start...].prefix { $0 != "\"" })
    return (cookie, csrf)
}

func form(_ pairs: [(String, String)]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(
        string: pairs.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }
        .joined(separator: "&"))
}

@Suite("crmgate serve: sign-in, CSRF, pages, changes")
struct WebTests {
    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test(
        "without the session every page is 401 and every change refused; a wrong or used token signs nobody in",
        arguments: StoreKind.allCases)
    func signInRules(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        try await app.test(.router) { client in
            for path in [
                "/", "/imports", "/review", "/conflicts", "/leads", "/opportunities", "/tasks", "/tasks/calendar",
            ] {
                #expect(try await client.execute(uri: path, method: .get).status == .unauthorized, "\(path)")
            }
            let accept = try await client.execute(
                uri: "/review/\(f.pairID)/accept", method: .post, headers: Self.formHeaders, body: form([("csrf", "x")])
            )
            #expect(accept.status == .unauthorized)
            #expect(try await client.execute(uri: "/signin?token=wrong", method: .get).status == .unauthorized)
            _ = try await signIn(client, web)
            #expect(
                try await client.execute(uri: "/signin?token=\(web.signInToken)", method: .get).status == .unauthorized)
        }
        #expect(try f.store.reviewPairs().count == 1)
    }

    @Test(
        "a change with the session but without the right CSRF token, or from another origin, is 403 and changes nothing",
        arguments: StoreKind.allCases)
    func csrf(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await signIn(client, web)
            var headers = Self.formHeaders
            headers[.cookie] = cookie
            let none = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: headers, body: form([]))
            #expect(none.status == .forbidden)
            let wrong = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: headers,
                body: form([("csrf", String(csrf.reversed()))]))
            #expect(wrong.status == .forbidden)
            var cross = headers
            cross[.origin] = "http://evil.example"
            let other = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: cross, body: form([("csrf", csrf)]))
            #expect(other.status == .forbidden)
            // Without an Origin, a foreign Referer or a cross-site Sec-Fetch-Site is refused too (a trial).
            for (name, value) in [("Referer", "http://evil.example/page"), ("Sec-Fetch-Site", "cross-site")] {
                var h = headers
                h[HTTPField.Name(name)!] = value
                let r = try await client.execute(
                    uri: "/review/\(f.pairID)/reject", method: .post, headers: h, body: form([("csrf", csrf)]))
                #expect(r.status == .forbidden, "\(name): \(value)")
            }
            #expect(try f.store.reviewPairs().count == 1)
            // A Host that is not this machine's loopback (DNS rebinding: evil.example resolved to 127.0.0.1) is
            // refused, even with an Origin of that host and the right token (a trial's was served, and changed the user).
            var rebound = headers
            rebound[HTTPField.Name("Host")!] = "evil.example:8080"
            rebound[.origin] = "http://evil.example:8080"
            let misdirected = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: rebound, body: form([("csrf", csrf)]))
            #expect(misdirected.status == .misdirectedRequest)
            let page = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: cookie, HTTPField.Name("Host")!: "evil.example"])
            #expect(page.status == .misdirectedRequest)
            for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"] {
                let own = try await client.execute(
                    uri: "/", method: .get, headers: [.cookie: cookie, HTTPField.Name("Host")!: host])
                #expect(own.status == .ok, "\(host)")
            }
            // HEAD answers as GET; a page that does not exist is a page with the security headers.
            #expect(try await client.execute(uri: "/leads", method: .head, headers: [.cookie: cookie]).status == .ok)
            let missing = try await client.execute(uri: "/nonexistent", method: .get, headers: [.cookie: cookie])
            #expect(missing.status == .notFound && missing.headers[HTTPField.Name("Content-Security-Policy")!] != nil)
            // A page asked with a method it does not take says which it takes (405 with Allow), not 404.
            for (uri, method, allow) in [
                ("/", HTTPRequest.Method.post, "GET, HEAD"), ("/imports/1", .put, "GET, HEAD"),
                ("/tasks/bulk", .get, "POST"), ("/review/\(f.pairID)/reject", .delete, "POST"),
            ] {
                let wrong = try await client.execute(uri: uri, method: method, headers: [.cookie: cookie])
                #expect(wrong.status == .methodNotAllowed && wrong.headers[.allow] == allow, "\(method) \(uri)")
                #expect(wrong.headers[HTTPField.Name("Content-Security-Policy")!] != nil)
            }
            let ok = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: headers, body: form([("csrf", csrf)]))
            #expect(ok.status == .seeOther)
        }
        #expect(try f.store.reviewPairs().isEmpty)
    }

    @Test(
        "hostile values are shown as text on every page: no markup, no script but the page's own, a strict CSP",
        arguments: StoreKind.allCases)
    func hostileValues(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        try await app.test(.router) { client in
            let (cookie, _) = try await signIn(client, web)
            for path in [
                "/", "/imports", "/review", "/conflicts", "/leads", "/leads?view=board", "/opportunities",
                "/opportunities?view=board", "/tasks",
                "/tasks/calendar?month=2026-11",
            ] {
                let r = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
                #expect(r.status == .ok, "\(path)")
                let html = r.text
                #expect(html.components(separatedBy: "<script").count == 2, "\(path): only the page's own script tag")
                for bad in ["<img src=x", "<svg onload", "onmouseover='", "</textarea><svg", "<script>alert"] {
                    #expect(!html.contains(bad), "\(path) contains \(bad)")
                }
                #expect(!html.contains("href=\"javascript:"), "\(path)")
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            }
            let review = try await client.execute(uri: "/review", method: .get, headers: [.cookie: cookie]).text
            #expect(
                review.contains("Why the matcher was unsure")
                    && review.contains("total 4.20 (match 6.00, review 2.00) &lt;b&gt;bold"))
            let leads = try await client.execute(uri: "/leads", method: .get, headers: [.cookie: cookie]).text
            #expect(leads.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(leads.contains("<bdi>\u{202E}evil\u{202C}"))
        }
    }

    /// A trial: `tasks calendar --tz America/New_York` put a task on the 30th, the page (UTC) on the 1st.
    @Test("the calendar and the task list use the zone serve was given (--tz), as the task commands do")
    func zone() async throws {
        let f = try WebFixture()
        var t = CRMTask(id: RecordID.make())
        t.title = "Late call"
        t.assignee = "Grace Kim"
        t.creator = "Grace Kim"
        t.due = try #require(TaskDate.parse("2026-12-01T03:00Z", zone: TimeZone(identifier: "UTC")!)).instant
        try f.store.save([t])
        for (name, day, shown) in [("UTC", false, "2026-12-01 03:00"), ("America/New_York", true, "2026-11-30 22:00")] {
            let (web, app) = try f.app(zone: try #require(TimeZone(identifier: name)))
            try await app.test(.router) { client in
                let (cookie, _) = try await signIn(client, web)
                let november = try await client.execute(
                    uri: "/tasks/calendar?month=2026-11", method: .get, headers: [.cookie: cookie]
                ).text
                #expect(november.contains("Late call") == day, "\(name)")
                let list = try await client.execute(uri: "/tasks", method: .get, headers: [.cookie: cookie]).text
                #expect(list.contains(shown), "\(name)")
            }
        }
    }

    @Test(
        "moving a card changes the record through the library: a new change counter, so the next push sends it",
        arguments: StoreKind.allCases)
    func moveCard(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        let o = f.opportunities[0]
        let before = try #require(try f.store.recordForSync(Opportunity.self, id: o.id.description)).changeSeq
        let started = Date().addingTimeInterval(-1)
        let lead = try #require(f.leads.first { $0.status != "Converted" })
        try await app.test(.router) { client in
            let (cookie, csrf) = try await signIn(client, web)
            var headers = Self.formHeaders
            headers[.cookie] = cookie
            let board = try await client.execute(
                uri: "/opportunities?view=board", method: .get, headers: [.cookie: cookie]
            ).text
            #expect(board.contains("EUR") && board.contains("USD"))
            let r = try await client.execute(
                uri: "/opportunities/\(o.id)/move", method: .post, headers: headers,
                body: form([("csrf", csrf), ("to", "Won")]))
            #expect(r.status == .seeOther)
            // A lead becomes Converted by its conversion only, as on the command line.
            let converted = try await client.execute(
                uri: "/leads/\(lead.id)/move", method: .post, headers: headers,
                body: form([("csrf", csrf), ("to", "Converted")]))
            #expect(converted.status == .badRequest)
        }
        let after = try #require(try f.store.recordForSync(Opportunity.self, id: o.id.description))
        #expect(after.record.stage == "Won")
        #expect(after.changeSeq > before)
        #expect(try #require(after.record.updatedAt) >= started, "a move is stamped with its time")
        #expect(try f.store.record(Lead.self, id: lead.id.description).status == lead.status)
    }

    @Test(
        "bulk reschedule: each task decided by the acting user's permissions, refusals shown per task",
        arguments: StoreKind.allCases)
    func bulkTasks(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app(user: "Pablo Ruiz")
        let mine = f.tasks.filter { $0.assignee == "Pablo Ruiz" }
        try await app.test(.router) { client in
            let (cookie, csrf) = try await signIn(client, web)
            var headers = Self.formHeaders
            headers[.cookie] = cookie
            // Pablo may not reschedule: every task refused, none moved.
            let refused = try await client.execute(
                uri: "/tasks/bulk", method: .post, headers: headers,
                body: form(
                    [("csrf", csrf), ("op", "reschedule"), ("days", "2")] + mine.map { ("task", $0.id.description) }))
            #expect(refused.status == .ok)
            #expect(refused.text.components(separatedBy: "refused:").count - 1 == mine.count)
            for t in mine { #expect(try f.store.record(CRMTask.self, id: t.id.description).due == t.due) }
            // Grace may: switch user, then the same change moves both tasks by two days.
            let sw = try await client.execute(
                uri: "/session/user", method: .post, headers: headers,
                body: form([("csrf", csrf), ("user", "Grace Kim")]))
            #expect(sw.status == .seeOther)
            let done = try await client.execute(
                uri: "/tasks/bulk", method: .post, headers: headers,
                body: form(
                    [("csrf", csrf), ("op", "reschedule"), ("days", "2")] + mine.map { ("task", $0.id.description) }))
            #expect(done.text.components(separatedBy: ">done<").count - 1 == mine.count)
        }
        for t in mine {
            #expect(try f.store.record(CRMTask.self, id: t.id.description).due == t.due.map { $0 + 2 * 86400 })
        }
    }

    @Test(
        "a conflict resolved taking the company from the remote and the phone from the local side",
        arguments: StoreKind.allCases)
    func resolveConflict(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await signIn(client, web)
            var headers = Self.formHeaders
            headers[.cookie] = cookie
            let page = try await client.execute(uri: "/conflicts", method: .get, headers: [.cookie: cookie]).text
            #expect(page.contains("Base Co") && page.contains("Local Co") && page.contains("Remote Co"))
            // Only the choices the form offers (a trial's `take=bogus` resolved it; `edit` without a value emptied the
            // field); and an edited value is checked as `set` checks it.
            for bad in [[("take", "bogus")], [("choose.company", "bogus")], [("choose.company", "edit")]] {
                let r = try await client.execute(
                    uri: "/conflicts/\(f.conflictID)/resolve", method: .post, headers: headers,
                    body: form([("csrf", csrf)] + bad))
                #expect(r.status == .badRequest, "\(bad)")
                #expect(try f.store.conflicts().count == 1)
            }
            #expect(throws: SyncError.self) {
                try ConflictResolution.resolve(
                    store: f.store, id: f.conflictID, take: .merged, sets: ["email": "not an email <x>"])
            }
            #expect(try f.store.conflicts().count == 1)
            let r = try await client.execute(
                uri: "/conflicts/\(f.conflictID)/resolve", method: .post, headers: headers,
                body: form([
                    ("csrf", csrf), ("take", "merged"), ("choose.company", "remote"), ("choose.phone", "local"),
                ]))
            #expect(r.status == .seeOther)
        }
        #expect(try f.store.conflicts().isEmpty)
        let lead = try f.store.record(Lead.self, id: f.leads[2].id.description)
        #expect(lead.company == "Remote Co")
        #expect(lead.phone == "+2")
    }

    @Test(
        "an import's page: counts that add up, the outcome chart, rejects by reason with sample rows, the reject file to download",
        arguments: StoreKind.allCases)
    func importReport(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app()
        try await app.test(.router) { client in
            let (cookie, _) = try await signIn(client, web)
            let page = try await client.execute(uri: "/imports/\(f.importID)", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("id=\"adds-up\"") && html.contains("The outcomes add up"))
            #expect(html.contains("<svg class=\"chart\""))
            #expect(html.contains("6 row(s)"))
            // Sample rows from the reject file: its header and the rejected values.
            #expect(html.contains("crmgate_reason"))
            let download = try await client.execute(
                uri: "/imports/\(f.importID)/rejects.csv", method: .get, headers: [.cookie: cookie])
            #expect(download.status == .ok)
            let csv = download.text
            // As written: UTF-8 with a byte-order mark (Excel needs it; crmgate's reader takes it).
            #expect(csv.hasPrefix("\u{FEFF}First Name,Last Name,Email,Phone,Company,crmgate_line,crmgate_reason"))
            #expect(csv.split(whereSeparator: \.isNewline).count == 7)
            #expect(
                try await client.execute(uri: "/imports/\(f.importID)/rejects.csv", method: .get).status
                    == .unauthorized)
            // A search with a hostile query is shown back as text; a filter with a space matches.
            let search = try await client.execute(
                uri: "/leads?q=%22%3E%3Cscript%3Ealert(9)%3C/script%3E", method: .get, headers: [.cookie: cookie]
            ).text
            #expect(!search.contains("<script>alert(9)"))
            let filtered = try await client.execute(
                uri: "/opportunities?stage=Needs+Analysis", method: .get, headers: [.cookie: cookie]
            ).text
            #expect(filtered.contains("<option value=\"Needs Analysis\" selected>"))
            // A status the pipeline lacks but records carry is offered too (a trial missed Nurturing and Recycled).
            let leads = try await client.execute(uri: "/leads", method: .get, headers: [.cookie: cookie]).text
            #expect(leads.contains("<option value=\"Contacted\">"), "\(leads.prefix(2000))")
            #expect(
                try await client.execute(uri: "/tasks/calendar?month=0000-01", method: .get, headers: [.cookie: cookie])
                    .status == .ok)
        }
    }

    @Test("--read-only shows the pages and refuses every change", arguments: StoreKind.allCases)
    func readOnly(kind: StoreKind) async throws {
        let f = try WebFixture(kind: kind)
        let (web, app) = try f.app(readOnly: true)
        try await app.test(.router) { client in
            let (cookie, csrf) = try await signIn(client, web)
            var headers = Self.formHeaders
            headers[.cookie] = cookie
            #expect(try await client.execute(uri: "/leads", method: .get, headers: [.cookie: cookie]).status == .ok)
            // The board shows its cards without the move forms it would refuse.
            let board = try await client.execute(uri: "/leads?view=board", method: .get, headers: [.cookie: cookie])
            #expect(board.status == .ok && board.text.contains("class=\"card\""))
            #expect(!board.text.contains("/move\""), "no move form on a read-only board")
            let r = try await client.execute(
                uri: "/review/\(f.pairID)/reject", method: .post, headers: headers, body: form([("csrf", csrf)]))
            #expect(r.status == .forbidden)
            #expect(r.text.contains("--read-only"))
            // No page offers a change it would refuse (a trial found review and bulk-task forms answering 403); whom
            // the page acts as may still be chosen, which changes no record.
            for path in ["/review", "/tasks", "/conflicts"] {
                let page = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]).text
                let posts = page.components(separatedBy: "method=\"post\" action=\"").dropFirst()
                #expect(posts.allSatisfy { $0.hasPrefix("/session/user") }, "\(path)")
                #expect(page.contains("Read-only"), "\(path)")
            }
            let viewAs = try await client.execute(
                uri: "/session/user", method: .post, headers: headers,
                body: form([("csrf", csrf), ("user", "Maya Cohen")]))
            #expect(viewAs.status == .seeOther)
        }
        #expect(try f.store.reviewPairs().count == 1)
    }
}
