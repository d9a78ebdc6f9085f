/// One training session of the model: EM on the compared pairs that agree exactly on one field family, which
/// estimates m for the fields of the other (as Splink trains m, one blocking rule at a time).
///
/// EM over all compared pairs at once fits whatever splits them most: on a list with names and addresses only, many
/// compared pairs share a name and nothing else (blocking on names brings them together), and EM took "same name"
/// for the matching class, so that a different street barely counted against a pair (m 0.74 for "different") and
/// an agreeing one too little for it. Among pairs with the same first and last name, what splits them is whether
/// they are one person, which the address fields then tell; among pairs at the same street and postcode, the names
/// do. u stays the random-pair u (how often two rows agree by chance), so EM only has to find m and the share.
public struct TrainingSession: Sendable, Equatable {
    /// What the pairs of the session agree on.
    public var agreeOn: String
    /// Compared pairs in the session.
    public var pairs: Int
    /// The fields whose m the session set (none when it had too few pairs, or too few with those fields).
    public var fields: [String]
    /// The share of the session's pairs EM took for matches.
    public var matchShare: Double
    /// Pairs of a household's shape left out of the session after its first fit took them for the matches (0: none).
    public var householdsLeftOut: Int = 0
    /// Whether its matches had other first names as often as the same even so: it set nothing, and the names' m were
    /// sought among pairs with the same e-mail address.
    public var degenerate = false
}

extension FuzzyDeduplicator {
    /// The fewest pairs a session needs, and the fewest of them with a field present, to set that field's m.
    public static let sessionMinimumPairs = 500
    public static let sessionMinimumObserved = 200
    /// Pairs a session draws from one group of rows sharing its key (all of them when there are no more), and in all.
    static let sessionPairsPerGroup = 100
    static let sessionPairsInAll = 2_000_000

    /// m per field and level: the name fields from a session on rows with the same street and postcode, the address
    /// fields from one on rows with the same first and last name, the others (and any a session could not set) from
    /// `global`. Each session draws its own pairs, every pair of rows sharing its key (a seeded sample of each large
    /// group), not the compared pairs: those were brought together by blocking keys that read the other fields too
    /// (postcode and name, city and name), so that among them even strangers agree on those fields more often than
    /// chance, and EM counted that agreement for the matches.
    func sessionM(global: [[Double]], u: [[Double]]) -> (m: [[Double]], sessions: [TrainingSession]) {
        typealias Session = (agreeOn: String, blocked: [Int], estimate: [Int], key: (Int) -> UInt64?)
        let sessions: [Session] = [
            (
                "first and last name exact", [2, 3], [5, 6],
                { r in
                    guard self.first[r] != 0, self.last[r] != 0 else { return nil }
                    return UInt64(UInt32(self.first[r])) << 32 | UInt64(UInt32(self.last[r]))
                }
            ),
            (
                "street and postcode exact", [5, 6], [2, 3],
                { r in
                    self.street[r] != 0 && !self.isEmptyPlace(self.postcode[r])
                        ? UInt64(UInt32(self.street[r])) << 32 | UInt64(UInt32(self.postcode[r])) : nil
                }
            ),
        ]
        // Where the pairs at one address are not one person's rows however they are fitted (colleagues at one office:
        // a trial's B2B list, whose address session took every pair for a match and its names for different 79% of
        // the time), the names' m come from the pairs with the same e-mail address, which name one person.
        let byEmail: Session = (
            "e-mail exact (the address session's matches had other names)", [0], [2, 3],
            { r in self.email[r] != 0 ? UInt64(UInt32(self.email[r])) : nil }
        )
        var m = global
        var out: [TrainingSession] = []
        var queue = sessions
        var k = 0
        while k < queue.count {
            let s = queue[k]
            k += 1
            let (fit, session) = train(s.agreeOn, blocked: s.blocked, estimate: s.estimate, key: s.key, u: u)
            out.append(session)
            guard let fit else { continue }
            let f = Self.firstDifferent
            if s.estimate.contains(2), fit.m[2][f] >= fit.m[2][1], s.blocked != byEmail.blocked {
                // Still the names differ among its matches as often as they agree: it sets nothing.
                out[out.count - 1].fields = []
                out[out.count - 1].degenerate = true
                queue.append(byEmail)
                continue
            }
            for field in session.fields {
                m[Self.fields.firstIndex(of: field)!] = fit.m[Self.fields.firstIndex(of: field)!]
            }
        }
        return (m, out)
    }

