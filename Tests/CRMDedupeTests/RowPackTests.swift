import Foundation
import Testing

@testable import CRMDedupe

/// What the matcher's speed work must leave as it was: the interned values, the rows as the comparison reads them
/// (`RowPack`), comparisons shared out among the cores, and the similarity cache.
@Suite("Rows laid out for comparing: the same levels, whatever the layout, the cache or the cores")
struct RowPackTests {
    func row(
        _ first: String, _ last: String, email: String = "", street: String = "", postcode: String = ""
    )
        -> DedupeRow
    {
        FuzzyDedupeTests().row(first, last, email: email, street: street, postcode: postcode)
    }

    @Test("one text is one value, whatever its Unicode spelling; ids stay as the table grows and is let go")
    func values() {
        let v = FuzzyDeduplicator.Values()
        #expect(v.id("") == 0)
        let composed = v.id("jos\u{E9}@example.com")
        #expect(v.id("jose\u{301}@example.com") == composed, "é written as e and a combining accent")
        #expect(v.id("jose@example.com") != composed)
        // Far past the first table's 16 slots: every id dense, in the order first seen, and found again.
        let ids = (0..<5_000).map { v.id("value \($0)") }
        #expect(ids == (0..<5_000).map { Int32($0) + composed + 2 })
        #expect((0..<5_000).allSatisfy { v.id("value \($0)") == ids[$0] })
        v.seal()
        #expect(v.id("value 4321") == ids[4321], "found again after the table was let go")
        #expect(v.id("new") == Int32(v.bytes.count - 1))
        #expect(String(decoding: v.bytes[Int(ids[17])], as: UTF8.self) == "value 17")
        // As `String`'s `==`: the Kelvin sign is a K; and a value keeps the spelling it was first seen in.
        let w = FuzzyDeduplicator.Values()
        #expect("\u{212A}elvin" == "Kelvin")
        #expect(w.id("\u{212A}elvin") == w.id("Kelvin"))
        let rene = w.id("rene\u{301}")
        #expect(w.id("ren\u{E9}") == rene)
        #expect(w.bytes[Int(rene)] == Array("rene\u{301}".utf8), "the spelling first seen")
        w.seal()
        #expect(w.id("ren\u{E9}") == rene, "found by its composition after the table was let go")
    }

    @Test("pairs shared out among any number of cores: contiguous runs, in order, covering every pair once")
    func shares() {
        for count in [0, 1, 7, 20_000, 24_090, 50_001] {
            for shares in [1, 2, 8, 43, 48, 192, 256] {
                let ranges = (0..<shares).map { FuzzyDeduplicator.shareRange($0, of: shares, count: count) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count, "\(count) in \(shares)")
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            }
        }
    }

    @Test("a comparison reads rows added after the last one compared")
    func rowsAddedLater() {
        let d = FuzzyDeduplicator()
        d.add(row("Maria", "Okafor", email: "maria@example.com"))
        d.add(row("Mario", "Okafor", email: "mario@example.com"))
        let before = d.compare(0, 1)
        #expect(FuzzyDeduplicator.level(before, 0) == 2)
        d.add(row("Maria", "Okafor", email: "maria@example.com"))
        #expect(FuzzyDeduplicator.level(d.compare(0, 2), 0) == 1, "the third row's e-mail, read after it was added")
        #expect(FuzzyDeduplicator.level(d.compare(0, 2), 2) == 1)
        #expect(d.compare(0, 1) == before)
    }

    @Test("a name pair's level is the same whether its similarity is computed or taken from the cache")
    func cacheExact() {
        // Jaro-Winkler exactly 0.88 (7 of 10 letters in place, a prefix of 4): held as a Float it read 0.87999999,
        // "different" from the cache where the first comparison had said "Jaro-Winkler 0.88".
        #expect(Similarity.jaroWinkler(Array("abcdefgxyz".utf8), Array("abcdefgpqr".utf8)) >= 0.88)
        #expect(Double(Float(0.88)) < 0.88)
        let d = FuzzyDeduplicator()
        d.add(row("Priya", "Abcdefgxyz"))
        d.add(row("Priya", "Abcdefgpqr"))
        let cold = d.compare(0, 1)
        let warm = d.compare(0, 1)
        #expect(FuzzyDeduplicator.level(cold, 3) == 3, "Jaro-Winkler 0.88 or more")
        #expect(warm == cold)
    }

    @Test("comparisons shared out among the cores give what one thread gives, in order")
    func compareAllInOrder() {
        let d = FuzzyDeduplicator()
        let firsts = ["Maria", "Mario", "Jason", "Jayson", "Aiko", "Hana", "Bruno", "Chiara"]
        let lasts = ["Okafor", "Okafur", "Nowak", "Novak", "Tanaka", "Silva", "Rossi", "Berg"]
        for i in 0..<220 {
            d.add(
                row(
                    firsts[i % 8], lasts[(i / 8) % 8], email: i % 3 == 0 ? "p\(i % 50)@example.com" : "",
                    street: "\(i % 40) Mill Road", postcode: "30\(i % 7)"))
        }
        var pairs: [UInt64] = []
        for a in 0..<220 { for b in (a + 1)..<220 { pairs.append(UInt64(a) << 32 | UInt64(b)) } }
        #expect(pairs.count > 20_000, "enough pairs to be shared out")
        let codes = d.compareAll(pairs)
        let one = pairs.map { Int32(d.compare(Int($0 >> 32), Int($0 & 0xFFFF_FFFF))) }
        #expect(codes == one)
        #expect(Set(codes).count > 20, "pairs of many shapes")
    }
}
