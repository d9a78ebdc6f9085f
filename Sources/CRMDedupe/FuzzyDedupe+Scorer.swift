/// What a compared pair weighs under the model fitted to the file: the weight of each field's level, what common
/// values take off (term frequencies), what neighbours' house numbers take off where the rows share a place.
struct PairWeights {
    /// The rows (read only).
    let rows: FuzzyDeduplicator
    /// log2(m / u) by field and level (level 0, null, weighs nothing).
    let weights: [[Double]]
    /// `weightOf` for every comparison pattern the file has.
    private let codeWeight: [Int: Double]
    /// What neighbours' house numbers take off, by street level and location level (`neighboursInPlace`).
    let neighbours: [[Double]]
    /// The term-frequency penalties of exact agreement, by value (`termFrequencyPenalties`).
    private let tf:
        (first: [Double], last: [Double], company: [Double], street: [Double], place: [Double], title: [Double])

    /// The model for `rows` from its `weights`, made ahead for the comparison patterns `codes`; `u` (random-pair u
    /// by field and level) weighs the neighbours within a place and the term frequencies.
    init(rows: FuzzyDeduplicator, weights: [[Double]], codes: some Sequence<Int>, u: [[Double]]) {
        self.rows = rows
        self.weights = weights
        var codeWeight: [Int: Double] = [:]
        for c in codes { codeWeight[c] = Self.weightOf(c, weights) }
        self.codeWeight = codeWeight
        neighbours = rows.neighboursInPlace(u: u)
        tf = rows.termFrequencyPenalties(u1: u.map { $0[1] })
    }

    private static func weightOf(_ c: Int, _ weights: [[Double]]) -> Double {
        var w = 0.0
        for f in 0..<FuzzyDeduplicator.levels.count where FuzzyDeduplicator.level(c, f) > 0 {
            w += weights[f][FuzzyDeduplicator.level(c, f)]
        }
        return w
    }

    /// The weight neighbours' house numbers take off a pair sharing a place (0 or less).
    func neighboursAdjustment(_ code: Int, _ a: Int, _ b: Int) -> Double {
        let l = FuzzyDeduplicator.level(code, 6)
        let s = FuzzyDeduplicator.level(code, 5)
        guard neighbours[s][l] != 0, rows.neighbourPair(s, a, b) else { return 0 }
        return neighbours[s][l]
    }

    /// Agreeing on a common value ("Smith", "CEO", a shared street) says less than on a rare one: what that takes off.
    func penalty(_ code: Int, _ a: Int, _ b: Int) -> Double {
        typealias D = FuzzyDeduplicator
        var p = 0.0
        if D.level(code, 2) == 1 { p += tf.first[Int(rows.first[a])] }
        if D.level(code, 3) == 1 { p += tf.last[Int(rows.last[a])] }
        if D.level(code, 4) == 1 { p += tf.company[Int(rows.company[a])] }
        if D.level(code, 5) == 1 { p += tf.street[Int(rows.street[a])] }
        if D.level(code, 6) == 1 { p += tf.place[Int(rows.postcode[a])] }
        if D.level(code, 7) == 1 { p += tf.title[Int(rows.title[a])] }
        return p
    }

    /// The pair's weight before any rule caps it.
    func rawScore(_ code: Int, _ a: Int, _ b: Int) -> Double {
        (codeWeight[code] ?? Self.weightOf(code, weights)) - penalty(code, a, b) + neighboursAdjustment(code, a, b)
    }
}

/// The scores the clustering reads: `PairWeights`, the thresholds, and the rules that cap a pair below the match
/// weight (a household's shape, two namesakes' shape) with the households state the run decides on the way.
struct PairScorer {
    typealias D = FuzzyDeduplicator
    /// The fitted weights.
    let model: PairWeights
    /// The rows (read only).
    var rows: FuzzyDeduplicator { model.rows }
    /// The run's settings (households, rules).
    let settings: DedupeSettings
    /// The thresholds: merge from `matchWeight`, review from `reviewWeight`, a lone link merges from `soleWeight`.
    let matchWeight: Double, reviewWeight: Double, soleWeight: Double
    /// The weight of a pair held back for review although it scores a match: just below the match weight.
    var heldBack: Double { max(reviewWeight, matchWeight - 0.01) }
    /// Whether a household's shape is kept apart (with `.auto`, decided from the file once the matches are known).
    var separateHouseholds: Bool
    /// Whether first names alike in spelling make a household's shape too (households many, or kept apart).
    var nearHouseholds: Bool
    /// The phones' first digits whose agreeing numbers the file shows households do not share
    /// (`HouseholdEstimate.phoneGroups`): a pair whose phone agrees on one is no household's shape.
    var personalPhones = Set<Int>()

