import Foundation

/// What a file shows of households, and whether its household-shaped pairs are merged (`households: auto`).
///
/// A household-shaped pair (same last name and address, first names entirely different, nothing personal agreeing)
/// is either two people at one address or one person whose first name was replaced; the pair alone cannot tell.
/// The file can: two members of a household are two people, each duplicated as often as anyone in the file, so
/// among the households a share `d²` shows both sides with duplicates of their own, where `d` is the share of
/// people (clusters) that have duplicates. A replaced first name almost never does: the replaced name is on one
/// row only. So the pairs with both sides duplicated, over `d²`, estimate the households among the shaped pairs.
/// One more than were seen is counted, so that a file with few duplicates, which could hide its households, is
/// not taken to have none.
///
/// Where few people have duplicates, `d²` is small and that count tells little, so the pairs with one side
/// duplicated are read too. A replaced first name is a duplicate of someone who has duplicates: its other side is
/// that person's cluster, which holds other rows as often as a duplicate's person has more than one (`q`, the share
/// of duplicates whose person has two or more, read from the clusters). A household's sides are each duplicated
/// as often as anyone (`d`). The pairs with neither, one or both sides duplicated are a mixture of the two; the
/// households are bounded by the mixture's likelihood (the most households within 1.35 of its maximum log
/// likelihood: a one-sided 95% bound), and the smaller of the two bounds is taken.
public struct HouseholdEstimate: Sendable, Equatable {
    /// Pairs of clusters joined by at least one household-shaped pair that scores a match.
    public var shapedPairs: Int
    /// Of those, the pairs whose two clusters both hold two or more rows: two people, each with duplicates.
    public var bothDuplicated: Int
    /// Of those, the pairs where exactly one of the two clusters holds two or more rows.
    public var oneDuplicated: Int = 0
    /// The share of duplicate rows whose person (cluster) holds two or more rows besides them.
    public var duplicatesWithSiblings: Double = 0
    /// The share of clusters (people) that hold two or more rows, the shaped pairs left out.
    public var duplicatedShare: Double
    /// Households expected among the shaped pairs: the smaller of (`bothDuplicated` + 1) / `duplicatedShare`² and the
    /// mixture's bound (see the type's documentation), at most all.
    public var expectedHouseholds: Double
    /// Matched pairs that are not household-shaped.
    public var otherMatches: Int
    /// The most wrong merges allowed: `1 - matchProbability` of all matched pairs, the shaped ones included, and at
    /// most 1% of them whatever the match probability.
    public var allowedWrongMerges: Double
    /// Whether the shaped pairs are kept apart (proposed for review) rather than merged. With none, the rule stays on
    /// for what it also guards: a row without a first name joining two relatives into one cluster.
    public var separate: Bool
    /// Whether the households are many: kept apart, and at least one expected for every two other matching pairs
    /// (among all the compared pairs of a household's shape, at the share the shaped pairs that score a match show:
    /// a model that weighs a different first name rightly brings fewer of them up to the match weight).
    /// Then relatives whose first names are alike in spelling (`Christopher`/`Christine`, `Charles`/`Chloe`) are
    /// about as likely as one person's two rows, and such pairs at one last name are held back too.
    public var dense: Bool = false
    /// Where the households are kept apart: the shaped pairs whose phone agrees, by the phone's first digits, asked
    /// again (`FuzzyDeduplicator.decidePhoneGroups`); the groups merged are no household's shape.
    public var phoneGroups: [PhoneGroupEstimate] = []
    /// Where the households are kept apart (and some pair of a household's shape scored a match): the matching pairs
    /// of a loose household's shape (`PairScorer.looseHousehold`) held back for review with them.
    public var looseHeldBack = 0
}

