import Foundation

/// Settings of the fuzzy matcher. Thresholds are posterior probabilities that a pair is the same entity; the
/// weights they correspond to follow from the prior the data gives (printed by `crmgate dedupe`).
public struct DedupeSettings: Sendable, Equatable {
    /// A pair at least this likely is merged.
    public var matchProbability: Double = 0.99
    /// A pair that is the only likely link between a row and a cluster — the strongest link each has to another
    /// cluster is to the other, and neither has a link to a third even as likely as not (`reviewProbability`) — is
    /// merged from this probability up (under the lower of EM's prior and the model's own, and never from above the
    /// match weight), once the pairs above `matchProbability` made the clusters: a duplicate has
    /// one original, so a pair that stands alone needs less evidence than one of several candidates (the one-to-one
    /// reading of record linkage). Ten times as unsure as `matchProbability` allows, and never below
    /// `reviewProbability`: 0.9 at the default 0.99, 0.99 at 0.999.
    public var soleMatchProbability: Double { max(reviewProbability, 1 - 10 * (1 - matchProbability)) }
    /// Pairs between this and `matchProbability` go to a person. Two clusters merge only when every pair across
    /// them is at least this likely (no chaining of strangers through one link).
    public var reviewProbability: Double = 0.5
    /// Blocks (rows sharing one blocking key) larger than this are not compared all against all: their rows are
    /// sorted by address and name and each is compared with its `window` neighbours (sorted neighbourhood).
    public var maxBlock: Int = 500
    /// Neighbours each row of an oversized block is compared with.
    public var window: Int = 12
    /// The block size above which the broad keys (names in either order, phonetic names, city and last name, street
    /// alone) use the sorted neighbourhood: they exist to catch what the narrow keys miss, and grow with the list.
    public var maxBroadBlock: Int = 12
    /// Neighbours each row of an oversized block of a broad key is compared with.
    public var broadWindow: Int = 4
    /// No cluster grows beyond this many rows.
    public var maxCluster: Int = 50
    /// Gmail ignores dots in local parts; only when set.
    public var gmailDots = false
    /// Deterministic rules applied before the score, in order: `external_id`, `email`, `phone_name`.
    public var rules: [String] = ["external_id", "email"]
    /// Two rows with the same last name and address whose first names differ entirely, with nothing personal
    /// agreeing (an e-mail, a date of birth, an identifier), are either a household (two people) or one person
    /// whose first name was replaced. `separate` never merges such a pair on its score, only proposes it for
    /// review; `merge` scores it like any other pair (for lists known to hold one person per address); `auto` (the
    /// default) asks the file (`HouseholdEstimate`): it merges them only when the households the file shows are too
    /// few to cost more than `1 - matchProbability` of the matches (at most 1%). With `separate`, and with `auto`
    /// where the households are many (`HouseholdEstimate.dense`), first names alike in spelling or one inside the
    /// other (`Christopher`/`Christine`, `Rosa`/`Rosemary`) at one last name and street are held back too; and
    /// wherever they are kept apart, so are such pairs whose last names agree only loosely (Jaro-Winkler, or read
    /// across the other row's first name: `PairScorer.looseHousehold`).
    public var households: Households = .auto

    /// How pairs that may be two members of one household are treated.
    public enum Households: String, Sendable, CaseIterable { case auto, separate, merge }
    /// Pairs of rows (0-based) whose comparison the result explains field by field.
    public var explain: [(Int, Int)] = []
    /// Every review pair is explained field by field too (`DedupeResult.reviewExplanations`), for the person who
    /// decides it.
    public var explainReview = false

    public static func == (a: DedupeSettings, b: DedupeSettings) -> Bool {
        a.matchProbability == b.matchProbability && a.reviewProbability == b.reviewProbability
            && a.maxBlock == b.maxBlock
            && a.window == b.window && a.maxCluster == b.maxCluster && a.gmailDots == b.gmailDots && a.rules == b.rules
            && a.households == b.households && a.explain.map { [$0.0, $0.1] } == b.explain.map { [$0.0, $0.1] }
            && a.explainReview == b.explainReview
    }

    public init() {}
}

/// One row's values as the mapping produced them (any may be empty).
public struct DedupeRow: Sendable {
    public var externalID = "", firstName = "", lastName = "", email = "", phone = "", company = "", jobTitle = ""
    public var street = "", city = "", postcode = "", country = ""
    /// A second address line (compared with the first in either order).
    public var street2 = ""
    /// A date of birth or another date that identifies a person (any of `YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`).
    public var birthDate = ""
    /// An identifier such as a national id or customer number.
    public var identifier = ""
    /// Middle names or initials, as a column of their own (`Frederick J.` in the first name is read there too).
    public var middleName = ""
    /// An age or a year of birth in whole years (`34`, `1989`); anything else is no value.
    public var age = ""
    /// A person's sex (`M`, `female`, `w`); a value read as neither male nor female is no value.
    public var gender = ""
    /// A second number, a person's own (a mobile): compared with the other row's mobile where both have one (two
    /// colleagues share an office line, seldom a mobile), else with its phone; the phone where a row has none.
    public var mobile = ""
    public init() {}
}

/// What an `age` field held (`DedupeResult.ageValues`).
public struct AgeValues: Sendable, Equatable {
    /// Values read as ages (below 1000) and as years of birth.
    public var ages = 0, years = 0
    /// Values that are no whole number of years, and the first of them.
    public var unread = 0
    public var firstUnread: String?
    public init() {}
}

