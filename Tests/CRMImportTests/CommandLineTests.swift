import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@Suite("The crmgate command: exit codes, JSON summary, crash safety")
struct CommandLineTests {
    var binary: String {
        get throws { try #require(TestSupport.crmgateBinary, "build crmgate first (swift build --build-tests)") }
    }

    @Test("--json prints one object with the summary keys")
    func json() throws {
        let w = try Workspace()
        let r = try TestSupport.run(
            try binary,
            ["import", TestSupport.fixture("csv/generic-leads.csv"), "--mapping", TestSupport.mapping("sources/generic-leads.yaml"), "--store", w.store, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["read", "created", "updated", "unchanged", "merged", "rejected", "seconds"] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        #expect(obj["read"] as? Int == 40)
    }

    @Test("exit codes: 0 ok, 3 with --fail-on-reject, 65 malformed input, 66 unreadable input, 64 usage")
    func exitCodes() throws {
        let w = try Workspace()
        let min = TestSupport.mapping("sources/generic-leads-min.yaml")
        let ok = try TestSupport.run(try binary, ["import", TestSupport.fixture("csv/bad/invalid-emails.csv"), "--mapping", min, "--store", w.store, "--rejects", w.rejects])
        #expect(ok.status == 0)
        let strict = try TestSupport.run(
            try binary, ["import", TestSupport.fixture("csv/bad/invalid-emails.csv"), "--mapping", min, "--store", w.store, "--rejects", w.rejects, "--fail-on-reject"])
        #expect(strict.status == 3)
        let binaryFile = try TestSupport.run(try binary, ["import", TestSupport.fixture("csv/bad/binary.csv"), "--mapping", min, "--store", w.store])
        #expect(binaryFile.status == 65)
        #expect(binaryFile.stderr.contains("binary"))
        let missing = try TestSupport.run(try binary, ["import", "/nonexistent.csv", "--mapping", min, "--store", w.store])
        #expect(missing.status == 66)
        let usage = try TestSupport.run(try binary, ["import", "x.csv"])
        #expect(usage.status == 64)
    }

    @Test("bad input through the command: an empty file and a bad mapping store nothing and say where; an oversized field rejects its row only")
    func badInputThroughTheCommand() throws {
        let w = try Workspace()
        let min = TestSupport.mapping("sources/generic-leads-min.yaml")
        let leads = "First Name,Last Name,Email,Phone,Company\nAnn,Lee,ann@example.com,(415) 555-0101,Acme\n"
        func storedLeads() throws -> Int { FileManager.default.fileExists(atPath: w.store) ? try CRMStore(path: w.store).count(.lead) : 0 }

        let empty = w.dir.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        let e = try TestSupport.run(try binary, ["import", empty.path, "--mapping", min, "--store", w.store])
        #expect(e.status == 65)
        #expect(e.stderr.contains("empty"), "\(e.stderr)")
        #expect(try storedLeads() == 0)

        let file = w.dir.appendingPathComponent("leads.csv")
        try leads.write(to: file, atomically: true, encoding: .utf8)
        let badMapping = w.dir.appendingPathComponent("bad.yaml")
        try "record: lead\nfields:\n  first_name: First Name\n  emial: Email\n".write(to: badMapping, atomically: true, encoding: .utf8)
        let m = try TestSupport.run(try binary, ["import", file.path, "--mapping", badMapping.path, "--store", w.store])
        #expect(m.status == 65)
        #expect(m.stderr.contains("bad.yaml:4:") && m.stderr.contains("'emial' is not a field"), "\(m.stderr)")
        #expect(try storedLeads() == 0)

        let big = String(repeating: "x", count: 200)
        try (leads + "Bo,Ng,bo@example.com,(415) 555-0102,\(big)\nCy,Ro,cy@example.com,(415) 555-0103,Initech\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let o = try TestSupport.run(try binary, ["import", file.path, "--mapping", min, "--store", w.store, "--rejects", w.rejects, "--max-field-bytes", "100"])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try storedLeads() == 2)
        let rejects = try String(contentsOfFile: w.rejects, encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(rejects.count == 2, "a header and one rejected row: \(rejects)")
        // The row as read (the oversized field left out), its line, and the reason.
        #expect(rejects.last == "Bo,Ng,bo@example.com,(415) 555-0102,,3,field is over the 100-byte limit (raise it with --max-field-bytes)")
    }

    @Test("killed half-way, an import leaves the store as before; run again, it ends as an uninterrupted run does")
    func sigkill() throws {
        let w = try Workspace()
        // A file big enough to be killed in the middle of: 150k distinct leads.
        let big = w.dir.appendingPathComponent("big.csv")
        var text = "First Name,Last Name,Email,Phone,Company\n"
        text.reserveCapacity(9_000_000)
        for i in 0..<150_000 { text += "Ann\(i),Lee,ann\(i)@example.com,(415) 555-\(String(format: "%04d", i % 10000)),Acme \(i % 97)\n" }
        try text.write(to: big, atomically: true, encoding: .utf8)
        let min = TestSupport.mapping("sources/generic-leads-min.yaml")
        // A first, committed import that must survive.
        let first = try TestSupport.run(try binary, ["import", TestSupport.fixture("csv/bad/invalid-emails.csv"), "--mapping", min, "--store", w.store, "--rejects", w.rejects])
        #expect(first.status == 0)
        for delay in [150_000, 400_000, 800_000] as [UInt32] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try binary)
            p.arguments = ["import", big.path, "--mapping", min, "--store", w.store, "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let store = try CRMStore(path: w.store)
            #expect(try store.integrityCheck() == "ok")
            if p.terminationReason == .uncaughtSignal {
                #expect(try store.count(.lead) == 4, "killed after \(delay) µs")
                #expect(try store.scalar("SELECT COUNT(*) FROM import_rows WHERE import_id > 1") == 0)
            }
        }
        let rerun = try TestSupport.run(try binary, ["import", big.path, "--mapping", min, "--store", w.store, "--json"])
        #expect(rerun.status == 0)
        let reference = try Workspace()
        _ = try TestSupport.run(try binary, ["import", TestSupport.fixture("csv/bad/invalid-emails.csv"), "--mapping", min, "--store", reference.store, "--rejects", reference.rejects])
        _ = try TestSupport.run(try binary, ["import", big.path, "--mapping", min, "--store", reference.store])
        let a = try CRMStore(path: w.store), b = try CRMStore(path: reference.store)
        #expect(try a.count(.lead) == b.count(.lead))
        #expect(try a.count(.lead) == 150_004)
        let emailsA = try a.all(Lead.self).map(\.email).sorted(), emailsB = try b.all(Lead.self).map(\.email).sorted()
        #expect(emailsA == emailsB)
    }

    @Test("mapping suggest drafts a mapping that imports")
    func suggest() throws {
        let w = try Workspace()
        let r = try TestSupport.run(try binary, ["mapping", "suggest", TestSupport.fixture("csv/hubspot-contacts.csv")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("email: { column: Email, transform: [email] }"))
        let path = w.dir.appendingPathComponent("draft.yaml")
        try r.stdout.write(to: path, atomically: true, encoding: .utf8)
        let imp = try TestSupport.run(try binary, ["import", TestSupport.fixture("csv/hubspot-contacts.csv"), "--mapping", path.path, "--store", w.store, "--json"])
        #expect(imp.status == 0, "\(imp.stderr)")
    }
}
