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

    @Test("ids of one import differ in their short id, across milliseconds, and stay in order")
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
        #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 < $1 })
        // The leading digits are the time: one millisecond's ids share them.
        #expect(texts[0].prefix(13) == texts[2].prefix(13))
    }
}
