import Foundation
import Testing

@testable import CRMDedupe

@Suite("A pair that stands alone between its two clusters")
struct SolePairTests {
    @Test("stands alone when each cluster's strongest link is to the other and neither has another as likely as not")
    func alone() {
        var t = ClusterLinks()
        t.note(0, 1, 18)
        t.note(0, 2, 12)  // below the review weight (13): still alone
        t.note(1, 3, -4)
        t.note(0, 1, 15)  // a weaker link between the same two clusters counts for nothing more
        #expect(t.standAlone(0, 1, 18, unsure: 13))
        #expect(!t.standAlone(0, 1, 15, unsure: 13), "only the strongest link of the two clusters")
    }

    @Test("does not stand alone with a link to a third cluster at or above the review weight, on either side")
    func thirdCluster() {
        var t = ClusterLinks()
        t.note(0, 1, 18)
        t.note(1, 3, 13)
        #expect(!t.standAlone(0, 1, 18, unsure: 13))
        var u = ClusterLinks()
        u.note(2, 0, 14)
        u.note(0, 1, 18)
        #expect(!u.standAlone(0, 1, 18, unsure: 13))
    }

    @Test("a tie with a third cluster, or a stronger link elsewhere, is not alone; one cluster is no link")
    func tieOrStronger() {
        var t = ClusterLinks()
        t.note(0, 1, 18)
        t.note(0, 2, 18)
        #expect(!t.standAlone(0, 1, 18, unsure: 13))
        var u = ClusterLinks()
        u.note(0, 1, 18)
        u.note(1, 2, 25)
        #expect(!u.standAlone(0, 1, 18, unsure: 13))
        var v = ClusterLinks()
        v.note(4, 4, 30)
        #expect(!v.standAlone(4, 4, 30, unsure: 13))
    }

    @Test("the sole-match probability is ten times as unsure as the match probability, never below the review one")
    func probability() {
        var s = DedupeSettings()
        #expect(abs(s.soleMatchProbability - 0.9) < 1e-9)
        s.matchProbability = 0.999
        #expect(abs(s.soleMatchProbability - 0.99) < 1e-9)
        s.matchProbability = 0.9
        #expect(s.soleMatchProbability == s.reviewProbability)
    }

    @Test("the model prior of uncertain pairs is a fixed point: the posteriors it gives add up to its own count")
    func modelPriorFixedPoint() {
        // 2,000 pairs at 25 bits, 5,000 at 15, 10^6 at -10, among 10^9 pairs: the answer must give back its own count.
        let weights =
            [Double](repeating: 25, count: 2_000) + [Double](repeating: 15, count: 5_000)
            + [Double](repeating: -10, count: 1_000_000)
        let prior = FuzzyDeduplicator.selfConsistentPrior(start: 50_000, allPairs: 1e9, weights: weights)
        let e = 1e9 * exp2(prior) / (1 + exp2(prior))
        let sum = [(25.0, 2_000.0), (15.0, 5_000.0), (-10.0, 1_000_000.0)].reduce(0.0) { s, x in
            // The weights as the function bins them (0.05 bits wide, at their middle).
            let w = (floor((x.0 + 80) / 0.05) + 0.5) * 0.05 - 80
            return s + x.1 / (1 + exp2(-(w + prior)))
        }
        #expect(abs(sum - e) < 1e-3 * e, "count \(e), posteriors \(sum)")
        #expect(e > 2_000 && e < 7_000, "\(e)")
        #expect(FuzzyDeduplicator.selfConsistentPrior(start: 1, allPairs: 1, weights: []) == -.infinity)
    }

    @Test("the finished model's prior counts the matching pairs the compared pairs' posteriors add up to")
    func modelPrior() {
        // 1,000 pairs far above any prior (certain matches) and 100,000 far below (certain non-matches) among 10^8
        // pairs: about 1,000 matching pairs whatever EM started from.
        let weights = [Double](repeating: 60, count: 1_000) + [Double](repeating: -40, count: 100_000)
        for start in [10.0, 1_000.0, 200_000.0] {
            let prior = FuzzyDeduplicator.selfConsistentPrior(start: start, allPairs: 1e8, weights: weights)
            let pairs = 1e8 * exp2(prior) / (1 + exp2(prior))
            #expect(abs(pairs - 1_000) < 1, "from \(start): \(pairs)")
        }
    }

