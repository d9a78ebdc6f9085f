import CRMDedupe
import CRMModel
import Foundation
import Testing

@Suite("Exact match keys and the import merge")
struct ExactMatchTests {
    func lead(_ configure: (inout Lead) -> Void) -> Lead {
        var l = Lead(id: RecordID.make())
        configure(&l)
        return l
    }

    @Test("email keys are normalised; empty keys never match")
    func keys() {
        let email = MatchKeySpec("email")
        #expect(email.key(of: lead { $0.email = "  Ann@Example.COM " }, externalID: nil) == "ann@example.com")
        #expect(email.key(of: lead { $0.email = "" }, externalID: nil) == nil)
        let ext = MatchKeySpec("external_id")
        #expect(ext.isExternalID)
        #expect(ext.key(of: lead { _ in }, externalID: "00Q1") == "00Q1")
        let combo = MatchKeySpec("first_name+last_name")
        #expect(
            combo.key(
                of: lead {
                    $0.firstName = "ANN  Marie"
                    $0.lastName = "Lee"
                }, externalID: nil) == "ann marie\u{1F}lee")
        #expect(combo.key(of: lead { $0.firstName = "Ann" }, externalID: nil) == nil)
    }

    @Test("the index finds what was inserted and keeps the first row for a key")
    func index() {
        var idx = ExactMatchIndex()
        let first = idx.insert(kind: 0, key: "a@b.co", row: 1)
        let second = idx.insert(kind: 0, key: "a@b.co", row: 2)
        #expect(first)
        #expect(!second)
        #expect(idx.lookup(kind: 0, key: "a@b.co") == 1)
        #expect(idx.lookup(kind: 1, key: "a@b.co") == nil)
        #expect(idx.count == 1)
    }

    @Test("the index agrees with a dictionary over 100k keys, growing from empty, hash 0 and colliding slots included")
    func indexAgainstDictionary() {
        var idx = ExactMatchIndex()
        var reference: [UInt64: Int64] = [:]
        var rng = SystemRandomNumberGenerator()
        // Random hashes, hashes that share their low or their high bits, 0 and 1 (kept as one key), repeats.
        var hashes: [UInt64] = (0..<60_000).map { _ in rng.next() }
        hashes += (0..<2_000).map { UInt64($0) << 40 } + (0..<2_000).map { UInt64($0) + 5 }
        hashes += [0, 1, 0, 1]
        hashes += hashes.prefix(40_000)
        for (n, h) in hashes.enumerated() {
            let key = h == 0 ? 1 : h
            let fresh = reference[key] == nil
            if fresh { reference[key] = Int64(n) }
            #expect(idx.insert(hash: h, row: Int64(n)) == fresh)
        }
        #expect(idx.count == reference.count)
        #expect(reference.allSatisfy { idx.lookup(hash: $0.key) == $0.value })
        #expect(idx.lookup(hash: 0) == reference[1])
        #expect(
            (0..<1_000).allSatisfy { _ in
                let h = rng.next()
                return idx.lookup(hash: h) == reference[h]
            })
    }

    @Test("update replaces, fill only fills blanks; tags union, notes append, earliest created_at")
    func merge() {
        var stored = lead {
            $0.firstName = "Ann"
            $0.status = "New"
            $0.tags = ["vip"]
            $0.notes = "met at booth"
            $0.createdAt = Date(timeIntervalSince1970: 2000)
        }
        let incoming = lead {
            $0.firstName = "Anne"
            $0.company = "Acme"
            $0.status = "Qualified"
            $0.tags = ["VIP", "2026"]
            $0.notes = "wants a demo"
            $0.createdAt = Date(timeIntervalSince1970: 1000)
            $0.custom = ["industry": "retail"]
        }
        var filled = stored
        let filledChanged = RecordMerge.absorb(incoming, into: &filled, mode: .fill)
        #expect(filledChanged)
        #expect(filled.firstName == "Ann")
        #expect(filled.company == "Acme")
        #expect(filled.status == "New")
        #expect(filled.tags == ["vip", "2026"])
        #expect(filled.notes == "met at booth\nwants a demo")
        #expect(filled.createdAt == Date(timeIntervalSince1970: 1000))
        #expect(filled.custom["industry"] == "retail")
        let updatedChanged = RecordMerge.absorb(incoming, into: &stored, mode: .update)
        #expect(updatedChanged)
        #expect(stored.firstName == "Anne")
        #expect(stored.status == "Qualified")
        #expect(stored.id != incoming.id)
    }

    @Test("applying the same rows again changes nothing (re-imports are idempotent)")
    func idempotent() {
        let a = lead {
            $0.firstName = "Ann"
            $0.email = "a@x.co"
            $0.tags = ["t1"]
            $0.notes = "n1"
        }
        let b = lead {
            $0.firstName = "Anne"
            $0.company = "Acme"
            $0.tags = ["t2"]
            $0.notes = "n2"
        }
        var r = a
        RecordMerge.absorb(b, into: &r, mode: .fill)
        let once = r
        let again1 = RecordMerge.absorb(a, into: &r, mode: .update)
        let again2 = RecordMerge.absorb(b, into: &r, mode: .fill)
        #expect(!again1)
        #expect(!again2)
        #expect(r == once)
    }

    @Test(
        "a note already held is not appended again; held means the same characters, in ASCII or not",
        arguments: [
            ("call back Monday\nsent brochure", "sent brochure", false),
            ("call back Monday", "call back Tuesday", true),
            ("call back Monday", "", false),
            ("Rückruf am Montag", "am Montag", false),
            ("Rückruf am Montag", "Ru\u{308}ckruf", false),  // the same characters, ü decomposed
            ("caf\u{E9}", "cafe", true),  // `e` is not `é`, though the bytes of `cafe\u{301}` would start with it
            ("cafe\u{301} au lait", "cafe", true),
        ])
    func notesHeld(stored: String, incoming: String, appended: Bool) {
        var r = lead { $0.notes = stored }
        let changed = RecordMerge.absorb(lead { $0.notes = incoming }, into: &r, mode: .update)
        #expect(changed == appended)
        #expect(r.notes == (appended ? stored + "\n" + incoming : stored))
    }
}
