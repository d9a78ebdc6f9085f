import Foundation

/// The compared pairs sorted by what becomes of them once scored: matches (merged through the cluster guard), pairs
/// that may stand alone between their clusters, pairs for review with their reason, and household-shaped matches
/// held until the file says whether its households are kept apart.
struct PairDecisions {
    /// A scored pair: (weight, row a, row b), a < b.
    typealias Pair = (Double, UInt32, UInt32)
    /// Pairs that score a match (or a rule forced).
    var edges: [Pair] = []
    /// Pairs from the sole weight up to the match weight (no two people's shape; a household's shape only where the
    /// file may show no households), decided once the clusters are made.
    var sole: [Pair] = []
    /// Pairs for a person to review: (row a, row b, weight).
    var review: [(Int32, Int32, Double)] = []
    /// Why each pair of `review` is there (same order).
    var reviewWhy: [ReviewReason] = []
    /// Household-shaped pairs that score a match (`--households auto` only), until `decideHouseholds`.
    var shaped: [Pair] = []

    /// Scores every compared pair (`pairs` with their comparison `codes`) and sorts it: on every core, in runs of a
    /// fixed length whose results are joined in order, so that every list is as one thread makes it (the scorer only
    /// reads the rows, their pack and the model).
    init(pairs: [UInt64], codes: [Int32], scorer: PairScorer) {
        precondition(pairs.count == codes.count, "a code for every pair")
        // The rows' pack laid out now, on this thread (`RowPack`: the scorer reads it; laid out again on several
        // threads at once, one would free what another reads).
        _ = scorer.rows.packed()
        let run = 1 << 16
        let runs = (pairs.count + run - 1) / run
        guard runs > 1 else {
            decide(pairs[...], codes[...], scorer: scorer)
            return
        }
        var parts = [PairDecisions](repeating: PairDecisions(), count: runs)
        parts.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            nonisolated(unsafe) let scorer = scorer
            DispatchQueue.concurrentPerform(iterations: runs) { k in
                let range = (k * run)..<min(pairs.count, (k + 1) * run)
                out[k].decide(pairs[range], codes[range], scorer: scorer)
            }
        }
        // Joined at their final size, each run let go once joined.
        edges.reserveCapacity(parts.reduce(0) { $0 + $1.edges.count })
        sole.reserveCapacity(parts.reduce(0) { $0 + $1.sole.count })
        review.reserveCapacity(parts.reduce(0) { $0 + $1.review.count })
        reviewWhy.reserveCapacity(parts.reduce(0) { $0 + $1.reviewWhy.count })
        shaped.reserveCapacity(parts.reduce(0) { $0 + $1.shaped.count })
        for k in parts.indices {
            edges += parts[k].edges
            sole += parts[k].sole
            review += parts[k].review
            reviewWhy += parts[k].reviewWhy
            shaped += parts[k].shaped
            parts[k] = PairDecisions()
        }
    }

    private init() {}

    /// Scores one run of the pairs, on this thread, appending to the lists.
    private mutating func decide(_ pairs: ArraySlice<UInt64>, _ codes: ArraySlice<Int32>, scorer: PairScorer) {
        typealias D = FuzzyDeduplicator
        let auto = scorer.settings.households == .auto
        let match = scorer.matchWeight
        for (k, p) in zip(codes.indices, pairs) {
            let a = Int(p >> 32)
            let b = Int(p & 0xFFFF_FFFF)
            let code = Int(codes[k])
            let raw = scorer.rawScore(code, a, b)
            var w = scorer.capped(raw, code, a, b)
            if scorer.forced(a, b, code: code) {
                w = max(w, match + 100)
            } else if auto, raw >= match, scorer.household(code, a, b),  // below it, so is `w` (`capped`)
                (scorer.twoPeople(code, a, b) == nil ? w : raw) >= match
            {
                // Two people's shape too (`TwoPeople`: relatives' dates of birth differ) takes part in the households
                // decision like any household's shape; merged it is not (`decideHouseholds`).
                shaped.append((max(w, match), UInt32(a), UInt32(b)))
                continue
            }
            if w >= match {
                edges.append((w, UInt32(a), UInt32(b)))
            } else if w >= scorer.soleWeight, !D.twoPeoplesShape(code), scorer.twoPeople(code, a, b) == nil,
                scorer.settings.households != .separate || !scorer.household(code, a, b)
            {
                sole.append((w, UInt32(a), UInt32(b)))
            } else if w >= scorer.reviewWeight {
                review.append((Int32(a), Int32(b), w))
                // With `--households separate` a household's shape is capped just below the match weight (`score`).
                let scoresMatch = raw >= match
                if scoresMatch, scorer.twoPeople(code, a, b) != nil {
                    reviewWhy.append(.twoPeople)
                } else if scorer.separateHouseholds && scorer.household(code, a, b) && scoresMatch {
                    reviewWhy.append(.household)
                } else {
                    reviewWhy.append(scoresMatch && D.namesakesShape(code) ? .namesakes : .unsure)
                }
            }
        }
    }

    /// Moves `pairs` to review with reason `why`, at the weight of a pair held back (`PairScorer.heldBack`).
    mutating func holdBack(_ pairs: [Pair], _ why: ReviewReason, at weight: Double) {
        review += pairs.map { (Int32($0.1), Int32($0.2), weight) }
        reviewWhy += pairs.map { _ in why }
    }

    /// Household-shaped pairs the households decision merges: to the matches, but those of two people's shape
    /// (`PairScorer.twoPeople`) to review.
    mutating func merge(_ pairs: [Pair], scorer: PairScorer, compare: (Int, Int) -> Int) {
        for e in pairs {
            if scorer.twoPeople(compare(Int(e.1), Int(e.2)), Int(e.1), Int(e.2)) != nil {
                holdBack([e], .twoPeople, at: scorer.heldBack)
            } else {
                edges.append(e)
            }
        }
    }

    /// Removes from the matches those whose key (`a << 32 | b`) is in `keys`.
    mutating func removeEdges(_ keys: Set<UInt64>) {
        if !keys.isEmpty { edges.removeAll { keys.contains(UInt64($0.1) << 32 | UInt64($0.2)) } }
    }
}

