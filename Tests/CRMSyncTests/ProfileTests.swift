import CRMModel
import CRMSync
import CRMTestSupport
import Foundation
import Testing

@Suite("Remote profiles and JSON")
struct ProfileTests {
    @Test(
        "every bundled profile loads and describes leads, opportunities and tasks",
        arguments: ["generic-rest", "cin7-core", "hubspot"])
    func bundled(name: String) throws {
        let p = try RemoteProfile.load(TestSupport.mapping("remotes/\(name).yaml"))
        #expect(p.name == name)
        for t in [RecordType.lead, .opportunity, .task] { #expect(p.resources[t] != nil) }
    }

    @Test("an unknown key is refused with its line; a secret written into the profile is refused")
    func strict() throws {
        let yaml = try String(contentsOfFile: TestSupport.mapping("remotes/generic-rest.yaml"), encoding: .utf8)
        let e = #expect(throws: SyncError.self) {
            try RemoteProfile.parse(
                yaml: yaml.replacingOccurrences(of: "connections: 8", with: "connections: 8\nconection: 9"))
        }
        #expect(e?.code == .invalidProfile)
        #expect(e?.description.contains("conection") == true)
        #expect(e?.context?.hasPrefix("line ") == true)
        let e2 = #expect(throws: SyncError.self) {
            try RemoteProfile.parse(
                yaml: yaml.replacingOccurrences(of: "token: {env: CRM_API_TOKEN}", with: "token: abc123"))
        }
        #expect(e2?.description.contains("env") == true)
    }

    @Test("a bundled profile is found by name from any directory (beside the executable); an unknown name lists them")
    func bundledByName() throws {
        let bin = try #require(TestSupport.crmgateBinary, "crmgate is not built")
        let elsewhere = try TestSupport.temporaryDirectory("crmgate-cwd")
        // A URL no request may go to: the profile loads, then every read fails at once (exit 69), not the profile (78).
        let found = try TestSupport.run(
            bin, ["remote", "check", "generic-rest", "--base-url", "ftp://nowhere"], cwd: elsewhere,
            environment: ["CRM_API_TOKEN": "t"])
        #expect(found.status == 69 && found.stdout.hasPrefix("profile generic-rest"), "\(found.stdout)\(found.stderr)")
        let unknown = try TestSupport.run(
            bin, ["remote", "check", "no-such-crm", "--base-url", "ftp://nowhere"], cwd: elsewhere)
        #expect(
            unknown.status == 78 && unknown.stderr.contains("hubspot") && unknown.stderr.contains("amagi-crm"),
            "\(unknown.stderr)")
        // An unpacked release: the binary with mappings/remotes beside it, run from elsewhere (a trial's layout; only
        // the folders above the binary's were looked at).
        let release = try TestSupport.temporaryDirectory("crmgate-release")
        let copy = release.appendingPathComponent("crmgate").path
        try FileManager.default.copyItem(atPath: bin, toPath: copy)
        let remotes = release.appendingPathComponent("mappings/remotes")
        try FileManager.default.createDirectory(at: remotes, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: TestSupport.mapping("remotes/generic-rest.yaml"),
            toPath: remotes.appendingPathComponent("mine.yaml").path)
        let beside = try TestSupport.run(
            copy, ["remote", "check", "mine", "--base-url", "ftp://nowhere"], cwd: elsewhere,
            environment: ["CRM_API_TOKEN": "t"])
        #expect(beside.status == 69 && beside.stdout.hasPrefix("profile"), "\(beside.stdout)\(beside.stderr)")
        try? FileManager.default.removeItem(at: release)
    }

    @Test("a missing secret names the variable and nothing else")
    func missingSecret() throws {
        let p = try RemoteProfile.load(TestSupport.mapping("remotes/cin7-core.yaml"))
        let e = #expect(throws: SyncError.self) {
            try RemoteClient(profile: p, environment: ["CIN7_ACCOUNT_ID": "acct"])
        }
        #expect(e?.description.contains("CIN7_APPLICATION_KEY") == true)
        #expect(e?.description.contains("acct") == false)
    }

    @Test("JSON: order kept, escapes, unicode, and broken input is an error with its offset")
    func json() throws {
        let v = try JSONValue.parse(Array(#"{"b":1,"a":[true,null,"x\u00e9\n\ud83d\ude00"],"c":{"d":-1.5e2}}"#.utf8))
        #expect(v.text == #"{"b":1,"a":[true,null,"xé\n😀"],"c":{"d":-150}}"#)
        for bad in [#"{"a":"#, #"{"a":1"#, #"[1,2"#, #""unterminated"#, "{\"a\":\"\u{01}\"}", "nul", ""] {
            let e = #expect(throws: SyncError.self) { try JSONValue.parse(Array(bad.utf8)) }
            #expect(e?.code == .badResponse)
        }
        // Found by fuzzing (fixtures/fuzz/json): a high surrogate followed by another, and a number beyond Double.
        #expect(try JSONValue.parse(Array(#"["\ud8e9\ud83d\ude00"]"#.utf8)) == .array([.string("\u{FFFD}😀")]))
        #expect(throws: SyncError.self) { try JSONValue.parse(Array("[1e999,2]".utf8)) }
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: SyncError.self) { try JSONValue.parse(Array(deep.utf8)) }
    }

    @Test("JSON paths read and write nested objects, indexes and selected array elements")
    func paths() throws {
        var doc = JSONValue.object([])
        try JSONPath("Addresses[Type=Billing].City").set(&doc, .string("Graz"))
        try JSONPath("Addresses[Type=Shipping].City").set(&doc, .string("Linz"))
        try JSONPath("Contacts[0].Email").set(&doc, .string("a@b.at"))
        #expect(try JSONPath("Addresses[Type=Shipping].City").get(doc) == .string("Linz"))
        #expect(try JSONPath("Addresses[1].Type").get(doc) == .string("Shipping"))
        #expect(try JSONPath("Contacts[0].Email").get(doc) == .string("a@b.at"))
        #expect(throws: SyncError.self) { try JSONPath("a[") }
        #expect(throws: SyncError.self) { try JSONPath("a..b") }
    }

    @Test("the Cin7 Core codec maps a lead with contacts and addresses both ways")
    func cin7Codec() throws {
        let p = try RemoteProfile.load(TestSupport.mapping("remotes/cin7-core.yaml"))
        let codec = RecordCodec(p.resources[.lead]!)
        let s = Snapshot([
            "company": "Acme", "first_name": "Mary Ann", "last_name": "Smith", "email": "m@acme.test",
            "address.city": "Graz", "amount": "1200.5",
        ])
        let body = try codec.body(s)
        #expect(try JSONPath("Contacts[0].Name").get(body) == .string("Mary Ann Smith"))
        #expect(try JSONPath("Addresses[Type=Billing].City").get(body) == .string("Graz"))
        #expect(body["Amount"] == .number(1200.5))
        #expect(codec.snapshot(body) == s)
    }

    @Test(
        "cron schedules",
        arguments: [
            ("*/15 * * * *", "2026-11-29T10:07:00Z", "2026-11-29T10:15:00Z"),
            ("0 3 * * 1-5", "2026-11-28T12:00:00Z", "2026-11-30T03:00:00Z"),
            ("30 8 1 * *", "2026-11-29T10:00:00Z", "2026-12-01T08:30:00Z"),
        ])
    func cron(expr: String, from: String, next: String) throws {
        let s = try #require(CronSchedule(expr))
        #expect(s.next(after: RemoteTime.parse(from)!).iso8601UTC == next)
        #expect(CronSchedule("61 * * * *") == nil)
        #expect(CronSchedule("* * *") == nil)
    }
}

