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
        // Row `a`'s values from the pack (`RowPack`): one cache line where the row's arrays were one each.
        let r = rows.packed().row(a)
        if D.level(code, 2) == 1 { p += tf.first[Int(r[RowPack.first])] }
        if D.level(code, 3) == 1 { p += tf.last[Int(r[RowPack.last])] }
        if D.level(code, 4) == 1 { p += tf.company[Int(r[RowPack.company])] }
        if D.level(code, 5) == 1 { p += tf.street[Int(r[RowPack.street])] }
        if D.level(code, 6) == 1 { p += tf.place[Int(r[RowPack.postcode])] }
        if D.level(code, 7) == 1 { p += tf.title[Int(r[RowPack.title])] }
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
    /// Whether twins (`twins`) are kept apart: decided from the file as households are (`decideHouseholds`).
    var separateTwins = false
    /// Whether a loose household's shape (`looseHousehold`: the last names alike only by Jaro-Winkler or read across
    /// the other row's first name) is a household's shape too (not for twins): set with `separateHouseholds` by
    /// `--households separate`, and where `auto` keeps them apart (`decideHouseholds`).
    var separateLoose = false
    /// `settings.rules`, read (`ForcingRule`).
    let forcingRules: [ForcingRule]

    /// A scorer with households kept apart only when `settings` says so (`.auto` decides later).
    init(model: PairWeights, settings: DedupeSettings, matchWeight: Double, reviewWeight: Double, soleWeight: Double) {
        self.model = model
        self.settings = settings
        self.matchWeight = matchWeight
        self.reviewWeight = reviewWeight
        self.soleWeight = soleWeight
        forcingRules = settings.rules.compactMap(ForcingRule.init)
        separateHouseholds = settings.households == .separate
        nearHouseholds = separateHouseholds
        // `--households separate` keeps twins apart too (a second trial found it changed nothing for them).
        separateTwins = separateHouseholds
        separateLoose = separateHouseholds
    }

    /// The pair's weight before any rule caps it (`PairWeights.rawScore`).
    func rawScore(_ code: Int, _ a: Int, _ b: Int) -> Double { model.rawScore(code, a, b) }

    /// The pair's weight, capped just below the match weight for two people's, a household's or two namesakes' shape.
    func score(_ code: Int, _ a: Int, _ b: Int) -> Double { capped(rawScore(code, a, b), code, a, b) }

    /// `score` of a pair whose `rawScore` is `w`.
    func capped(_ w: Double, _ code: Int, _ a: Int, _ b: Int) -> Double {
        // Two people, as far as the fields tell: at most unsure, whatever the rest agrees on.
        if w >= matchWeight, twoPeople(code, a, b) != nil { return heldBack }
        // A household: at most unsure.
        if separateHouseholds, w >= matchWeight, household(code, a, b) || (separateTwins && twins(code, a, b)) {
            return heldBack
        }
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

    /// Two members of one household, as far as the fields tell: same last name (or one edit; alike only loosely too
    /// where `separateLoose` is set: `looseHousehold`), first names entirely different,
    /// nothing personal (e-mail, date of birth, identifier, a phone of a kind the file shows households do not
    /// share: `personalPhones`) agrees (but see `twins`). With `nearHouseholds` (households many, or
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
        rows.samePhone(a, b) && personalNumber(a)
    }

    /// `twoPeople`, but not a generational suffix on one row only (`Smith` / `Smith Jr` may be one man: a question):
    /// the shapes that keep a row without a name from joining two rows (`holdBackNamelessHubs`) and a pair below the
    /// match weight out of review (`dropTwoPeopleBelowMatch`).
    func surelyTwoPeople(_ code: Int, _ a: Int, _ b: Int) -> TwoPeople? {
        guard let why = twoPeople(code, a, b), why != .generationOnOne else { return nil }
        return why
    }

    /// Why rows `a` and `b` are two people whatever else they share, or nil (see `TwoPeople`).
    func twoPeople(_ code: Int, _ a: Int, _ b: Int) -> TwoPeople? {
        let lf = D.level(code, 2)
        let ll = D.level(code, 3)
        // Unless an identifier or the date of birth agrees: both names replaced on one person's row (a hand-keyed
        // list's worst rows; the third generator's, 12 of 5,000 rows). A phone number that agrees does not lift it:
        // two of a second trial's couples on one landline and two staff of a small firm on its one number were merged
        // that way (consumer precision 0.960 → 0.981 without it; own generator 45 pairs of 43,587 more missed).
        // First names alike only in spelling (`Nicole` / `Nicholas`, `Paul` / `Pamela`: no typo, nickname or sound of
        // one another) count as different at one company: there, two such names with two last names were colleagues
        // (a second B2B trial's firms of 20 to 60 people on one line and address), where elsewhere they were as often
        // one person's row with the last name replaced and the first mistyped.
        if lf == D.firstDifferent, ll == D.levels[3] - 1,
            (1...2).contains(D.level(code, 4)) || !rows.firstNamesAlike(rows.first[a], rows.first[b]),
            !(1...2).contains(D.level(code, 9)), D.level(code, 8) != 1
        {
            return .names
        }
        let ga = rows.generation[a]
        let gb = rows.generation[b]
        // A suffix on one row only with the ages agreeing (at most three years apart: two extracts of a voter file) is
        // one person who wrote it once and not the other time; a father and his son are years apart.
        if ga != gb, (1...3).contains(ll), ga != 0 && gb != 0 || !(1...3).contains(D.level(code, D.ageField)) {
            return ga != 0 && gb != 0 ? .generations : .generationOnOne
        }
        // Unless an identifier agrees: two digits swapped twice in one date are typos (the third generator's).
        if D.level(code, 8) == D.levels[8] - 1, rows.datesFarApart(a, b), !(1...2).contains(D.level(code, 9)) {
            return .birthDates
        }
        // Ages ten years or more apart: a father and his son with one name at one address (a voter file's), unless an
        // identifier agrees.
        if D.level(code, D.ageField) == D.levels[D.ageField] - 1, rows.agesFarApart(a, b),
            !(1...2).contains(D.level(code, 9))
        {
            return .ages
        }
        // A man and a woman whose first names are not the same (`Jon` / `Joan`, `Carl` / `Carla`): a brother and his
        // sister, twins with one birthday (so a date of birth that agrees does not lift it; an identifier does). With
        // one first name, a sex written wrong on one row is likelier than two people.
        if D.level(code, D.genderField) == 2, (2...D.firstDifferent).contains(lf), !(1...2).contains(D.level(code, 9)) {
            return .genders
        }
        // What follows counts for little against an identifier or a date of birth that agrees.
        if (1...2).contains(D.level(code, 9)) || D.level(code, 8) == 1 { return nil }
        // Middle names (or initials) whose first characters differ, in any script (`Frederick J.` / `Frederick K.`,
        // `И.` / `П.`).
        let xa = rows.middleFirst[Int(rows.middleName[a])]
        let xb = rows.middleFirst[Int(rows.middleName[b])]
        if xa != 0, xb != 0, xa != xb, (1...5).contains(lf) { return .middleInitials }
        // Another last name and another e-mail address (not one mistyped): a colleague or a namesake as often as one
        // person who married and changed address (a trial's colleagues with one first name at one office).
        // Another first name and another e-mail address: a colleague or a relative (a second trial's colleagues at one
        // office, `elizabethm@` / `jamesm@`, merged on what the office shares). A mobile that differs entirely counts
        // as an e-mail address does: a person's own (B2B trials' colleagues on one office line).
        let emailsDiffer = D.level(code, 0) == 2
        // (Not where the e-mail address agrees: a person's own too.)
        let mobilesDiffer = D.level(code, 0) != 1 && rows.mobilesDiffer(a, b)
        guard emailsDiffer || mobilesDiffer else { return nil }
        if emailsDiffer {
            // Addresses at one domain that differ only in their digits (`jbryant@` / `jbryant2@`): two namesakes told
            // apart by their firm, whatever the names, phone and company say.
            if rows.emailsNumbered(a, b) { return .numberedEmails }
            // Another first name, not a nickname, each in its own row's address (`joan.medina@` / `john.medina@`):
            // two colleagues, though the names and the addresses are each one letter apart.
            if lf >= 3, lf != D.firstInitial, rows.emailsNameTheirOwn(a, b) { return .firstNameAndEmail }
            // Another address (a letter more or less: `wtunderwood@` / `wunderwood@`) and another mobile: namesakes at
            // one firm, each with their own line (a second B2B trial merged 24 of 35 such pairs).
            if mobilesDiffer { return .emailAndMobile }
        }
        let otherLast = ll == D.levels[3] - 1
        guard otherLast || (lf == D.firstDifferent && !rows.firstNamesAlike(rows.first[a], rows.first[b])),
            mobilesDiffer || !rows.emailsMistyped(a, b)
        else { return nil }
        // One mobile on both rows: one person who married, with a new last name and address at one firm (the second
        // B2B trial's marriages shared their mobile half the time), not two colleagues.
        if rows.mobilesAgree(a, b) { return nil }
        return otherLast ? .lastNameAndEmail : .firstNameAndEmail
    }

    /// `household` whatever the phone; with `twinsCount`, also when the date of birth agrees (`twins`); with `loose`,
    /// also last names alike only loosely as where `separateLoose` is set (`looseHousehold`).
    func householdShape(_ code: Int, _ a: Int, _ b: Int, twinsCount: Bool = false, loose: Bool = false) -> Bool {
        // The levels first: asked of every compared pair, and the first names' spelling reads the rows.
        let ll = D.level(code, 3)
        guard (1...3).contains(ll), D.level(code, 0) != 1,
            !(1...2).contains(D.level(code, 8)) || twinsCount, !(1...2).contains(D.level(code, 9))
        else { return false }
        // Last names alike only loosely (`looseHousehold`) count where the file's households are kept apart; twins
        // keep the same last name or one edit.
        if ll == 3 && !(loose || (separateLoose && !twinsCount)) { return false }
        let lf = D.level(code, 2)
        if lf == D.firstDifferent && !rows.firstNamesAlike(rows.first[a], rows.first[b]) {
            return ll <= 2 || !rows.sharedAcrossMainlyFirst(a, b)
        }
        // A man and a woman of one first name at one street (`Jesse` / `Jesse`, `Chris` / `Chris`): a couple as often
        // as one person whose sex was written wrong (a trial's registry merged 228 of 390 such couples), unless
        // something personal agrees: a middle name with an age (`middleAndAgeAgree`), or one age (or year of birth)
        // and one phone number (the trial's couples shared a year of birth a quarter of the time, a landline as often;
        // its rows with the sex written wrong kept both nearly always). They count towards the file's households
        // decision as any household's shape: a couple's two people have duplicates of their own as often as any two,
        // one person's two rows seldom. (Other first names with the sexes differing are two people's shape:
        // `TwoPeople.genders`.)
        if lf == 1, ll <= 2, D.level(code, D.genderField) == 2, (1...4).contains(D.level(code, 5)) {
            return !D.middleAndAgeAgree(code) && !(D.level(code, D.ageField) == 1 && D.level(code, 1) == 1)
        }
        return nearHouseholds && ll <= 2 && (lf == D.firstDifferent || lf == 4) && (1...4).contains(D.level(code, 5))
    }

    /// A household's shape (`household`) but for the last names, alike only by Jaro-Winkler (`Sharmer` / `Sharma`) or
    /// one read across the other row's first name (`Sharma Niioliadis` / `Joanne Sharma`; not a name the file uses
    /// mainly as a first name, which leaves two last names that differ): a relative's row keyed with two typos in the
    /// last name or with its names swapped, or one person's with a first name replaced and the last name mistyped, as
    /// often among relatives as among copies. It follows the file's households (`decideHouseholds`, `separateLoose`).
    func looseHousehold(_ code: Int, _ a: Int, _ b: Int) -> Bool {
        D.level(code, 3) == 3 && householdShape(code, a, b, loose: true) && !personalPhone(code, a)
    }

    /// Two twins, as far as the fields tell: a household's shape whose date of birth agrees (or is one typo off),
    /// nothing else personal agreeing. A trial's twins were merged 529 times of 552 with the date of birth compared; on this
    /// project's generators the same shape is a first name replaced on one row, its date of birth kept. Which of the
    /// two a file holds is read from it as for households (`decideHouseholds`, `separateTwins`).
    /// Only first names entirely different count: alike ones with the date of birth agreeing (`Jon` / `John`) were one
    /// person's typo far more often than twins on the third generator (recall 0.997 → 0.988 with them).
    func twins(_ code: Int, _ a: Int, _ b: Int) -> Bool {
        (1...2).contains(D.level(code, 8)) && D.level(code, 2) == D.firstDifferent
            && !rows.firstNamesAlike(rows.first[a], rows.first[b])
            && householdShape(code, a, b, twinsCount: true) && !personalPhone(code, a)
    }

    /// Whether a deterministic rule (`DedupeSettings.rules`) forces the pair to match whatever its score; `code`, the
    /// pair's comparison where the caller has it (the e-mail rule reads it, and compares the rows when not given).
    func forced(_ a: Int, _ b: Int, code: Int? = nil) -> Bool {
        let r = rows
        let pack = r.packed()
        let x = pack.row(a)
        let y = pack.row(b)
        for rule in forcingRules {
            switch rule {
            case .externalID: if x[RowPack.ext] != 0 && x[RowPack.ext] == y[RowPack.ext] { return true }
            case .email:
                // Not for two people's shape (a family's or a desk's shared address: both names or birth dates differ).
                if x[RowPack.email] != 0 && x[RowPack.email] == y[RowPack.email]
                    && twoPeople(code ?? r.compare(a, b), a, b) == nil
                {
                    return true
                }
            case .phoneName:
                if x[RowPack.phone] != 0, r.samePhone(a, b), x[RowPack.last] != 0,
                    x[RowPack.lastR] == y[RowPack.lastR]
                {
                    return true
                }
            }
        }
        return false
    }
}

