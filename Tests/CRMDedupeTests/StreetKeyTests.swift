import Foundation
import Testing

@testable import CRMDedupe

@Suite("Blocking keys on the street that one wrong field does not break")
struct StreetKeyTests {
    /// A pair of rows (first, last, street, postcode, city each) and how `--explain` must begin on it.
    typealias KeyCase = (a: [String], b: [String], outcome: String)

    @Test(
        "street keys one wrong field does not break: swapped lines, a misread digit, a split or mistyped city",
        arguments: [
            // Last name, postcode and first name each off; the two address lines swapped, no house number.
            (
                ["Simon", "Hernandez", "Church Street Wattle Court", "3128", "Box Hill"],
                ["Simo", "Hernandes", "Wattle Court Church Street", "3182", "Box Hill"],
                "compared; shared keys: street (words)"
            ),
            // The same lines in two towns.
            (
                ["Simon", "Hernandez", "Church Street Wattle Court", "3128", "Box Hill"],
                ["Simo", "Hernandes", "Wattle Court Church Street", "3182", "Kew"],
                "never compared"
            ),
            // A street name with a recognition error (`1` for `l`), last and first names and postcode off.
            (
                ["Stephanie", "Dixon", "12 William Street", "5000", "Adelaide"],
                ["Stpchanie", "Dion", "12 Wi1liam Street", "5001", "Adelaide"],
                "compared; shared keys: street name+city"
            ),
            // Last name, house number and postcode each off; the city split in two.
            (
                ["Ruby", "Morris", "12 Robinson Road", "3182", "St Kilda"],
                ["Ruby", "Mjorris", "13 Robinson Road", "3102", "St Ki lda"],
                "compared; shared keys: street name+city"
            ),
            // First name, city and postcode each off, no house number: the street name and the last name.
            (
                ["Chloe", "Wilson", "Gordon Drive", "3065", "Fitzroy"],
                ["Chloer", "Wilson", "Gordon Drive", "7065", "Fotzroy"],
                "compared; shared keys: street name+last"
            ),
            // The same, on two streets.
            (
                ["Chloe", "Wilson", "Gordon Drive", "3065", "Fitzroy"],
                ["Chloer", "Wilson", "Gordon Lane", "7065", "Fotzroy"],
                "never compared"
            ),
            // Both names, the street name and the postcode each off: the house number, the town and the street's
            // first letter.
            (
                ["Oivia", "Sanley", "6 Edwrad Street", "", "St Kilda"],
                ["Olivia", "Stanley", "6 Edward Street", "3182", "St Kilda"],
                "compared; shared keys: house+city+street 1st"
            ),
            // The same, with another first letter of the street.
            (
                ["Oivia", "Sanley", "6 Edwrad Street", "", "St Kilda"],
                ["Olivia", "Stanley", "6 Bedward Street", "3182", "St Kilda"],
                "never compared"
            ),
            // No house number, the first name in the last name's place and the city mistyped: the street's words and
            // the postcode.
            (
                ["", "Diana", "Scott Place Wattle Court", "2077", "Hornsgy"],
                ["Diana", "Williams", "Scott Place Wattle Court", "2077", "Hornsby"],
                "compared; shared keys: street words+postcode"
            ),
            // The same in another postcode.
            (
                ["", "Diana", "Scott Place Wattle Court", "2078", "Hornsgy"],
                ["Diana", "Williams", "Scott Place Wattle Court", "2077", "Hornsby"],
                "never compared"
            ),
            // First name, street name, city and postcode each off: the house number, the last name's sound and the
            // city's first letter.
            (
                ["Hamish", "Johnson", "104 Dover Drive", "3550", "Bendigo"],
                ["Hqmish", "Johnson", "104 Dover Dribe", "3500", "Bedigo"],
                "compared; shared keys: house+last sound+city 1st"
            ),
            // The last name mistyped as well, to the same sound (`davsi` / `davis`).
            (
                ["Hamish", "Davsi", "25 Charles Street", "3814", "Traralgon"],
                ["Hqmish", "Davis", "25 Charles Stret", "3844", "Trarlagon"],
                "compared; shared keys: house+last sound+city 1st"
            ),
            // The same with another house number.
            (
                ["Hamish", "Johnson", "104 Dover Drive", "3550", "Bendigo"],
                ["Hqmish", "Johnson", "105 Dover Dribe", "3500", "Bedigo"],
                "never compared"
            ),
        ] as [KeyCase])
    func streetKeys(c: KeyCase) throws { try Self.check(c) }

    /// `--explain` on the case's two rows begins as the case says.
    static func check(_ c: KeyCase) throws {
        let t = FuzzyDedupeTests()
        func make(_ f: [String]) -> DedupeRow { t.row(f[0], f[1], street: f[2], postcode: f[3], city: f[4]) }
        let why = t.explanations([make(c.a), make(c.b)], pairs: [(0, 1)])
        try #require(why.count == 1)
        #expect(why[0].contains(c.outcome), "\(why[0])")
    }

    @Test(
        "postcode and a name the list has in both fields: names swapped with a typo, a last name alone as the first",
        arguments: [
            // Swapped, the first name mistyped, the street name and house number off: only the name across meets.
            (
                ["Stewart", "Jocl", "6 Logan Pafade", "3122", "Hawthorn"],
                ["Joel", "Stewart", "5 Logan Parade", "3122", "Hawthorn"],
                "compared; shared keys: postcode+name across"
            ),
            // The same in another postcode.
            (
                ["Stewart", "Jocl", "6 Logan Pafade", "3122", "Hawthorn"],
                ["Joel", "Stewart", "5 Logan Parade", "3123", "Hawthorn"],
                "never compared"
            ),
            // The last name alone, in the first-name field, the house number and the city off.
            (
                ["Collins", "", "219 Main Avenue", "4670", ""],
                ["Annabel", "Collins", "19 Main Avenue", "4670", "Bundaberg"],
                "compared; shared keys: postcode+name across"
            ),
        ] as [KeyCase])
    func nameAcrossKey(c: KeyCase) throws { try Self.check(c) }
}