    /// A scorer with households kept apart only when `settings` says so (`.auto` decides later).
    init(model: PairWeights, settings: DedupeSettings, matchWeight: Double, reviewWeight: Double, soleWeight: Double) {
        self.model = model
        self.settings = settings
        self.matchWeight = matchWeight
        self.reviewWeight = reviewWeight
        self.soleWeight = soleWeight
        separateHouseholds = settings.households == .separate
        nearHouseholds = separateHouseholds
    }

    /// The pair's weight before any rule caps it (`PairWeights.rawScore`).
    func rawScore(_ code: Int, _ a: Int, _ b: Int) -> Double { model.rawScore(code, a, b) }

    /// The pair's weight, capped just below the match weight for a household's or two namesakes' shape.
    func score(_ code: Int, _ a: Int, _ b: Int) -> Double {
        let w = rawScore(code, a, b)
        // A household: at most unsure.
        if separateHouseholds, w >= matchWeight, household(code, a, b) { return heldBack }
        // Two namesakes in one town, as far as the fields tell: at most unsure. Where a list holds many of them,
        // EM reads their agreeing names and town as a match whose street was replaced (m of "street different"
        // 0.32 against 0.035 true on a fourth generator; precision 0.88 on 4 of 7 seeds without this cap).
        // A household's shape as well is left to the households decision (`--households auto`).
        if w >= matchWeight, D.namesakesShape(code), !(settings.households == .auto && household(code, a, b)) {
            return heldBack
        }
        return w
    }

    /// Whether row `a`'s phone starts with digits of `personalPhones` (two to four of them; no allocation: the
    /// guard asks it of every pair across two clusters).
    func personalNumber(_ a: Int) -> Bool {
        guard rows.phone[a] != 0 else { return false }
        let d = rows.phones.bytes[Int(rows.phone[a])]
        return (2...min(4, d.count)).contains { personalPhones.contains(D.prefixKey(d.prefix($0))) }
    }

    /// Two members of one household, as far as the fields tell: same last name, first names entirely different,
    /// nothing personal (e-mail, date of birth, identifier, a phone of a kind the file shows households do not
    /// share: `personalPhones`) agrees. With `nearHouseholds` (households many, or
    /// `--households separate`) also first names alike in spelling (Jaro-Winkler, `Christopher`/`Christine`,
    /// `Charles`/`Chloe`) or one inside the other (`Rosa`/`Rosemary`) on street lines alike: on lists where a
    /// quarter of the people live with a relative such pairs were relatives about as often as one person (own
    /// generator, `--family-rate 0.25`, 3% duplicates: precision 0.976 → 0.997). Such pairs do not count towards
    /// the households decision, which reads the pairs of entirely different first names.
    func household(_ code: Int, _ a: Int, _ b: Int) -> Bool {
        householdShape(code, a, b) && !personalPhone(code, a)
    }

    /// Whether the pair's phone agrees on a number of a kind the file shows households do not share.
    func personalPhone(_ code: Int, _ a: Int) -> Bool {
        !personalPhones.isEmpty && D.level(code, 1) == 1 && personalNumber(a)
    }

    /// `personalPhone` without the comparison (the phone's level "exact" is the same number on both rows).
    func sharePersonalPhone(_ a: Int, _ b: Int) -> Bool {
        rows.phone[a] != 0 && rows.phone[a] == rows.phone[b] && personalNumber(a)
    }

    /// `household` whatever the phone.
    func householdShape(_ code: Int, _ a: Int, _ b: Int) -> Bool {
        let lf = D.level(code, 2)
        let shape: Bool
        if lf == D.firstDifferent && !rows.firstNamesAlike(rows.first[a], rows.first[b]) {
            shape = true
        } else if nearHouseholds, lf == D.firstDifferent || lf == 4 {
            shape = (1...4).contains(D.level(code, 5))
        } else {
            shape = false
        }
        return shape && (1...2).contains(D.level(code, 3)) && D.level(code, 0) != 1
            && !(1...2).contains(D.level(code, 8)) && !(1...2).contains(D.level(code, 9))
    }

    /// Whether a deterministic rule (`DedupeSettings.rules`) forces the pair to match whatever its score.
    func forced(_ a: Int, _ b: Int) -> Bool {
        let r = rows
        for rule in settings.rules {
            switch rule {
            case "external_id": if r.ext[a] != 0 && r.ext[a] == r.ext[b] { return true }
            case "email": if r.email[a] != 0 && r.email[a] == r.email[b] { return true }
            case "phone_name":
                if r.phone[a] != 0, r.phone[a] == r.phone[b], r.last[a] != 0, r.lastR[a] == r.lastR[b] { return true }
            default: break
            }
        }
        return false
    }
}
