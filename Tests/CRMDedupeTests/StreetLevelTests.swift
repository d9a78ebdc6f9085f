import CRMDedupe
import Foundation
import Testing

/// How two street lines compare: one part off, a house number missing, another number on the same street.
@Suite("Fuzzy deduplication: street levels")
struct StreetLevelTests {
    let base = FuzzyDedupeTests()

    @Test(
        "a street line with one part off, the house number or the name, is one level; with both off it is a street named alike",
        arguments: [
            // The same number, the name more than one edit off (one edit would be a typo of the whole line).
            ("12 Macarthur Street", "12 Mcarthur Stret", "number or name off"),
            // The number's digits swapped, the name as written.
            ("45 Kent Road", "54 Kent Road", "number or name off"),
            // Both: the number's digits swapped and a typo in the name.
            ("12 Church Street", "21 Church Sttreet", "same street, other or no number"),
            // Both: another number and a letter typed before the name.
            ("3 Dchurch Terrace", "2 Church Terrace", "same street, other or no number"),
            // Another first letter is another street.
            ("45 Kent Street", "54 Bent Street", "different"),
            // Another first letter that sounds the same, or the first two letters swapped.
            ("5 Church Drive", "4 Khurch Drive", "same street, other or no number"),
            ("71 Zhearers Road", "17 Shearers Road", "same street, other or no number"),
            ("58 Aprk Avenue", "58 Park Avenue", "number or name off"),
            // A house number misread with a letter (`b56`) is still the number, not a word of the street's name.
            ("b56 Raglan Vclose", "656 Raglan Close", "same street, other or no number"),
            // No number on either line, the names alike (more than one edit apart; one edit is a name off).
            ("Macarthur Street", "Mcarthur Stret", "same street, other or no number"),
            ("Glen Street", "Glen Stret", "number or name off"),
            // No number on either, and two streets.
            ("Glen Street", "Gray Street", "different"),
            // The address lines in either order, the number's digit mistyped.
            ("58 Wentworth Street Kooringal", "68 Kooringal Wentworth Street", "number or name off"),
            // In either order with both parts off.
            ("58 Wentworth Street Kooringal", "68 Kooringal Wentworth Road", "different"),
            // A line of a house number alone, misread, and a whole line.
            ("14g", "149 Leichhardt Grove", "same street, other or no number"),
            // A house number alone and a line of another number.
            ("14", "27 Leichhardt Grove", "different"),
            // A house number alone, its digits swapped: namesakes in one suburb as often as one person.
            ("71", "17 Wandoo Drive", "different"),
            // Another house number on the street (not swapped digits, not one edit): another address.
            ("76 Maple Place", "443 Maple Place", "different"),
            ("12 Maple Place", "47 Maple Plcae", "different"),
            // Two edits in a number of four digits may be one mistyped (a digit typed and two swapped).
            ("146 Barkly Street", "1647 Barkly Street", "same street, other or no number"),
            // One edit apart (a digit dropped or mistyped) stays a number off.
            ("8 Maple Place", "58 Maple Place", "number or name off"),
            ("8 Maple Place", "58 Maple Plcae", "same street, other or no number"),
            // Letter pairs text recognition reads for one letter (`cl` for `d`, `rn` for `m`) are that letter.
            ("William Roacl", "William Road", "same without spaces / same words"),
            ("7 Jarnes Street", "7 James Street", "same without spaces / same words"),
            // A number of zeros is none: `00` is `100` with its `1` lost, not another address on the street.
            ("100 Railway Avenue Kooringal", "00 Railway Avenue Kooringal", "same street, other or no number"),
            // The lines in either order, one's type abbreviated (a second generator's 28 missed pairs read it as
            // another street with the same house number).
            ("724 Villa 50 Avoca Cl.", "724 Avoca Close Villa 50", "same without spaces / same words"),
            // A typo in a type the other row abbreviates is one edit in the written-out word (abbreviated, `birch cl`
            // and `birch clsoe` were a street named alike without a number).
            ("Birch Clsoe", "Birch Cl", "number or name off"),
        ])
    func streetWithOnePartOff(a: String, b: String, level: String) throws {
        let why = base.explanations(
            [
                base.row("Dean", "Johnson", street: a, postcode: "5061", city: "Unley"),
                base.row("Dean", "Johnson", street: b, postcode: "5061", city: "Unley"),
            ], pairs: [(0, 1)])
        try #require(why.count == 1)
        #expect(base.line(why[0], "street")?.contains(level) == true, "\(why[0])")
    }

    @Test(
        "a house number wrong or missing on a street named alike is its own level, not a different street; a number alone names no street"
    )
    func streetWithOtherNumber() throws {
        let why = base.explanations(
            [
                base.row("Ruth", "Baker", street: "120 Churhc Road", postcode: "3053", city: "Carlton"),
                base.row("Ruth", "Baker", street: "10 Church Road", postcode: "3053", city: "Carlton"),
                base.row("Owen", "Price", street: "John Stret", postcode: "7315", city: "Ulverstone"),
                base.row("Owen", "Price", street: "61 John Street", postcode: "7315", city: "Ulverstone"),
                base.row("Mia", "Ford", street: "12", postcode: "2000", city: "Sydney"),
                base.row("Mia", "Ford", street: "48", postcode: "2000", city: "Sydney"),
                base.row("Ana", "Silva", street: "9 Elm Street", postcode: "2000", city: "Sydney"),
                base.row("Ana", "Silva", street: "15 Oak Avenue", postcode: "2000", city: "Sydney"),
            ], pairs: [(0, 1), (2, 3), (4, 5), (6, 7)])
        try #require(why.count == 4)
        #expect(base.line(why[0], "street")?.contains("same street, other or no number") == true, "\(why[0])")
        #expect(base.line(why[1], "street")?.contains("same street, other or no number") == true, "\(why[1])")
        #expect(base.line(why[2], "street")?.contains("different") == true, "\(why[2])")
        #expect(base.line(why[3], "street")?.contains("different") == true, "\(why[3])")
    }

    @Test(
        "a suburb with a typo is the same suburb when the postcode is missing or off; short names and other towns are not",
        arguments: [
            // The postcode missing from one row, the suburb's letters swapped.
            ("Parramatta", "2150", "Parrmaatta", "", "postcode 1 edit / city (or 1 edit)"),
            // A letter dropped, the postcodes both there and one replaced.
            ("Campbelltown", "2560", "Campbeltown", "4870", "postcode 1 edit / city (or 1 edit)"),
            // Two towns one letter apart but short (`kew` / `key`), and two towns further apart.
            ("Kew", "3101", "Key", "", "different"),
            ("Marrickville", "2204", "Maryborough", "", "different"),
        ])
    func suburbWithTypo(cityA: String, postcodeA: String, cityB: String, postcodeB: String, level: String) throws {
        let why = base.explanations(
            [
                base.row("Owen", "Williams", street: "34 Victoria Street", postcode: postcodeA, city: cityA),
                base.row("Owen", "Williams", street: "34 Victoria Street", postcode: postcodeB, city: cityB),
            ], pairs: [(0, 1)])
        try #require(why.count == 1)
        #expect(base.line(why[0], "location")?.contains(level) == true, "\(why[0])")
    }
}
