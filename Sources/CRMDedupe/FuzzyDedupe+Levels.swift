import Foundation

/// The comparison levels: each field's levels and their names, and the mixed-radix code a pair's levels make
/// (compared in FuzzyDedupe+Compare.swift).
extension FuzzyDeduplicator {
    static let fields = [
        "email", "phone", "first", "last", "company", "street", "location", "title", "birth_date", "identifier",
        "middle", "age", "gender",
    ]
    static let levels = [3, 5, 7, 5, 4, 8, 5, 4, 4, 4, 5, 5, 3]
    static let levelNames = [
        ["null", "exact", "different"],
        ["null", "exact", "last 7 digits", "1 edit (a typo, two digits swapped)", "different"],
        ["null", "exact", "nickname", "OSA<=1 / sound alike (or swapped)", "JW>=0.88", "initial", "different"],
        ["null", "exact", "translit/OSA<=1 (or swapped)", "JW>=0.88 (or swapped, first names differ)", "different"],
        ["null", "core exact", "token subset / JW>=0.92", "different"],
        [
            "null", "exact", "same without spaces / same words", "one's words among the other's", "number or name off",
            "same street, other or no number", "same house number, other street",
            // Another street, or another house number on the same street (`numbersMaybeMistyped`).
            "different",
        ],
        ["null", "postcode and city", "postcode", "postcode 1 edit / city (or 1 edit)", "different"],
        ["null", "exact", "same words (VP / Vice President)", "different"],
        ["null", "exact", "day-month swap / 1 edit", "different"], ["null", "exact", "1 edit", "different"],
        ["null", "exact", "initial", "alike (1 edit, JW>=0.88, prefix)", "different"],
        ["null", "exact", "1 year apart", "2-3 years apart", "different"],
        ["null", "exact", "different"],
    ]
    /// The middle name's, the age's and the sex's field numbers.
    static let middleField = 10, ageField = 11, genderField = 12
    /// The first name's "initial" level and its last, "different".
    static let firstInitial = 5, firstDifferent = 6
    /// The street's level "number or name off".
    static let streetOff = 4
    /// The street levels whose house numbers may be neighbours' (`neighboursInPlace`): "number or name off" and
    /// "same street, other or no number".
    static let neighbourLevels = [4, 5]

    /// `text` padded with spaces to `width` characters (never cut), for the columns of `--explain`.
    public static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    static let strides: [Int] = {
        var s = [Int](repeating: 1, count: levels.count)
        for k in stride(from: levels.count - 2, through: 0, by: -1) { s[k] = s[k + 1] * levels[k + 1] }
        return s
    }()
}