/// Household-shaped pairs whose phone agrees and starts with the same digits: what the file shows of households
/// among them (`FuzzyDeduplicator.decidePhoneGroups`).
public struct PhoneGroupEstimate: Sendable, Equatable {
    /// The phone's first two to four digits as compared (E.164 digits where the mapping reads phones: `614` for
    /// `+61 4…`; `04` for `0412 …` written nationally).
    public var prefix: String
    /// Pairs of clusters joined by such a pair that scores a match.
    public var shapedPairs: Int
    /// Of those, the pairs whose two clusters both hold two or more rows.
    public var bothDuplicated: Int
    /// Households expected among them at most (as `HouseholdEstimate.expectedHouseholds`).
    public var expectedHouseholds: Double
    /// Whether they are merged: the phone names one person here.
    public var merged: Bool
}

/// The clusters the matched pairs make, and what they show: the share of people with duplicates (`d`) and of
/// duplicates whose person has more than one (`q`).
struct MatchedClusters {
    /// Each row's cluster (its smallest row).
    var root: [Int32]
    /// Rows per cluster, at the cluster's root.
    var size: [Int32]
    /// The matched pairs the clusters were made of.
    var matchedCount: Int
    /// The share of clusters that hold two or more rows.
    var duplicatedShare: Double
    /// The share of duplicate rows (after a cluster's first) whose cluster holds two or more rows besides them.
    var duplicatesWithSiblings: Double

    init(rows: Int, matched: [(UInt32, UInt32)]) {
        var sets = DisjointSets(rows)
        for (a, b) in matched {
            let ra = sets.find(Int32(a))
            let rb = sets.find(Int32(b))
            if ra != rb { sets.parent[Int(max(ra, rb))] = min(ra, rb) }
        }
        root = (0..<rows).map { sets.find(Int32($0)) }
        size = [Int32](repeating: 0, count: rows)
        for r in 0..<rows { size[Int(root[r])] += 1 }
        var clusters = 0
        var duplicated = 0
        var duplicateRows = 0
        var withSiblings = 0
        for s in size where s > 0 {
            clusters += 1
            if s > 1 {
                duplicated += 1
                duplicateRows += Int(s) - 1
                if s > 2 { withSiblings += Int(s) - 1 }
            }
        }
        matchedCount = matched.count
        duplicatedShare = clusters > 0 ? Double(duplicated) / Double(clusters) : 0
        duplicatesWithSiblings = duplicateRows > 0 ? Double(withSiblings) / Double(duplicateRows) : 0
    }
}

extension FuzzyDeduplicator {
    /// Decides whether the household-shaped pairs of a file are households (kept apart) or replaced first names
    /// (merged): `matched` are the other pairs that score a match, `shaped` the household-shaped ones, rows 0-based.
    /// `patternPairs`: the compared pairs of a household's shape whatever they score (at least `shaped`), of which the
    /// same share is taken for households when judging whether they are many.
    public static func estimateHouseholds(
        rows: Int, matched: [(UInt32, UInt32)], shaped: [(UInt32, UInt32)], matchProbability: Double,
        patternPairs: Int = 0
    ) -> HouseholdEstimate {
        estimateHouseholds(
            MatchedClusters(rows: rows, matched: matched), shaped: shaped, matchProbability: matchProbability,
            patternPairs: patternPairs)
    }

