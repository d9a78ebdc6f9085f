import Foundation

/// The Fellegi-Sunter model's estimates: m and u by EM on the comparison patterns (the training sessions that set
/// the name and address fields' m are in FuzzyDedupe+Sessions.swift), u from random pairs, term-frequency penalties.
extension FuzzyDeduplicator {
    // MARK: - EM

    /// Fellegi-Sunter EM on the counts of distinct comparison codes; returns lambda, m and u.
    static func em(
        _ histogram: [Int: Int], iterations: Int = 200, fixedU: [[Double]]? = nil
    ) -> (lambda: Double, m: [[Double]], u: [[Double]], iterations: Int) {
        var m: [[Double]] = []
        var u: [[Double]] = []
        for k in levels {
            var mm = [0.0]
            var uu = [0.0]
            for i in 0..<(k - 1) {
                mm.append(0.9 / pow(2, Double(i)))
                uu.append(0.1 / pow(2, Double(k - 2 - i)))
            }
            let sm = mm.reduce(0, +)
            let su = uu.reduce(0, +)
            m.append(mm.map { $0 / sm })
            u.append(uu.map { $0 / su })
        }
        if let fixedU { u = fixedU }
        var lambda = 0.1
        let items = histogram.map { ($0.key, Double($0.value)) }
        let total = items.reduce(0) { $0 + $1.1 }
        var previous: Double?
        var it = 0
        while it < iterations {
            it += 1
            var cm = levels.map { [Double](repeating: 0, count: $0) }
            var cu = cm
            var sumM = 0.0
            var ll = 0.0
            for (code, count) in items {
                var pm = lambda
                var pu = 1 - lambda
                for f in 0..<levels.count {
                    let l = level(code, f)
                    if l > 0 {
                        pm *= m[f][l]
                        pu *= u[f][l]
                    }
                }
                let z = pm + pu
                let g = pm / z
                ll += count * log(z)
                let wm = count * g
                let wu = count * (1 - g)
                sumM += wm
                for f in 0..<levels.count {
                    let l = level(code, f)
                    if l > 0 {
                        cm[f][l] += wm
                        cu[f][l] += wu
                    }
                }
            }
            lambda = sumM / total
            for f in 0..<levels.count {
                let s = cm[f].dropFirst().reduce(0, +)
                if s > 0 {
                    // m floored: a field that differs (a replaced first name, a moved address) weighs against a pair
                    // but
                    // does not rule it out on its own, however rare disagreement was among the matches EM saw. Dates
                    // and
                    // identifiers, which copies of one person rarely change wholesale, keep a lower floor.
                    let floor = mFloor(field: f)
                    let mm = cm[f].dropFirst().map { max($0 / s, floor) }
                    let t = mm.reduce(0, +)
                    m[f] = [0] + mm.map { $0 / t }
                }
                let su = cu[f].dropFirst().reduce(0, +)
                if let fixedU {
                    u[f] = fixedU[f]
                } else if su > 0 {
                    let uu = cu[f].dropFirst().map { max($0 / su, 1e-4) }
                    let t = uu.reduce(0, +)
                    u[f] = [0] + uu.map { $0 / t }
                }
            }
            if let p = previous, abs(ll - p) < 1e-9 * abs(ll) { break }
            previous = ll
        }
        return (lambda, m, u, it)
    }

    /// The prior log2 odds that two rows are one entity, as the finished model sees the compared pairs: the expected
    /// number of matching pairs `E` is the sum of the compared pairs' posteriors under the prior `E` gives, solved by
    /// iterating from EM's estimate (`start`, at most 1,000 steps). Pairs never compared count as two entities. The
    /// weights are the final ones (the training sessions' m for names and address, EM's for the other fields, the
    /// random pairs' u, term-frequency penalties), so it does not move with how EM split the compared pairs into two
    /// classes: on a names-and-address list of 100,000 rows EM's share put about 726,000 matching pairs where there
    /// were 43,587, and this estimate 43,857. Weights are binned to 0.05 bits, those beyond ±80 bits in the end bins.
    /// With fewer than two rows there is no pair: −∞.
    static func selfConsistentPrior(start: Double, allPairs: Double, weights: some Sequence<Double>) -> Double {
        var bins = [Double](repeating: 0, count: priorBins)
        for w in weights { countInBins(w, &bins) }
        return selfConsistentPrior(start: start, allPairs: allPairs, bins: bins)
    }

