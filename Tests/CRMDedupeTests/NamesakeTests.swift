import Foundation
import Testing

@testable import CRMDedupe

@Suite("Two namesakes in one town are proposed for review, whatever they score")
struct NamesakeTests {
    /// A list where EM learns that a match's street is often replaced: 60 people with a duplicate on another street of
    /// their town, 100 with an exact duplicate, 200 others; then `extra` (its rows from 520 on).
    func run(_ extra: [DedupeRow], explain: [(Int, Int)]) -> DedupeResult {
        func row(_ f: String, _ l: String, _ st: String, _ pc: String, _ c: String, phone: String = "") -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.street, r.postcode, r.city, r.phone) = (f, l, st, pc, c, phone)
            return r
        }
        var s = DedupeSettings()
        s.explain = explain.map { ($0.0 + 520, $0.1 + 520) }
        let d = FuzzyDeduplicator(settings: s)
        for i in 0..<60 {
            d.add(row("Moved\(i)", "Person\(i)", "\(i + 1) Old\(i) Road", "\(3000 + i)", "Town\(i)"))
            d.add(row("Moved\(i)", "Person\(i)", "\(i + 40) New\(i) Avenue", "\(3000 + i)", "Town\(i)"))
        }
        for i in 0..<100 {
            d.add(row("Stay\(i)", "Home\(i)", "\(i + 1) Same\(i) Street", "\(4000 + i)", "Place\(i)"))
            d.add(row("Stay\(i)", "Home\(i)", "\(i + 1) Same\(i) Street", "\(4000 + i)", "Place\(i)"))
        }
        for i in 0..<200 { d.add(row("Z\(i)q", "Y\(i)w", "\(i) X\(i) St", "\(5000 + i)", "V\(i)")) }
        for r in extra { d.add(r) }
        return d.run()
    }

    func person(_ street: String, phone: String = "") -> DedupeRow {
        var r = DedupeRow()
        (r.firstName, r.lastName, r.street) = ("Quentin", "Zorba", street)
        (r.postcode, r.city, r.phone) = ("2913", "Ngunnawal", phone)
        return r
    }

    @Test("a namesake pair that scores a match is held back for review with its reason; a phone that agrees merges it")
    func namesakesHeldBack() throws {
        let r = run([person("3 Alpha Road"), person("77 Omega Crescent")], explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        let total = try #require(SolePairTests.total(why))
        try #require(total >= r.matchWeight, "the pair must score a match for the test to say anything: \(why)")
        #expect(FuzzyDedupeTests().line(why, "street")?.contains("different") == true, "\(why)")
        #expect(r.cluster[520] != r.cluster[521], "\(why)")
        #expect(why.contains("held back: two namesakes' shape"), "\(why)")
        let k = try #require(r.review.firstIndex { Set([$0.0, $0.1]) == [520, 521] }, "not in review: \(why)")
        #expect(r.reviewReasons[k] == .namesakes)
        // The same pair with a phone number that agrees: something personal ties the two rows.
        let tied = run(
            [person("3 Alpha Road", phone: "+61 2 6100 0000"), person("77 Omega Crescent", phone: "+61 2 6100 0000")],
            explain: [(0, 1)])
        #expect(tied.cluster[520] == tied.cluster[521], "\(tied.explanations)")
    }

    @Test("the shape: street lines entirely different and nothing personal agreeing")
    func shape() {
        typealias F = FuzzyDeduplicator
        func code(_ levels: [Int: Int]) -> Int { levels.reduce(0) { $0 + $1.value * F.strides[$1.key] } }
        let differentStreet = F.levels[5] - 1
        // First and last exact, street different, postcode and city the same.
        #expect(F.namesakesShape(code([2: 1, 3: 1, 5: differentStreet, 6: 1])))
        // The same with a phone, a company, a date of birth or an identifier that agrees: not namesakes.
        #expect(!F.namesakesShape(code([1: 1, 2: 1, 3: 1, 5: differentStreet, 6: 1])))
        #expect(!F.namesakesShape(code([2: 1, 3: 1, 4: 1, 5: differentStreet, 6: 1])))
        #expect(!F.namesakesShape(code([2: 1, 3: 1, 5: differentStreet, 6: 1, 8: 2])))
        #expect(!F.namesakesShape(code([2: 1, 3: 1, 5: differentStreet, 6: 1, 9: 1])))
        // A street only named alike is not entirely different.
        #expect(!F.namesakesShape(code([2: 1, 3: 1, 5: differentStreet - 1, 6: 1])))
    }
}
