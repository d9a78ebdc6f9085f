import Foundation
import Testing

@testable import CRMDedupe

/// A voter file's two extracts (a helper's generator, 2026-12-07): people who moved between them kept their first,
/// middle and last name and were a year or two older; a father and his son shared a name and an address 20 to 35
/// years apart. Without a middle name or an age to read, a voter who moved was two namesakes in one town.
@Suite("Middle names and ages: a voter who moved is found, a father and his son stay two people")
struct MiddleNameAgeTests {
    static let firsts = [
        "James", "Mary", "Robert", "Linda", "Michael", "Susan", "William", "Karen", "David", "Nancy", "Thomas",
        "Betty", "Charles", "Sandra", "Joseph", "Donna", "Daniel", "Carol", "Mark", "Ruth", "Kenneth", "Sharon",
        "Steven", "Michelle", "Edward", "Laura", "Brian", "Sarah", "Ronald", "Kimberly", "Anthony", "Deborah", "Kevin",
        "Jessica", "Jason", "Shirley", "Jeffrey", "Cynthia", "Gary", "Angela",
    ]
    static let middles = [
        "Lee", "Ann", "Wayne", "Marie", "Allen", "Lynn", "Ray", "Jean", "Dale", "Louise", "Eugene", "Rose", "Carl",
        "Grace", "Dean", "Faye",
    ]
    static let lasts = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Davis", "Miller", "Wilson", "Moore", "Taylor", "Anderson",
        "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Garcia", "Clark", "Lewis", "Walker", "Hall",
        "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
        "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards",
        "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell",
        "Gomez", "Kelly", "Howard", "Ward", "Cox", "Diaz",
    ]
    static let streets = [
        "Oak", "Pine", "Maple", "Cedar", "Elm", "Willow", "Birch", "Hickory", "Poplar", "Walnut", "Dogwood", "Laurel",
    ]
    static let cities = [("Raleigh", "27601"), ("Durham", "27701"), ("Cary", "27511"), ("Apex", "27502")]

    func person(_ k: Int, _ random: inout SeededRandom) -> DedupeRow {
        var r = DedupeRow()
        r.firstName = Self.firsts[random.next(below: Self.firsts.count)]
        r.middleName = Self.middles[random.next(below: Self.middles.count)]
        r.lastName = Self.lasts[random.next(below: Self.lasts.count)]
        r.age = String(20 + random.next(below: 60))
        r.street = "\(10 + k) \(Self.streets[random.next(below: Self.streets.count)]) Street"
        let (city, zip) = Self.cities[random.next(below: Self.cities.count)]
        (r.city, r.postcode) = (city, zip)
        return r
    }

    /// 600 people (rows 0-599); their 200 moves two years on (rows 600-799: another street in the same town, two
    /// years older, the first 100 with the middle name written as its initial); 40 fathers' sons at their fathers'
    /// addresses (rows 800-839: the father's first and last name, another middle name, 25 years younger).
    func voters() -> [DedupeRow] {
        var random = SeededRandom(seed: 42)
        var people = (0..<600).map { person($0, &random) }
        var moves: [DedupeRow] = []
        for k in 0..<200 {
            var r = people[k]
            r.street = "\(900 + k) \(Self.streets[(k + 5) % Self.streets.count]) Avenue"
            r.age = String(Int(r.age)! + 2)
            if k < 100 { r.middleName = String(r.middleName.prefix(1)) }
            moves.append(r)
        }
        var sons: [DedupeRow] = []
        for k in 0..<40 {
            var son = people[300 + k]
            people[300 + k].age = String(Int(son.age)! + 25)
            let middle = Self.middles.firstIndex(of: son.middleName)!
            son.middleName = Self.middles[(middle + 3) % Self.middles.count]
            sons.append(son)
        }
        return people + moves + sons
    }

    @Test("moves are merged; fathers and sons, and namesakes of another age or middle name, are not")
    func votersMoved() {
        let rows = voters()
        let d = FuzzyDeduplicator()
        for r in rows { d.add(r) }
        let result = d.run()
        let found = (0..<200).filter { result.cluster[600 + $0] == result.cluster[$0] }.count
        #expect(found >= 196, "\(found) of 200 moves found")
        let fathers = (0..<40).filter { result.cluster[800 + $0] == result.cluster[300 + $0] }.count
        #expect(fathers == 0, "\(fathers) of 40 fathers merged with their sons")
        // No two of the 600 people merged (each is one person; namesakes differ in street, age or middle name).
        let clusters = Set((0..<600).map { result.cluster[$0] })
        #expect(clusters.count == 600, "\(600 - clusters.count) people merged with another")
    }

    /// 600 people; 100 of them (rows 0-99) with a spouse at their address (rows 600-699: another first and middle
    /// name, the same last name and landline, two years younger); their moves three years on to another town (rows 700-799: the
    /// middle name as its initial, no phone). A moved row's link to its original is below the match weight and its original's
    /// strongest other link is the spouse, held back as a household.
    func votersWithSpouses() -> [DedupeRow] {
        var random = SeededRandom(seed: 7)
        var people = (0..<600).map { person($0, &random) }
        for k in 0..<100 { people[k].phone = "+1919555\(String(format: "%04d", k))" }
        var spouses: [DedupeRow] = []
        var moves: [DedupeRow] = []
        for k in 0..<100 {
            var spouse = people[k]
            let first = Self.firsts.firstIndex(of: spouse.firstName)!
            spouse.firstName = Self.firsts[(first + 7) % Self.firsts.count]
            let middle = Self.middles.firstIndex(of: spouse.middleName)!
            spouse.middleName = Self.middles[(middle + 5) % Self.middles.count]
            spouse.age = String(Int(spouse.age)! - 2)
            spouses.append(spouse)
            var moved = people[k]
            moved.street = "\(900 + k) \(Self.streets[(k + 5) % Self.streets.count]) Avenue"
            let (city, zip) = Self.cities[(Self.cities.firstIndex { $0.0 == moved.city }! + 1) % Self.cities.count]
            (moved.city, moved.postcode) = (city, zip)
            moved.age = String(Int(moved.age)! + 3)
            moved.middleName = String(moved.middleName.prefix(1))
            moved.phone = ""
            moves.append(moved)
        }
        return people + spouses + moves
    }

    @Test("a spouse held back as a household is no rival to the one likely link of a moved voter to their original")
    func spousesNoRivals() {
        let d = FuzzyDeduplicator()
        for r in votersWithSpouses() { d.add(r) }
        let result = d.run()
        let found = (0..<100).filter { result.cluster[700 + $0] == result.cluster[$0] }.count
        let spouses = (0..<100).filter { result.cluster[600 + $0] == result.cluster[$0] }.count
        // A quarter of the spouses score just below the match weight on their own: those are rivals, as they should.
        #expect(found >= 70, "\(found) of 100 moves to another town found")
        #expect(spouses == 0, "\(spouses) spouses merged")
        #expect(result.soleMatches > 0)
    }

    @Test("without the middle name and the age the same moves are two namesakes in one town")
    func withoutMiddleAndAge() {
        let d = FuzzyDeduplicator()
        for var r in voters() {
            r.middleName = ""
            r.age = ""
            d.add(r)
        }
        let result = d.run()
        let found = (0..<200).filter { result.cluster[600 + $0] == result.cluster[$0] }.count
        #expect(found < 20, "\(found) of 200 moves found on names and town alone")
    }

    @Test("a list with middle names is blocked on the last name's sound, the first name's start and the middle initial")
    func middleInitialKey() {
        let d = FuzzyDeduplicator()
        func add(_ first: String, _ middle: String, _ last: String, _ city: String) {
            var r = DedupeRow()
            (r.firstName, r.middleName, r.lastName, r.city) = (first, middle, last, city)
            d.add(r)
        }
        add("Bill", "W", "Smith", "Raleigh")  // a nickname, an initial
        add("William", "Wayne", "Smyth", "Durham")  // moved, the last name misspelled
        add("William", "", "Smith", "Cary")  // no middle name: no such key
        _ = d.run()
        let kind = FuzzyDeduplicator.keyNames.firstIndex(of: "names+middle initial")!
        #expect(d.sharedKeyKinds(0, 1) & (1 << kind) != 0)
        #expect(d.sharedKeyKinds(1, 2) & (1 << kind) == 0)
    }

    @Test("levels: a middle initial agrees with the name it begins; ages count by how far apart they are")
    func levels() {
        let d = FuzzyDeduplicator()
        var pairs: [((String, String), (String, String), Int, Int)] = []
        // (middle, age) of each row; expected middle level, age level.
        pairs.append((("Wayne", "40"), ("Wayne", "40"), 1, 1))
        pairs.append((("W.", "40"), ("Wayne", "41"), 2, 2))
        pairs.append((("W", "40"), ("W", "43"), 2, 3))
        pairs.append((("Wayne", "40"), ("Wayn", "44"), 3, 4))
        pairs.append((("Chris", "1980"), ("Christopher", "1981"), 3, 2))
        pairs.append((("Wayne", "40"), ("Allen", "1980"), 4, 0))
        pairs.append((("", "forty"), ("Wayne", "40"), 0, 0))
        // Initials counted in characters: `и` is two bytes, an initial all the same.
        pairs.append((("И.", "40"), ("Иван", "40"), 2, 1))
        pairs.append((("и", "40"), ("п", "40"), 4, 1))
        for (a, b, _, _) in pairs {
            for (middle, age) in [a, b] {
                var r = DedupeRow()
                (r.firstName, r.lastName, r.middleName, r.age) = ("Nathan", "Davila", middle, age)
                d.add(r)
            }
        }
        _ = d.run()
        for (k, (_, _, middle, age)) in pairs.enumerated() {
            let code = d.compare(2 * k, 2 * k + 1)
            #expect(FuzzyDeduplicator.level(code, FuzzyDeduplicator.middleField) == middle, "pair \(k) middle")
            #expect(FuzzyDeduplicator.level(code, FuzzyDeduplicator.ageField) == age, "pair \(k) age")
        }
        #expect(FuzzyDeduplicator.years(" 34 ") == 34 && FuzzyDeduplicator.years("1989") == 1989)
        #expect(FuzzyDeduplicator.years("0") == nil && FuzzyDeduplicator.years("34.5") == nil)
        #expect(FuzzyDeduplicator.years("200") == nil && FuzzyDeduplicator.years("") == nil)
        #expect(FuzzyDeduplicator.years("34.0") == 34 && FuzzyDeduplicator.years("٣٤") == 34)
        #expect(FuzzyDeduplicator.years("-34") == nil && FuzzyDeduplicator.years("65+") == nil)
    }
}