    /// One session: EM on the pairs sharing `key`, for the m of the fields at `estimate` (see `sessionM`); nil and a
    /// session that set nothing when it had too few pairs.
    private func train(
        _ agreeOn: String, blocked: [Int], estimate: [Int], key: (Int) -> UInt64?, u: [[Double]]
    ) -> (fit: (lambda: Double, m: [[Double]], u: [[Double]], iterations: Int)?, session: TrainingSession) {
        var sub: [Int: Int] = [:]
        var shapedSub: [Int: Int] = [:]
        var observed = [Int](repeating: 0, count: Self.levels.count)
        var pairs = 0
        forEachSessionPair(key: key) { a, b in
            let code = compare(a, b)
            var c = code
            for f in blocked { c -= Self.level(code, f) * Self.strides[f] }
            sub[c, default: 0] += 1
            if Self.householdPattern(code) { shapedSub[c, default: 0] += 1 }
            pairs += 1
            for f in estimate where Self.level(c, f) > 0 { observed[f] += 1 }
        }
        let usable = estimate.filter { observed[$0] >= Self.sessionMinimumObserved }
        guard pairs >= Self.sessionMinimumPairs, !usable.isEmpty else {
            return (nil, TrainingSession(agreeOn: agreeOn, pairs: pairs, fields: [], matchShare: 0))
        }
        var fit = Self.em(sub, fixedU: u)
        // Matches whose first names differ as often as they agree, or more, are households, not one person's
        // rows: at one address where many people live with a relative, EM took them for the matches (m 0.79 for
        // "first different", 0.04 for "exact"). The session is fitted again without the pairs of a household's
        // shape; the level "different" keeps what the other pairs give it (at least its floor). Too few pairs
        // left, and the session sets nothing (the global EM's m stands, which leaves those pairs out too).
        var leftOut = 0
        let f = Self.firstDifferent
        if estimate.contains(2), fit.m[2][f] >= fit.m[2][1], !shapedSub.isEmpty {
            var rest = sub
            for (c, n) in shapedSub { rest[c, default: 0] -= n }
            rest = rest.filter { $0.value > 0 }
            leftOut = shapedSub.values.reduce(0, +)
            guard rest.values.reduce(0, +) >= Self.sessionMinimumPairs else {
                return (
                    nil,
                    TrainingSession(
                        agreeOn: agreeOn, pairs: pairs, fields: [], matchShare: fit.lambda, householdsLeftOut: leftOut)
                )
            }
            fit = Self.em(rest, fixedU: u)
        }
        return (
            fit,
            TrainingSession(
                agreeOn: agreeOn, pairs: pairs, fields: usable.map { Self.fields[$0] }, matchShare: fit.lambda,
                householdsLeftOut: leftOut)
        )
    }

    /// Calls `body` for pairs of rows sharing `key`: every pair of a small group, a seeded sample of a large one.
    private func forEachSessionPair(key: (Int) -> UInt64?, _ body: (Int, Int) -> Void) {
        var keyed: [(UInt64, Int32)] = []
        for r in 0..<count { if let k = key(r) { keyed.append((k, Int32(r))) } }
        keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var random = SeededRandom(seed: 0x5E55_1015)
        func next(_ n: Int) -> Int { random.next(below: n) }
        var total = 0
        var i = 0
        while i < keyed.count, total < Self.sessionPairsInAll {
            var j = i + 1
            while j < keyed.count, keyed[j].0 == keyed[i].0 { j += 1 }
            let n = j - i
            if n >= 2 {
                if n * (n - 1) / 2 <= Self.sessionPairsPerGroup {
                    for x in i..<j { for y in (x + 1)..<j { body(Int(keyed[x].1), Int(keyed[y].1)) } }
                    total += n * (n - 1) / 2
                } else {
                    for _ in 0..<Self.sessionPairsPerGroup {
                        let x = next(n)
                        let y = next(n - 1)
                        body(Int(keyed[i + x].1), Int(keyed[i + (y >= x ? y + 1 : y)].1))
                    }
                    total += Self.sessionPairsPerGroup
                }
            }
            i = j
        }
    }
}