    /// The bins of `selfConsistentPrior`: `priorBinWidth` bits wide from `priorLow` bits.
    static let priorBins = 3200, priorLow = -80.0, priorBinWidth = 0.05

    /// Counts weight `w` in its bin (NaN in none). The counts are whole numbers: bins counted apart and added are
    /// the same in any order.
    @inline(__always) static func countInBins(_ w: Double, _ bins: inout [Double]) {
        if !w.isNaN { bins[max(0, min(priorBins - 1, Int(max(-1e9, min(1e9, (w - priorLow) / priorBinWidth)))))] += 1 }
    }

    /// `selfConsistentPrior` from the weights counted in bins (`countInBins`).
    static func selfConsistentPrior(start: Double, allPairs: Double, bins: [Double]) -> Double {
        guard allPairs >= 2 else { return -.infinity }
        let lo = priorLow
        let width = priorBinWidth
        let used = bins.indices.filter { bins[$0] > 0 }
        var e = min(max(1, start), allPairs / 2)
        for _ in 0..<1_000 {
            let prior = log2(e / (allPairs - e))
            var s = 0.0
            for i in used { s += bins[i] / (1 + exp2(-(lo + (Double(i) + 0.5) * width + prior))) }
            let next = min(max(1, s), allPairs / 2)
            if abs(next - e) < 1e-6 * e {
                e = next
                break
            }
            e = next
        }
        return log2(e / (allPairs - e))
    }

    /// The least m EM gives a level of field `f` (before the levels are normalised to sum to one).
    static func mFloor(field f: Int) -> Double { f == 8 || f == 9 || f == genderField ? 0.01 : 0.05 }

    // MARK: - u and term frequencies

    /// How often two different people agree exactly on a field, by field (`randomPairU`'s order: e-mail, phone,
    /// first, last, company, street, place, title, date of birth, identifier, middle name, age, sex): a prior that a small file's own
    /// pairs outweigh from a few thousand rows on. Without it, a file of five rows, four of them one person written
    /// four times, counted that person's name as shared by 60% of all pairs and matched nothing: every exact level
    /// weighed less than nothing.
    static let typicalU: [Double] = [1e-7, 1e-6, 0.005, 0.001, 0.001, 1e-5, 0.005, 0.05, 5e-5, 1e-7, 0.02, 0.015, 0.5]

    /// The weight of `typicalU`, in ordered pairs of rows (a file of about 32 rows has as many).
    static let typicalPairs = 1_000.0

