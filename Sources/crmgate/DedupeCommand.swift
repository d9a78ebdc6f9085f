import ArgumentParser
import CRMDedupe
import CRMImport
import Foundation

struct DedupeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedupe",
        abstract: "Find the rows of a lead file that are the same person, without importing it.",
        discussion: """
            Writes one line per input row to --clusters: row (1-based data row), source_id (the mapping's external id), \
            cluster (equal for the same entity: the row number of the cluster's first row). Prints the pairs compared, \
            matches, clusters, the model estimated from the data, and the time. Exit codes: 0; 64 usage (an option's \
            value, an --explain row past the file's last); 65 malformed input or mapping; 66 unreadable input or \
            mapping; 74 the output cannot be written.

            Examples:
              crmgate dedupe leads.csv --mapping mappings/sources/generic-leads.yaml --clusters clusters.csv
              crmgate dedupe leads.csv --mapping m.yaml --clusters clusters.csv --review review.csv --show-model
              crmgate dedupe leads.csv --mapping m.yaml --explain 12,345
            """)
    @Argument(help: "The CSV or XML lead list.", completion: .file(extensions: ["csv", "tsv", "txt", "xml"])) var file:
        String
    @Option(name: .long, help: "The mapping file (leads).") var mapping: String
    @Option(name: .long, help: "Where to write row,source_id,cluster (may be left out with --explain).")
    var clusters: String?
    @Option(name: .long, help: "Where to write pairs for a person to review (row_a,row_b,weight,reason,score).")
    var review: String?
    @OptionGroup var matching: MatchOptions
    @Flag(name: .long, help: "Print the estimated model (m, u and weight per comparison level).") var showModel = false
    @Option(
        name: .long, help: "Explain the comparison of two rows (1-based data rows, e.g. --explain 12,345); repeatable.")
    var explain: [String] = []
    @Flag(
        name: .long,
        help: "An XML file with a fault (truncated, a bad byte): match the records before it instead of refusing it.")
    var keepGoing = false

    func validate() throws {
        if clusters == nil && explain.isEmpty {
            throw ValidationError(
                "Missing expected argument '--clusters <clusters>' (it may be left out with --explain)")
        }
        for e in explain where Self.explainPair(e) == nil {
            throw ValidationError("--explain takes two different data rows, 1-based, e.g. 12,345; not '\(e)'")
        }
    }

    /// `--explain A,B` as 0-based rows, or nil when it is not two different positive numbers.
    static func explainPair(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, b >= 1, a != b else { return nil }
        return (a - 1, b - 1)
    }

    func run() throws {
        var o = DedupeFileOptions(source: file, mapping: mapping, clustersPath: clusters)
        o.reviewPath = review
        matching.apply(to: &o.settings)
        o.settings.explain = explain.compactMap(Self.explainPair)
        o.keepGoing = keepGoing
        do {
            let s = try DedupeFile.run(o)
            let r = s.result
            let rejected = s.rejected > 0 ? " (\(s.rejected) rejected, each a cluster of its own: below)" : ""
            let blank = s.blank > 0 ? " (\(s.blank) blank line\(s.blank == 1 ? "" : "s") skipped)" : ""
            print("rows            \(r.rows)\(rejected)\(blank)")
            for (k, x) in s.rejections.enumerated() {
                for l in Self.wrap(
                    k == 0 ? "rejected        " : String(repeating: " ", count: 16),
                    "row \(x.row) (line \(x.line)): \(x.reason)")
                {
                    print(l)
                }
            }
            if s.rejected > s.rejections.count {
                let more =
                    "and \(s.rejected - s.rejections.count) more (`crmgate import FILE --mapping M --dry-run --rejects"
                    + " R.csv` lists every one)"
                for l in Self.wrap(String(repeating: " ", count: 16), more) { print(l) }
            }
            if let ages = Self.describe(r.ageValues) { for l in Self.wrap("ages            ", ages) { print(l) } }
            if r.unreadSexes > 0 {
                let shown = r.unreadSexExamples.map { "'\($0.value)' \($0.count)" }.joined(separator: ", ")
                let line =
                    "\(r.unreadSexes) value\(r.unreadSexes == 1 ? "" : "s") read as neither male nor female (\(shown)):"
                    + " compared as no value"
                for l in Self.wrap("sexes           ", line) { print(l) }
            }
            for b in r.blocking where b.blocks > 0 || b.skipped > 0 {
                let key = b.key.padding(toLength: 21, withPad: " ", startingAt: 0)
                print("  block \(key) \(b.blocks) blocks, \(b.pairs) pairs, \(b.matched) matches")
                if b.skipped > 0 {
                    let note =
                        "\(b.skipped) blocks too large for all pairs (over \(o.settings.maxBlock), or"
                        + " \(o.settings.maxBroadBlock) for broad keys) compared by sorted neighbourhood"
                    for l in Self.wrap(String(repeating: " ", count: 16), note) { print(l) }
                }
            }
            if let c = r.pairsCompleteness {
                let text =
                    String(format: "%.1f%% of matching pairs compared (estimated: capture-recapture", c * 100)
                    + " between name-only and address-only keys)"
                for l in Self.wrap("pairs complete  ", text) { print(l) }
            }
            print(
                "pairs compared  \(r.candidatePairs) (\(String(format: "%.2f", Double(r.candidatePairs) / Double(max(1, r.rows)))) per row)"
            )
            if r.candidatePairs == 0 {
                let none =
                    r.rows - s.rejected < 2
                    ? "no model: fewer than two rows to compare"
                    : "no model: no two rows share a blocking key (are the compared fields mapped and filled?)"
                for l in Self.wrap("EM              ", none) { print(l) }
            } else {
                if r.candidatePairs < FuzzyDeduplicator.sessionMinimumPairs {
                    // A trial's file of seven rows printed "0.0000 of compared pairs estimated to match" over 6
                    // matches.
                    let few =
                        "\(r.candidatePairs) pairs compared, too few to train m by field (a training session needs"
                        + " \(FuzzyDeduplicator.sessionMinimumPairs)): m is EM's on these pairs or its starting"
                        + " values, u a small file's typical values (--show-model lists them)"
                    for l in Self.wrap("EM              ", few) { print(l) }
                } else {
                    print(
                        "EM              \(r.emIterations) iterations; \(String(format: "%.4f", r.matchShare)) of compared pairs estimated to match"
                    )
                }
                let prior = String(
                    format: "%.2f (log2 odds that two rows are one entity); match weight %.2f (p %.2f),"
                        + " review weight %.2f (p %.2f)",
                    r.prior, r.matchWeight, o.settings.matchProbability, r.reviewWeight, o.settings.reviewProbability)
                for l in Self.wrap("prior           ", prior) { print(l) }
                let modelPrior = String(
                    format: "%.2f (the model's own sum over the compared pairs: %.0f matching pairs; EM's %.0f)",
                    r.modelPrior, Self.pairsAt(r.modelPrior, rows: r.rows), Self.pairsAt(r.prior, rows: r.rows))
                for l in Self.wrap("model prior     ", modelPrior) { print(l) }
            }
            print("matches         \(r.matchedPairs) pairs; \(r.refusedByGuard) merges refused by the guard")
            if r.soleMatches > 0 {
                let sole = String(
                    format: "%d more below the match weight, from %.2f (p %.2f): the only likely link of a row"
                        + " and a cluster",
                    r.soleMatches, r.soleWeight, o.settings.soleMatchProbability)
                for l in Self.wrap("sole matches    ", sole) { print(l) }
            }
            if let h = r.households, h.shapedPairs > 0 { print(Self.describe(h)) }
            for l in Self.wrap("review          ", Self.describeReview(r)) { print(l) }
            print("clusters        \(r.clusters) (\(r.rows - r.clusters) rows merged into another)")
            print(
                String(
                    format: "time            %.2f s (read and map %.2f s, match %.2f s)",
                    s.readSeconds + s.matchSeconds, s.readSeconds, s.matchSeconds))
            for e in r.explanations { print(e) }
            if showModel {
                for t in r.trainingSessions {
                    let fields =
                        t.degenerate
                        ? "nothing (its matches had other first names as often as the same: colleagues at one office?)"
                        : t.fields.isEmpty && t.householdsLeftOut > 0
                            ? "nothing (too few pairs without those of a household's shape)"
                            : t.fields.isEmpty
                                ? "nothing (a session needs \(FuzzyDeduplicator.sessionMinimumPairs) pairs, \(FuzzyDeduplicator.sessionMinimumObserved) with the field)"
                                : t.fields.joined(separator: ", ")
                    let trained = String(
                        format: "trained on %d pairs with %@: %.4f match; m of %@", t.pairs, t.agreeOn as NSString,
                        t.matchShare, fields as NSString)
                    for l in FuzzyDeduplicator.wrapped(trained, head: "  ", indent: 4) { print(l) }
                    if t.householdsLeftOut > 0 && !t.degenerate {
                        let n = t.householdsLeftOut
                        let what =
                            t.fields.isEmpty ? "not used" : "fitted again without its \(n) pairs of a household's shape"
                        print("    its first fit's matches had other first names as often as the same")
                        print("    (households, not one person's rows): \(what)")
                    }
                }
                for m in r.model {
                    for l in Self.modelLine(m) { print(l) }
                }
            }
        } catch let e as ImportError {
            throw CLIError(e.message, hint: ImportCommand.hint(e), code: e.exitCode)
        }
    }

    /// One level of the model as `--show-model` prints it, within 80 columns: field, level, m, u and weight on one
    /// line, or a level's name longer than its 30 columns on a line of its own with the figures under their column.
    static func modelLine(_ m: (field: String, level: String, m: Double, u: Double, weight: Double)) -> [String] {
        let figures = String(format: " m %.5f  u %.7f weight %6.2f", m.m, m.u, m.weight)
        let field = "  " + FuzzyDeduplicator.column(m.field, 10) + " "
        guard m.level.count > 30 else { return [field + FuzzyDeduplicator.column(m.level, 30) + figures] }
        return [field + m.level, String(repeating: " ", count: field.count + 30) + figures]
    }

    /// What an `age` field held, when something in it is not compared: values that are no whole number of years
    /// (`65+`), or ages and years of birth in one column (an age is not compared with a year). Nil otherwise.
    static func describe(_ a: AgeValues) -> String? {
        var parts: [String] = []
        if a.unread > 0 {
            let first = a.firstUnread.map { ", first '\($0)'" } ?? ""
            parts.append(
                "\(a.unread) value\(a.unread == 1 ? "" : "s") not whole years\(first): compared as no age")
        }
        if a.ages > 0, a.years > 0 {
            parts.append(
                "\(a.ages) ages and \(a.years) years of birth in one field: an age is not compared with a year"
                    + " (map one kind of value to it)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The matching pairs a prior (log2 odds) stands for among all pairs of `rows` rows.
    static func pairsAt(_ prior: Double, rows: Int) -> Double {
        let all = Double(rows) * Double(rows - 1) / 2
        return all * exp2(prior) / (1 + exp2(prior))
    }

    /// The `households` lines: what was decided first, then what the file showed; wrapped at 80 columns.
    static func describe(_ h: HouseholdEstimate) -> String {
        let decision =
            h.separate
            ? String(
                format: "kept apart for review: about %.0f households expected among %d pairs of one last name"
                    + " with other first names and nothing personal agreeing (relatives, or colleagues where the"
                    + " file has no address), more than the %.0f wrong merges allowed (--households merge merges"
                    + " them)", h.expectedHouseholds, h.shapedPairs, h.allowedWrongMerges)
                + (h.phoneGroups.contains(where: \.merged)
                    ? "; but where their phone agrees on a number households here do not share, merged (below)" : "")
            : String(
                format: "merged where they score a match: %d pairs of one last name with other first names and"
                    + " nothing personal agreeing, about %.0f households among them at most, within the %.0f wrong"
                    + " merges allowed (--households separate keeps them apart)", h.shapedPairs, h.expectedHouseholds,
                h.allowedWrongMerges)
        var lines = wrap("households      ", decision)
        if h.dense {
            lines += wrap(
                String(repeating: " ", count: 16),
                "many (one or more for every two other matches): first names alike (in spelling, or one inside the"
                    + " other) at one last name and street are held back too")
        }
        lines += wrap(
            String(repeating: " ", count: 16),
            String(
                format: "read from: %d of those pairs with duplicates on both sides, %d on one;"
                    + " d = %.1f%% of people duplicated, q = %.1f%% of duplicates with another",
                h.bothDuplicated, h.oneDuplicated, h.duplicatedShare * 100, h.duplicatesWithSiblings * 100))
        if !h.phoneGroups.isEmpty {
            // The groups merged, then the largest of the others, of the pairs whose phone agrees.
            let shown = h.phoneGroups.sorted {
                ($0.merged ? 1 : 0, $0.shapedPairs, $1.prefix) > ($1.merged ? 1 : 0, $1.shapedPairs, $0.prefix)
            }.prefix(max(4, h.phoneGroups.filter(\.merged).count))
            let parts = shown.map { g in
                String(
                    format: "%@… %d pairs, about %.0f households, %@", g.prefix, g.shapedPairs, g.expectedHouseholds,
                    g.merged ? "merged" : "kept apart")
            }
            let more = h.phoneGroups.count - shown.count
            lines += wrap(
                String(repeating: " ", count: 16),
                "with the phone agreeing, by its first digits (households share fixed lines, seldom a mobile): "
                    + parts.joined(separator: "; ") + (more > 0 ? "; \(more) more, kept apart" : ""))
        }
        if h.looseHeldBack > 0 {
            lines += wrap(
                String(repeating: " ", count: 16),
                "with them, \(h.looseHeldBack) pairs whose last names agree only loosely (Jaro-Winkler, or read across"
                    + " the other row's first name)")
        }
        return lines.joined(separator: "\n")
    }

    /// The review line: how many pairs, and why those that score a match are there (the review file's `reason`).
    static func describeReview(_ r: DedupeResult) -> String {
        var n: [ReviewReason: Int] = [:]
        for why in r.reviewReasons { n[why, default: 0] += 1 }
        let parts = [
            n[.twoPeople].map { "\($0) held back as two people (names, suffixes, birth dates or ids differ)" },
            n[.household].map { "\($0) held back for a household's shape" },
            n[.relatives].map { "\($0) for a row without a first name that matches two relatives" },
            n[.nameless].map { "\($0) for a row without a name that matches two people" },
            n[.namesakes].map { "\($0) held back for two namesakes' shape" },
            n[.clusterGuard].map { "\($0) kept apart by the cluster guard" },
        ].compactMap { $0 }
        let unlisted =
            r.twoPeopleUnlisted > 0
            ? "; \(r.twoPeopleUnlisted) more not proposed: their fields say two people (below the match weight, or"
                + " both names different at one company)" : ""
        return "\(r.review.count) pairs" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")") + unlisted
    }

    /// `head` then `text` wrapped at 80 columns, continued under column 17 (where the summary's values start).
    static func wrap(_ head: String, _ text: String) -> [String] {
        FuzzyDeduplicator.wrapped(text, head: head, indent: 16)
    }
}