extension FuzzyDeduplicator {
    /// `--households auto`: whether the file's households are kept apart (`estimateHouseholds`, read from how often
    /// both sides of a household-shaped pair have duplicates of their own); where they are, the shaped pairs whose
    /// phone agrees are asked again by the phone's first digits (`decidePhoneGroups`), and the rest go to review;
    /// where households are many, first names alike in spelling make a household's shape too. Sets the scorer's
    /// households state.
    func decideHouseholds(_ d: inout PairDecisions, scorer: inout PairScorer, patternPairs: Int) -> HouseholdEstimate {
        let clusters = MatchedClusters(rows: count, matched: d.edges.map { ($0.1, $0.2) })
        var estimate = Self.estimateHouseholds(
            clusters, shaped: d.shaped.map { ($0.1, $0.2) }, matchProbability: settings.matchProbability,
            patternPairs: patternPairs)
        if estimate.separate {
            // Kept apart: the pairs whose phone agrees are asked again, by the phone's first digits.
            let agreeing = d.shaped.filter { samePhone(Int($0.1), Int($0.2)) }
            estimate.phoneGroups = Self.decidePhoneGroups(
                clusters, pairs: agreeing.map { (phones.bytes[Int(phone[Int($0.1)])], ($0.1, $0.2)) },
                matchProbability: settings.matchProbability, maxShare: 1 - settings.soleMatchProbability,
                allowed: estimate.allowedWrongMerges)
            scorer.personalPhones = Set(
                estimate.phoneGroups.filter(\.merged).map { Self.prefixKey(Array($0.prefix.utf8)[...]) })
            if !scorer.personalPhones.isEmpty {
                // No household's shape any more: they merge like any other pair that scores a match.
                var held: [PairDecisions.Pair] = []
                var merging: [PairDecisions.Pair] = []
                for e in d.shaped {
                    if scorer.household(compare(Int(e.1), Int(e.2)), Int(e.1), Int(e.2)) {
                        held.append(e)
                    } else {
                        merging.append(e)
                    }
                }
                d.merge(merging, scorer: scorer, compare: { self.compare($0, $1) })
                d.shaped = held
            }
        }
        scorer.separateHouseholds = estimate.separate
        if estimate.separate {
            d.holdBack(d.shaped, .household, at: scorer.heldBack)
        } else {
            d.merge(d.shaped, scorer: scorer, compare: { self.compare($0, $1) })
        }
        d.shaped = []
        // A loose household's shape (`PairScorer.looseHousehold`: last names alike only by Jaro-Winkler or read across)
        // follows the households: a relative's last name mistyped twice or a row's names swapped is as common among
        // relatives as among one person's copies with a first name replaced, so such pairs are the same mixture as the
        // household-shaped ones. Where those are kept apart, so are these (merged, they joined households' members on
        // the fourth generator's files: B's 39 wrong pairs were 17 without them). Not where no pair of a household's
        // shape scored a match: there the file shows no households, only the default keeps them apart.
        if estimate.separate && estimate.shapedPairs > 0 {
            scorer.separateLoose = true
            estimate.looseHeldBack = holdBackHouseholdShaped(&d, scorer: scorer, scorer.looseHousehold)
        }
        if estimate.dense {
            scorer.nearHouseholds = true
            // The pairs a household's shape takes in only now (first names alike in spelling) leave the matches.
            _ = holdBackHouseholdShaped(&d, scorer: scorer, scorer.household)
        }
        // Twins (`PairScorer.twins`: a household's shape whose date of birth agrees) are decided as households are,
        // on their own: two people each duplicated as often as anyone, or one person's first name replaced on one row.
        // The twins held back as two people already (their e-mail addresses differ too) take part in the decision as
        // households of two people's shape do: left out, they took the plainest twins out of what the file shows (a
        // second trial's twins went from kept apart to merged when e-mails began to tell some of them apart).
        let s = scorer
        let twins = d.edges.filter { e in
            !s.forced(Int(e.1), Int(e.2)) && s.twins(compare(Int(e.1), Int(e.2)), Int(e.1), Int(e.2))
        }
        let heldTwins = zip(d.review, d.reviewWhy).filter { p, why in
            why == .twoPeople && s.twins(compare(Int(p.0), Int(p.1)), Int(p.0), Int(p.1))
        }.map { p, _ in (UInt32(p.0), UInt32(p.1)) }
        if !twins.isEmpty {
            let keys = Set(twins.map { UInt64($0.1) << 32 | UInt64($0.2) })
            let others = d.edges.filter { !keys.contains(UInt64($0.1) << 32 | UInt64($0.2)) }
            let t = Self.estimateHouseholds(
                MatchedClusters(rows: count, matched: others.map { ($0.1, $0.2) }),
                shaped: twins.map { ($0.1, $0.2) } + heldTwins, matchProbability: settings.matchProbability)
            if t.separate && t.shapedPairs > 0 {
                scorer.separateTwins = true
                d.holdBack(twins, .household, at: scorer.heldBack)
                d.removeEdges(keys)
            }
        }
        return estimate
    }

