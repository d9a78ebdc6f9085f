import Foundation

/// `--explain`: why two rows were compared, what each field weighed, which rule held the pair back or merged it below
/// the match weight, what the cluster guard said, and the outcome (the shared keys wrapped and a rule's reasons on
/// lines of their own, for the page and a terminal at 80 columns).
struct PairExplainer {
    typealias D = FuzzyDeduplicator
    let scorer: PairScorer
    var rows: FuzzyDeduplicator { scorer.rows }
    /// The compared pairs, sorted (keys `a << 32 | b`, a < b).
    let pairs: [UInt64]
    /// Each row's cluster (its root), as the run ended.
    let cluster: [Int32]
    /// The pairs held back as torn between two relatives (`pairsTornBetweenRelatives`).
    let torn: Set<UInt64>
    /// The pairs held back as a nameless row's between two people (`holdBackNamelessHubs`).
    let hubs: Set<UInt64>
    /// The pairs merged as the only likely link of a row and a cluster.
    let solePairs: Set<UInt64>
    /// Why the cluster guard refused a pair, by key.
    let refusals: [UInt64: GuardVerdict]
    /// The largest cluster allowed (for the guard's "too large").
    let maxCluster: Int
    /// The pairs proposed for review, by key.
    let reviewKeys: Set<UInt64>

    /// The explanation of rows `a` and `b` (0-based), one line per field and rule.
    func explain(_ a: Int, _ b: Int) -> String {
        let code = rows.compare(a, b)
        let key = UInt64(min(a, b)) << 32 | UInt64(max(a, b))
        let compared = pairs.binarySearchContains(key) ? "compared" : "never compared (no blocking key in common)"
        let mask = rows.sharedKeyKinds(a, b)
        let keys = (0..<D.keyNames.count).filter { mask & (1 << $0) != 0 }.map { D.keyNames[$0] }
        let head = "rows \(a + 1) and \(b + 1): \(compared); shared keys: \(keys.joined(separator: ", "))"
        var lines = D.wrapped(head, indent: 4)
        for f in 0..<D.levels.count where D.level(code, f) > 0 {
            let l = D.level(code, f)
            // Padded by hand: Foundation on Linux ignores a width given to `%@`.
            let name = D.column(D.fields[f], 10) + " " + D.column(D.levelNames[f][l], 34)
            lines.append("  " + name + String(format: " %+6.2f", scorer.model.weights[f][l]))
        }
        let roles = [a, b].filter { rows.roleEmail.contains(Int32($0)) }.map { "row \($0 + 1)" }
        if !roles.isEmpty {
            lines.append(
                "  email      a role's or a family's address on \(roles.joined(separator: " and ")), not compared")
        }
        let inPlace = scorer.model.neighboursAdjustment(code, a, b)
        if inPlace != 0 {
            let offLevel = D.level(code, 5) == D.streetOff
            let what = offLevel ? "neighbours' house numbers" : "other house numbers, one street,"
            let label = D.column(what + " in one place", 45)
            lines.append("  " + label + String(format: " %+6.2f", inPlace))
        }
        let raw = scorer.rawScore(code, a, b)
        let forced = scorer.forced(a, b)
        let apart = cluster[a] != cluster[b]
        lines.append(
            String(
                format: "  term-frequency adjustment %+.2f; total %.2f (match %.2f, review %.2f)%@",
                -scorer.model.penalty(code, a, b), raw, scorer.matchWeight, scorer.reviewWeight,
                forced ? "; forced by a rule" : ""))
        // Why a pair that scores a match is held back for review, on lines of their own (the page and a terminal
        // show them at 80 columns).
        if !forced, raw >= scorer.matchWeight, let why = scorer.twoPeople(code, a, b) {
            lines.append("  held back: two people's shape, whatever else agrees (at most review):")
            lines.append("  \(why.reason)")
        } else if !forced, scorer.separateHouseholds, scorer.household(code, a, b), raw >= scorer.matchWeight, apart {
            if D.level(code, 3) == 3 {
                lines.append("  held back: a household's shape (last names alike only loosely or read across,")
                lines.append("  same address, other first names; kept apart as the file's households are;")
            } else if D.level(code, 2) == D.firstDifferent && !rows.firstNamesAlike(rows.first[a], rows.first[b]) {
                lines.append("  held back: a household's shape (same last name and address, other first names,")
            } else {
                lines.append("  held back: a household's shape (same last name and street, first names alike,")
                lines.append("  on a list with many households or households kept apart;")
            }
            lines.append("  nothing personal agrees; --households merge merges them)")
        } else if !forced, scorer.separateHouseholds, scorer.householdShape(code, a, b), scorer.personalPhone(code, a),
            raw >= scorer.matchWeight
        {
            let starts = String(decoding: rows.phones.bytes[Int(rows.phone[a])].prefix(4), as: UTF8.self)
            lines.append("  a household's shape, but the phone agrees, on a number (" + starts + "…) of a kind")
            lines.append("  households in this file do not share (the households lines say which):")
            lines.append("  scored like any other pair")
        } else if !forced, D.namesakesShape(code), raw >= scorer.matchWeight, apart {
            lines.append("  held back: two namesakes' shape (street lines entirely different, nothing")
            lines.append("  personal agrees: e-mail, phone, company, date of birth, identifier, a middle")
            lines.append("  name with an age)")
        } else if solePairs.contains(key), !apart {
            let from = String(format: "%.2f", scorer.soleWeight)
            lines.append("  merged below the match weight (from \(from)):")
            lines.append("  the only likely link of a row and a cluster")
        } else if !forced, torn.contains(key) {
            lines.append("  held back: a row without a first name (or a last name in its place) matches")
            lines.append("  two members of one household, and nothing personal ties it to this one")
        } else if !forced, hubs.contains(key) {
            lines.append("  held back: a row without a name matches two rows that are two people, and")
            lines.append("  would join them through itself")
        } else if !forced, apart, !reviewKeys.contains(key), refusals[key] == nil, pairs.binarySearchContains(key),
            (scorer.reviewWeight..<scorer.matchWeight).contains(scorer.score(code, a, b)),
            let why = scorer.surelyTwoPeople(code, a, b)
        {
            lines.append("  not proposed for review: below the match weight, and two people's shape:")
            lines.append("  \(why.reason)")
        }
        if apart, let why = refusals[key] {
            lines += why.explanation(maxCluster: maxCluster)
            if !reviewKeys.contains(key) {
                lines.append("  (a heavier pair between the two clusters is proposed for review)")
            }
        }
        if !apart, !forced, scorer.score(code, a, b) < scorer.matchWeight, !solePairs.contains(key) {
            // Not merged by its own score: through other rows, each matching the next (a trial asked which).
            let members = (0..<cluster.count).filter { cluster[$0] == cluster[a] && $0 != a && $0 != b }
            let shown = members.prefix(12).map { String($0 + 1) }.joined(separator: ", ")
            lines += D.wrapped(
                "  joined through other rows of the cluster, each matching the next: "
                    + shown + (members.count > 12 ? " and \(members.count - 12) more" : "")
                    + " (--explain those pairs for the links)", indent: 4)
        }
        lines.append(
            !apart
                ? "  outcome: one cluster"
                : reviewKeys.contains(key) ? "  outcome: proposed for review" : "  outcome: kept apart")
        return lines.joined(separator: "\n")
    }
}