    /// Per field and level, the probability that two random rows compare at that level (given both have a value).
    func randomPairU(samples: Int = 1_000_000) -> [[Double]] {
        let fieldIDs: [[Int32]] = [
            email, phone, first, last, company, street, postcode, title, dob, ident, middleName, age, sexes(),
        ]
        let tables = [emails, phones, firsts, lasts, companies, streets, places, titles, dates, idents, middles, ages]
        var u1: [Double] = []
        for (f, ids) in fieldIDs.enumerated() {
            // By id (ids are dense, one table each; the sex has three); the sum is of whole numbers, exact in any order.
            var counts = [Int32](repeating: 0, count: f < tables.count ? tables[f].bytes.count : 3)
            var present = 0
            for id in ids where id != 0 && !(f == 6 && isEmptyPlace(id)) {
                // Two like initials are the middle name's level "initial", not "exact".
                if f != Self.middleField || !middleInitial[Int(id)] { counts[Int(id)] += 1 }
                present += 1
            }
            var same = counts.reduce(0.0) { $0 + Double($1) * Double(max(0, $1 - 1)) }
            if f == 1, !phoneExt.isEmpty {
                // One number is "exact" only with one extension (or none on either): counted by both.
                var byExtension: [Int64: Int] = [:]
                for (r, id) in ids.enumerated() where id != 0 {
                    byExtension[Int64(id) << 32 | Int64(phoneExt[r]), default: 0] += 1
                }
                same = byExtension.values.reduce(0.0) { $0 + Double($1) * Double(max(0, $1 - 1)) }
            }
            let pairs = Double(present) * Double(max(0, present - 1))
            u1.append((same + Self.typicalPairs * Self.typicalU[f]) / (pairs + Self.typicalPairs))
        }
        if let s = streetExactU(u1) { u1[5] = s }
        var seen = Self.levels.map { [Int](repeating: 0, count: $0) }
        var random = SeededRandom(seed: 0x5EED)
        // The pairs drawn first (the seeded sequence as before), compared on every core (`compareAll`), counted.
        var drawn: [UInt64] = []
        if count > 1, count * (count - 1) / 2 <= samples {
            // A small file: every pair, fewer than the sample would draw.
            for i in 0..<(count - 1) { for j in (i + 1)..<count { drawn.append(UInt64(i) << 32 | UInt64(j)) } }
        } else if count > 1 {
            drawn.reserveCapacity(samples)
            for _ in 0..<samples {
                let i = random.next(below: count)
                let j = random.next(below: count)
                if i != j { drawn.append(UInt64(i) << 32 | UInt64(j)) }
            }
        }
        for c in compareAll(drawn) { for f in 0..<Self.levels.count { seen[f][Self.level(Int(c), f)] += 1 } }
        var out: [[Double]] = []
        for f in 0..<Self.levels.count {
            let k = Self.levels[f]
            let rest: Int = seen[f][2...].reduce(0, +)
            let first: Double = max(u1[f], 1e-9)
            var row: [Double] = [0, first]
            for l in 2..<k {
                let share: Double = Double(seen[f][l] + 1) / Double(rest + k - 2)
                row.append((1 - first) * share)
            }
            out.append(row)
        }
        return out
    }

    /// u of an exact street line, counted among pairs of rows that share no name (neither name of one is a name of
    /// the other), nearly all of which are two people. Counted over all pairs, it is mostly a person and their
    /// duplicate: in a list of 10,000 people with one street line each it came out 7e-5, about the share of
    /// duplicates, where two people share a line about once in 200,000 pairs. Lines more than 60 rows share count
    /// every pair (a block of flats, a business address). It is never below 1/16 of the all-pairs estimate. Nil when
    /// too few rows have names and a street.
    func streetExactU(_ u1: [Double]) -> Double? {
        func named(_ i: Int) -> Bool { first[i] != 0 || last[i] != 0 }
        var byStreet: [Int32: [Int32]] = [:]
        var present = 0
        for i in 0..<count where street[i] != 0 && named(i) {
            byStreet[street[i], default: []].append(Int32(i))
            present += 1
        }
        guard present >= 100 else { return nil }
        var agree = 0.0
        for rows in byStreet.values where rows.count > 1 {
            if rows.count > 60 {
                agree += Double(rows.count) * Double(rows.count - 1) / 2
                continue
            }
            for x in 0..<(rows.count - 1) {
                for y in (x + 1)..<rows.count where !sharesName(Int(rows[x]), Int(rows[y])) { agree += 1 }
            }
        }
        let pairs = Double(present) * Double(present - 1) / 2 * max(0.5, 1 - u1[2] - u1[3])
        // Where strangers almost never share a line, the count is one or two pairs and says little: the estimate is
        // kept within 4 bits of the all-pairs one, so that a line alone cannot outweigh two different names.
        return min(u1[5], max(agree / pairs, u1[5] / 16))
    }

    /// Whether rows `a` and `b` share a name: a first or last name of one is a first or last name of the other.
    func sharesName(_ a: Int, _ b: Int) -> Bool {
        if first[a] != 0, first[a] == first[b] { return true }
        if last[a] != 0, last[a] == last[b] { return true }
        if first[a] != 0, last[b] != 0, firsts.bytes[Int(first[a])] == lasts.bytes[Int(last[b])] { return true }
        if last[a] != 0, first[b] != 0, lasts.bytes[Int(last[a])] == firsts.bytes[Int(first[b])] { return true }
        return false
    }