/// A deterministic rule of `DedupeSettings.rules`, read once for the scorer (a pair's test switched over the rules'
/// names, a string comparison each, for every compared pair).
enum ForcingRule {
    case externalID, email, phoneName

    /// The rule named `name` (`external_id`, `email`, `phone_name`), or nil for another name.
    init?(_ name: String) {
        switch name {
        case "external_id": self = .externalID
        case "email": self = .email
        case "phone_name": self = .phoneName
        default: return nil
        }
    }
}

/// What says two rows are two people, whatever else they share (`PairScorer.twoPeople`): such a pair is never merged
/// by its score (at most proposed for review), and, but for `generationOnOne`, the cluster guard keeps apart two
/// clusters that hold such a pair. Found by a trial on lists the project did not make: colleagues at one office
/// (address, switchboard and company agree, the names do not) were merged 13,976 times of 13,978, since what
/// colleagues share outweighed two names that differ; a father and his son `Jr.` 117 times of 213.
enum TwoPeople: Equatable {
    /// First and last name both differ entirely (neither alike, nor swapped, nor a nickname or an initial; at one
    /// company, first names alike only in spelling count as different), and neither an identifier nor the date of
    /// birth agrees (an e-mail address or a phone number may: a family's, a desk's).
    case names
    /// Generational suffixes that differ (`Jr` / `Sr`, `II` / `III`).
    case generations
    /// A generational suffix on one row only (`Daniel Jones Jr` / `Daniel Jones`): a father and his son as often as
    /// one person; proposed for review, not kept apart by the guard.
    case generationOnOne
    /// Dates of birth that differ in three digits or more, read straight or with day and month swapped, and no
    /// identifier agrees (a father and his son).
    case birthDates
    /// Ages or years of birth ten years or more apart, not one typo of one another, and no identifier agrees.
    case ages
    /// Middle initials that differ (`Frederick J.` / `Frederick K.`).
    case middleInitials
    /// A man and a woman whose first names are not the same (`Jon` / `Joan`): a brother and his sister, twins.
    case genders
    /// Last names that differ entirely, and e-mail addresses (or mobiles) that differ.
    case lastNameAndEmail
    /// First names that differ entirely, and e-mail addresses (or mobiles) that differ; or other first names, not
    /// nicknames, each in its own row's e-mail address (`joan.medina@` / `john.medina@`).
    case firstNameAndEmail
    /// E-mail addresses that differ and mobiles that differ entirely.
    case emailAndMobile
    /// E-mail addresses at one domain that differ only in their digits (`jbryant@` / `jbryant2@`).
    case numberedEmails

