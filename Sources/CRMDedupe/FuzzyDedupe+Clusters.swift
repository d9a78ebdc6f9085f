/// Clusters from the matching pairs: union-find with member lists, each union of two clusters through the cluster
/// guard (`mayJoin`), and the pairs that stand alone between a row and a cluster (`joinSole`).
struct ClusterBuilder {
    typealias D = FuzzyDeduplicator
    /// The scores the guard reads (households state as decided).
    let scorer: PairScorer
    /// The rows (read only).
    var rows: FuzzyDeduplicator { scorer.rows }
    private var sets: DisjointSets
    /// The rows of each cluster of more than one row, by its root.
    private var members: [Int32: [Int32]] = [:]
    /// How many matching pairs the guard refused.
    private(set) var refused = 0
    /// Why each refused pair was refused, by pair key (kept only with `keepRefusals`: for the explanations).
    private(set) var refusals: [UInt64: GuardVerdict] = [:]
    /// Whether `refusals` is kept (`--explain`, or explanations of the review pairs).
    let keepRefusals: Bool
    /// The matching pairs the guard refused (to review, unless their rows meet in one cluster after all).
    private(set) var guarded: [(Double, UInt32, UInt32)] = []
    /// The pairs below the match weight merged as the only likely link of a row and a cluster (keys `a << 32 | b`).
    private(set) var solePairs = Set<UInt64>()

    /// Every row a cluster of its own.
    init(scorer: PairScorer, keepRefusals: Bool) {
        self.scorer = scorer
        self.keepRefusals = keepRefusals
        sets = DisjointSets(scorer.rows.count)
    }

    /// The root of row `x`'s cluster.
    mutating func find(_ x: Int32) -> Int32 { sets.find(x) }

    /// The rows of the cluster whose root is `root`.
    func members(of root: Int32) -> [Int32] { members[root] ?? [root] }

    /// Whether two first names of a household's shape are two misspellings of a third row's in the clusters
    /// (`klivia` and `olivya`, each one edit or Jaro-Winkler 0.88 from `olivia`, read straight, swapped or as text
    /// recognition confused them): one name keyed wrongly twice, not two relatives. An initial or a nickname
    /// bridges nothing, nor does a row without a first name, and a name of three letters or fewer is not bridged
    /// (`kim`, `tim`, `tom` are one edit apart in a row and three people; this costs 0.0003 recall on 1M generated
    /// leads, where such names are typos).
    func bridged(_ x: Int, _ y: Int, _ ma: [Int32], _ mb: [Int32]) -> Bool {
        let r = rows
        func long(_ i: Int) -> Bool { r.first[i] != 0 && r.firsts.bytes[Int(r.first[i])].count >= 4 }
        guard long(x), long(y) else { return false }
        func close(_ p: Int, _ q: Int) -> Bool { [1, 3, 4].contains(D.level(r.compare(p, q), 2)) }
        for list in [ma, mb] {
            for z in list where Int(z) != x && Int(z) != y && r.first[Int(z)] != 0 {
                guard close(x, Int(z)), close(y, Int(z)) else { continue }
                return true
            }
        }
        return false
    }

    /// Two copies of one person may each differ from the original in other fields, so that they differ from each
    /// other in more: across two clusters, either of more than one row, no pair may weigh against the match (a total
    /// below 0: more evidence of two people than of one), and the pairs together must make a match more likely than
    /// not. A chain of strangers through one link fails the first.
    func mayJoin(_ ma: [Int32], _ mb: [Int32]) -> GuardVerdict {
        guard ma.count > 1 || mb.count > 1 else { return .join }
        var sum = 0.0
        var n = 0
        // Two rows across them that share a phone the file shows households do not share are one person: the
        // household's shape of their other rows (a duplicate without the phone) is that person's too.
        let tied =
            !scorer.personalPhones.isEmpty
            && ma.contains { x in mb.contains { y in scorer.sharePersonalPhone(Int(x), Int(y)) } }
        for x in ma {
            for y in mb {
                let code = rows.compare(Int(x), Int(y))
                if scorer.forced(Int(x), Int(y), code: code) { continue }
                // Two rows that are two people (`TwoPeople`) make no one person of their clusters, however well the
                // rows between them match each.
                if let why = scorer.twoPeople(code, Int(x), Int(y)), why.guards {
                    return .twoPeople(Int(x), Int(y), why)
                }
                // Nor may two of them look like two members of one household: a row without a first name (or a
                // replaced one) matching each of two relatives does not make them one person. Two misspellings
                // of one name another row bridges are no household (`bridged`).
                if scorer.separateHouseholds, !tied,
                    scorer.household(code, Int(x), Int(y))
                        || (scorer.separateTwins && scorer.twins(code, Int(x), Int(y))),
                    !bridged(Int(x), Int(y), ma, mb)
                {
                    return .household(Int(x), Int(y))
                }
                let s = scorer.score(code, Int(x), Int(y))
                if s < 0 { return .against(Int(x), Int(y), s) }
                sum += s
                n += 1
            }
        }
        if n > 0, sum / Double(n) < scorer.reviewWeight { return .weak(sum / Double(n)) }
        if let field = corroboratedApart(ma, mb) { return .corroborated(field) }
        return .join
    }

    /// The fields in which two clusters of two rows or more may each agree within and differ across: the first name,
    /// the last name, the street line. (Field numbers of `FuzzyDeduplicator.fields`.)
    static let corroboratedFields = [2, 3, 5]

