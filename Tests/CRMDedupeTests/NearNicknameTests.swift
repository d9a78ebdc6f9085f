import Foundation
import Testing

@testable import CRMDedupe

@Suite("A nickname of a misspelled name, and the cluster guard's refusals in review")
struct NearNicknameTests {
    /// Three rows of one last name at one address among `SolePairTests.run`'s rows (its rows 200–202), households
    /// kept apart, with the explanations of `explain` (0-based among the three).
    func run(_ firsts: [String], explain: [(Int, Int)] = []) -> DedupeResult {
        let rows = firsts.map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        return SolePairTests().run(rows, explain: explain, households: .separate)
    }

    @Test("the formal names one edit from a rare spelling: none for a known name, a nickname or a short name")
    func nearFormalNames() {
        #expect(Normalize.nearFormalNames("rbert") == ["robert"])
        #expect(Normalize.nearFormalNames("jvdith") == ["judith"])
        #expect(Normalize.nearFormalNames("margarret") == ["margaret"])
        #expect(Normalize.nearFormalNames("robert").isEmpty)
        #expect(Normalize.nearFormalNames("robbie").isEmpty)
        #expect(Normalize.nearFormalNames("jon").isEmpty)
        #expect(Normalize.nearFormalNames("xavier").isEmpty)
    }

    @Test(
        "a nickname of a misspelled name joins its cluster, households kept apart",
        arguments: [["Robert", "Rbert", "Rob"], ["Judith", "Jvdith", "Judy"], ["Margaret", "Margarret", "Meg"]])
    func nicknameOfMisspelling(names: [String]) throws {
        // Before, `Rob` / `Rbert` read as two relatives' names and the guard kept `Rob` out of the cluster.
        let r = run(names, explain: [(1, 2)])
        let c = Array(r.cluster[200...202])
        #expect(Set(c).count == 1, "\(names): \(c)")
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
    }

    @Test("a name of its own, on many rows, is not read as the misspelling of a formal name one edit away")
    func commonNameIsNoMisspelling() throws {
        func pair(_ others: Int) throws -> String {
            var rows = [
                SolePairTests().person("Jo", "Stewart", "5 King Drive", "6725"),
                SolePairTests().person("Joanna", "Stewart", "5 King Drive", "6725"),
            ]
            for i in 0..<others { rows.append(SolePairTests().person("Joanna", "Lee\(i)", "\(i) Elm Road", "41\(i)")) }
            return try #require(SolePairTests().run(rows, explain: [(0, 1)], households: .separate).explanations.first)
        }
        // `joanna` is one edit from `joanne`, whose nickname `jo` is: once in the file it reads as that typo.
        #expect(FuzzyDedupeTests().line(try pair(0), "first")?.contains("nickname") == true)
        // On four rows and no `joanne`, it is a name of its own.
        let four = try pair(3)
        #expect(FuzzyDedupeTests().line(four, "first")?.contains("nickname") == false, "\(four)")
    }

    @Test("a matching pair the cluster guard refuses goes to review with its reason, and the explanation says why")
    func guardRefusalInReview() throws {
        // `Jo` is a nickname of `Joanne` and of `Josephine`, two sisters: it joins one, the guard keeps the other out.
        let r = run(["Jo", "Joanne", "Josephine"], explain: [(0, 1), (0, 2)])
        let c = Array(r.cluster[200...202])
        #expect(c[1] != c[2], "\(c)")
        #expect(c[0] == c[1] || c[0] == c[2], "\(c)")
        let refused = (c[0] == c[1] ? 202 : 201) as Int32
        let k = try #require(r.review.firstIndex { Set([$0.0, $0.1]) == [200, refused] }, "\(r.review)")
        #expect(r.reviewReasons.count == r.review.count)
        #expect(r.reviewReasons[k] == .clusterGuard)
        #expect(r.review[k].2 >= r.matchWeight, "it scores a match")
        let why = r.explanations[refused == 201 ? 0 : 1]
        #expect(why.contains("refused by the cluster guard: rows"), "\(why)")
        #expect(why.contains("look like two members of one household"), "\(why)")
        #expect(why.contains("outcome: proposed for review"), "\(why)")
        #expect(why.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(why)")
    }

    @Test("of the pairs the guard refuses between two clusters, one goes to review")
    func oneGuardPairPerClusters() throws {
        // `Jo` joins `Joanne`; `Josephine` and `Josephin` (her name misspelled) are a cluster the guard keeps apart
        // from them, refusing `Jo`'s pair with each.
        let r = run(["Jo", "Joanne", "Josephine", "Josephin"])
        let c = Array(r.cluster[200...203])
        #expect(c[0] == c[1] && c[2] == c[3] && c[0] != c[2], "\(c)")
        let guarded = r.review.indices.filter { r.reviewReasons[$0] == .clusterGuard }
        #expect(guarded.count == 1, "\(guarded.map { r.review[$0] })")
        let k = try #require(guarded.first)
        #expect(Set([r.cluster[Int(r.review[k].0)], r.cluster[Int(r.review[k].1)]]) == Set([c[0], c[2]]))
    }

    @Test("the review reasons: unsure below the match weight, household for a household's shape")
    func reviewReasons() {
        // `Walter` and `Christine` are two relatives: held back for the household's shape.
        let r = run(["Christine", "Walter", "Xavier"])
        #expect(r.reviewReasons.count == r.review.count)
        let household = r.review.indices.filter {
            Set([r.review[$0].0, r.review[$0].1]).isSubset(of: [200, 201, 202])
        }
        #expect(!household.isEmpty)
        #expect(household.allSatisfy { r.reviewReasons[$0] == .household }, "\(household.map { r.reviewReasons[$0] })")
        #expect(r.householdReview == r.reviewReasons.filter { $0 == .household }.count)
    }
}
