import Foundation
import Testing

@testable import CRMDedupe

/// A voter file's twins (a helper's generator, 2026-12-07): one last name, one address, one age, and first names
/// that differ by a letter or two (`Jon` / `Joan`, `Eric` / `Erica`), one a man and one a woman. The list said which
/// in its `gender` column, which the matcher did not read.
@Suite("A gender column: twins of either sex stay two people, and an unknown sex is no value")
struct GenderTests {
    @Test("male and female are read from words in several languages, first letters and ISO 5218; the rest is none")
    func codes() {
        for male in ["M", "male", " Male ", "MANN", "männlich", "homme", "Hombre", "1", "m."] {
            #expect(FuzzyDeduplicator.genderCode(male) == 1, "\(male)")
        }
        for female in ["F", "female", "W", "weiblich", "Frau", "femme", "mujer", "2", "f."] {
            #expect(FuzzyDeduplicator.genderCode(female) == 2, "\(female)")
        }
        for none in ["", "U", "X", "unknown", "0", "9", "other", "N/A", "mf"] {
            #expect(FuzzyDeduplicator.genderCode(none) == 0, "\(none)")
        }
    }

    @Test(
        "levels: one sex written two ways agrees, male and female differ, an unknown one is null; the age beside it is unchanged"
    )
    func levels() {
        let d = FuzzyDeduplicator()
        // (gender, age) of each row; expected gender level, age level.
        let pairs: [((String, String), (String, String), Int, Int)] = [
            (("M", "40"), ("male", "40"), 1, 1),
            (("F", "40"), ("w", "41"), 1, 2),
            (("M", "40"), ("F", "40"), 2, 1),
            (("U", "40"), ("M", "43"), 0, 3),
            (("", ""), ("F", "40"), 0, 0),
            (("2", "1980"), ("female", "1990"), 1, 4),
        ]
        for (a, b, _, _) in pairs {
            for (gender, age) in [a, b] {
                var r = DedupeRow()
                (r.firstName, r.lastName, r.gender, r.age) = ("Jon", "Davila", gender, age)
                d.add(r)
            }
        }
        _ = d.run()
        for (k, (_, _, gender, age)) in pairs.enumerated() {
            let code = d.compare(2 * k, 2 * k + 1)
            #expect(FuzzyDeduplicator.level(code, FuzzyDeduplicator.genderField) == gender, "pair \(k) gender")
            #expect(FuzzyDeduplicator.level(code, FuzzyDeduplicator.ageField) == age, "pair \(k) age")
        }
    }

    static let twinNames = [
        ("Jon", "Joan"), ("Eric", "Erica"), ("Daniel", "Danielle"), ("Paul", "Paula"), ("Carl", "Carla"),
        ("Julian", "Juliana"), ("Tony", "Toni"), ("Dennis", "Denise"), ("Robert", "Roberta"), ("Dean", "Deanna"),
        ("Francis", "Frances"), ("Christian", "Christina"), ("Jesse", "Jessie"), ("Adrian", "Adriana"),
        ("Gabriel", "Gabriella"),
    ]

    /// 400 people (rows 0-399) at their own addresses; 150 of them again (rows 400-549), a year older, with the middle
    /// name cut to its initial; 60 pairs of twins (rows 550-669), a brother and a sister with alike first names at one
    /// address, of one age and middle initial.
    func people(withGender: Bool) -> [DedupeRow] {
        var random = SeededRandom(seed: 11)
        let firsts = ["James", "Mary", "Robert", "Linda", "Michael", "Susan", "William", "Karen", "David", "Nancy"]
        let lasts = MiddleNameAgeTests.lasts
        func row(_ first: String, _ sex: String, _ last: String, _ k: Int, _ age: Int) -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.age) = (first, last, String(age))
            r.middleName = MiddleNameAgeTests.middles[k % MiddleNameAgeTests.middles.count]
            r.street = "\(10 + k) \(MiddleNameAgeTests.streets[k % MiddleNameAgeTests.streets.count]) Street"
            (r.city, r.postcode) = MiddleNameAgeTests.cities[k % MiddleNameAgeTests.cities.count]
            if withGender { r.gender = sex }
            return r
        }
        var rows: [DedupeRow] = []
        for k in 0..<400 {
            let f = random.next(below: firsts.count)
            let last = lasts[random.next(below: lasts.count)]
            let sex = f % 2 == 0 ? "M" : "F"
            rows.append(row(firsts[f], sex, last, k, 20 + k % 60))
        }
        for k in 0..<150 {
            var r = rows[k]
            r.age = String(Int(r.age)! + 1)
            r.middleName = String(r.middleName.prefix(1))
            rows.append(r)
        }
        for k in 0..<60 {
            let (his, hers) = Self.twinNames[k % Self.twinNames.count]
            let last = lasts[random.next(below: lasts.count)]
            var sister = row(hers, "F", last, 1000 + k, 25 + k % 40)
            sister.middleName = String(sister.middleName.prefix(1))
            rows.append(row(his, "M", last, 1000 + k, 25 + k % 40))
            rows.append(sister)
        }
        return rows
    }

    @Test("twins Jon and Joan, one a man and one a woman, stay two people; the people written twice are found")
    func twins() {
        func run(_ withGender: Bool) -> (twins: Int, found: Int) {
            let d = FuzzyDeduplicator()
            for r in people(withGender: withGender) { d.add(r) }
            let result = d.run()
            let c = result.cluster
            let twins = (0..<60).filter { (k: Int) in c[550 + 2 * k] == c[551 + 2 * k] }.count
            let found = (0..<150).filter { (k: Int) in c[400 + k] == c[k] }.count
            return (twins, found)
        }
        let with = run(true)
        #expect(with.twins == 0, "\(with.twins) of 60 twins merged")
        #expect(with.found >= 145, "\(with.found) of 150 found")
        // The same list without the column: the twins' alike names, one address and one age merge some of them.
        let without = run(false)
        #expect(without.twins > 0, "without a sex to read, no twins merged: the list does not show what it reads")
    }

    @Test("a man and a woman whose first names differ are two people's shape; with one first name, they are not")
    func shape() {
        let d = FuzzyDeduplicator()
        for (first, sex) in [("Jon", "M"), ("Joan", "F"), ("Jon", "M"), ("Jon", "F")] {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.gender, r.street, r.postcode) = (first, "Davila", sex, "5 Oak St", "27601")
            d.add(r)
        }
        let result = d.run()
        let scorer = PairScorer(
            model: PairWeights(
                rows: d, weights: FuzzyDeduplicator.levels.map { [Double](repeating: 0, count: $0) }, codes: [Int](),
                u: FuzzyDeduplicator.levels.map { [Double](repeating: 0.5, count: $0) }),
            settings: DedupeSettings(), matchWeight: 10, reviewWeight: 5, soleWeight: 8)
        #expect(scorer.twoPeople(d.compare(0, 1), 0, 1) == .genders)
        #expect(scorer.twoPeople(d.compare(2, 3), 2, 3) == nil)
        #expect(result.cluster[0] != result.cluster[1])
    }
}
