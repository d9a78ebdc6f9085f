import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import GRDB
import Testing

@Suite("CRMStore")
struct StoreTests {
    func freshStore() throws -> CRMStore {
        try CRMStore(path: try TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path)
    }

    func lead(_ first: String, _ email: String) -> Lead {
        var l = Lead(id: RecordID.make())
        l.firstName = first
        l.email = email
        l.tags = ["a \"quoted\" tag", "ü"]
        l.custom = ["k": "v\nw"]
        l.amount = Decimal(string: "1234.5")
        l.closeDate = CalendarDay(year: 2026, month: 12, day: 1)
        l.createdAt = Date(timeIntervalSince1970: 1_700_000_000.5)
        return l
    }

    @Test("records written by an import read back field for field, with a ledger")
    func roundTrip() throws {
        let store = try freshStore()
        let original = lead("Zoë", "zoe@example.ch")
        let (batch, rowid) = try store.runImport(
            Lead.self, source: "f.csv", mapping: "m.yaml", system: "test", dryRun: false
        ) { w in
            let id = try w.insert(original, externalID: "X1")
            try w.ledger(row: 1, line: 2, outcome: .created, record: id, reason: nil)
            try w.ledger(row: 2, line: 3, outcome: .rejected, record: nil, reason: "bad email")
            var c = ImportCounts()
            c.read = 2
            c.created = 1
            c.rejected = 1
            return (c, id)
        }
        var back = try #require(store.all(Lead.self).first)
        back.updatedAt = nil
        #expect(back == original)
        let ledger = try store.ledger(importID: batch)
        #expect(ledger.map(\.outcome) == ["created", "rejected"])
        #expect(ledger[0].recordRowID == rowid)
        #expect(ledger[1].reason == "bad email")
        let imports = try store.imports()
        #expect(imports.first?.status == "committed")
        #expect(imports.first?.counts.addsUp == true)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test(
        "laid-out rows inserted with only a mapping's fields read back whole; rows outside them are written whole"
    )
    func laidRowsAndNarrowInserts() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let store = try CRMStore(path: path)
        let first = try #require(Lead.fieldIndex(named: "first_name"))
        let email = try #require(Lead.fieldIndex(named: "email"))
        let status = try #require(Lead.fieldIndex(named: "status"))
        let laid = LaidRows(fields: Lead.fields.count)
        var expected: [Lead] = []
        for i in 0..<70 {  // two multi-row inserts of 32 and six single ones
            var l = Lead(id: RecordID.make())
            l.firstName = "F\(i)"
            l.email = "f\(i)@x.co"
            expected.append(l)
            laid.append(id: l.id, externalID: i == 5 ? "E5" : nil, values: l.fieldValues(), custom: [:])
        }
        var whole = lead("Whole", "whole@x.co")  // tags, amount, dates and custom fields: outside the narrow set
        whole.company = "Acme"
        _ = try store.runImport(Lead.self, source: "f.csv", mapping: "m.yaml", system: "sys", dryRun: false) { w in
            try w.insertFields(only: [first, email, status])
            var ids: [Int64] = []
            for i in 0..<70 {
                ids.append(try w.insert(laid: laid, row: i, externalID: i == 5 ? "E5" : nil, rowHash: nil))
                if i == 40 { _ = try w.insert(whole, externalID: nil) }
            }
            // A merge into a row still pending: laid out again by the writer, with a field outside the narrow set.
            var merged = try #require(try w.load(ids[69])).record
            merged.company = "Merged Co"
            try w.update(ids[69], merged, externalID: nil)
            expected[69].company = "Merged Co"
            return (ImportCounts(), ())
        }
        let back = try store.all(Lead.self).map { l -> Lead in
            var l = l
            l.updatedAt = nil
            return l
        }
        #expect(back.count == 71)
        for e in expected { #expect(back.first { $0.id == e.id } == e, "\(e.firstName)") }
        whole.updatedAt = nil
        #expect(back.first { $0.id == whole.id } == whole)
        let ext = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT ext_system, ext_id FROM leads WHERE ext_id IS NOT NULL")
        }
        #expect(ext.count == 1 && ext.first?["ext_system"] == "sys" && ext.first?["ext_id"] == "E5")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("rows with custom fields only (a mapping that fills no standard field); many merges into one pending row")
    func customOnlyAndRepeatedMerges() throws {
        let store = try freshStore()
        let laid = LaidRows(fields: Customer.fields.count)
        let id = RecordID.make()
        laid.append(id: id, externalID: "C1", values: Customer(id: id).fieldValues(), custom: ["segment": "smb"])
        var notes: [String] = []
        _ = try store.runImport(Customer.self, source: "c.csv", mapping: "m.yaml", system: "s", dryRun: false) { w in
            try w.insertFields(only: [])
            let rowid = try w.insert(laid: laid, row: 0, externalID: "C1", rowHash: nil)
            // 200 merges into the row while it waits to be written: it is laid out again each time.
            for k in 0..<200 {
                var c = try #require(try w.load(rowid)).record
                notes.append("note \(k)")
                c.notes = notes.joined(separator: "\n")
                try w.update(rowid, c, externalID: nil)
            }
            return (ImportCounts(), ())
        }
        let back = try #require(try store.all(Customer.self).first)
        #expect(back.id == id && back.custom == ["segment": "smb"])
        #expect(back.notes == notes.joined(separator: "\n"))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("the ledger names every outcome as it is spelled, in batches of many rows and of one")
    func ledgerOutcomeTexts() throws {
        // The outcome is bound from the program's constant data (`RowOutcome.staticText`), not from `rawValue`.
        let store = try freshStore()
        let outcomes: [RowOutcome] = [.created, .updated, .unchanged, .merged, .rejected]
        let rows = 600  // two full batches of 256 and a tail of single rows
        let (batch, _) = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false) {
            w in
            for i in 0..<rows {
                try w.ledger(row: i + 1, line: i + 2, outcome: outcomes[i % 5], record: nil, reason: nil)
            }
            var c = ImportCounts()
            c.read = rows
            (c.created, c.updated, c.unchanged, c.merged, c.rejected) = (120, 120, 120, 120, 120)
            return (c, ())
        }
        let ledger = try store.ledger(importID: batch)
        #expect(ledger.count == rows)
        #expect(ledger.map(\.outcome) == (0..<rows).map { outcomes[$0 % 5].rawValue })
    }

