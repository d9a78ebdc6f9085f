/// Each row's two highest scores over its compared pairs, to tell a pair that stands alone between its two rows:
/// each row's likeliest partner is the other, and neither has another partner even as likely as not. A duplicate has
/// one original, so such a pair needs less evidence than one of several candidates (the one-to-one reading of record
/// linkage; `DedupeSettings.soleMatchProbability`).
/// Scores are kept as `Float` (8 bytes a row for both); two pairs whose scores round to one value are a tie.
struct PartnerTops {
    private(set) var first: [Float]
    private(set) var second: [Float]

    /// For `rows` rows, none scored yet.
    init(rows: Int) {
        first = [Float](repeating: -.infinity, count: rows)
        second = first
    }

    /// Counts a pair's score `w` for both its rows.
    mutating func note(_ a: Int, _ b: Int, _ w: Double) {
        add(a, Float(w))
        add(b, Float(w))
    }

    private mutating func add(_ r: Int, _ w: Float) {
        if w > first[r] {
            second[r] = first[r]
            first[r] = w
        } else if w > second[r] {
            second[r] = w
        }
    }

    /// Whether the pair of rows `a` and `b` scored `w` stands alone: `w` is the highest score of both rows (a tie with
    /// another partner is not alone), and each row's next score is below `unsure` (the review weight).
    func standsAlone(_ a: Int, _ b: Int, _ w: Double, unsure: Double) -> Bool {
        let w = Float(w), unsure = Float(unsure)
        return first[a] == w && first[b] == w && second[a] < unsure && second[b] < unsure
    }
}