    /// What house numbers of neighbours weigh where two rows share a place, by street level and location level (bits,
    /// never above 0): log2(u / u within the place) for a street line "number or name off" or "same street, other or
    /// no number" whose numbers are neighbours' numbers (`neighbourPair`: both present, so not "no number"), u within
    /// the place counted among pairs of rows that share no name: for location levels 1 and 2, pairs of one postcode;
    /// for level 3, pairs of one city with another postcode (and applied to the level's few pairs of two cities whose
    /// postcodes are one edit apart). The random-pair u of a level counts all its pairs (a number missing too), the
    /// count within the place only neighbours' pairs: the weight taken off errs on the small side.
    ///
    /// The street and the place are not independent: two people of one postcode live on one street far more often
    /// than two people anywhere, so the street's random-pair u, added to the location's weight, counted the place
    /// twice. Neighbours with one first name, another last name and house numbers a digit apart (`Christine Randall,
    /// 42 Collins Circuit` / `Christine Horton, 32 Collins Circuit`) scored 10.9 bits for the street on top of 6.6
    /// for the postcode and city, and merged (a fourth generator, with namesakes and neighbours in one suburb: 58 of
    /// 225 wrong pairs). Namesakes on one street (`John Knight, 2 Oakwood Lane` / `John Knight, 47 Oakwood Lane`)
    /// scored 3.1 bits for "same street, other number" on top of the place, and were 7 of the 18 wrong pairs of two
    /// people that file still merged. Weighed given the place, the whole address block (every street level) cost 7%
    /// of recall on that generator, for duplicates with two or more errors; only the neighbours' levels are weighed
    /// given the place.
    /// Two digits swapped (`45` / `54`), a number missing or holding a letter (`l5` / `15`: text recognition) are a
    /// typo more often than a neighbour and keep the random-pair weight, and so do places with fewer than
    /// `placeMinimumPairs` counted pairs or `placeMinimumNeighbours` neighbours among them (a weight from a handful of
    /// events is noise).
    func neighboursInPlace(u: [[Double]], samples: Int = 300_000) -> [[Double]] {
        var out = [[Double]](repeating: [Double](repeating: 0, count: Self.levels[6]), count: Self.levels[5])
        var byPostcode: [Int32: [Int32]] = [:]
        var byCity: [Int32: [Int32]] = [:]
        for i in 0..<count where street[i] != 0 {
            if !isEmptyPlace(postcode[i]) { byPostcode[postcode[i], default: []].append(Int32(i)) }
            if !isEmptyPlace(city[i]) { byCity[city[i], default: []].append(Int32(i)) }
        }
        // Pairs with a street on both sides, and of them neighbours by street level: [0] location level 1 or 2 (pairs
        // of
        // one postcode), [1] level 3 (pairs of one city, another postcode).
        var pairs = [0, 0]
        var neighbours = [[Int]](repeating: [0, 0], count: Self.levels[5])
        var random = SeededRandom(seed: 0x9ACE)
        // The pairs drawn (of rows that share no name) by kind `t`, compared on every core (`compareAll`), counted.
        var drawn: [[UInt64]] = [[], []]
        func tally(_ a: Int, _ b: Int, _ t: Int) {
            if !sharesName(a, b) { drawn[t].append(UInt64(a) << 32 | UInt64(b)) }
        }
        // Every pair within one postcode (one city) when there are at most `samples`, else a seeded sample of them. The
        // groups in the order of their first rows: a dictionary's order changes from run to run, and the sample with
        // it.
        for (t, groups) in [byPostcode, byCity].enumerated() {
            let gs = groups.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
            var cumulative: [Int] = []
            cumulative.reserveCapacity(gs.count)
            var total = 0
            for g in gs {
                total += g.count * (g.count - 1) / 2
                cumulative.append(total)
            }
            if total == 0 { continue }
            if total <= samples {
                for g in gs {
                    for x in 0..<(g.count - 1) { for y in (x + 1)..<g.count { tally(Int(g[x]), Int(g[y]), t) } }
                }
                continue
            }
            for _ in 0..<samples {
                // Uniform among the pairs within the groups: a group by its share of them, then two of its rows.
                let r = random.next(below: total)
                var lo = 0
                var hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
                }
                let g = gs[lo]
                let x = random.next(below: g.count)
                let y = random.next(below: g.count)
                if x != y { tally(Int(g[x]), Int(g[y]), t) }
            }
        }
        for (t, ps) in drawn.enumerated() {
            for (p, c) in zip(ps, compareAll(ps)) {
                let l = Self.level(Int(c), 6)
                let s = Self.level(Int(c), 5)
                guard s > 0, t == 0 ? (1...2).contains(l) : l == 3 else { continue }
                pairs[t] += 1
                if neighbourPair(s, Int(p >> 32), Int(p & 0xFFFF_FFFF)) { neighbours[s][t] += 1 }
            }
        }
        for s in Self.neighbourLevels {
            let atRandom = u[5][s]
            for (t, levels) in [(0, [1, 2]), (1, [3])]
            where pairs[t] >= Self.placeMinimumPairs && neighbours[s][t] >= Self.placeMinimumNeighbours {
                let within = Double(neighbours[s][t]) / Double(pairs[t])
                if within > atRandom { for l in levels { out[s][l] = log2(atRandom / within) } }
            }
        }
        return out
    }

    /// The fewest pairs within places with a street on both sides, and neighbours among them, `neighboursInPlace`
    /// needs to weigh neighbours there.
    static let placeMinimumPairs = 2_000, placeMinimumNeighbours = 20

    /// log2(max(p_v, u1) / u1) for every value of the fields whose exact agreement is weighed by frequency, where
    /// p_v is the share of the *other* rows with the value: two rows agreeing on a value are scored against how
    /// common it is among the rest (counting the pair itself made every street line that a person and their
    /// duplicate share look twice as common as one row of its own).
    func termFrequencyPenalties(
        u1: [Double]
    ) -> (first: [Double], last: [Double], company: [Double], street: [Double], place: [Double], title: [Double]) {
        // The tables on two cores (each only reads the rows): those counted by people one after the other (their
        // sets of people at once were the run's peak), the rest beside them.
        var made = [[Double]](repeating: [], count: 6)
        made.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            nonisolated(unsafe) let me = self
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                if k == 0 {
                    out[2] = me.termFrequencyTable(me.company, me.companies.bytes.count, u1[4], byPerson: true)
                    out[3] = me.termFrequencyTable(me.street, me.streets.bytes.count, u1[5], byPerson: true)
                } else {
                    out[0] = me.termFrequencyTable(me.first, me.firsts.bytes.count, u1[2])
                    out[1] = me.termFrequencyTable(me.last, me.lasts.bytes.count, u1[3])
                    out[4] = me.termFrequencyTable(
                        me.postcode, me.places.bytes.count, u1[6], skip: { me.isEmptyPlace($0) })
                    out[5] = me.termFrequencyTable(me.title, me.titles.bytes.count, u1[7])
                }
            }
        }
        return (made[0], made[1], made[2], made[3], made[4], made[5])
    }

    /// One table of `termFrequencyPenalties`: the penalty of each value of `ids` (`size` values, random-pair u `u`).
    /// With `byPerson` (a street line or company) counted by people, not rows: rows with the value and the same first
    /// and last name count once, so that a person's own duplicates do not make it look common. A person with five rows
    /// at a street only they live at had weighed that street as if five people shared it (9.5 bits off a pair of
    /// their rows). By the last name alone, an office of Kims and Lees counted a dozen people. Names are counted by
    /// rows.
    func termFrequencyTable(
        _ ids: [Int32], _ size: Int, _ u: Double, byPerson: Bool = false, skip: (Int32) -> Bool = { $0 == 0 }
    ) -> [Double] {
        var counts = [Int](repeating: 0, count: size)
        var present = 0
        struct Person: Hashable { var value, first, last: Int32 }
        var seen = Set<Person>()
        for (r, id) in ids.enumerated() where !skip(id) {
            if byPerson, !seen.insert(Person(value: id, first: first[r], last: lastR[r])).inserted { continue }
            counts[Int(id)] += 1
            present += 1
        }
        guard present > 0, u > 0 else { return [Double](repeating: 0, count: size) }
        return counts.map { c in c <= 2 ? 0 : log2(max(Double(c - 2) / Double(present), u) / u) }
    }
}