    struct Boom: Error {}

    @Test("an import that throws leaves nothing behind but a failed batch record")
    func rollback() throws {
        let store = try freshStore()
        #expect(throws: Boom.self) {
            _ = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false) {
                w -> (ImportCounts, Void) in
                _ = try w.insert(lead("A", "a@x.co"), externalID: nil)
                throw Boom()
            }
        }
        #expect(try store.count(.lead) == 0)
        #expect(try store.imports().first?.status == "failed")
        // A dry run that throws is not in the history at all.
        #expect(throws: Boom.self) {
            _ = try store.runImport(Lead.self, source: "g.csv", mapping: "m", system: nil, dryRun: true) {
                w -> (ImportCounts, Void) in
                throw Boom()
            }
        }
        #expect(try store.imports().map(\.source) == ["f.csv"])
    }

    @Test(
        "created rows in a row share one ledger line; a fuzzy merge of its first, a middle and its last record cuts it, the rest stays created"
    )
    func ledgerRuns() throws {
        let store = try freshStore()
        var leads = (0..<6).map { lead("P\($0)", "p\($0)@example.com") }
        let (batch, rowids) = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false)
        {
            w -> (ImportCounts, [Int64]) in
            var ids: [Int64] = []
            for (k, l) in leads.enumerated() {
                let id = try w.insert(l, externalID: nil)
                ids.append(id)
                try w.ledger(row: k + 1, line: k + 2, outcome: .created, record: id, reason: nil)
            }
            var c = ImportCounts()
            c.read = 6
            c.created = 6
            return (c, ids)
        }
        #expect(try store.scalar("SELECT COUNT(*) FROM import_rows") == 1)
        #expect(try store.ledger(importID: batch).map(\.row) == [1, 2, 3, 4, 5, 6])
        leads[1].notes = "survivor"
        let ids = leads.map(\.id.description)
        try store.applyFuzzyMerges(
            [FuzzyMerge(survivor: leads[1], merged: [ids[0], ids[3], ids[5]], reason: "fuzzy")], importID: batch)
        let ledger = try store.ledger(importID: batch)
        #expect(ledger.map(\.row) == [1, 2, 3, 4, 5, 6] && ledger.map(\.line) == [2, 3, 4, 5, 6, 7])
        #expect(ledger.map(\.outcome) == ["merged", "created", "created", "merged", "created", "merged"])
        #expect(ledger.map(\.recordRowID) == [rowids[1], rowids[1], rowids[2], rowids[1], rowids[4], rowids[1]])
        #expect(ledger.filter { $0.outcome == "merged" }.allSatisfy { $0.reason == "fuzzy" })
        #expect(ledger.allSatisfy { $0.recordID != nil })
        #expect(try store.imports().first?.counts.created == 3)
        // 1 | 2-3 | 4 | 5 | 6: the run cut at its first, a middle and its last row.
        #expect(try store.scalar("SELECT COUNT(*) FROM import_rows") == 5)
        #expect(try store.importRecordIDs(Lead.self, importID: batch) == Set([ids[1], ids[2], ids[4]]))
    }

    @Test(
        "an import into an empty store writes through a rollback journal and leaves the store in WAL mode; a store with records, or one another connection has open, stays in WAL mode"
    )
    func journalOfAnImport() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let store = try CRMStore(path: path)
        /// The journal mode as another connection sees it (the store's own queue is busy inside the import).
        func modeFromOutside() throws -> String {
            try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
        }
        func importOne(_ first: String) throws -> String {
            var seen = ""
            _ = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false) { w in
                let id = try w.insert(lead(first, "\(first)@x.co"), externalID: nil)
                try w.ledger(row: 1, line: 2, outcome: .created, record: id, reason: nil)
                seen = try modeFromOutside()
                var c = ImportCounts()
                c.read = 1
                c.created = 1
                return (c, ())
            }
            return seen
        }
        #expect(try modeFromOutside() == "wal")
        #expect(try importOne("A") == "delete")
        #expect(try modeFromOutside() == "wal")
        #expect(try importOne("B") == "wal")
        #expect(try store.count(.lead) == 2)
        #expect(try store.integrityCheck() == "ok")

        // An empty store another connection holds open: SQLite refuses to leave WAL mode, and the import runs in it.
        let other = try TestSupport.temporaryDirectory().appendingPathComponent("o.sqlite").path
        let busy = try CRMStore(path: other)
        let reader = try DatabaseQueue(path: other)
        #expect(try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM leads") } == 0)
        var seen = ""
        _ = try busy.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false) { w in
            _ = try w.insert(lead("C", "c@x.co"), externalID: nil)
            seen = try reader.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
            return (ImportCounts(), ())
        }
        #expect(seen == "wal")
        #expect(try busy.count(.lead) == 1)
    }

    @Test(
        "a store left with a hot rollback journal (a first import cut off) opens read-only: the journal is rolled back first"
    )
    func hotJournalReadOnly() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("s.sqlite").path
        let copy = dir.appendingPathComponent("crashed.sqlite").path
        _ = try CRMStore(path: path)
        // What a crash leaves: the store file and its journal as they are on disk in the middle of a transaction whose
        // pages have spilled into the file (a tiny page cache makes them spill).
        let q = try DatabaseQueue(path: path)
        let mode = try q.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = DELETE") }
        #expect(mode == "delete")
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = 4")
            try db.execute(sql: "BEGIN IMMEDIATE")
            for i in 0..<2000 {
                try db.execute(
                    sql: """
                        INSERT INTO leads (id, updated_at, change_seq, notes)
                        VALUES (?, '2026-12-03T00:00:00Z', ?, hex(randomblob(500)))
                        """,
                    arguments: ["id-\(i)", i])
            }
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-journal", toPath: copy + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
        // The copy's file holds half a transaction, and SQLite refuses a read-only connection until it is rolled back.
        #expect(throws: DatabaseError.self) {
            var config = Configuration()
            config.readonly = true
            _ = try DatabaseQueue(path: copy, configuration: config).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM leads")
            }
        }
        let store = try CRMStore(path: copy, mode: .readOnly)
        #expect(try store.count(.lead) == 0)
        #expect(try store.integrityCheck() == "ok")
        #expect(!FileManager.default.fileExists(atPath: copy + "-journal"))
    }

    @Test("a dry run commits nothing")
    func dryRun() throws {
        let store = try freshStore()
        _ = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: true) { w in
            _ = try w.insert(lead("A", "a@x.co"), externalID: nil)
            return (ImportCounts(), ())
        }
        #expect(try store.count(.lead) == 0)
        #expect(try store.imports().isEmpty)
    }

    @Test("a file that is not a store is refused with a clear error")
    func notAStore() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("x.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect { _ = try CRMStore(path: path) } throws: { ($0 as? StoreError)?.code == .cannotOpen }
    }

    @Test("reopening a store keeps its records and change counter")
    func reopen() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("s.sqlite").path
        do {
            let s = try CRMStore(path: path)
            _ = try s.runImport(Lead.self, source: "f", mapping: "m", system: nil, dryRun: false) { w in
                _ = try w.insert(lead("A", "a@x.co"), externalID: nil)
                return (ImportCounts(), ())
            }
        }
        let again = try CRMStore(path: path)
        #expect(try again.count(.lead) == 1)
        #expect(try again.scalar("SELECT value FROM meta WHERE key = 'change_seq'") == 1)
    }

    @Test("read-only and update opens need the file: a missing store is an error and nothing is created")
    func missingStoreIsNotCreated() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("typo.sqlite").path
        for mode in [CRMStore.OpenMode.readOnly, .update] {
            #expect { _ = try CRMStore(path: path, mode: mode) } throws: { ($0 as? StoreError)?.code == .missing }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        let made = try CRMStore(path: path, mode: .create)
        try made.save([lead("A", "a@x.co")])
        let reader = try CRMStore(path: path, mode: .readOnly)
        #expect(try reader.count(.lead) == 1)
        #expect(throws: StoreError.self) { try reader.save([lead("B", "b@x.co")]) }
        #expect(try CRMStore(path: path, mode: .update).count(.lead) == 1)
    }

    @Test(
        "a record is found by its full id, its short id (the last 12 hex digits) or a unique prefix; a part that fits several lists them"
    )
    func resolvesShortIDs() throws {
        let store = try freshStore()
        // Two ids made in the same millisecond share their first 13 characters, as the ids of one import do.
        let a = try #require(RecordID("01a2356f-7162-7abc-8def-3f9c0a1b2d4e"))
        let b = try #require(RecordID("01a2356f-7162-7abc-8def-77e0c4d2a911"))
        var la = Lead(id: a)
        var lb = Lead(id: b)
        la.firstName = "A"
        lb.firstName = "B"
        try store.save([la, lb])
        #expect(try store.record(Lead.self, id: a.description).firstName == "A")
        #expect(try store.record(Lead.self, id: a.description.uppercased()).firstName == "A")
        #expect(try store.record(Lead.self, id: a.short).firstName == "A")
        #expect(try store.record(Lead.self, id: b.short).firstName == "B")
        #expect(try store.record(Lead.self, id: "c4d2a911").firstName == "B")  // 8+ characters of the end
        // The full id without its hyphens, as some tools copy a UUID (a trial).
        let bare = a.description.replacingOccurrences(of: "-", with: "")
        #expect(try store.record(Lead.self, id: bare).firstName == "A")
        #expect { _ = try store.record(Lead.self, id: "01a2356f-7162") } throws: { e in
            let s = e as? StoreError
            return s?.code == .ambiguous && s?.message.contains("3f9c0a1b2d4e") == true
                && s?.message.contains("77e0c4d2a911") == true
        }
        #expect { _ = try store.record(Lead.self, id: "0123456789ab") } throws: {
            ($0 as? StoreError)?.code == .notFound
        }
        #expect { _ = try store.record(Lead.self, id: "3f9c") } throws: { ($0 as? StoreError)?.code == .invalidID }
        #expect { _ = try store.record(Lead.self, id: "not-an-id!") } throws: {
            ($0 as? StoreError)?.code == .invalidID
        }
    }
}
