import Foundation
import Testing

@testable import CRMDedupe

@Suite("Pairs with a household's shape: same last name and address, another first name")
struct HouseholdShapeTests {
    /// The clusters of three rows of one last name at one address, with these first names, among the rows
    /// `SolePairTests.run` adds (they are its rows 200–202), households kept apart.
    func clusters(_ firsts: [String]) -> [Int32] {
        let rows = firsts.map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        return Array(SolePairTests().run(rows, explain: [], households: .separate).cluster[200...202])
    }

    @Test(
        "two misspellings of a first name, each one edit from a third row's, join its cluster, households kept apart"
    )
    func misspellingsBridged() {
        // `klivia` and `olivya` are no closer than two relatives' names, but each is one edit from `olivia`.
        let c = clusters(["Olivia", "Klivia", "Olivya"])
        #expect(c[0] == c[1] && c[0] == c[2], "\(c)")
    }

    @Test("a pair held back for a household's shape is listed just below the match weight, with its own higher score")
    func heldBackScore() throws {
        let rows = ["Mary", "Michelle"].map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        let r = SolePairTests().run(rows, explain: [], households: .separate)
        let k = try #require(r.review.firstIndex { Set([$0.0, $0.1]) == [200, 201] }, "\(r.review)")
        #expect(r.reviewReasons[k] == .household)
        #expect(r.reviewScores.count == r.review.count)
        #expect(r.reviewScores[k] > r.review[k].2 + 1, "score \(r.reviewScores[k]), listed at \(r.review[k].2)")
    }

    @Test("an initial bridges nothing: a row `M` matching two relatives does not make them one cluster")
    func initialDoesNotBridge() {
        let c = clusters(["Mary", "M", "Michelle"])
        #expect(c[0] != c[2], "\(c)")
        // The initial did join one of them: the guard, not a missing match, kept the relatives apart.
        #expect(c[1] == c[0] || c[1] == c[2], "\(c)")
    }

    @Test("first names alike: the same first letter and Jaro-Winkler 0.8, one inside the other, an initial")
    func firstNamesAlike() {
        let pairs: [(String, String, Bool)] = [
            ("Katherine", "Kathryn", true), ("Toni", "Antonia", true), ("J", "Julie", true), ("Bec", "Rebecca", true),
            // A Soundex twin alone, and Jaro-Winkler 0.8 across another first letter, are relatives as often.
            ("Mohammed", "Mandy", false), ("Jose", "Jess", false), ("Linnea", "Sienna", false),
            ("Hao", "Sharon", false),
        ]
        let d = FuzzyDeduplicator(settings: DedupeSettings())
        for (x, y, _) in pairs {
            for f in [x, y] {
                var r = DedupeRow()
                (r.firstName, r.lastName) = (f, "Stewart")
                d.add(r)
            }
        }
        for (k, (x, y, alike)) in pairs.enumerated() {
            #expect(d.firstNamesAlike(d.first[2 * k], d.first[2 * k + 1]) == alike, "\(x) / \(y)")
        }
    }

    @Test(
        "households kept apart: relatives whose first names are alike in spelling, or one inside the other, stay apart")
    func spellingAlikeRelatives() {
        // On household-dense lists `Rosa`/`Rosemary` and `José`/`Josephine` were relatives as often as one person.
        for names in [
            ["Christopher", "Christine", "Walter"], ["Michael", "Michelle", "Walter"], ["Rosa", "Rosemary", "Walter"],
        ] {
            let c = clusters(names)
            #expect(Set(c).count == 3, "\(names): \(c)")
        }
    }

    @Test("names of three letters bridge nothing: `kim`, `tim` and `tom` are one edit apart in a row and three people")
    func shortNamesDoNotBridge() {
        let c = clusters(["Kim", "Tim", "Tom"])
        #expect(c[0] != c[2], "\(c)")
    }

    @Test("the households bound: pairs with one side duplicated as often as a replaced name's person has more rows")
    func boundFromOneSide() {
        // 27 pairs, 19 with one side duplicated, where 11.8% of people have duplicates and 72.7% of duplicates have
        // a sibling: replaced first names, not households (these would show one side duplicated 21% of the time).
        let b = FuzzyDeduplicator.householdShareBound(neither: 8, one: 19, both: 0, duplicated: 0.118, siblings: 0.727)
        #expect(b * 27 < 16, "\(b)")
        // Where a replaced name's other side is duplicated as often as a household's, the counts tell nothing.
        let blind = FuzzyDeduplicator.householdShareBound(neither: 8, one: 19, both: 0, duplicated: 0.3, siblings: 0.42)
        #expect(blind > 0.9, "\(blind)")
        // Counts as households make them (d = 0.3: 49%, 42%, 9%) bound the share near all.
        let homes = FuzzyDeduplicator.householdShareBound(neither: 49, one: 42, both: 9, duplicated: 0.3, siblings: 0.6)
        #expect(homes > 0.9, "\(homes)")
        #expect(FuzzyDeduplicator.householdShareBound(neither: 0, one: 0, both: 0, duplicated: 0.3, siblings: 0.6) == 1)
    }

    /// 300 people of three rows (rows 3k, 3k+1, 3k+2), 700 of one row, and 30 more rows each household-shaped against
    /// a person: `duplicated` of them against a person of three rows, the others against one of a single row.
    func estimate(duplicated: Int) -> HouseholdEstimate {
        let matched = (0..<300).flatMap { (k: Int) -> [(UInt32, UInt32)] in
            [(UInt32(3 * k), UInt32(3 * k + 1)), (UInt32(3 * k), UInt32(3 * k + 2))]
        }
        let shaped = (0..<30).map { (k: Int) -> (UInt32, UInt32) in
            (k < duplicated ? UInt32(3 * k) : UInt32(900 + k), UInt32(1_600 + k))
        }
        return FuzzyDeduplicator.estimateHouseholds(
            rows: 1_630, matched: matched, shaped: shaped, matchProbability: 0.99)
    }

    @Test("households: auto merges shaped pairs whose one side is always a person with more rows (a replaced name)")
    func replacedNamesByOneSide() {
        let e = estimate(duplicated: 30)
        #expect(e.oneDuplicated == 30 && e.bothDuplicated == 0 && e.duplicatesWithSiblings == 1)
        // Both sides duplicated alone would allow 1 / 0.29² ≈ 12 households, above the 6.3 wrong merges allowed.
        #expect(!e.separate && e.expectedHouseholds < e.allowedWrongMerges, "\(e)")
    }

    @Test("households: auto keeps apart shaped pairs whose sides are duplicated as often as anyone's (households)")
    func householdsByOneSide() {
        // 9 of 30 with one side duplicated: 2 · 0.29 · 0.71 ≈ 41% would be expected of households, 100% of replaced
        // names.
        let e = estimate(duplicated: 9)
        #expect(e.oneDuplicated == 9 && e.bothDuplicated == 0)
        #expect(e.separate && e.expectedHouseholds > e.allowedWrongMerges, "\(e)")
        // At most 30 households against 600 other matching pairs: few, names alike in spelling are not held back.
        #expect(!e.dense, "\(e)")
    }
}