@Suite("Three-way merge")
struct MergeTests {
    let base = Snapshot(["email": "a@x.test", "phone": "+1", "notes": "n", "tags": "a"])

    @Test("a field changed on one side takes that side; different fields on both sides merge")
    func oneSide() {
        var local = base
        var remote = base
        local["phone"] = "+2"
        remote["email"] = "b@x.test"
        let m = ThreeWayMerge.merge(base: base, local: local, remote: remote, policy: .manual)
        #expect(m.conflicts.isEmpty)
        #expect(m.merged["phone"] == "+2")
        #expect(m.merged["email"] == "b@x.test")
    }

    @Test("the same field changed on both sides, under each policy")
    func policies() {
        var local = base
        var remote = base
        local["phone"] = "+L"
        remote["phone"] = "+R"
        let t0 = Date(timeIntervalSince1970: 100)
        let t1 = Date(timeIntervalSince1970: 200)
        #expect(
            ThreeWayMerge.merge(base: base, local: local, remote: remote, policy: .remoteWins).merged["phone"] == "+R")
        #expect(
            ThreeWayMerge.merge(base: base, local: local, remote: remote, policy: .localWins).merged["phone"] == "+L")
        #expect(
            ThreeWayMerge.merge(
                base: base, local: local, remote: remote, policy: .newestWins, localTime: t1, remoteTime: t0
            ).merged["phone"] == "+L")
        #expect(
            ThreeWayMerge.merge(
                base: base, local: local, remote: remote, policy: .newestWins, localTime: t0, remoteTime: t1
            ).merged["phone"] == "+R")
        #expect(
            ThreeWayMerge.merge(
                base: base, local: local, remote: remote, policy: .newestWins, localTime: t0, remoteTime: t0
            ).merged["phone"] == "+R")  // tie: remote
        let manual = ThreeWayMerge.merge(base: base, local: local, remote: remote, policy: .manual)
        #expect(manual.conflicts == ["phone"])
    }

    @Test("field rules: union of tags, appended notes, max of amounts")
    func rules() {
        var local = base
        var remote = base
        local["tags"] = "a\u{1F}b"
        remote["tags"] = "a\u{1F}c"
        local["notes"] = "n\nlocal"
        remote["notes"] = "n\nremote"
        local["amount"] = "10"
        remote["amount"] = "12.5"
        let m = ThreeWayMerge.merge(
            base: base, local: local, remote: remote, policy: .manual,
            rules: ["tags": .union, "notes": .append, "amount": .max])
        #expect(m.conflicts.isEmpty)
        #expect(m.merged["tags"] == "a\u{1F}b\u{1F}c")
        #expect(m.merged["notes"] == "n\nlocal\nn\nremote")
        #expect(m.merged["amount"] == "12.5")
    }
}