    /// Moves the matches (not forced by a rule) whose comparison has `shape` to review as households; returns how many.
    private func holdBackHouseholdShaped(
        _ d: inout PairDecisions, scorer: PairScorer, _ shape: (Int, Int, Int) -> Bool
    ) -> Int {
        let held = d.edges.filter { e in
            !scorer.forced(Int(e.1), Int(e.2)) && shape(compare(Int(e.1), Int(e.2)), Int(e.1), Int(e.2))
        }
        d.holdBack(held, .household, at: scorer.heldBack)
        d.removeEdges(Set(held.map { UInt64($0.1) << 32 | UInt64($0.2) }))
        return held.count
    }

    /// A row with neither a first nor a last name (a firm's row: its company, number and address) that matches two rows
    /// that are two people (`TwoPeople`, but for a suffix on one row only) would make them one cluster through itself:
    /// its matches go to review. A
    /// second trial's small firms ended as one cluster, every member of staff joined through the firm's own row.
    /// Returns their keys.
    func holdBackNamelessHubs(_ d: inout PairDecisions, scorer: PairScorer) -> Set<UInt64> {
        func nameless(_ r: UInt32) -> Bool { first[Int(r)] == 0 && last[Int(r)] == 0 }
        var partners: [UInt32: [UInt32]] = [:]
        for (w, a, b) in d.edges where w < scorer.matchWeight + 100 {
            if nameless(a), !nameless(b) { partners[a, default: []].append(b) }
            if nameless(b), !nameless(a) { partners[b, default: []].append(a) }
        }
        var hubs = Set<UInt64>()
        for (x, all) in partners where all.count >= 2 {
            let ps = all.prefix(64)
            let split = ps.indices.contains { i in
                ps.indices.contains { j in
                    j > i && scorer.surelyTwoPeople(compare(Int(ps[i]), Int(ps[j])), Int(ps[i]), Int(ps[j])) != nil
                }
            }
            if split { for p in all { hubs.insert(UInt64(min(x, p)) << 32 | UInt64(max(x, p))) } }
        }
        if !hubs.isEmpty {
            d.holdBack(
                d.edges.filter { hubs.contains(UInt64($0.1) << 32 | UInt64($0.2)) }, .nameless, at: scorer.heldBack)
            d.removeEdges(hubs)
        }
        return hubs
    }