    /// The field (first name, last name, street) in which every row of each cluster agrees with the rest of its own
    /// cluster and differs from every row of the other: two duplicates of one person do not both carry the same wrong
    /// value, so each cluster's value is corroborated and the two are two people (`Francis`/`Frank` at number 61 and
    /// `Amanda`/`Amandaa` at 63 on one street; a fourth person generator's, without households, merged by one pair of
    /// them that a first name replaced on one row would explain). Nothing here when an identifier, a date of birth or
    /// an e-mail address agrees across them or a rule forces a pair across, or either cluster has a row without the
    /// field; a phone that agrees across lifts the last name and the street (a person who married or moved keeps
    /// the number), and a street line of a house number alone names no street.
    func corroboratedApart(_ ma: [Int32], _ mb: [Int32]) -> Int? {
        guard ma.count > 1, mb.count > 1, ma.count * mb.count <= 400 else { return nil }
        var open = Self.corroboratedFields
        if ma.contains(where: { rows.numberOnly(rows.street[Int($0)]) })
            || mb.contains(where: { rows.numberOnly(rows.street[Int($0)]) })
        {
            open.removeAll { $0 == 5 }
        }
        func alike(_ f: Int, _ level: Int) -> Bool { level != 0 && level != D.levels[f] - 1 && !(f == 5 && level == 6) }
        func differ(_ f: Int, _ level: Int, _ x: Int, _ y: Int) -> Bool {
            switch f {
            case 2: return level == D.firstDifferent && !rows.firstNamesAlike(rows.first[x], rows.first[y])
            case 5: return level >= 6
            default: return level == D.levels[f] - 1
            }
        }
        for x in ma {
            for y in mb {
                let code = rows.compare(Int(x), Int(y))
                if D.level(code, 9) == 1 || D.level(code, 8) == 1 || D.level(code, 0) == 1
                    || scorer.forced(Int(x), Int(y), code: code)
                {
                    return nil
                }
                if D.level(code, 1) == 1 { open.removeAll { $0 != 2 } }
                open.removeAll { !differ($0, D.level(code, $0), Int(x), Int(y)) }
                if open.isEmpty { return nil }
            }
        }
        for side in [ma, mb] {
            for i in side.indices {
                for j in side.indices where j > i {
                    let code = rows.compare(Int(side[i]), Int(side[j]))
                    open.removeAll { !alike($0, D.level(code, $0)) }
                    if open.isEmpty { return nil }
                }
            }
        }
        return open.first
    }

    private mutating func refuse(_ w: Double, _ a: UInt32, _ b: UInt32, _ why: GuardVerdict) {
        refused += 1
        guarded.append((w, a, b))
        if keepRefusals { refusals[UInt64(min(a, b)) << 32 | UInt64(max(a, b))] = why }
    }

    private mutating func join(_ ra: Int32, _ rb: Int32) {
        let na = members[ra]?.count ?? 1
        let nb = members[rb]?.count ?? 1
        let (big, small) = na >= nb ? (ra, rb) : (rb, ra)
        sets.parent[Int(small)] = big
        members[big] = (members[big] ?? [big]) + (members[small] ?? [small])
        members[small] = nil
    }

    /// Joins the clusters of each matching pair, heaviest first (`edges` sorted so), through the guard; pairs a rule
    /// forced (at `matchWeight + 100` or above) pass it.
    mutating func join(edges: [(Double, UInt32, UInt32)], maxCluster: Int) {
        for (w, a, b) in edges {
            let ra = find(Int32(a))
            let rb = find(Int32(b))
            if ra == rb { continue }
            let ma = members(of: ra)
            let mb = members(of: rb)
            if ma.count + mb.count > maxCluster {
                refuse(w, a, b, .tooLarge(ma.count + mb.count))
                continue
            }
            if w < scorer.matchWeight + 100 {
                let verdict = mayJoin(ma, mb)
                if verdict != .join {
                    refuse(w, a, b, verdict)
                    continue
                }
            }
            join(ra, rb)
        }
    }

    /// A pair below the match weight that is the only likely link between a row and a cluster — the strongest link
    /// each has to another cluster is to the other, and neither has a link to a third even as likely as not — is
    /// the one-to-one case: merged, through the guard. Two clusters of several rows are two people each with
    /// their duplicates more often than one person (two Duncans with a duplicate each on one street, 4 wrong pairs
    /// of the third generator's D names). Returns the pairs not merged, for review.
    mutating func joinSole(
        _ sole: [(Double, UInt32, UInt32)], edges: [(Double, UInt32, UInt32)], review: [(Int32, Int32, Double)],
        maxCluster: Int
    ) -> [(Int32, Int32, Double)] {
        var links = ClusterLinks()
        if !sole.isEmpty {
            for (w, a, b) in edges { links.note(find(Int32(a)), find(Int32(b)), w) }
            for (w, a, b) in sole { links.note(find(Int32(a)), find(Int32(b)), w) }
            for (a, b, w) in review { links.note(find(a), find(b), w) }
        }
        var unsure: [(Int32, Int32, Double)] = []
        for (w, a, b) in sole.sorted(by: { $0.0 > $1.0 }) {
            let ra = find(Int32(a))
            let rb = find(Int32(b))
            // A household's shape only where the file showed no households (`scorer.separateHouseholds`, set by
            // `decideHouseholds`).
            if ra != rb, links.standAlone(ra, rb, w, unsure: scorer.reviewWeight),
                !scorer.separateHouseholds || !scorer.household(rows.compare(Int(a), Int(b)), Int(a), Int(b))
            {
                let ma = members(of: ra)
                let mb = members(of: rb)
                if min(ma.count, mb.count) == 1, ma.count + mb.count <= maxCluster, mayJoin(ma, mb) == .join {
                    join(ra, rb)
                    solePairs.insert(UInt64(a) << 32 | UInt64(b))
                    continue
                }
            }
            unsure.append((Int32(a), Int32(b), w))
        }
        return unsure
    }
}
