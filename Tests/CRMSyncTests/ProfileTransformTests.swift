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
            ("id", .number(7)), ("title", .string("Big deal")), ("amount_cents", .number(125_050)),
            ("close", .string("05/03/2027")),
            ("phase", .string("late")), ("chance", .string("40%")),
        ])
        let s = codec.snapshot(remote)
        #expect(
            s.values == [
                "name": "Big deal", "amount": "1250.5", "expected_close": "2027-03-05", "stage": "Negotiation",
                "probability": "40",
            ])
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
        let codec = try profile(
            """
            title: title
            due: {path: due_at, read_transform: [{date: {format: "yyyy-MM-dd HH:mm", timezone: Europe/Vienna}}], write_transform: [{date: {format: "yyyy-MM-dd HH:mm", timezone: Europe/Vienna}}]}
            """, record: "task")
        let s = Snapshot(["title": "Call", "due": "2027-07-01T08:30:00Z"])
        let body = try codec.body(s)
        #expect(body["due_at"] == .string("2027-07-01 10:30"), "summer time in Vienna is UTC+2")
        #expect(codec.snapshot(body) == s)
    }

    @Test("half a cent is sent as a whole one with write_as: integer, and reads back as what the remote then holds")
    func cents() throws {
        let codec = try profile(
            "amount: {path: cents, read_transform: [{scale: 0.01}], write_transform: [{scale: 100}], write_as: integer}"
        )
        let s = Snapshot(["amount": "10.005"])
        #expect(try codec.body(s)["cents"] == .number(1001))
        #expect(codec.asStored(s)["amount"] == "10.01", "what the remote holds once written, so a pull sees no change")
        #expect(try codec.body(Snapshot(["amount": "-0.125"]))["cents"] == .number(-13))
    }

    @Test(
        "a read that is no inverse of the write (read_transform: []) leaves the local value, and the record is still sent"
    )
    func oneWay() throws {
        let codec = try profile(
            """
            stage: {path: phase, read_transform: [], write_transform: [{map: {Won: closed-won}, otherwise: reject}]}
            """)
        let s = Snapshot(["stage": "Won"])
        #expect(codec.asStored(s) == s)
        #expect(try codec.body(codec.asStored(s))["phase"] == .string("closed-won"))
    }

    @Test("winter and summer instants in a zone, a 12-hour clock and month names are written and read back")
    func formats() throws {
        let codec = try profile(
            """
            title: title
            due: {path: due_at, read_transform: [{date: {format: "d MMM yyyy h:mm a", timezone: America/New_York}}], write_transform: [{date: {format: "d MMM yyyy h:mm a", timezone: America/New_York}}]}
            """, record: "task")
        for (instant, text) in [
            ("2027-01-15T17:05:00Z", "15 Jan 2027 12:05 PM"), ("2027-07-04T03:30:00Z", "3 Jul 2027 11:30 PM"),
        ] {
            let s = Snapshot(["title": "t", "due": instant])
            let body = try codec.body(s)
            #expect(body["due_at"] == .string(text))
            #expect(codec.snapshot(body) == s)
        }
    }

    @Test(
        "found by a new user: cents read back exactly, a number the remote writes another way is no number, created_at is applied, a cleared joined list is null"
    )
    func newUser() throws {
        let codec = try profile(
            """
            amount: {path: cents, read_transform: [{scale: 0.01}], write_transform: [{scale: 100}], write_as: integer}
            created_at: {path: created, read_transform: [{date: dd/MM/yyyy}], write_transform: [{date: dd/MM/yyyy}]}
            tags: {path: labels, read_transform: [{split: ","}], write_transform: [{split: ","}]}
            """, record: "lead")
        let s = codec.snapshot(.object([("cents", .number(199)), ("created", .string("01/02/2018"))]))
        #expect(s["amount"] == "1.99" && s["created_at"] == "2018-02-01T00:00:00Z")
        #expect(Snapshot.canonical(.number(Decimal(string: "1.99")!)) == "1.99")
        #expect(Snapshot.fieldValue("12,50", kind: .number) == .empty, "not 12")
        var lead = Lead(id: RecordID.make())
        lead.createdAt = Date(timeIntervalSince1970: 0)
        let applied = s.apply(to: lead, fields: codec.fieldNames, withCustom: false)
        #expect(applied.createdAt?.iso8601UTC == "2018-02-01T00:00:00Z" && applied.amount == Decimal(string: "1.99"))
        #expect(try codec.body(Snapshot(["amount": "1"]), only: ["tags"])["labels"] == .null)
        // A tag holding the join separator cannot be written without becoming two: the record is not sent.
        let e = #expect(throws: SyncError.self) { try codec.body(Snapshot(["tags": "vip\u{1F}partner, eu"])) }
        #expect(e?.code == .unsendable && e?.description.contains("partner, eu") == true)
    }

    @Test("a list the remote holds as a JSON array of joined items is split item by item; a cleared list is sent as []")
    func lists() throws {
        let codec = try profile(
            "tags: {path: labels, read_transform: [{split: \";\"}], write_transform: []}", record: "lead")
        let s = codec.snapshot(.object([("labels", .array([.string("a;b"), .string("c")]))]))
        #expect(s["tags"] == "a\u{1F}b\u{1F}c")
        #expect(try codec.body(Snapshot(["first_name": "x"]), only: ["tags"])["labels"] == .array([]))
    }

    @Test(
        "profile errors name the key and its line",
        arguments: [
            ("amount: {path: a, write_transform: [{scale: 100}]}", "no read_transform", 12),
            ("amount: {path: a, scale: 100, read_transform: [{scale: 0.01}]}", "cannot be combined", 12),
            ("amount: {path: a, read_transform: [{shout: 1}]}", "unknown transform 'shout'", 12),
            ("amount:\n  path: a\n  read_transform:\n    - {scale: zero}", "scale needs a number", 15),
            ("amount: {path: a, read_transform: [], write_transform: [], write_as: float}", "write_as 'float'", 12),
            ("amount: {path: a, write_as: integer}", "write_as applies to what write_transform writes", 12),
            (
                "expected_close: {path: a, read_transform: [{date: YYYY-MM-DD}]}",
                "date format 'YYYY-MM-DD' cannot be read", 12
            ),
            ("amount: {path: a, read_transform: [{scale: 1.2.3}]}", "scale needs a number", 12),
            ("tags: {path: a, list_separator: \";\", read_transform: []}", "cannot be combined", 12),
            ("expected_close: {path: a, read_transform: [{date: dd/mm/yyyy}]}", "has minutes (mm) but no hours", 12),
            ("name: {path: a, read_transform: [{lower}]}", "write it as `lower`, not `{lower}`", 12),
        ])
    func errors(field: String, message: String, line: Int) throws {
        let e = #expect(throws: SyncError.self) { try profile(field) }
        #expect(e?.code == .invalidProfile)
        #expect(e?.description.contains(message) == true, "\(e?.description ?? "")")
        #expect(e?.context == "line \(line)", "\(e?.description ?? "")")
    }

    @Test(
        "against the test remote: mapped values and joined lists are sent, read back without a change, pulled; an unmappable record is set aside and sent once fixed",
        arguments: StoreKind.allCases)
    func endToEnd(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind) { yaml in
            // The leads' status only (the tasks resource has a field of that name too).
            yaml.replacingFirst(
                "      status: status\n",
                with: """
                          status:
                            path: status
                            read_transform: [{map: {open: New, working: Attempting to Contact}}]
                            write_transform: [{map: {New: open, Attempting to Contact: working}, otherwise: reject}]

                    """
            ).replacingOccurrences(
                of: "      tags: tags\n",
                with: "      tags: {path: tags, read_transform: [{split: \",\"}], write_transform: [{split: \",\"}]}\n")
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
        #expect(
            remote["p0@example.com"]?["status"] as? String == "open"
                && remote["p0@example.com"]?["tags"] as? String == "vip,eu")
        #expect(remote["p1@example.com"]?["status"] as? String == "working")
        #expect(remote["p2@example.com"] == nil, "nothing is sent for a value the profile cannot write")
        let aside = try b.store.setAsideRecords()
        #expect(aside.count == 1 && aside.first?.localID == leads[2].id.description && aside.first?.status == nil)
        #expect(aside.first?.message.contains("Recycled") == true)

        let quiet = try await b.run(b.job())
        #expect(
            quiet.counts.pushedUpdated == 0 && quiet.counts.pulledUpdated == 0 && quiet.counts.pushedCreated == 0,
            "\(quiet.lines)")

        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p0@example.com"))",
            json: #"{"status":"working","tags":"vip,eu,new"}"#)
        leads[2].status = "New"
        try b.store.save([leads[2]])
        let next = try await b.run(b.job())
        #expect(
            next.counts.pulledUpdated == 1 && next.counts.pushedCreated == 1 && next.counts.refused == 0,
            "\(next.lines)")
        let p0 = try #require(try b.store.all(Lead.self).first { $0.email == "p0@example.com" })
        #expect(p0.status == "Attempting to Contact" && p0.tags == ["vip", "eu", "new"])
        remote = try b.remoteLeads()
        #expect(remote["p2@example.com"]?["status"] as? String == "open")
        #expect(try b.store.setAsideRecords().isEmpty)
    }
}

