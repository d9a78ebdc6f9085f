import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// The import into PostgreSQL (COPY in one transaction), compared with the import into SQLite.
@Suite("import into PostgreSQL")
struct PostgresImportTests {
    /// A lead list of `rows` rows in the bundled generic mapping's shape; every tenth row repeats an earlier e-mail,
    /// half of them one of the row five before, half one from far back (past a COPY block: a stored record).
    static func leadList(rows: Int, at url: URL) throws {
        var text =
            "First Name,Last Name,Email,Phone,Company,Job Title,Street,City,State,Postcode,Country,Lead Source,Status,Owner,Created At,Notes\n"
        text.reserveCapacity(rows * 150)
        for i in 0..<rows {
            let n = i % 10 == 9 ? (i % 20 == 9 ? i - 5 : (i / 2) / 10 * 10) : i
            text +=
                "Ann\(i),Lee\(n),ann\(n)@example.com,+43 1 555 \(String(format: "%04d", i % 10000)),\"Co \(i % 97), Inc.\",Buyer,"
            text +=
                "Main St \(i),Wien,,\(1000 + i % 9000),Austria,Partner,Contacted,Liam Walsh,2024-03-07T18:50:05Z,\"said \"\"hi\"\" \\ \(i)\(i % 3 == 0 ? "\n\tsecond line\\N" : "")\"\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// What a store holds, comparable across engines and imports (ids and stamps left out).
    static func contents(_ store: any SyncStore) throws -> [String] {
        var out: [String] = []
        try store.forEach(Lead.self) { l, ext in
            out.append(
                [
                    l.email, l.firstName, l.lastName, l.company, l.phone, l.notes, l.address.city, l.address.postcode,
                    ext,
                ].map { $0 ?? "-" }.joined(separator: "|"))
        }
        return out.sorted()
    }

    @Test(
        "the same file imported into SQLite and into PostgreSQL: the same counts and the same records; a rerun changes nothing"
    )
    func sameAsSQLite() throws {
        let dir = try TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("leads.csv")
        try Self.leadList(rows: 12_000, at: file)
        var summaries: [StoreKind: [ImportSummary]] = [:]
        var stores: [StoreKind: any SyncStore] = [:]
        for kind in StoreKind.allCases {
            let location = try kind.makeLocation()
            var o = ImportOptions(source: file.path, mapping: TestSupport.mapping("sources/generic-leads.yaml"))
            o.store = location
            o.rejectsPath = dir.appendingPathComponent("rejects-\(kind).csv").path
            summaries[kind] = [try Importer.run(o), try Importer.run(o)]
            stores[kind] = try StoreLocation(location).openSyncStore(mode: .readOnly)
        }
        let s = try #require(summaries[.sqlite])
        let p = try #require(summaries[.postgres])
        for (a, b) in zip(s, p) {
            let ca: [Int] = [a.read, a.created, a.updated, a.unchanged, a.merged, a.rejected]
            let cb: [Int] = [b.read, b.created, b.updated, b.unchanged, b.merged, b.rejected]
            #expect(ca == cb)
        }
        #expect(p[0].created == 10_800 && p[0].merged == 1_200)
        #expect(p[1].created == 0 && p[1].unchanged == 12_000)
        #expect(try Self.contents(try #require(stores[.sqlite])) == Self.contents(try #require(stores[.postgres])))
    }

    @Test("an import killed in the middle of its COPY leaves nothing; run again, it equals an uninterrupted import")
    func killedMidCopy() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let server = try PostgresServer.shared()
        let dir = try TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("leads.csv")
        try Self.leadList(rows: 80_000, at: file)
        let url = try server.makeDatabase("killed")
        _ = try PostgresStore(url: url)  // the schema, so that the watcher below can look at it
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = [
            "import", file.path, "--mapping", TestSupport.mapping("sources/generic-leads.yaml"), "--store", url,
            "--quiet",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.currentDirectoryURL = dir
        try p.run()
        // Wait for a COPY into the leads table to be in flight, then kill the importer.
        var sawCopy = false
        let deadline = Date(timeIntervalSinceNow: 60)
        while !sawCopy, p.isRunning, Date() < deadline {
            let r = try TestSupport.run(
                "/usr/bin/psql",
                [
                    server.baseURL, "-At", "-c",
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY leads%' AND state = 'active'",
                ],
                environment: ["PGPASSFILE": server.passfile])
            sawCopy = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            if !sawCopy { Thread.sleep(forTimeInterval: 0.01) }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(sawCopy, "no COPY was seen before the import ended")
        let store = try PostgresStore(url: url)
        #expect(try store.count(.lead) == 0)
        #expect(try store.importCount(status: "committed") == 0)
        // Run again, and once more into a fresh database without a kill: the same records.
        var o = ImportOptions(source: file.path, mapping: TestSupport.mapping("sources/generic-leads.yaml"))
        o.store = url
        o.rejectsPath = dir.appendingPathComponent("rejects.csv").path
        let again = try Importer.run(o)
        o.store = try server.makeDatabase("clean")
        let clean = try Importer.run(o)
        #expect(again.created == clean.created && again.merged == clean.merged && again.created == 72_000)
        #expect(try Self.contents(store) == Self.contents(try PostgresStore(url: o.store)))
    }

    @Test("import --fuzzy on PostgreSQL: the same merges and review pairs as on SQLite")
    func fuzzy() throws {
        var results: [StoreKind: (merged: Int, queued: Int, contents: [String])] = [:]
        for kind in StoreKind.allCases {
            let dir = try TestSupport.temporaryDirectory()
            let location = kind == .sqlite ? dir.appendingPathComponent("s.sqlite").path : try kind.makeLocation()
            var o = ImportOptions(
                source: TestSupport.fixture("csv/gen-leads-3000-s11.csv"),
                mapping: TestSupport.mapping("sources/generic-leads.yaml"))
            o.store = location
            o.rejectsPath = dir.appendingPathComponent("rejects.csv").path
            let s = try Importer.run(o)
            let store = try StoreLocation(location).openReviewStore(mode: .update)
            let pass = try FuzzyImportPass.run(store: store, importID: try #require(s.importID))
            results[kind] = (pass.merged, pass.queuedForReview, try Self.contents(store))
        }
        let a = try #require(results[.sqlite])
        let b = try #require(results[.postgres])
        #expect(a.merged > 0)
        #expect(a.merged == b.merged && a.queued == b.queued)
        #expect(a.contents == b.contents)
    }
}