    /// `estimateHouseholds` over clusters already made of the matched pairs.
    static func estimateHouseholds(
        _ clusters: MatchedClusters, shaped: [(UInt32, UInt32)], matchProbability: Double, patternPairs: Int = 0
    ) -> HouseholdEstimate {
        var pairs = Set<UInt64>()
        var both = 0
        var one = 0
        for (a, b) in shaped {
            let ra = clusters.root[Int(a)]
            let rb = clusters.root[Int(b)]
            if ra == rb { continue }  // already one cluster through other rows: nothing to tell
            let key = UInt64(UInt32(min(ra, rb))) << 32 | UInt64(UInt32(max(ra, rb)))
            guard pairs.insert(key).inserted else { continue }
            switch (clusters.size[Int(ra)] > 1 ? 1 : 0) + (clusters.size[Int(rb)] > 1 ? 1 : 0) {
            case 2: both += 1
            case 1: one += 1
            default: break
            }
        }
        let d = clusters.duplicatedShare
        let q = clusters.duplicatesWithSiblings
        let shapedCount = pairs.count
        var expected = d > 0 ? min(Double(shapedCount), Double(both + 1) / (d * d)) : Double(shapedCount)
        let bound =
            Double(shapedCount)
            * householdShareBound(
                neither: shapedCount - one - both, one: one, both: both, duplicated: d, siblings: q)
        expected = min(expected, bound)
        // A wrong household merge costs more than one wrong pair (the cluster guard's household rule is off with it, so
        // relatives' duplicates chain), so its allowance does not loosen below the default match probability's.
        let allowed = min(1 - matchProbability, 0.01) * Double(clusters.matchedCount + shaped.count)
        // Nor does a shape merge whose pairs are more often two people than one, however few (a second trial's twins:
        // 43 pairs, all of them expected to be twins, were merged as within the allowance). Read without the one added
        // for a count of none, which alone would call a few pairs two people (a third generator's 20 replaced names),
        // and from three pairs with both sides duplicated up (one such pair where few people have duplicates stands
        // for hundreds).
        let most = d > 0 && both >= 3 ? min(bound, Double(both) / (d * d)) : 0
        let separate = shapedCount == 0 || expected > allowed || 2 * most > Double(shapedCount)
        return HouseholdEstimate(
            shapedPairs: shapedCount, bothDuplicated: both, oneDuplicated: one, duplicatesWithSiblings: q,
            duplicatedShare: d, expectedHouseholds: expected, otherMatches: clusters.matchedCount,
            allowedWrongMerges: allowed, separate: separate,
            dense: separate && shapedCount > 0
                && 2 * expected / Double(shapedCount) * Double(max(patternPairs, shapedCount))
                    >= Double(clusters.matchedCount)
        )
    }

    /// Where a file's households are kept apart, its household-shaped pairs whose phone agrees, asked again by how the
    /// number starts (`pairs`: the phone's digits and the pair, rows 0-based): households share a fixed line, seldom a
    /// mobile, and most numbering plans tell the two apart by the first digits (`614…` is a mobile in Australia in
    /// E.164, `612…` a fixed line in Sydney; written nationally, `04…` and `02…`). The pairs are grouped by their first
    /// two digits, and each group is estimated like the file (`estimateHouseholds`). A group where at most `maxShare`
    /// of the pairs are expected to be households may merge; another is split by its next digit and its parts asked
    /// the same, down to `maxDigits`; a group that may merge is not split (the fixed lines of a few households among
    /// many mobiles merge with them, within the same share and allowance). The groups that may merge do, the lowest
    /// share first, while the households
    /// expected in them stay within `allowed` wrong merges (a group that would pass the allowance is skipped, and a
    /// later one with fewer may still merge). Where the digits do not tell (a country code of one digit, `1…`), the
    /// groups mix both kinds, are expected to show households, and stay apart like the rest. Returned: the groups that
    /// may merge and the smallest parts of the others, with pairs.
    static func decidePhoneGroups(
        _ clusters: MatchedClusters, pairs: [(digits: [UInt8], pair: (UInt32, UInt32))], matchProbability: Double,
        maxShare: Double, allowed: Double, maxDigits: Int = 4
    ) -> [PhoneGroupEstimate] {
        func share(_ g: PhoneGroupEstimate) -> Double {
            g.shapedPairs > 0 ? g.expectedHouseholds / Double(g.shapedPairs) : 1
        }
        var candidates: [PhoneGroupEstimate] = []
        var apart: [PhoneGroupEstimate] = []
        func visit(_ length: Int, _ items: [(digits: [UInt8], pair: (UInt32, UInt32))]) {
            var parts: [[UInt8]: [(digits: [UInt8], pair: (UInt32, UInt32))]] = [:]
            for item in items where item.digits.count >= length {
                parts[Array(item.digits.prefix(length)), default: []].append(item)
            }
            for prefix in parts.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let group = parts[prefix]!
                let e = estimateHouseholds(clusters, shaped: group.map(\.pair), matchProbability: matchProbability)
                let g = PhoneGroupEstimate(
                    prefix: String(decoding: prefix, as: UTF8.self), shapedPairs: e.shapedPairs,
                    bothDuplicated: e.bothDuplicated, expectedHouseholds: e.expectedHouseholds, merged: false)
                if g.shapedPairs == 0 { continue }
                if share(g) <= maxShare {
                    candidates.append(g)
                } else if length < maxDigits {
                    visit(length + 1, group)
                } else {
                    apart.append(g)
                }
            }
        }
        visit(2, pairs)
        candidates.sort { share($0) != share($1) ? share($0) < share($1) : $0.prefix < $1.prefix }
        var spent = 0.0
        for k in candidates.indices where spent + candidates[k].expectedHouseholds <= allowed {
            candidates[k].merged = true
            spent += candidates[k].expectedHouseholds
        }
        return candidates + apart
    }

    /// The largest share of households among shaped pairs (`neither`, `one`, `both` of their sides duplicated) whose
    /// log likelihood is within 1.35 of the best (a one-sided 95% bound): a household's sides are each duplicated
    /// with probability `duplicated`, a replaced first name's other side with probability `siblings`, its own never.
    static func householdShareBound(
        neither: Int, one: Int, both: Int, duplicated d: Double, siblings q: Double
    ) -> Double {
        guard neither + one + both > 0 else { return 1 }
        let household = [(1 - d) * (1 - d), 2 * d * (1 - d), d * d]
        let replaced = [1 - q, q, 0.0]
        let counts = [Double(neither), Double(one), Double(both)]
        func logLikelihood(_ h: Double) -> Double {
            var l = 0.0
            for k in 0..<3 where counts[k] > 0 {
                let p = h * household[k] + (1 - h) * replaced[k]
                if p <= 0 { return -.infinity }
                l += counts[k] * log(p)
            }
            return l
        }
        let steps = 1_000
        let curve = (0...steps).map { logLikelihood(Double($0) / Double(steps)) }
        guard let best = curve.max(), best > -.infinity else { return 1 }
        // The step above the last one within the bound: a bound rounds up.
        let last = curve.lastIndex { $0 >= best - 1.353 } ?? steps
        return min(1, Double(last + 1) / Double(steps))
    }
}

