import Testing

@testable import CRMDedupe

/// A list where many people live with a relative: the relatives' pairs (one last name and street, other first names,
/// other phones) outnumber the duplicates, and must not become what EM learns a match looks like.
@Suite("The model on a list full of households")
struct HouseholdModelTests {
    /// `dups` people with two rows each (the same phone), `homes` households of two people (one row each, own mobiles),
    /// 200 people alone, `near` more households (from row 2 · dups + 2 · homes + 200) and then `loose` households on
    /// one landline whose last names agree only loosely; `households` as `--households` sets it.
    func result(
        near: Int = 0, homes: Int = 400, dups: Int = 60, loose: Int = 0,
        households: DedupeSettings.Households = .auto
    ) -> DedupeResult {
        func row(_ f: String, _ l: String, _ street: String, _ pc: String, _ phone: String) -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.street, r.postcode, r.city, r.phone) = (f, l, street, pc, "Town\(pc)", phone)
            return r
        }
        let names = ["Amelia", "Bruno", "Chloe", "Dmitri", "Esther", "Felix", "Greta", "Hamish"]
        let others = ["Walter", "Yusuf", "Xena", "Tobias", "Ursula", "Quentin", "Rhiannon", "Saoirse"]
        var settings = DedupeSettings()
        settings.households = households
        let d = FuzzyDeduplicator(settings: settings)
        for i in 0..<dups {
            let r = row(names[i % 8], "Dup\(i)son", "\(i + 1) Dup\(i) Road", "\(2000 + i)", "0400 000 \(100 + i)")
            d.add(r)
            d.add(r)
        }
        for i in 0..<homes {
            let (last, street, pc) = ("Home\(i)field", "\(i + 1) Home\(i) Street", "\(3000 + i)")
            d.add(row(names[i % 8], last, street, pc, "0411 \(100 + i) 000"))
            d.add(row(others[i % 8], last, street, pc, "0422 \(100 + i) 000"))
        }
        for i in 0..<200 {
            d.add(row(others[i % 8], "Solo\(i)wick", "\(i + 1) Solo\(i) Lane", "\(5000 + i)", "0433 \(100 + i) 000"))
        }
        // From row 1120: `near` households whose members' first names are alike by Jaro-Winkler only.
        // Streets of names unlike one another: `Near1 Avenue` and `Near2 Avenue` would be one street named alike, and
        // the households' rows at house numbers a digit apart (`1`, `2`) one person's.
        let trees = [
            "Acacia", "Birch", "Cedar", "Dahlia", "Elm", "Fig", "Grevillea", "Hazel", "Iris", "Juniper", "Kurrajong",
            "Laurel", "Magnolia", "Nutmeg", "Olive", "Poplar", "Quince", "Rowan", "Sassafras", "Tamarind",
        ]
        for i in 0..<near {
            let (last, street, pc) = ("Near\(i)ford", "\(i + 1) \(trees[i % trees.count]) Avenue", "\(6000 + i)")
            let (a, b) = i % 2 == 0 ? ("Christopher", "Christine") : ("Michael", "Michelle")
            d.add(row(a, last, street, pc, "0455 \(100 + i) 000"))
            d.add(row(b, last, street, pc, "0466 \(100 + i) 000"))
        }
        // From row 1120 + 2 · near: `loose` households on one landline whose second member's row has its names swapped
        // (the last name in the first-name field: the two rows' last names agree only read across), or, every other
        // one, its last name mistyped twice (alike only by Jaro-Winkler).
        for i in 0..<loose {
            let (last, street, pc) = ("Loose\(i)worth", "\(i + 1) \(trees[i % trees.count]) Crescent", "\(7000 + i)")
            d.add(row(names[i % 8], last, street, pc, "02 9\(100 + i) 0000"))
            if i % 2 == 0 {
                d.add(row(last, others[i % 8], street, pc, "02 9\(100 + i) 0000"))
            } else {
                d.add(row(others[i % 8], "Looze\(i)wroth", street, pc, "02 9\(100 + i) 0000"))
            }
        }
        return d.run()
    }

    @Test("a different phone counts against a pair as it does among the duplicates, and households stay apart")
    func householdsAreNotMatches() throws {
        let r = result()
        let different = try #require(r.model.first { $0.field == "phone" && $0.level == "different" })
        // The duplicates never change their phone: m stays near its floor. Taken for matches, the 400 households
        // made it 0.79.
        #expect(different.m < 0.2, "\(different)")
        #expect(different.weight < -3, "\(different)")
        for i in 0..<60 { #expect(r.cluster[2 * i] == r.cluster[2 * i + 1], "duplicate \(i)") }
        let merged = (0..<400).filter { (i: Int) -> Bool in r.cluster[120 + 2 * i] == r.cluster[121 + 2 * i] }
        #expect(merged.isEmpty, "households merged: \(merged.prefix(10))")
    }

    @Test("once the file shows households, relatives whose names are alike by Jaro-Winkler only are held back too")
    func alikeRelatives() {
        let r = result(near: 20)
        // About 400 households against 60 other matching pairs: many.
        #expect(r.households?.separate == true && r.households?.dense == true, "\(String(describing: r.households))")
        let near = (0..<20).filter { (i: Int) -> Bool in r.cluster[1_120 + 2 * i] == r.cluster[1_121 + 2 * i] }
        #expect(near.isEmpty, "alike relatives merged: \(near)")
        // Held back for review, not merely scored below the match weight.
        let review = Set(r.review.map { (p: (Int32, Int32, Double)) -> Int64 in Int64(p.0) << 32 | Int64(p.1) })
        let held = (0..<20).filter { (i: Int) -> Bool in
            review.contains(Int64(1_120 + 2 * i) << 32 | Int64(1_121 + 2 * i))
        }
        #expect(held.count == 20, "in review: \(held)")
        // The summary counts them (and the 400 other households, which score a match too) as held back.
        #expect(
            r.householdReview >= 20 && r.householdReview <= r.review.count, "\(r.householdReview) of \(r.review.count)")
        for i in 0..<60 { #expect(r.cluster[2 * i] == r.cluster[2 * i + 1], "duplicate \(i)") }
    }

    @Test(
        "where the file keeps households apart, relatives whose last names agree only loosely are held back too",
        arguments: [DedupeSettings.Households.auto, .separate])
    func looseRelatives(households: DedupeSettings.Households) {
        let r = result(loose: 20, households: households)
        let base = 1_120
        let merged = (0..<20).filter { (i: Int) -> Bool in r.cluster[base + 2 * i] == r.cluster[base + 2 * i + 1] }
        #expect(merged.isEmpty, "relatives merged: \(merged)")
        let held = (0..<20).filter { (i: Int) -> Bool in
            r.review.indices.contains { k in
                Set([Int(r.review[k].0), Int(r.review[k].1)]) == [base + 2 * i, base + 2 * i + 1]
                    && r.reviewReasons[k] == .household
            }
        }
        #expect(held.count == 20, "held back as households: \(held)")
        if households == .auto {
            // With the file's households, and counted for the `households` lines.
            #expect(r.households?.separate == true && r.households?.looseHeldBack == 20)
        }
        for i in 0..<60 { #expect(r.cluster[2 * i] == r.cluster[2 * i + 1], "duplicate \(i)") }
    }

    @Test(
        "with `--households merge` relatives whose last names agree only read across are scored as any pair (one line)")
    func looseRelativesMerged() {
        let r = result(loose: 20, households: .merge)
        let base = 1_120
        let merged = (0..<20).filter { (i: Int) -> Bool in r.cluster[base + 2 * i] == r.cluster[base + 2 * i + 1] }
        // They score a match: nothing holds them back where households merge (what the test above relies on).
        #expect(merged.count == 20, "merged: \(merged)")
    }

    @Test("the session on rows at one address is fitted again without the households it took for matches")
    func sessionRefit() throws {
        // 800 households and 520 duplicates at one address each: enough pairs for the session without the households.
        let r = result(homes: 800, dups: 520)
        let session = try #require(r.trainingSessions.first { $0.agreeOn == "street and postcode exact" })
        #expect(session.householdsLeftOut == 800 && session.fields.contains("first"), "\(session)")
        let exact = try #require(r.model.first { $0.field == "first" && $0.level == "exact" })
        let different = try #require(r.model.first { $0.field == "first" && $0.level == "different" })
        // The duplicates keep their first names: "exact" is what a match looks like, "different" weighs against.
        #expect(exact.m > 0.5 && different.weight < -3, "\(exact) \(different)")
        // With 60 duplicates too few pairs are left: the session sets nothing, the global EM's m stands.
        let few = result(homes: 600)
        let unused = try #require(few.trainingSessions.first { $0.agreeOn == "street and postcode exact" })
        #expect(unused.householdsLeftOut == 600 && unused.fields.isEmpty, "\(unused)")
        let exactFew = try #require(few.model.first { $0.field == "first" && $0.level == "exact" })
        #expect(exactFew.m > 0.5, "\(exactFew)")
    }
}
