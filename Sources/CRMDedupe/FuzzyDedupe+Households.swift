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
public struct HouseholdEstimate: Sendable, Equatable {
    /// Pairs of clusters joined by at least one household-shaped pair that scores a match.
    public var shapedPairs: Int
    /// Of those, the pairs whose two clusters both hold two or more rows: two people, each with duplicates.
    public var bothDuplicated: Int
    /// The share of clusters (people) that hold two or more rows, the shaped pairs left out.
    public var duplicatedShare: Double
    /// Households expected among the shaped pairs: (`bothDuplicated` + 1) / `duplicatedShare`², at most all.
    public var expectedHouseholds: Double
    /// Matched pairs that are not household-shaped.
    public var otherMatches: Int
    /// The most wrong merges allowed: `1 - matchProbability` of all matched pairs, the shaped ones included, and at
    /// most 1% of them whatever the match probability.
    public var allowedWrongMerges: Double
    /// Whether the shaped pairs are kept apart (proposed for review) rather than merged. With none, the rule stays on
    /// for what it also guards: a row without a first name joining two relatives into one cluster.
    public var separate: Bool
}

extension FuzzyDeduplicator {
    /// Decides whether the household-shaped pairs of a file are households (kept apart) or replaced first names
    /// (merged): `matched` are the other pairs that score a match, `shaped` the household-shaped ones, rows 0-based.
    public static func estimateHouseholds(
        rows: Int, matched: [(UInt32, UInt32)], shaped: [(UInt32, UInt32)], matchProbability: Double
    ) -> HouseholdEstimate {
        var sets = DisjointSets(rows)
        func find(_ x: Int32) -> Int32 { sets.find(x) }
        for (a, b) in matched {
            let ra = find(Int32(a)), rb = find(Int32(b))
            if ra != rb { sets.parent[Int(max(ra, rb))] = min(ra, rb) }
        }
        var size = [Int32](repeating: 0, count: rows)
        for r in 0..<rows { size[Int(find(Int32(r)))] += 1 }
        var clusters = 0, duplicated = 0
        for s in size where s > 0 {
            clusters += 1
            if s > 1 { duplicated += 1 }
        }
        var pairs = Set<UInt64>()
        var both = 0
        for (a, b) in shaped {
            let ra = find(Int32(a)), rb = find(Int32(b))
            if ra == rb { continue }  // already one cluster through other rows: nothing to tell
            let key = UInt64(UInt32(min(ra, rb))) << 32 | UInt64(UInt32(max(ra, rb)))
            if pairs.insert(key).inserted, size[Int(ra)] > 1, size[Int(rb)] > 1 { both += 1 }
        }
        let d = clusters > 0 ? Double(duplicated) / Double(clusters) : 0
        let shapedCount = pairs.count
        let expected = d > 0 ? min(Double(shapedCount), Double(both + 1) / (d * d)) : Double(shapedCount)
        // A wrong household merge costs more than one wrong pair (the cluster guard's household rule is off with it, so
        // relatives' duplicates chain), so its allowance does not loosen below the default match probability's.
        let allowed = min(1 - matchProbability, 0.01) * Double(matched.count + shaped.count)
        return HouseholdEstimate(
            shapedPairs: shapedCount, bothDuplicated: both, duplicatedShare: d, expectedHouseholds: expected,
            otherMatches: matched.count, allowedWrongMerges: allowed, separate: shapedCount == 0 || expected > allowed)
    }
}

extension FuzzyDeduplicator {
    /// The matched pairs that join a row without a first name (none, or a last name in the first-name field) to
    /// two rows kept apart as members of one household (`householdPair` says which two rows are), when nothing
    /// personal (e-mail, date of birth, identifier) ties the row to either: it could be either member, and the one it
    /// would join is decided by which pair scores higher. When something personal ties it to one, its pair with the
    /// other is the one held back. These pairs go to review instead of merging (keys `min << 32 | max`, rows
    /// 0-based). Pairs at `forcedWeight` or above (a rule forced them) stay. At most `maxPartners` partners of a row
    /// are looked at.
    func pairsTornBetweenRelatives(
        edges: [(Double, UInt32, UInt32)], forcedWeight: Double, maxPartners: Int = 64,
        householdPair: (Int, Int) -> Bool
    ) -> Set<UInt64> {
        func personal(_ x: UInt32, _ p: UInt32) -> Bool {
            let code = compare(Int(x), Int(p))
            return Self.level(code, 0) == 1 || (1...2).contains(Self.level(code, 8))
                || (1...2).contains(Self.level(code, 9))
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
                    let ti = personal(x, ps[i]), tj = personal(x, ps[j])
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
