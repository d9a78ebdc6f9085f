import CRMDedupe
import Testing

extension FuzzyDedupeTests {
    @Test(
        """
        names read across: a swap with a nickname, a swap with a replaced first name, a last name alone in the \
        first-name field, the same levels in either order; short names an edit apart across, a last name alone \
        as a nickname, and strangers stay different
        """
    )
    func namesReadAcross() throws {
        func person(_ first: String, _ last: String, _ n: Int) -> DedupeRow {
            row(first, last, street: "\(n) Lake Crescent", postcode: "33\(10 + n)", city: "Wangaratta")
        }
        let rows = [
            person("Joseph", "Mitchell", 1), person("Mitchell", "Joe", 1),
            person("Theresa", "Sharma", 2), person("Sharma", "Madeleine", 2),
            person("Clarke", "", 3), person("Tahlia", "Clarke", 3),
            person("Le", "Smith", 4), person("John", "Lee", 4),
            person("Anna", "Berg", 5), person("Mark", "Jones", 5),
            person("Stephen", "Walker", 6), person("Walker", "Steven", 6),
            person("", "Thomas", 7), person("Tom", "Jones", 7),
        ]
        let why = explanations(rows, pairs: [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (11, 10), (12, 13)])
        try #require(why.count == 8)
        // Mitchell across, Joe a nickname of Joseph.
        #expect(line(why[0], "first")?.contains("nickname") == true, "\(why[0])")
        #expect(line(why[0], "last")?.contains("(or swapped)") == true, "\(why[0])")
        // Sharma across, the first names different: the level below an edit apart, not a household's shape.
        #expect(line(why[1], "first")?.contains("different") == true, "\(why[1])")
        #expect(line(why[1], "last")?.contains("(or swapped, first names differ)") == true, "\(why[1])")
        // Clarke alone in the first-name field is read as the last name; no first name is compared.
        #expect(line(why[2], "first") == nil, "\(why[2])")
        #expect(line(why[2], "last")?.contains("(or swapped)") == true, "\(why[2])")
        // `le` / `lee` are an edit apart, but two names of three letters or less read across must be the same.
        #expect(line(why[3], "last")?.contains("different") == true, "\(why[3])")
        #expect(line(why[4], "first")?.contains("different") == true, "\(why[4])")
        #expect(line(why[4], "last")?.contains("different") == true, "\(why[4])")
        // The same levels whichever row comes first: `walker` across is the same, `stephen` / `steven` only alike.
        let levels = { (text: String) in text.split(separator: "\n").dropFirst().joined(separator: "\n") }
        #expect(levels(why[5]) == levels(why[6]), "\(why[5])\n\(why[6])")
        #expect(line(why[5], "last")?.contains("(or swapped)") == true, "\(why[5])")
        // A last name alone that is also a first name is not read as a nickname of the other's first name.
        #expect(line(why[7], "first") == nil, "\(why[7])")
        #expect(line(why[7], "last")?.contains("different") == true, "\(why[7])")
    }
}
