import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

@Suite("An opportunity converted into a sale quote or order is created on Cin7 Core (its test remote)", .serialized)
struct SaleTests {
    static func opportunity(
        _ name: String, customer: String, lines: [OpportunityLine], amount: Decimal? = nil
    ) -> Opportunity {
        var o = Opportunity(id: RecordID.make())
        o.name = name
        o.customerName = customer
        o.contactName = "Ann Lee"
        o.owner = "Sam"
        o.stage = "Proposal"
        o.lines = lines
        o.amount = amount
        o.currency = "AUD"
        return o
    }

    static func sales(_ b: SyncBench) throws -> [[String: Any]] { try b.remote.records("sale") }

    @Test(
        "the sync run creates the header, then the quote or order with its lines; a rerun creates nothing; a refusal is kept and the rest go on"
    )
    func quoteAndOrder() async throws {
        let b = try SyncBench(flavor: "cin7")
        let withLines = Self.opportunity(
            "Fit-out", customer: "Acme Pty",
            lines: [
                OpportunityLine(product: "DESK-1", quantity: 3, unitPrice: 199.5),
                OpportunityLine(product: "CHAIR-2", quantity: 2.5, unitPrice: 80),
            ])
        let noLines = Self.opportunity("Support plan", customer: "Beta Ltd", lines: [], amount: 1200)
        let refused = Self.opportunity(
            "Broken", customer: "Gamma", lines: [OpportunityLine(product: "X", quantity: 0, unitPrice: 5)])
        let now = Date()
        try b.store.save([
            try Conversion.opportunityToSale(withLines, kind: .quote, customerName: withLines.customerName, at: now),
            try Conversion.opportunityToSale(noLines, kind: .order, customerName: noLines.customerName, at: now),
            try Conversion.opportunityToSale(refused, kind: .quote, customerName: refused.customerName, at: now),
        ])
        let job = SyncJob(
            name: "cin7-sales", profile: "cin7-core", types: [.opportunity], direction: .push, policy: .remoteWins,
            batchSize: 50, concurrency: 1)
        let client = try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)

        let plan = try await SyncEngine(store: b.store, job: job, client: client, dryRun: true).run()
        #expect(plan.lines.filter { $0.hasPrefix("would create a sale") }.count == 3)
        #expect(try Self.sales(b).isEmpty, "a dry run sends nothing")

        let r = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        #expect(r.counts.salesCreated == 2)
        #expect(r.counts.refused == 1)
        // Read back from the server's own records, not from crmgate's report.
        let sales = try Self.sales(b)
        #expect(sales.count == 3)  // the refused one got its header; its quote was refused
        func sale(_ o: Opportunity) -> [String: Any]? {
            sales.first { $0["CustomerReference"] as? String == "crmgate-\(o.id)" }
        }
        let quote = try #require(sale(withLines))
        #expect(quote["Customer"] as? String == "Acme Pty")
        #expect(quote["SkipQuote"] as? Bool == false)
        let q = try #require(quote["Quote"] as? [String: Any])
        #expect(q["Status"] as? String == "AUTHORISED")
        let lines = try #require(q["Lines"] as? [[String: Any]])
        #expect(lines.map { $0["SKU"] as? String } == ["DESK-1", "CHAIR-2"])
        #expect(lines.map { $0["Total"] as? Double } == [598.5, 200])
        #expect(q["Total"] as? Double == 798.5)
        let order = try #require(sale(noLines))
        #expect(order["SkipQuote"] as? Bool == true)
        let o = try #require(order["Order"] as? [String: Any])
        #expect(o["Status"] as? String == "AUTHORISED")
        #expect((o["Lines"] as? [[String: Any]])?.first?["Price"] as? Double == 1200)
        #expect((o["Lines"] as? [[String: Any]])?.first?["Name"] as? String == "Support plan")
        let broken = try #require(sale(refused))
        #expect((broken["Quote"] as? [String: Any])?["Status"] as? String == "DRAFT")
        // What the store keeps: the sale's id and document, or the remote's reason.
        let stored = Dictionary(uniqueKeysWithValues: try b.store.all(Opportunity.self).map { ($0.id, $0) })
        #expect(stored[withLines.id]?.custom["sale_id"] == quote["ID"] as? String)
        #expect(stored[withLines.id]?.custom["sale_document"] == "quote")
        #expect(stored[noLines.id]?.custom["sale_document"] == "order")
        #expect(stored[refused.id]?.custom["sale_error"]?.contains("Quantity must be greater than 0") == true)