    /// What it says, for `--explain` and the guard's refusal.
    var reason: String {
        switch self {
        case .names: return "first and last names both differ entirely"
        case .generations: return "generational suffixes differ (Jr, Sr, II, III)"
        case .generationOnOne: return "a generational suffix (Jr, Sr, II, III) on one row only"
        case .birthDates: return "dates of birth differ in three digits or more"
        case .ages: return "ages ten years or more apart"
        case .middleInitials: return "middle initials differ"
        case .genders: return "a man and a woman whose first names are not the same"
        case .lastNameAndEmail: return "last names and e-mail addresses (or mobiles) both differ"
        case .firstNameAndEmail: return "first names and e-mail addresses (or mobiles) both differ"
        case .emailAndMobile: return "e-mail addresses and mobiles both differ"
        case .numberedEmails: return "e-mail addresses at one domain differ only in their digits"
        }
    }

    /// Whether the cluster guard keeps apart two clusters that hold such a pair.
    /// Not for both names, birth dates, or another first name and e-mail: two copies of one person may each differ from
    /// the original in another field, and so from each other in both (the fourth generator's recall fell 0.5-1.5
    /// points). For sexes too (`Jonathan M`, `Jonathan F` with the sex written wrong, `Jonahtan M`: the guard refuses
    /// one row, proposed for review), since without it a twin whose sex is unknown on one row joins his sister
    /// through it (`Julian M`, `Julian U`, `Juliana F`: a trial's registry merged 26 pairs of twins' rows that way,
    /// against 1 with it).
    var guards: Bool {
        self == .generations || self == .middleInitials || self == .genders || self == .lastNameAndEmail
            || self == .numberedEmails || self == .emailAndMobile
    }
}