@Suite("A listing that leaves fields out, completed from the record's own endpoint")
struct DetailCompletionTests {
    @Test(
        "new and changed records are read whole; unchanged ones are not read again; without `detail` the fields stay empty",
        arguments: StoreKind.allCases)
    func detail(kind: StoreKind) async throws {
        let b = try SyncBench(kind: kind, arguments: ["--list-omits", "notes,phone"]) { yaml in
            yaml.replacingFirst("      items: data\n", with: "      items: data\n      detail: true\n")
        }
        var leads = SyncBench.leads(5)
        for i in leads.indices { leads[i].notes = "note \(i)" }
        try b.store.save(leads)
        var job = b.job(direction: .push)
        #expect(try await b.run(job).counts.pushedCreated == 5)
        func gets() throws -> Int { (try b.remote.stats()["by_route"] as? [String: Int])?["GET /leads/{id}"] ?? 0 }
        let before = try gets()

        job.direction = .pull
        let other = try b.makeStore()
        #expect(try await b.run(job, store: other).counts.pulledCreated == 5)
        #expect(try gets() - before == 5, "each new record read once")
        let pulled = try other.all(Lead.self)
        #expect(pulled.map(\.notes).sorted() == (0..<5).map { "note \($0)" })
        #expect(pulled.allSatisfy { $0.phone.hasPrefix("+1415555") })

        let quiet = try await b.run(job, store: other)
        #expect(quiet.counts.pulledUpdated == 0 && quiet.counts.pulledDeleted == 0)
        #expect(try gets() - before == 5, "unchanged records are not read again")

        try await Task.sleep(nanoseconds: 20_000_000)
        try b.remote.control(
            "PATCH", "/records/leads/\(try b.remoteID(email: "p3@example.com"))",
            json: #"{"notes":"changed on the server"}"#)
        let changed = try await b.run(job, store: other)
        #expect(changed.counts.pulledUpdated == 1, "\(changed.lines)")
        #expect(try gets() - before == 6)
        #expect(try other.all(Lead.self).first { $0.email == "p3@example.com" }?.notes == "changed on the server")

        // The contrast: the same listing without `detail` leaves the omitted fields empty.
        let plain = try RemoteProfile.parse(
            yaml: String(contentsOfFile: TestSupport.mapping("remotes/generic-rest.yaml"), encoding: .utf8))
        let client = try RemoteClient(profile: plain, baseURL: b.remote.baseURL, environment: b.remote.environment)
        let third = try b.makeStore()
        _ = try await SyncEngine(store: third, job: job, client: client, dryRun: false).run()
        #expect(try third.all(Lead.self).allSatisfy { $0.notes.isEmpty && $0.phone.isEmpty })
    }

    @Test("`detail` without a get endpoint is a profile error with its line")
    func needsGet() throws {
        let yaml = try String(contentsOfFile: TestSupport.mapping("remotes/amagi-crm.yaml"), encoding: .utf8)
        let tasks = try #require(yaml.range(of: "      path: /tasks\n      items: $\n"))
        let e = #expect(throws: SyncError.self) {
            try RemoteProfile.parse(
                yaml: yaml.replacingCharacters(
                    in: tasks, with: "      path: /tasks\n      items: $\n      detail: true\n"))
        }
        #expect(e?.description.contains("add `get:`") == true && e?.context?.hasPrefix("line ") == true)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