extension FuzzyDeduplicator {
    /// log2(m / u) by field and level, with two corrections to what EM fitted: an exact level never weighs less than
    /// a near one EM found matches at, and no partial level (a first name's initial included) more than the exact.
    static func weights(m: [[Double]], u: [[Double]]) -> [[Double]] {
        var weights: [[Double]] = (0..<Self.levels.count).map { f in
            // u and m kept off 0: on a file of three rows at one postcode, no random pair disagreeing on it made u 0,
            // the weight +∞ and a pair's total NaN, which crashed the run.
            (0..<Self.levels[f]).map { l -> Double in
                guard l > 0 else { return 0 }
                let mm: Double = max(m[f][l], 1e-15)
                let uu: Double = max(u[f][l], 1e-15)
                return log2(mm / uu)
            }
        }
        // Agreeing exactly is never weaker evidence than agreeing in part. EM can split the matches between the exact
        // and a near level so that the near one weighs more (a typo'd first name above an identical one); the exact
        // level then takes the strongest near level's weight. Only near levels where EM found matches count: one whose
        // m sits at its floor has a weight made of the floor and a tiny u, not of evidence.
        for f in 0..<Self.levels.count where Self.levels[f] > 3 {
            let floor = Self.mFloor(field: f)
            let near = (2..<(Self.levels[f] - 1))
                .filter { m[f][$0] > 1.5 * floor && !(f == 2 && $0 == Self.firstInitial) }
                .map { weights[f][$0] }
            if let best = near.max(), best > weights[f][1] { weights[f][1] = best }
        }
        // An initial says less than the whole name, however rare initials are among random pairs (which makes the
        // level's u small): it weighs no more than the exact level. So does every partial level of every field: one
        // whose m sits at its floor over a tiny u weighed more than agreeing exactly (a trial's model: first name
        // "nickname" 15.41 against "exact" 7.46, phone "1 edit" 15.36 against 14.53).
        for f in 0..<Self.levels.count where Self.levels[f] > 3 {
            for l in 2..<(Self.levels[f] - 1) { weights[f][l] = min(weights[f][l], weights[f][1]) }
        }
        return weights
    }
}

