import CRMModel
import CRMStore
import CRMSync
import CRMTestSupport
import Foundation
import Testing

/// A profile whose fields use the mapping files' transforms, one resource per record type.
private func profile(_ fields: String, record: String = "opportunity") throws -> RecordCodec {
    let yaml = """
        name: t
        base_url: http://127.0.0.1:1/api
        auth: {type: none}
        resources:
          things:
            record: \(record)
            id: id
            list: {path: /things, items: $, pagination: {style: none}}
            create: {method: POST, path: /things}
            update: {method: PATCH, path: "/things/{id}"}
            fields:
        \(fields.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    let p = try RemoteProfile.parse(yaml: yaml)
    return RecordCodec(p.resources[RecordType(rawValue: record)!]!)
}

@Suite("Remote profile fields through the mapping files' transforms")
struct ProfileTransformTests {
    static let opportunityFields = """
        name: title
        amount: {path: amount_cents, read_transform: [{scale: 0.01}], write_transform: [{scale: 100}]}
        expected_close: {path: close, read_transform: [{date: "dd/MM/yyyy"}], write_transform: [{date: "dd/MM/yyyy"}]}
        stage:
          path: phase
          read_transform: [{map: {early: Prospecting, late: Negotiation, won: Won}, otherwise: keep}]
          write_transform: [{map: {Prospecting: early, Negotiation: late, Won: won}, otherwise: reject}]
        probability: {path: chance, read_transform: [{replace: {pattern: "%$", with: ""}}], write_transform: [{replace: {pattern: "$", with: "%"}}]}
        """

    @Test("a remote record reads into the model and the model writes back into the remote's forms, both ways")
    func bothWays() throws {
        let codec = try profile(Self.opportunityFields)
        let remote = JSONValue.object([
            ("id", .number(7)), ("title", .string("Big deal")), ("amount_cents", .number(125_050)), ("close", .string("05/03/2027")),
            ("phase", .string("late")), ("chance", .string("40%")),
        ])
        let s = codec.snapshot(remote)
        #expect(s.values == ["name": "Big deal", "amount": "1250.5", "expected_close": "2027-03-05", "stage": "Negotiation", "probability": "40"])
        let body = try codec.body(s)
        #expect(body["amount_cents"] == .number(125_050), "a whole result is an integer")
        #expect(body["close"] == .string("05/03/2027"))
        #expect(body["phase"] == .string("late"))
        #expect(body["chance"] == .string("40%"))
        // What the remote holds once written reads back as the model's value: nothing looks changed.
        #expect(codec.asStored(s) == s)
        #expect(codec.snapshot(body) == s)
    }

    @Test("a value the write map does not name, with otherwise: reject, cannot be sent and says why")
    func unsendable() throws {
        let codec = try profile(Self.opportunityFields)
        let e = #expect(throws: SyncError.self) { try codec.body(Snapshot(["name": "x", "stage": "Qualification"])) }
        #expect(e?.code == .unsendable && e?.isPermanentRefusal == true)
        #expect(e?.description.contains("stage") == true && e?.description.contains("Qualification") == true)
    }

    @Test("timestamps are written in the format's zone and read back as the same instant")
    func zones() throws {
        let codec = try profile("""
            title: title
            due: {path: due_at, read_transform: [{date: {format: "yyyy-MM-dd HH:mm", timezone: Europe/Vienna}}], write_transform: [{date: {format: "yyyy-MM-dd HH:mm", timezone: Europe/Vienna}}]}
            """, record: "task")
        let s = Snapshot(["title": "Call", "due": "2027-07-01T08:30:00Z"])
        let body = try codec.body(s)
        #expect(body["due_at"] == .string("2027-07-01 10:30"), "summer time in Vienna is UTC+2")
        #expect(codec.snapshot(body) == s)
    }

    @Test("profile errors name the key and its line", arguments: [
        ("amount: {path: a, write_transform: [{scale: 100}]}", "no read_transform", 12),
        ("amount: {path: a, scale: 100, read_transform: [{scale: 0.01}]}", "cannot be combined", 12),
        ("amount: {path: a, read_transform: [{shout: 1}]}", "unknown transform 'shout'", 12),
        ("amount:\n  path: a\n  read_transform:\n    - {scale: zero}", "scale needs a number", 15),
        ("amount: {path: a, read_transform: [], write_transform: [], write_as: float}", "write_as 'float'", 12),
    ])
    func errors(field: String, message: String, line: Int) throws {
        let e = #expect(throws: SyncError.self) { try profile(field) }
        #expect(e?.code == .invalidProfile)
        #expect(e?.description.contains(message) == true, "\(e?.description ?? "")")
        #expect(e?.context == "line \(line)", "\(e?.description ?? "")")
    }

    @Test("against the test remote: mapped values and joined lists are sent, read back without a change, pulled; an unmappable record is set aside and sent once fixed",
          arguments: StoreKind.allCases)
    func endToEnd(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind) { yaml in
            yaml.replacingOccurrences(of: "      status: status\n", with: """
                      status:
                        path: status
                        read_transform: [{map: {open: New, working: Attempting to Contact}}]
                        write_transform: [{map: {New: open, Attempting to Contact: working}, otherwise: reject}]

                """).replacingOccurrences(of: "      tags: tags\n", with: "      tags: {path: tags, read_transform: [{split: \",\"}], write_transform: [{split: \",\"}]}\n")
        }
        var leads = SyncBench.leads(3)
        leads[0].status = "New"
        leads[0].tags = ["vip", "eu"]
        leads[1].status = "Attempting to Contact"
        leads[2].status = "Recycled"
        try b.store.save(leads)
        let first = try await b.run(b.job())
        #expect(first.counts.pushedCreated == 2 && first.counts.refused == 1, "\(first.lines)")
        var remote = try b.remoteLeads()
        #expect(remote["p0@example.com"]?["status"] as? String == "open" && remote["p0@example.com"]?["tags"] as? String == "vip,eu")
        #expect(remote["p1@example.com"]?["status"] as? String == "working")
        #expect(remote["p2@example.com"] == nil, "nothing is sent for a value the profile cannot write")
        let aside = try b.store.setAsideRecords()
        #expect(aside.count == 1 && aside.first?.localID == leads[2].id.description && aside.first?.status == nil)
        #expect(aside.first?.message.contains("Recycled") == true)

        let quiet = try await b.run(b.job())
        #expect(quiet.counts.pushedUpdated == 0 && quiet.counts.pulledUpdated == 0 && quiet.counts.pushedCreated == 0, "\(quiet.lines)")

        try b.remote.control("PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))", json: #"{"status":"working","tags":"vip,eu,new"}"#)
        leads[2].status = "New"
        try b.store.save([leads[2]])
        let next = try await b.run(b.job())
        #expect(next.counts.pulledUpdated == 1 && next.counts.pushedCreated == 1 && next.counts.refused == 0, "\(next.lines)")
        let p0 = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        #expect(p0.status == "Attempting to Contact" && p0.tags == ["vip", "eu", "new"])
        remote = try b.remoteLeads()
        #expect(remote["p2@example.com"]?["status"] as? String == "open")
        #expect(try b.store.setAsideRecords().isEmpty)
    }
}
