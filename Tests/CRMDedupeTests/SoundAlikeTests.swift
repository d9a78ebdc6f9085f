@testable import CRMDedupe
import Foundation
import Testing

@Suite("First names that sound alike: a respelling is one name, not a relative's")
struct SoundAlikeTests {
    /// Three rows of one last name at one address among `SolePairTests.run`'s rows (its rows 200–202), households
    /// kept apart, with the explanations of `explain` (0-based among the three).
    func run(_ firsts: [String], explain: [(Int, Int)] = []) -> DedupeResult {
        let rows = firsts.map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        return SolePairTests().run(rows, explain: explain, households: .separate)
    }

    @Test("a name folds to how it sounds: ph, th, c, k, x, z, y, doubled letters and misread letters")
    func folds() {
        #expect(Normalize.soundFolded("phillip") == "filip")
        #expect(Normalize.soundFolded("fillip") == "filip")
        #expect(Normalize.soundFolded("philip") == "filip")
        #expect(Normalize.soundFolded("xiu") == Normalize.soundFolded("ksiu"))
        #expect(Normalize.soundFolded("aleks") == Normalize.soundFolded("allex"))
        #expect(Normalize.soundFolded("catherine") == "katerine")
        #expect(Normalize.soundFolded("cecilia") == "sesilia")
        #expect(Normalize.soundFolded("jackson") == "jakson")
        #expect(Normalize.soundFolded("phy1") == Normalize.soundFolded("phil"), "a misread 1 is an l")
        #expect(Normalize.soundFolded("pher gus") == Normalize.soundFolded("fergus"), "a split name is one")
        #expect(Normalize.soundFolded("2347").isEmpty, "no letters")
        // Names that sound different stay apart.
        #expect(Normalize.soundFolded("john") != Normalize.soundFolded("jon"))
        #expect(Normalize.soundFolded("maria") != Normalize.soundFolded("mario"))
    }

    @Test("a respelled nickname stands for what the nickname does")
    func respelledNickname() {
        #expect(Normalize.firstNameCanon("bety").contains("elizabeth"))
        #expect(Normalize.firstNameCanon("trizh").contains("patricia"))
        #expect(Normalize.firstNameCanon("bety").contains("bety"))
        #expect(Normalize.firstNameCanon("xavier") == ["xavier"])
        #expect(Normalize.firstNameCanon("tony") == Normalize.nicknames["tony"])
    }

    @Test(
        "a respelling of a first name joins its cluster, households kept apart",
        arguments: [["Phillip", "Fillip"], ["Xiu", "Ksiu"], ["Aleks", "Allex"], ["Fang", "Phang"]])
    func respellingJoins(names: [String]) throws {
        // Before, `Fillip` / `Phillip` read as two relatives' names and the pair waited in review.
        let r = run(names, explain: [(0, 1)])
        #expect(r.cluster[200] == r.cluster[201], "\(names)")
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("sound alike") == true, "\(why)")
    }

    @Test("a respelled nickname joins the formal name's cluster")
    func respelledNicknameJoins() throws {
        let r = run(["Elizabeth", "Bety"], explain: [(0, 1)])
        #expect(r.cluster[200] == r.cluster[201])
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
    }

    @Test("two relatives' names that sound alike only after a letter changes stay apart")
    func relativesStayApart() {
        let r = run(["Katerina", "Katherine", "Mark"])
        #expect(Set(r.cluster[200...202]).count == 3, "\(Array(r.cluster[200...202]))")
    }

    @Test("a nickname keeps its formal names when a respelling of it was read first")
    func nicknameAfterRespelling() throws {
        // `Bety` sounds like `Betty`: reading it interned `betty` on the way. `Betty` read after must still be a
        // nickname of `Elizabeth` (it read as a different name, and the pair went to review).
        var rows = [SolePairTests().person("Bety", "Ruiz", "9 Bay Road", "2041")]
        rows += ["Betty", "Elizabeth"].map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        let r = SolePairTests().run(rows, explain: [(1, 2)], households: .separate)
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
        #expect(r.cluster[201] == r.cluster[202])
    }
}