    /// Where households are kept apart: the matches of a row without a first name with two members of one household
    /// go to review (`pairsTornBetweenRelatives`). Returns their keys.
    func holdBackTornPairs(_ d: inout PairDecisions, scorer: PairScorer) -> Set<UInt64> {
        let torn = pairsTornBetweenRelatives(
            edges: d.edges, forcedWeight: scorer.matchWeight + 100, tiedByPhone: scorer.sharePersonalPhone
        ) { p, q in
            scorer.household(compare(p, q), p, q)
        }
        if !torn.isEmpty {
            let tornEdges = d.edges.filter { torn.contains(UInt64($0.1) << 32 | UInt64($0.2)) }
            d.holdBack(tornEdges, .relatives, at: scorer.heldBack)
            d.removeEdges(torn)
        }
        return torn
    }
}

extension FuzzyDeduplicator {
    /// The review pairs whose rows are still apart, and of the guard's refusals one pair (the heaviest) per two
    /// clusters: once the guard keeps them apart every later pair between them is refused again, and a person decides
    /// once (`cluster`: each row's root).
    static func stillApart(
        _ review: [(Int32, Int32, Double)], _ reviewWhy: [ReviewReason], cluster: [Int32]
    ) -> ([(Int32, Int32, Double)], [ReviewReason]) {
        var keep = review.indices.map { cluster[Int(review[$0].0)] != cluster[Int(review[$0].1)] }
        var guardPair: [UInt64: Int] = [:]
        for k in review.indices where keep[k] && reviewWhy[k] == .clusterGuard {
            let x = UInt32(cluster[Int(review[k].0)])
            let y = UInt32(cluster[Int(review[k].1)])
            let key = UInt64(min(x, y)) << 32 | UInt64(max(x, y))
            if let j = guardPair[key] {
                let better = review[k].2 > review[j].2
                keep[better ? j : k] = false
                if better { guardPair[key] = k }
            } else {
                guardPair[key] = k
            }
        }
        let kept = review.indices.filter { keep[$0] }
        return (kept.map { review[$0] }, kept.map { reviewWhy[$0] })
    }
}