/// Why a pair is proposed for review rather than merged (the review file's `reason` column).
public enum ReviewReason: String, Sendable, CaseIterable {
    /// It scores between the review weight and the match weight: likely, not sure. (Not when its fields say two
    /// people, `TwoPeople`: those are proposed only when they score a match, `DedupeResult.twoPeopleUnlisted`.)
    case unsure
    /// It scores a match, but has a household's shape (same last name and address, other first names, nothing
    /// personal agreeing) on a list whose households are kept apart.
    case household
    /// A row without a first name (or with a last name in its place) matches two members of one household.
    case relatives
    /// It scores a match, but the fields say two people: both names differ entirely, generational suffixes or dates
    /// of birth or identifiers differ (`TwoPeople`).
    case twoPeople = "two-people"
    /// A row without a name (a firm's row: its company, number, address) matches two rows that are two people
    /// (`TwoPeople`), which it would join through itself.
    case nameless
    /// It scores a match, but has two namesakes' shape: the street lines differ entirely and nothing that names one
    /// person (e-mail, phone, company, date of birth, identifier, a middle name with an age) agrees.
    case namesakes
    /// It scores a match, but the cluster guard kept the two rows' clusters apart (a pair across them looks like
    /// two relatives or weighs against one person, or together they would be too large).
    case clusterGuard = "guard"
}

/// What a run found.
public struct DedupeResult: Sendable {
    /// Per row (0-based), the row index of its cluster's representative.
    public var cluster: [Int32]
    public var rows: Int
    public var candidatePairs: Int
    public var matchedPairs: Int
    /// Pairs a person should look at: rows (0-based) and their weight.
    public var review: [(Int32, Int32, Double)]
    /// Why each pair of `review` (same order) is there and not merged.
    public var reviewReasons: [ReviewReason] = []
    /// Each review pair's weight before any rule capped it (`review`'s weight is, for a pair held back, just below
    /// the match weight): what the fields alone say. Same order as `review`.
    public var reviewScores: [Double] = []
    public var clusters: Int
    public var refusedByGuard: Int
    /// Per blocking key: blocks of two or more rows, pairs, blocks compared by sorted neighbourhood (too large to
    /// compare all against all), and matched pairs whose two rows share the key.
    public var blocking: [(key: String, blocks: Int, pairs: Int, skipped: Int, matched: Int)]
    /// The share of true matching pairs that blocking compared, estimated without labels: capture-recapture between
    /// the passes that read no address field and those that read no name field (nil when either found none).
    public var pairsCompleteness: Double?
    /// For each pair of `DedupeSettings.explain`: whether blocking compared it, each field's level and weight, the
    /// total against the thresholds, and where the two rows ended up.
    public var explanations: [String] = []
    /// With `DedupeSettings.explainReview`: for each pair of `review`, in the same order, each field's comparison level
    /// and weight and the total against the thresholds.
    public var reviewExplanations: [String] = []
    /// The model EM estimated: per field and level, m, u and the weight.
    public var model: [(field: String, level: String, m: Double, u: Double, weight: Double)]
    /// The share of the compared pairs EM estimated to match (those of a household's shape, which it leaves out
    /// unless households are merged, counted as not matching).
    public var matchShare: Double
    public var emIterations: Int
    /// The prior log2 odds that a pair of rows is the same entity, and the weights the thresholds came to.
    public var prior: Double
    /// The prior as the finished model sees the compared pairs (`FuzzyDeduplicator.selfConsistentPrior`): the sum of
    /// their posteriors. Far from `prior`, it says EM's match share is off.
    public var modelPrior: Double
    public var matchWeight: Double
    public var reviewWeight: Double
    /// The weight from which a pair that stands alone between a row and a cluster is merged
    /// (`DedupeSettings.soleMatchProbability`), and how many pairs below `matchWeight` were merged so.
    public var soleWeight: Double = .infinity
    public var soleMatches: Int = 0
    /// The `age` field's values: how many read as ages, as years of birth, and not read (not whole years: `65+`,
    /// `unknown`), with the first such value. An age is not compared with a year, nor an unread value with anything.
    public var ageValues = AgeValues()
    /// The `gender` field's values read as neither male nor female (`U`, `X`, `unknown`, or a letter a list uses for
    /// something else): how many, and the commonest, with their counts (at most three). They are compared as no
    /// value.
    public var unreadSexes = 0
    public var unreadSexExamples: [(value: String, count: Int)] = []
    /// With `households: auto`, what the file showed of households and what was decided.
    public var households: HouseholdEstimate?
    /// The sessions that estimated m for the name and address fields (`TrainingSession`).
    public var trainingSessions: [TrainingSession] = []
    /// Pairs of `review` held back only for a household's shape (they score a match; nothing personal agrees).
    public var householdReview: Int = 0
    /// Pairs between the review and the match weight left out of `review` because their fields say two people
    /// (`TwoPeople`: both names differ entirely, generations, middle initials, birth dates, ids, another name and
    /// e-mail address): held back as two people had they scored a match, so no question for a person below it. With
    /// them, the pairs that score a match whose both names differ entirely at one company (colleagues).
    public var twoPeopleUnlisted: Int = 0
}
