import Foundation
import Testing

@testable import CRMDedupe

@Suite("Neighbours' house numbers weigh, where two rows share a place, what they add to the place")
struct NeighbourTests {
    static func row(_ f: String, _ l: String, _ st: String, _ pc: String, _ c: String) -> DedupeRow {
        var r = DedupeRow()
        (r.firstName, r.lastName, r.street, r.postcode, r.city) = (f, l, st, pc, c)
        return r
    }

    /// A list whose duplicates sometimes carry another last name (a married name, or a replaced one) or a house
    /// number a digit off, so that EM lets neither rule a pair out: 80 people with a duplicate of another last name,
    /// 100 with a house number a digit off, 150 with an exact duplicate and 1,500 without one, each in a town of
    /// their own. Then 150 more people in one postcode: with `.neighbours`, on five streets with house numbers 1 to 30
    /// and first names from a list of twelve; with `.streetsOfTheirOwn`, each on a street of their own. Then `extra`
    /// (its rows from `start`).
    enum Suburb { case neighbours, streetsOfTheirOwn }

    /// Two neighbours of one first name and other last names, house numbers a digit apart, in the suburb's postcode.
    static let neighbours = [
        row("Christine", "Randall", "42 Collins Circuit", "2480", "Lismore"),
        row("Christine", "Horton", "32 Collins Circuit", "2480", "Lismore"),
    ]

    /// The weight an explanation's line `label` (what the place takes off) shows, required to be there.
    static func placeAdjustment(_ why: String, _ label: String) throws -> Double {
        let line = try #require(why.split(separator: "\n").first { $0.contains(label) }, "\(why)")
        return try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
    }