extension FuzzyDeduplicator {
    /// The matched pairs that join a row without a first name (none, or a last name in the first-name field) to
    /// two rows kept apart as members of one household (`householdPair` says which two rows are), when nothing
    /// personal (e-mail, date of birth, identifier, or a phone `tiedByPhone` names one person by) ties the row to
    /// either: it could be either member, and the one it
    /// would join is decided by which pair scores higher. When something personal ties it to one, its pair with the
    /// other is the one held back. These pairs go to review instead of merging (keys `min << 32 | max`, rows
    /// 0-based). Pairs at `forcedWeight` or above (a rule forced them) stay. At most `maxPartners` partners of a row
    /// are looked at.
    func pairsTornBetweenRelatives(
        edges: [(Double, UInt32, UInt32)], forcedWeight: Double, maxPartners: Int = 64,
        tiedByPhone: (Int, Int) -> Bool = { _, _ in false }, householdPair: (Int, Int) -> Bool
    ) -> Set<UInt64> {
        func personal(_ x: UInt32, _ p: UInt32) -> Bool {
            let code = compare(Int(x), Int(p))
            return Self.level(code, 0) == 1 || (1...2).contains(Self.level(code, 8))
                || (1...2).contains(Self.level(code, 9)) || tiedByPhone(Int(x), Int(p))
        }
        var partners: [UInt32: [UInt32]] = [:]
        // A row without a first name, or whose one name, in the first-name field, was read as a last name
        // (`namesAcross`); only partners with a first name: a household-shaped pair has one on both sides.
        func unsure(_ x: UInt32, _ p: UInt32) -> Bool {
            guard first[Int(p)] != 0 else { return false }
            if first[Int(x)] == 0 { return true }
            return last[Int(x)] == 0 && last[Int(p)] != 0 && Self.level(compare(Int(x), Int(p)), 2) == 0
        }
        for (w, a, b) in edges where w < forcedWeight {
            if unsure(a, b) { partners[a, default: []].append(b) }
            if unsure(b, a) { partners[b, default: []].append(a) }
        }
        var torn = Set<UInt64>()
        for (x, ps) in partners where ps.count >= 2 {
            let ps = ps.prefix(maxPartners)
            for i in ps.indices {
                for j in ps.indices where j > i && householdPair(Int(ps[i]), Int(ps[j])) {
                    // Tied to one of them by something personal: its pair with the other is the unsure one.
                    let ti = personal(x, ps[i])
                    let tj = personal(x, ps[j])
                    if ti && tj { continue }
                    for p in ti ? [ps[j]] : (tj ? [ps[i]] : [ps[i], ps[j]]) {
                        torn.insert(UInt64(min(x, p)) << 32 | UInt64(max(x, p)))
                    }
                }
            }
        }
        return torn
    }
}

