import Foundation
import Testing

@testable import CRMDedupe

/// A fourth person generator without households: `Francis`/`Frank` at number 61 and `Amanda`/`Amandaa` at 63 on one
/// street were one cluster, joined by one pair that a first name replaced on one row would explain. Two duplicates of
/// one person rarely carry the same wrong value: where each cluster agrees within on a name or a street and the two
/// differ, they are two people.
@Suite("The cluster guard: two clusters that each corroborate their own name or street stay apart")
struct CorroboratedTests {
    func row(
        _ first: String, _ last: String, _ street: String, id: String = "", email: String = "", phone: String = ""
    ) -> DedupeRow {
        var r = FuzzyDedupeTests().row(
            first, last, email: email, phone: phone, street: street, postcode: "2170", city: "Liverpool")
        r.identifier = id
        return r
    }

    /// A cluster builder over `rows` whose every pair scores far above the match weight: only the guard's rules
    /// can keep clusters apart.
    func builder(_ rows: [DedupeRow]) -> ClusterBuilder {
        let d = FuzzyDeduplicator()
        for r in rows { d.add(r) }
        _ = d.run()
        let strong = FuzzyDeduplicator.levels.map { n in [0.0] + [Double](repeating: 20, count: n - 1) }
        let scorer = PairScorer(
            model: PairWeights(
                rows: d, weights: strong, codes: [Int](),
                u: FuzzyDeduplicator.levels.map { [Double](repeating: 0.5, count: $0) }),
            settings: DedupeSettings(), matchWeight: 10, reviewWeight: 5, soleWeight: 8)
        return ClusterBuilder(scorer: scorer, keepRefusals: false)
    }

    @Test("first names corroborated on each side keep two clusters apart; one row with another name does not")
    func firstNames() {
        let b = builder([
            row("Francis", "Schmidt", "61 High Boulevard"), row("Frank", "Schmidt", "6l High Boulevard"),
            row("Amanda", "Schmidt", "63 High Boulevard"), row("Amandaa", "Schmidt", "63 High Boulevard"),
        ])
        #expect(b.mayJoin([0, 1], [2, 3]) == .corroborated(2))
        // One row with another first name is a name replaced on one copy as often as another person.
        #expect(b.mayJoin([0, 1], [2]) == .join)
        #expect(b.mayJoin([0], [2, 3]) == .join)
    }

    @Test("streets corroborated on each side keep two clusters apart")
    func streets() {
        let b = builder([
            row("Stephanie", "Cox", "217 Magpie Road"), row("Stephanie", "Cox", "127 Magpie Road"),
            row("Stephanie", "Cox", "21 Orchid Road"), row("Stephanie", "Cox", "21 Orchid Rd"),
        ])
        #expect(b.mayJoin([0, 1], [2, 3]) == .corroborated(5))
    }

    @Test("the refusal is explained within 80 columns, naming the field")
    func explained() {
        for (field, name) in [(2, "first name"), (3, "last name"), (5, "street")] {
            let lines = GuardVerdict.corroborated(field).explanation(maxCluster: 50)
            #expect(lines.joined().contains("agrees within on one \(name)"), "\(lines)")
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines)")
        }
    }

    @Test("last names corroborated on each side keep two clusters apart; a phone that agrees across lifts it")
    func lastNames() {
        let b = builder([
            row("Melissa", "Bell", "61 Ocean Avenue"), row("Melissa", "Bel", "61 Ocean Avenue"),
            row("Melissa", "Cooper", "61 Ocean Avenue"), row("Melissa", "Coopr", "61 Ocean Avenue"),
            row("Joan", "Walsh", "7 Kent Road", phone: "0398765432"), row("Joan", "Walsh", "7 Kent Road"),
            row("Joan", "Dubois", "7 Kent Road", phone: "0398765432"), row("Joan", "Duboiss", "7 Kent Road"),
        ])
        #expect(b.mayJoin([0, 1], [2, 3]) == .corroborated(3))
        // One woman's maiden and married names: her number stays.
        #expect(b.mayJoin([4, 5], [6, 7]) == .join)
    }

    @Test("a street line of a house number alone names no street; an e-mail address that agrees lifts the rule")
    func streetNumberAlone() {
        let b = builder([
            row("Stephanie", "Cox", "217 Magpie Road"), row("Stephanie", "Cox", "217"),
            row("Stephanie", "Cox", "21 Orchid Road"), row("Stephanie", "Cox", "21 Orchid Rd"),
            row("Amanda", "Lee", "5 Acacia Way", email: "alee@example.com"), row("Amanda", "Lee", "5 Acacia Way"),
            row("Rosa", "Lee", "5 Acacia Way", email: "alee@example.com"), row("Rosa", "Lee", "5 Acacia Way"),
        ])
        #expect(b.mayJoin([0, 1], [2, 3]) == .join)
        #expect(b.mayJoin([4, 5], [6, 7]) == .join)
    }

    @Test("an identifier that agrees across, or a row without the name, lifts the rule")
    func lifted() {
        let b = builder([
            row("Francis", "Keller", "61 High Boulevard", id: "A-1"), row("Frank", "Keller", "61 High Boulevard"),
            row("Amanda", "Keller", "61 High Boulevard", id: "A-1"), row("Amanda", "Keller", "61 High Boulevard"),
            row("Francis", "Brandt", "9 Ocean Parade"), row("Frank", "Brandt", "9 Ocean Parade"),
            row("Amanda", "Brandt", "9 Ocean Parade"), row("", "Brandt", "9 Ocean Parade"),
        ])
        #expect(b.mayJoin([0, 1], [2, 3]) == .join)
        #expect(b.mayJoin([4, 5], [6, 7]) == .join)
    }
}