extension FuzzyDeduplicator {
    /// `--show-model`'s lines: field, level, m, u and weight for the fields some compared pair (of the comparison
    /// patterns `codes`) had on both sides (the others' m and u are EM's starting values), and the neighbours' levels
    /// within a place.
    static func modelLines(
        _ codes: some Sequence<Int>, m: [[Double]], u: [[Double]], weights: [[Double]], neighbours: [[Double]]
    ) -> [(String, String, Double, Double, Double)] {
        var modelLines: [(String, String, Double, Double, Double)] = []
        var present = [Bool](repeating: false, count: Self.levels.count)
        for c in codes { for f in 0..<Self.levels.count where Self.level(c, f) > 0 { present[f] = true } }
        for f in 0..<Self.levels.count where present[f] {
            for l in 1..<Self.levels[f] {
                modelLines.append((Self.fields[f], Self.levelNames[f][l], m[f][l], u[f][l], weights[f][l]))
            }
        }
        // Neighbours' house numbers where the rows share a place: u within the place, and the weight it gives.
        for s in Self.neighbourLevels {
            for (l, place) in [(1, "one postcode"), (3, "one city")] where present[5] && neighbours[s][l] != 0 {
                let within = u[5][s] / exp2(neighbours[s][l])
                let name = s == Self.streetOff ? "neighbours' numbers, " : "same street, other numbers, "
                modelLines.append(("street", name + place, m[5][s], within, weights[5][s] + neighbours[s][l]))
            }
        }
        return modelLines
    }
}