extension FuzzyDeduplicator {
    /// `head` then `text`, in lines of at most `width` columns (a longer word stands alone), the lines after the first
    /// indented by `indent` spaces: an explanation's first line (indent 4) and `crmgate dedupe`'s summary lines (under
    /// column 17, where their values start), read on a terminal or the web page.
    public static func wrapped(_ text: String, head: String = "", indent: Int, width: Int = 80) -> [String] {
        var lines: [String] = []
        var line = head
        var empty = true
        for word in text.split(separator: " ") {
            if !empty, line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent)
                empty = true
            }
            line += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(line)
        return lines
    }
}

/// What the cluster guard decided for a matching pair whose rows are in two clusters already (rows 0-based).
enum GuardVerdict: Equatable {
    /// The clusters may become one.
    case join
    /// Together they would pass the largest cluster allowed (their size).
    case tooLarge(Int)
    /// Two of their rows, one on each side, look like two members of one household.
    case household(Int, Int)
    /// Two of their rows, one on each side, are two people (`TwoPeople`).
    case twoPeople(Int, Int, TwoPeople)
    /// Two of their rows, one on each side, weigh against being one person (their score).
    case against(Int, Int, Double)
    /// The pairs across the two clusters score, on average, below the review weight (that average).
    case weak(Double)
    /// Each cluster agrees within on a field (a field number of `FuzzyDeduplicator.fields`: first name, last name,
    /// street) and the two differ in it (`ClusterBuilder.corroboratedApart`).
    case corroborated(Int)

    /// The explanation's lines (1-based rows, within 80 columns).
    func explanation(maxCluster: Int) -> [String] {
        switch self {
        case .join: return []
        case .tooLarge(let n):
            return [
                "  refused by the cluster guard: together the two clusters would hold",
                "  \(n) rows (at most \(maxCluster))",
            ]
        case .twoPeople(let x, let y, let why):
            return [
                "  refused by the cluster guard: rows \(x + 1) and \(y + 1), one in each cluster,",
                "  are two people: \(why.reason)",
            ]
        case .household(let x, let y):
            return [
                "  refused by the cluster guard: rows \(x + 1) and \(y + 1), one in each cluster,",
                "  look like two members of one household",
            ]
        case .against(let x, let y, let s):
            return [
                "  refused by the cluster guard: rows \(x + 1) and \(y + 1), one in each cluster,",
                "  score " + String(format: "%.2f", s) + " (below 0: more likely two people)",
            ]
        case .weak(let avg):
            return [
                "  refused by the cluster guard: the pairs across the two clusters score",
                "  " + String(format: "%.2f", avg) + " on average, below the review weight",
            ]
        case .corroborated(let field):
            let name = ["first": "first name", "last": "last name", "street": "street"][FuzzyDeduplicator.fields[field]]
            return [
                "  refused by the cluster guard: each cluster agrees within on one \(name ?? "value");",
                "  the two clusters' differ (two duplicates rarely carry one wrong value)",
            ]
        }
    }
}