    /// A list where EM learns from 100 people and their duplicates, then the given rows, then 300 strangers.
    func run(
        _ extra: [DedupeRow], explain: [(Int, Int)], households: DedupeSettings.Households = .auto
    ) -> DedupeResult {
        func row(_ f: String, _ l: String, _ st: String, _ pc: String, _ c: String) -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.street, r.postcode, r.city) = (f, l, st, pc, c)
            return r
        }
        var s = DedupeSettings()
        s.households = households
        s.explain = explain.map { ($0.0 + 200, $0.1 + 200) }
        let d = FuzzyDeduplicator(settings: s)
        let firsts = ["Anna", "Ben", "Carl", "Dina", "Erik", "Fay", "Gus", "Hana", "Ivan", "Jade"]
        for i in 0..<100 {
            let f = firsts[i % 10] + "\(i)"
            d.add(row(f, "Family\(i)", "\(i + 1) Unique\(i) Road", "\(3000 + i)", "Town\(i)"))
            d.add(
                row(
                    i % 3 == 0 ? f + "x" : f, i % 4 == 0 ? "Famly\(i)" : "Family\(i)", "\(i + 1) Unique\(i) Road",
                    "\(3000 + i)", i % 5 == 0 ? "Twn\(i)" : "Town\(i)"))
        }
        for r in extra { d.add(r) }
        for i in 0..<300 { d.add(row("Z\(i)q", "Y\(i)w", "\(i) X\(i) St", "\(5000 + i)", "V\(i)")) }
        return d.run()
    }

    /// The total weight an explanation gives its pair.
    static func total(_ why: String) -> Double? {
        why.range(of: "total ").flatMap { Double(why[$0.upperBound...].prefix { $0 != " " }) }
    }

    func person(_ f: String, _ l: String, _ street: String, _ postcode: String) -> DedupeRow {
        var r = DedupeRow()
        (r.firstName, r.lastName, r.street, r.postcode, r.city) = (f, l, street, postcode, "Sydney")
        return r
    }

    @Test(
        "a pair between the sole-match and the match weight merges when it stands alone; with a likelier partner it goes to review"
    )
    func endToEnd() throws {
        // The last name replaced, a typo in the street name, a postcode one digit off.
        let a = person("Maria", "Rossi", "5 Quandong Street", "2000")
        let b = person("Maria", "Bianchi", "5 Quandong Stret", "2001")
        let alone = run([a, b], explain: [(0, 1)])
        let why = try #require(alone.explanations.first)
        let total = try #require(Self.total(why))
        try #require(total >= alone.soleWeight && total < alone.matchWeight, "the pair must score in the band: \(why)")
        #expect(alone.cluster[200] == alone.cluster[201], "\(why)")
        #expect(why.contains("the only likely link of a row and a cluster"), "\(why)")
        #expect(alone.soleMatches == 1)
        // A relative at the first row's address, held back as a household's shape, is two people by the file's
        // decision: no second original, and the pair still stands alone (until 2026-12-07 it counted as one: a voter
        // file's moved voters whose spouse shared their landline were all left to review).
        let relative = person("Giulia", "Rossi", "5 Quandong Street", "2000")
        let family = run([a, b, relative], explain: [(0, 1), (0, 2)], households: .separate)
        #expect(family.cluster[200] == family.cluster[201], "\(family.explanations)")
        #expect(family.cluster[200] != family.cluster[202])
        #expect(family.review.contains { Set([$0.0, $0.1]) == Set([200, 202]) && $0.2 < family.matchWeight })
        #expect(family.soleMatches == 1)
        // A row that may be the first row's own (a suffix on one row only: a father and his son as often as one man),
        // held back for it, is still a second candidate.
        let junior = person("Maria", "Rossi Jr", "", "2000")
        let suffixed = run([a, b, junior], explain: [(0, 1), (0, 2)], households: .separate)
        #expect(suffixed.cluster[200] != suffixed.cluster[201], "\(suffixed.explanations)")
        #expect(suffixed.review.contains { Set([$0.0, $0.1]) == Set([200, 202]) }, "\(suffixed.explanations)")
        #expect(suffixed.soleMatches == 0)
        // A row that the first row matches about as likely as not, on its own, is a second candidate: one of several.
        let namesake = person("Maria", "Rossi", "71 Banksia Avenue", "2000")
        let crowded = run([a, b, namesake], explain: [(0, 1), (0, 2)], households: .separate)
        #expect(crowded.cluster[200] != crowded.cluster[201], "\(crowded.explanations)")
        #expect(crowded.review.contains { Set([$0.0, $0.1]) == Set([200, 201]) })
        #expect(crowded.soleMatches == 0)
        // The first row with an exact copy of itself is one cluster of two, and the pair still stands alone.
        let copied = run([a, b, a], explain: [])
        #expect(copied.cluster[200] == copied.cluster[201] && copied.cluster[200] == copied.cluster[202])
        #expect(copied.soleMatches == 1)
        // Both rows with copies: two clusters of two rows are left apart (two people, each with a duplicate).
        let pairs = run([a, b, a, b], explain: [])
        #expect(pairs.cluster[200] == pairs.cluster[202] && pairs.cluster[201] == pairs.cluster[203])
        #expect(pairs.cluster[200] != pairs.cluster[201])
        #expect(pairs.soleMatches == 0)
    }

    /// Pairs in the band between the sole-match and the match weight with a shape two people often have.
    static let twoPeople: [(String, DedupeRow, DedupeRow)] = {
        func person(_ f: String, _ l: String, _ street: String, _ postcode: String, email: String = "") -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.street, r.postcode, r.city, r.email) = (f, l, street, postcode, "Sydney", email)
            return r
        }
        return [
            (
                "an e-mail on both rows differs (namesakes at one company)",
                person("Maria", "Rossi", "5 Quandong Street", "2000", email: "maria.rossi@example.com"),
                person("Maria", "Bianchi", "5 Quandong Stret", "2001", email: "mb1987@example.net")
            ),
            (
                "the street line differs entirely (namesakes in one town)",
                person("Maria", "Rossi", "5 Quandong Street", "2000"),
                person("Maria", "Rossi", "88 Banksia Avenue", "2001")
            ),
        ]
    }()

    @Test(
        "a pair that stands alone is not merged below the match weight when it has a shape two people often have",
        arguments: twoPeople)
    func twoPeoplesShape(shape: String, a: DedupeRow, b: DedupeRow) throws {
        let r = run([a, b], explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        let total = try #require(Self.total(why))
        try #require(total >= r.soleWeight && total < r.matchWeight, "the pair must score in the band: \(why)")
        #expect(r.cluster[200] != r.cluster[201], "\(why)")
        #expect(r.soleMatches == 0)
    }

    @Test(
        "a household's shape (same last name, another first name) stands alone only where households are not kept apart",
        arguments: [(DedupeSettings.Households.merge, true), (.separate, false)])
    func householdShape(households: DedupeSettings.Households, merged: Bool) throws {
        let a = person("Maria", "Rossi", "5 Quandong Street", "2000")
        let b = person("Giulia", "Rossi", "5 Quandong Stret", "2001")
        let r = run([a, b], explain: [(0, 1)], households: households)
        let why = try #require(r.explanations.first)
        let total = try #require(Self.total(why))
        try #require(total >= r.soleWeight && total < r.matchWeight, "the pair must score in the band: \(why)")
        #expect((r.cluster[200] == r.cluster[201]) == merged, "\(why)")
        #expect(r.soleMatches == (merged ? 1 : 0))
    }
}