    /// With `farNumbers`, 60 more people whose duplicate has another house number on the same street, not a digit
    /// off (`12 X Road` / `49 X Road`), so that EM weighs "same street, other or no number" as a match's.
    /// With `sharedLastNames`, the suburb's people share ten last names (`Family0x` … `Family9x`).
    func run(
        _ suburb: Suburb, _ extra: [DedupeRow], explain: [(Int, Int)], farNumbers: Bool = false,
        sharedLastNames: Bool = false
    ) -> (DedupeResult, start: Int) {
        // Names, streets and towns of random letters: `Key1 Lane` and `Key2 Lane` would be one street mistyped.
        var seed: UInt64 = 7
        func word() -> String {
            var w = ""
            for k in 0..<8 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let letter = Character(UnicodeScalar(UInt8(97 + (seed >> 33) % 26)))
                w.append(k == 0 ? Character(letter.uppercased()) : letter)
            }
            return w
        }
        func person(_ n: Int) -> (first: String, last: String, street: String, postcode: String, town: String) {
            (word(), word(), "\(n % 90 + 10) \(word()) Road", "\(3000 + n)", word())
        }
        var rows: [DedupeRow] = []
        for i in 0..<80 {
            let p = person(i)
            rows.append(Self.row(p.first, p.last, p.street, p.postcode, p.town))
            rows.append(Self.row(p.first, word(), p.street, p.postcode, p.town))
        }
        for i in 80..<180 {
            let p = person(i)
            let name = word()
            rows.append(Self.row(p.first, p.last, "\(i) \(name) Lane", p.postcode, p.town))
            rows.append(Self.row(p.first, p.last, "\(i + 1) \(name) Lane", p.postcode, p.town))
        }
        for i in 180..<330 {
            let p = person(i)
            rows.append(Self.row(p.first, p.last, p.street, p.postcode, p.town))
            rows.append(Self.row(p.first, p.last, p.street, p.postcode, p.town))
        }
        for i in 330..<1_830 {
            let p = person(i)
            rows.append(Self.row(p.first, p.last, p.street, p.postcode, p.town))
        }
        if farNumbers {
            for i in 1_830..<1_890 {
                let p = person(i)
                let name = word()
                rows.append(Self.row(p.first, p.last, "\(i % 50 + 10) \(name) Road", p.postcode, p.town))
                rows.append(Self.row(p.first, p.last, "\(i % 50 + 47) \(name) Road", p.postcode, p.town))
            }
        }
        switch suburb {
        case .streetsOfTheirOwn:
            for i in 0..<150 {
                rows.append(Self.row(word(), "Family\(i)x", "\(i % 30 + 1) \(word()) Street", "2480", "Lismore"))
            }
        case .neighbours:
            let firsts = ["Anna", "Ben", "Carla", "Dev", "Emma", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kira", "Liam"]
            let streets = ["Acacia Way", "Banksia Road", "Cedar Lane", "Dune Parade", "Elm Close"]
            var state: UInt64 = 42
            func next(_ n: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(n))
            }
            for i in 0..<150 {
                let street = "\(1 + next(30)) \(streets[next(streets.count)])"
                let last = "Family\(sharedLastNames ? i % 10 : i)x"
                rows.append(Self.row(firsts[next(firsts.count)], last, street, "2480", "Lismore"))
            }
        }
        var s = DedupeSettings()
        s.explain = explain.map { ($0.0 + rows.count, $0.1 + rows.count) }
        let d = FuzzyDeduplicator(settings: s)
        for r in rows + extra { d.add(r) }
        return (d.run(), rows.count)
    }

    @Test("neighbours of one first name, other last names, house numbers a digit apart: apart among neighbours")
    func neighboursApart() throws {
        let (r, start) = run(.neighbours, Self.neighbours, explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        let total = try #require(SolePairTests.total(why))
        let adjustment = try Self.placeAdjustment(why, "neighbours' house numbers in one place")
        #expect(adjustment < 0, "\(why)")
        // Without the adjustment the pair would merge: what the test guards.
        try #require(total - adjustment >= r.matchWeight, "the pair must score a match without it: \(why)")
        #expect(total < r.matchWeight, "\(why)")
        #expect(r.cluster[start] != r.cluster[start + 1], "\(why)")
        #expect(r.model.contains { $0.level == "neighbours' numbers, one postcode" }, "--show-model shows it")
    }

    @Test(
        "namesakes on one street, house numbers far apart (not a digit off, not swapped): another address, weighed against the pair"
    )
    func namesakesOnOneStreet() throws {
        let pair = [
            Self.row("Anna", "Family7x", "2 Oakwood Lane", "2480", "Lismore"),
            Self.row("Anna", "Family7x", "58 Oakwood Lane", "2480", "Lismore"),
        ]
        // Even on a list where 60 people's duplicates carry such another number (`farNumbers`): copies of one person
        // compare so in 0.2-0.4% of their pairs on the third and fourth generators, namesakes far more often.
        for suburb in [Suburb.neighbours, .streetsOfTheirOwn] {
            let (r, start) = run(suburb, pair, explain: [(0, 1)], farNumbers: true)
            let why = try #require(r.explanations.first)
            let street = try Self.placeAdjustment(why, "street     different")
            #expect(street < 0, "\(why)")
            #expect(!why.contains("in one place"), "no neighbours' adjustment on top: \(why)")
            #expect(r.cluster[start] != r.cluster[start + 1], "\(why)")
        }
    }

    @Test("two common names on one street with house numbers far apart, among neighbours: apart, not merged")
    func namesakesApart() throws {
        // First names of the suburb's list and one last name the suburb shares: names that say little, as in a town
        // where namesakes are common.
        let pair = [
            Self.row("Emma", "Family3x", "3 Elm Close", "2480", "Lismore"),
            Self.row("Emma", "Family3x", "29 Elm Close", "2480", "Lismore"),
        ]
        let (r, start) = run(.neighbours, pair, explain: [(0, 1)], farNumbers: true, sharedLastNames: true)
        let why = try #require(r.explanations.first)
        try #require(why.contains("street     different"), "\(why)")
        let total = try #require(SolePairTests.total(why))
        #expect(total < r.matchWeight, "\(why)")
        #expect(r.cluster[start] != r.cluster[start + 1], "\(why)")
    }

    @Test("a line of a house number alone against a street line: nothing taken off for the place")
    func numberAloneKeepsItsWeight() throws {
        let pair = [
            Self.row("Bianca", "Lynch", "14", "2480", "Lismore"),
            Self.row("Bianca", "Lynch", "149 Whitegum Circuit", "2480", "Lismore"),
        ]
        let (r, _) = run(.neighbours, pair, explain: [(0, 1)], farNumbers: true)
        let why = try #require(r.explanations.first)
        try #require(why.contains("same street, other or no number"), "\(why)")
        #expect(!why.contains("in one place"), "\(why)")
    }

    @Test("where the people of a postcode live on streets of their own, nothing is taken off: the list decides")
    func noSuburbNoAdjustment() throws {
        let (r, _) = run(.streetsOfTheirOwn, Self.neighbours, explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        #expect(!why.contains("neighbours' house numbers"), "\(why)")
        #expect(!r.model.contains { $0.level.contains("numbers, one") })
    }

    @Test("one person with two digits of the house number swapped keeps the street's whole weight among neighbours")
    func swappedDigitsKeepTheirWeight() throws {
        let pair = [
            Self.row("Bianca", "Lynch", "13 Whitegum Circuit", "2480", "Lismore"),
            Self.row("Bianca", "Lynch", "31 Whitegum Circuit", "2480", "Lismore"),
        ]
        let (r, start) = run(.neighbours, pair, explain: [(0, 1)])
        let why = try #require(r.explanations.first)
        try #require(r.model.contains { $0.level == "neighbours' numbers, one postcode" }, "the list needs neighbours")
        #expect(!why.contains("neighbours' house numbers"), "\(why)")
        #expect(r.cluster[start] == r.cluster[start + 1], "\(why)")
    }

    @Test(
        "neighbours' numbers: a digit replaced, added or dropped; not two digits swapped, a number missing or misread",
        arguments: [
            ("32", "42", true), ("4", "44", true), ("41", "46", true), ("123", "321", true),
            ("45", "54", false), ("123", "132", false), ("12", "12", false), ("12", "", false), ("15", "l5", false),
            ("10", "1o", false), ("12a", "13", false),
        ])
    func neighbourNumbers(_ x: String, _ y: String, _ neighbours: Bool) {
        let d = FuzzyDeduplicator(settings: DedupeSettings())
        d.add(Self.row("A", "B", x.isEmpty ? "Collins Circuit" : "\(x) Collins Circuit", "2480", "Lismore"))
        d.add(Self.row("A", "B", y.isEmpty ? "Collins Circuit" : "\(y) Collins Circuit", "2480", "Lismore"))
        #expect(d.neighbourNumbers(0, 1) == neighbours)
        #expect(d.neighbourNumbers(1, 0) == neighbours)
    }
}
