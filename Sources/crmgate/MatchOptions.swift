import ArgumentParser
import CRMDedupe

/// The fuzzy matcher's options, the same for `dedupe` and `import --fuzzy`.
struct MatchOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional, help: "Merge pairs at least this likely to be the same (default 0.99).")
    var matchProbability: Double?
    @Option(name: .long, parsing: .unconditional, help: "Queue for review pairs at least this likely (default 0.5).")
    var reviewProbability: Double?
    @Flag(name: .long, help: "Ignore dots in Gmail addresses.") var gmailDots = false
    @Option(
        name: .long,
        help: ArgumentHelp(
            "auto, separate or merge: whether a pair with the same last name and address and another first name"
                + " (no e-mail, birth date or id agreeing) may merge.",
            discussion: "separate: such a pair is a household, at most proposed for review, and so is one whose first"
                + " names are alike in spelling or one inside the other (Christopher / Christine, Rosa / Rosemary),"
                + " twins (such a pair whose birth date agrees), and such a pair whose last names agree only loosely"
                + " (Sharmer / Sharma, or read across: Sharma Niioliadis / Joanne Sharma)."
                + " merge: scored like any other pair. auto (default): merged only when the file shows too few"
                + " households to matter (read from how often both sides, or one, have duplicates of their own); where"
                + " it shows many, alike names are held back too. The lines 'households' say what it saw."))
    var households: String?

    func validate() throws {
        if let households, DedupeSettings.Households(rawValue: households) == nil {
            throw ValidationError("--households is auto, separate or merge, not '\(households)'")
        }
        for p in [matchProbability, reviewProbability].compactMap({ $0 }) where !(p > 0 && p < 1) {
            throw ValidationError("probabilities are between 0 and 1 (exclusive)")
        }
        let defaults = DedupeSettings()
        let (match, review) =
            (matchProbability ?? defaults.matchProbability, reviewProbability ?? defaults.reviewProbability)
        if review > match {
            throw ValidationError(
                "--review-probability (\(review)) is above --match-probability (\(match)): no pair could be reviewed")
        }
    }

    /// Whether any of them was given (they mean something only where fuzzy matching runs).
    var isSet: Bool { matchProbability != nil || reviewProbability != nil || households != nil || gmailDots }

    /// The settings with these options applied.
    func apply(to settings: inout DedupeSettings) {
        if let matchProbability { settings.matchProbability = matchProbability }
        if let reviewProbability { settings.reviewProbability = reviewProbability }
        settings.gmailDots = gmailDots
        if let households, let h = DedupeSettings.Households(rawValue: households) { settings.households = h }
    }
}
