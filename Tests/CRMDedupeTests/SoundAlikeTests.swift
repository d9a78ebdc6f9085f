import Foundation
import Testing

@testable import CRMDedupe

@Suite("First names that sound alike: a respelling is one name, not a relative's")
struct SoundAlikeTests {
    /// One row per first name, of one last name at one address, among `SolePairTests.run`'s rows (its rows 200 on),
    /// households kept apart, with the explanations of `explain` (0-based among them).
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

    @Test("a doubled n is an n, not the m text recognition may have made of it")
    func doubledN() {
        #expect(Normalize.soundFolded("tonny") == Normalize.soundFolded("toni"))
        #expect(Normalize.soundFolded("anna") == "ana")
        #expect(Normalize.soundFolded("denny") != Normalize.soundFolded("demi"))
        #expect(Normalize.soundFolded("ronny") != Normalize.soundFolded("romy"))
    }

    @Test("a respelled nickname of five letters or more stands for what the nickname does")
    func respelledNickname() throws {
        #expect(Normalize.firstNameCanon("trizh").contains("patricia"))
        #expect(Normalize.firstNameCanon("tonni").contains("anthony"))
        #expect(Normalize.firstNameCanon("trizh").contains("trizh"))
        #expect(Normalize.firstNameCanon("xavier") == ["xavier"])
        #expect(Normalize.firstNameCanon("tony") == Normalize.nicknames["tony"])
        let r = run(["Patricia", "Trizh"], explain: [(0, 1)])
        #expect(r.cluster[200] == r.cluster[201])
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
    }

    @Test("a shorter name sounding like a nickname of the table is no nickname: names of their own stay apart")
    func noNicknameBySound() {
        #expect(Normalize.firstNameCanon("lisa") == ["lisa"])
        #expect(Normalize.firstNameCanon("kai") == ["kai"])
        #expect(Normalize.firstNameCanon("toni") == ["toni"])
        let r = run(["Melissa", "Lisa", "Katherine", "Kai"])
        #expect(Set(r.cluster[200...203]).count == 4, "\(Array(r.cluster[200...203]))")
    }

    @Test("two nicknames of one name that sound alike stay at the nickname level")
    func nicknameBeforeSound() throws {
        let r = run(["Greg", "Gregg"], explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
    }

    @Test(
        "a respelling of a first name joins its cluster, households kept apart",
        arguments: [["Phillip", "Fillip"], ["Xiu", "Ksiu"], ["Stephen", "Stefen"], ["Fang", "Phang"]])
    func respellingJoins(names: [String]) throws {
        // Before, `Fillip` / `Phillip` read as two relatives' names and the pair waited in review.
        let r = run(names, explain: [(0, 1)])
        #expect(r.cluster[200] == r.cluster[201], "\(names)")
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("sound alike") == true, "\(why)")
    }

    @Test("two relatives' names that sound alike only after a letter changes stay apart")
    func relativesStayApart() {
        let r = run(["Katerina", "Katherine", "Mark"])
        #expect(Set(r.cluster[200...202]).count == 3, "\(Array(r.cluster[200...202]))")
    }

    @Test("a name first read as another's formal name keeps its own formal names")
    func formalNameReadFirst() throws {
        // `Frankie` stands for `Frank`, `Frances` and `Francesca`: reading it interned `frank` on the way. `Frank`
        // read after must still stand for `Francis` (it stood for itself alone, and `Frank` / `Francis` read as
        // two people).
        var rows = [SolePairTests().person("Frankie", "Ruiz", "9 Bay Road", "2041")]
        rows += ["Frank", "Francis"].map { SolePairTests().person($0, "Stewart", "5 King Drive", "6725") }
        let r = SolePairTests().run(rows, explain: [(1, 2)], households: .separate)
        let why = try #require(r.explanations.first)
        #expect(FuzzyDedupeTests().line(why, "first")?.contains("nickname") == true, "\(why)")
        #expect(r.cluster[201] == r.cluster[202])
    }
}