        let again = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        #expect(again.counts.salesCreated == 0)
        #expect(again.counts.refused == 0, "a refused sale is not sent again while it is unchanged")
        // Fixed (its line's quantity), it is sent again: its header exists, so only the quote.
        var fixed = try #require(try b.store.all(Opportunity.self).first { $0.id == refused.id })
        fixed.custom["sale_lines"] = Conversion.saleLinesText([OpportunityLine(product: "X", quantity: 1, unitPrice: 5)]
        )
        try b.store.save([fixed])
        let retried = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        #expect(retried.counts.salesCreated == 1 && retried.counts.refused == 0)
        #expect(try Self.sales(b).count == 3)
        #expect(try b.store.all(Opportunity.self).first { $0.id == refused.id }?.custom["sale_error"] == nil)
        #expect(try Self.sales(b).count == 3)
    }

    @Test("a header whose answer was lost is found by its reference on the rerun: one sale, its order created")
    func lostAnswer() async throws {
        let b = try SyncBench(flavor: "cin7")
        let o = Self.opportunity(
            "Rollout", customer: "Delta Co", lines: [OpportunityLine(product: "KIT", quantity: 1, unitPrice: 50)])
        try b.store.save([o])
        let job = SyncJob(
            name: "cin7-sales", profile: "cin7-core", types: [.opportunity], direction: .push, policy: .remoteWins,
            batchSize: 50, concurrency: 1)
        let client = try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)
        _ = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()  // the opportunity itself
        try b.store.save([try Conversion.opportunityToSale(o, kind: .order, customerName: o.customerName, at: Date())])
        // The next POST (the sale header) is carried out, and its answer is lost.
        try b.remote.control(
            "POST", "/faults", json: #"{"fraction":1,"kinds":["drop_after"],"max_faults":1,"only_methods":["POST"]}"#)
        await #expect(throws: SyncError.self) {
            try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        }
        #expect(try Self.sales(b).count == 1)
        let r = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        #expect(r.counts.salesCreated == 1)
        let sales = try Self.sales(b)
        #expect(sales.count == 1)
        #expect((sales.first?["Order"] as? [String: Any])?["Status"] as? String == "AUTHORISED")
    }

    @Test("a quote whose answer was lost is found by reading the sale on the rerun: not sent again, not refused")
    func lostDocumentAnswer() async throws {
        let b = try SyncBench(flavor: "cin7")
        let o = Self.opportunity(
            "Audit", customer: "Echo Pty", lines: [OpportunityLine(product: "DAY", quantity: 2, unitPrice: 900)])
        try b.store.save([try Conversion.opportunityToSale(o, kind: .quote, customerName: o.customerName, at: Date())])
        let job = SyncJob(
            name: "cin7-sales", profile: "cin7-core", types: [.opportunity], direction: .push, policy: .remoteWins,
            batchSize: 50, concurrency: 1)
        let client = try RemoteClient(profile: b.profile, baseURL: b.remote.baseURL, environment: b.remote.environment)
        // The quote (POST …/sale/quote) is made on the server and its answer is lost.
        try b.remote.control(
            "POST", "/faults",
            json:
                #"{"fraction":1,"kinds":["drop_after"],"max_faults":1,"only_methods":["POST"],"only_paths":["/sale/quote"]}"#
        )
        await #expect(throws: SyncError.self) {
            try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        }
        #expect((try Self.sales(b).first?["Quote"] as? [String: Any])?["Status"] as? String == "AUTHORISED")
        let r = try await SyncEngine(store: b.store, job: job, client: client, dryRun: false).run()
        #expect(r.counts.refused == 0 && r.counts.salesCreated == 0)
        #expect(r.lines.contains { $0.contains("already made") })
        #expect(try b.store.all(Opportunity.self).first?.custom["sale_document"] == "quote")
        #expect(try Self.sales(b).count == 1)
    }

    @Test(
        "a placeholder a template does not know, or one used where it has no value (a line's in the header), is refused with its line",
        arguments: [("Memo: $name", "Memo: $nmae", "$nmae"), ("Note: $notes", "Note: $product", "$product")])
    func badPlaceholder(original: String, changed: String, named: String) throws {
        let yaml = try String(contentsOfFile: TestSupport.mapping("remotes/cin7-core.yaml"), encoding: .utf8)
        #expect(yaml.contains(original))
        #expect {
            try RemoteProfile.parse(yaml: yaml.replacingOccurrences(of: original, with: changed))
        } throws: { e in
            "\(e)".contains(named) && "\(e)".contains("line ")
        }
    }
}
