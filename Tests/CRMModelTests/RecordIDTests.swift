import CRMModel
import Foundation
import Testing

@Suite("Record ids and their short form")
struct RecordIDTests {
    @Test("the short id is the last 12 hex digits of the id")
    func shortForm() throws {
        let id = try #require(RecordID("01A2356F-7162-7ABC-8DEF-3F9C0A1B2D4E"))
        #expect(id.description == "01a2356f-7162-7abc-8def-3f9c0a1b2d4e")
        #expect(id.short == "3f9c0a1b2d4e")
        #expect(RecordID.short(id.description) == "3f9c0a1b2d4e")
    }

    @Test("ids of one import differ in their short id, from its first digits, across milliseconds, and stay in order")
    func generatorShortIDsAreUnique() {
        var g = RecordID.Generator()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var ids: [RecordID] = []
        ids.reserveCapacity(300_000)
        // Three ids per millisecond: before, the counter was re-seeded at random each millisecond, so the
        // tails of 100,000 milliseconds met now and then; now it only counts up.
        for i in 0..<300_000 { ids.append(g.next(at: start + Double(i / 3) / 1000)) }
        let texts = ids.map(\.description)
        #expect(Set(texts.map { $0.suffix(12) }).count == ids.count)
        // A short id's start tells ids apart too: the counter is mixed there, not written as it counts (then ids of
        // one import shared their short ids' first eight digits, and typing those matched dozens of records).
        // 300,000 random 8-digit starts meet about 10 times.
        #expect(Set(texts.map { $0.suffix(12).prefix(8) }).count > ids.count - 100)
        #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 < $1 })
        // The leading digits are the time: one millisecond's ids share them.
        #expect(texts[0].prefix(13) == texts[2].prefix(13))
    }

    @Test("when the ordering bits of the counter wrap, the timestamp moves on: ids stay in order")
    func generatorWrap() {
        var g = RecordID.Generator(counter: (1 << 26) - 3, salt: 12345)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let texts = (0..<6).map { _ in g.next(at: at).description }
        #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 < $1 }, "\(texts)")
        #expect(Set(texts.map { $0.suffix(12) }).count == 6)
        #expect(texts[0].prefix(13) != texts[5].prefix(13), "the timestamp moved on")
    }

    @Test(
        "the text form is parsed as Foundation parses it (the canonical form without it), and ids order as their texts do"
    )
    func parsingAgreesWithFoundation() {
        var rng = SystemRandomNumberGenerator()
        var texts: [String] = [
            "", "01a2356f-7162-7abc-8def-3f9c0a1b2d4", "01a2356f-7162-7abc-8def-3f9c0a1b2d4e0",
            "01a2356f_7162-7abc-8def-3f9c0a1b2d4e", "01a2356f-7162-7abc-8def3-f9c0a1b2d4e",
            "01a2356g-7162-7abc-8def-3f9c0a1b2d4e",
            "{1a2356f-7162-7abc-8def-3f9c0a1b2d4e}", "01a2356f-7162-7abc-8def-3f9c0a1b2d4é",
            " 1a2356f-7162-7abc-8def-3f9c0a1b2d4e",
            "01A2356F-7162-7ABC-8DEF-3F9C0A1B2D4E", "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ]
        let digits = Array("0123456789abcdefABCDEFgG-:/@` ")
        for _ in 0..<2000 {
            var t = Array(UUID().uuidString)
            // Now and then one character of another kind, anywhere.
            if Bool.random(using: &rng) { t[Int.random(in: 0..<36, using: &rng)] = digits.randomElement(using: &rng)! }
            texts.append(String(t))
        }
        var canonical = 0
        for t in texts {
            #expect(RecordID(t)?.uuid == UUID(uuidString: t), "\(t)")
            // The canonical form is parsed without Foundation, and only it.
            let isCanonical =
                t.utf8.count == 36
                && t.enumerated().allSatisfy { i, c in [8, 13, 18, 23].contains(i) ? c == "-" : c.isHexDigit }
            #expect((RecordID(canonical: t) != nil) == isCanonical, "\(t)")
            if isCanonical {
                canonical += 1
                #expect(RecordID(canonical: t)?.uuid == UUID(uuidString: t))
            }
        }
        #expect(canonical > 900, "the random texts should be mostly canonical")
        let ids = (0..<500).map { _ in RecordID(uuid: UUID()) }
        for (a, b) in zip(ids, ids.dropFirst()) {
            #expect((a < b) == (a.description < b.description))
            #expect((b < a) == (b.description < a.description))
        }
    }

    @Test(
        "a typed id: any case and spacing, 8 to 36 characters, hyphens optional; it names its full id, start, end or short id's start"
    )
    func typedIDs() {
        let id = "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b"
        #expect(RecordID.typedKey("  2C3D4E5F6A7B ") == "2c3d4e5f6a7b")
        #expect(RecordID.typedKey("019a2b3c4d5e7f608a1b2c3d4e5f6a7b") == id)
        for bad in ["2c3d4e5", "", "#1", "xyzxyzxyz", String(repeating: "a", count: 37)] {
            #expect(RecordID.typedKey(bad) == nil, "\(bad)")
        }
        for typed in [id, "019a2b3c", "019a2b3c-4d5e", "4e5f6a7b", "2c3d4e5f6a7b", "2c3d4e5f", "2C3D4E5F"] {
            let key = RecordID.typedKey(typed)!
            #expect(RecordID.matches(key: key, id: id), "\(typed)")
        }
        // The middle of an id is no id of it; a full id names only itself.
        #expect(!RecordID.matches(key: RecordID.typedKey("4d5e-7f60")!, id: id))
        #expect(!RecordID.matches(key: RecordID.typedKey("019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7c")!, id: id))
    }
}
