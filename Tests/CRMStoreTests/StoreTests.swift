import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
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
        let (batch, rowid) = try store.runImport(Lead.self, source: "f.csv", mapping: "m.yaml", system: "test", dryRun: false) { w in
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

    struct Boom: Error {}

    @Test("an import that throws leaves nothing behind but a failed batch record")
    func rollback() throws {
        let store = try freshStore()
        #expect(throws: Boom.self) {
            _ = try store.runImport(Lead.self, source: "f.csv", mapping: "m", system: nil, dryRun: false) { w -> (ImportCounts, Void) in
                _ = try w.insert(lead("A", "a@x.co"), externalID: nil)
                throw Boom()
            }
        }
        #expect(try store.count(.lead) == 0)
        #expect(try store.imports().first?.status == "failed")
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

    @Test("a record is found by its full id, its short id (the last 12 hex digits) or a unique prefix; a part that fits several lists them")
    func resolvesShortIDs() throws {
        let store = try freshStore()
        // Two ids made in the same millisecond share their first 13 characters, as the ids of one import do.
        let a = try #require(RecordID("01a2356f-7162-7abc-8def-3f9c0a1b2d4e"))
        let b = try #require(RecordID("01a2356f-7162-7abc-8def-77e0c4d2a911"))
        var la = Lead(id: a), lb = Lead(id: b)
        la.firstName = "A"
        lb.firstName = "B"
        try store.save([la, lb])
        #expect(try store.record(Lead.self, id: a.description).firstName == "A")
        #expect(try store.record(Lead.self, id: a.description.uppercased()).firstName == "A")
        #expect(try store.record(Lead.self, id: a.short).firstName == "A")
        #expect(try store.record(Lead.self, id: b.short).firstName == "B")
        #expect(try store.record(Lead.self, id: "c4d2a911").firstName == "B")  // 8+ characters of the end
        #expect { _ = try store.record(Lead.self, id: "01a2356f-7162") } throws: { e in
            let s = e as? StoreError
            return s?.code == .ambiguous && s?.message.contains("3f9c0a1b2d4e") == true && s?.message.contains("77e0c4d2a911") == true
        }
        #expect { _ = try store.record(Lead.self, id: "0123456789ab") } throws: { ($0 as? StoreError)?.code == .notFound }
        #expect { _ = try store.record(Lead.self, id: "3f9c") } throws: { ($0 as? StoreError)?.code == .invalidID }
        #expect { _ = try store.record(Lead.self, id: "not-an-id!") } throws: { ($0 as? StoreError)?.code == .invalidID }
    }
}
