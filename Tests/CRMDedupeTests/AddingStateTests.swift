import Foundation
import Testing

@testable import CRMDedupe

@Suite("What adding rows keeps, and what matching lets go of")
struct AddingStateTests {
    @Test(
        "rows added after a run are matched against the earlier ones (the text-to-id tables let go are rebuilt)"
    )
    func addAfterRun() {
        let spec = FuzzyDedupeTests()
        func margaret() -> DedupeRow {
            spec.row(
                "Margaret", "Okafor", email: "m.okafor@example.com", street: "19 Lilly Pilly Court", postcode: "2250",
                city: "Gosford")
        }
        let d = FuzzyDeduplicator()
        d.add(margaret())
        spec.filler(d)
        #expect(d.run().cluster.count == 301)
        d.add(margaret())
        let second = d.run()
        #expect(second.cluster[301] == second.cluster[0], "the same e-mail, name and address as row 1")
        #expect(second.cluster[1] != second.cluster[0])
        // Equal values are one id again (matching compares ids for equality).
        #expect(d.email[301] == d.email[0] && d.first[301] == d.first[0] && d.street[301] == d.street[0])
    }
}
