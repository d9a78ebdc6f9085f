import Foundation

/// Settings of the fuzzy matcher. Thresholds are posterior probabilities that a pair is the same entity; the
/// weights they correspond to follow from the prior the data gives (printed by `crmgate dedupe`).
public struct DedupeSettings: Sendable, Equatable {
    /// A pair at least this likely is merged.
    public var matchProbability: Double = 0.99
    /// Pairs between this and `matchProbability` go to a person. Two clusters merge only when every pair across
    /// them is at least this likely (no chaining of strangers through one link).
    public var reviewProbability: Double = 0.5
    /// Blocks (rows sharing one blocking key) larger than this are skipped and counted.
    public var maxBlock: Int = 500
    /// No cluster grows beyond this many rows.
    public var maxCluster: Int = 50
    /// Gmail ignores dots in local parts; only when set.
    public var gmailDots = false
    /// Deterministic rules applied before the score, in order: `external_id`, `email`, `phone_name`.
    public var rules: [String] = ["external_id", "email"]

    public init() {}
}

/// One row's values as the mapping produced them (any may be empty).
public struct DedupeRow: Sendable {
    public var externalID = "", firstName = "", lastName = "", email = "", phone = "", company = "", jobTitle = ""
    public var street = "", city = "", postcode = "", country = ""
    public init() {}
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
    public var clusters: Int
    public var refusedByGuard: Int
    /// Per blocking key: blocks of two or more rows, pairs, blocks skipped as too large.
    public var blocking: [(key: String, blocks: Int, pairs: Int, skipped: Int)]
    /// The model EM estimated: per field and level, m, u and the weight.
    public var model: [(field: String, level: String, m: Double, u: Double, weight: Double)]
    public var matchShare: Double
    public var emIterations: Int
    /// The prior log2 odds that a pair of rows is the same entity, and the weights the thresholds came to.
    public var prior: Double
    public var matchWeight: Double
    public var reviewWeight: Double
}

/// Unsupervised fuzzy deduplication: normalise, block on several keys, compare pairs field by field, estimate
/// Fellegi-Sunter m/u probabilities by EM on the data itself, score, and cluster with union-find under a guard.
public final class FuzzyDeduplicator {
    public let settings: DedupeSettings

    /// Distinct normalised values of one field, by id; id 0 is "empty".
    final class Values {
        var ids: [String: Int32] = ["": 0]
        var bytes: [[UInt8]] = [[]]
        func id(_ s: String) -> Int32 {
            if let i = ids[s] { return i }
            let i = Int32(bytes.count)
            ids[s] = i
            bytes.append(Array(s.utf8))
            return i
        }
    }

    // Normalised values, interned. Rows keep ids only (struct of arrays).
    let emails = Values(), phones = Values(), firsts = Values(), lasts = Values(), companies = Values()
    let streets = Values(), places = Values(), titles = Values(), exts = Values()
    var email: [Int32] = [], phone: [Int32] = [], phone7: [Int64] = [], first: [Int32] = [], last: [Int32] = [], lastR: [Int32] = []
    var company: [Int32] = [], street: [Int32] = [], house: [Int32] = [], postcode: [Int32] = [], city: [Int32] = [], title: [Int32] = []
    var ext: [Int32] = []
    /// Canonical (formal) first names of each first-name id.
    var firstCanon: [[Int32]] = [[]]
    var lastRFor: [Int32: Int32] = [:]
    private var caches = (first: [String: Int32](), last: [String: Int32](), company: [String: Int32](), street: [String: (Int32, Int32)](), place: [String: Int32](), title: [String: Int32]())

    public init(settings: DedupeSettings = DedupeSettings()) { self.settings = settings }

    public var count: Int { email.count }

    /// Adds a row (rows are numbered in the order added).
    public func add(_ r: DedupeRow) {
        email.append(emails.id(Normalize.email(r.email, gmailDots: settings.gmailDots)))
        let p = Self.phoneDigits(r.phone)
        phone.append(phones.id(p))
        phone7.append(p.count >= 7 ? Int64(p.suffix(7)) ?? -1 : -1)
        let f = cached(&caches.first, r.firstName) { raw in
            let folded = Normalize.fold(raw)
            let id = self.firsts.id(folded)
            if Int(id) == self.firstCanon.count {
                self.firstCanon.append(folded.isEmpty ? [] : Normalize.firstNameCanon(folded).sorted().map { self.firsts.id($0) })
                while self.firstCanon.count < self.firsts.bytes.count { self.firstCanon.append([Int32(self.firstCanon.count)]) }
            }
            return id
        }
        first.append(f)
        let l = cached(&caches.last, r.lastName) { raw in
            let folded = Normalize.fold(raw)
            let id = self.lasts.id(folded)
            if self.lastRFor[id] == nil { self.lastRFor[id] = self.lasts.id(Normalize.transliterationReduced(folded)) }
            return id
        }
        last.append(l)
        lastR.append(lastRFor[l] ?? 0)
        company.append(cached(&caches.company, r.company) { self.companies.id(Normalize.companyCore($0)) })
        let s: (Int32, Int32)
        if let c = caches.street[r.street] { s = c } else {
            let n = Normalize.street(r.street)
            s = (streets.id(n), places.id("#" + Normalize.houseNumber(n)))
            if caches.street.count < 2_000_000 { caches.street[r.street] = s }
        }
        street.append(s.0)
        house.append(s.1 == places.id("#") ? 0 : s.1)
        postcode.append(cached(&caches.place, "pc:" + r.postcode) { self.places.id("pc:" + Normalize.postcode(String($0.dropFirst(3)))) })
        city.append(cached(&caches.place, "ci:" + r.city) { self.places.id("ci:" + Normalize.fold(String($0.dropFirst(3)))) })
        title.append(cached(&caches.title, r.jobTitle) { self.titles.id(Normalize.fold($0)) })
        ext.append(exts.id(r.externalID.trimmingCharacters(in: .whitespaces)))
    }

    private func cached(_ cache: inout [String: Int32], _ raw: String, _ make: (String) -> Int32) -> Int32 {
        if let v = cache[raw] { return v }
        let v = make(raw)
        if cache.count < 2_000_000 { cache[raw] = v }
        return v
    }

    /// Digits of a phone number (E.164 from the mapping keeps its `+`-less digits; others as written).
    static func phoneDigits(_ raw: String) -> String {
        let d = String(raw.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 })
        return d.count >= 6 ? d : ""
    }

    func isEmptyPlace(_ id: Int32) -> Bool { places.bytes[Int(id)].count <= 3 }

    // MARK: - Blocking

    static let keyNames = ["external_id", "email", "phone", "postcode+last", "postcode+first", "company+names", "company+postcode", "house+postcode"]

    /// Candidate pairs (row a < row b packed as a << 32 | b), sorted and unique, with per-key statistics.
    func candidatePairs() -> (pairs: [UInt64], stats: [(String, Int, Int, Int)]) {
        var entries: [(UInt64, UInt32)] = []
        entries.reserveCapacity(count * 8)
        func h(_ kind: UInt64, _ parts: [UInt64]) -> UInt64 {
            var x: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (kind &* 0x9E37_79B9_7F4A_7C15)
            for p in parts { x = (x ^ p) &* 0x100_0000_01b3; x ^= x >> 29 }
            return (x & ~(UInt64(0xF) << 60)) | (kind << 60)
        }
        func prefix(_ b: [UInt8], _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for (i, c) in b.prefix(n).enumerated() { v |= UInt64(c) << (8 * UInt64(i)) }
            return v | (UInt64(min(n, b.count)) << 56)
        }
        for r in 0..<count {
            let row = UInt32(r)
            if ext[r] != 0 { entries.append((h(0, [UInt64(ext[r])]), row)) }
            if email[r] != 0 { entries.append((h(1, [UInt64(email[r])]), row)) }
            if phone[r] != 0 { entries.append((h(2, [UInt64(phone[r])]), row)) }
            let l3 = prefix(lasts.bytes[Int(lastR[r])], 3)
            let pc = postcode[r], hasPC = !isEmptyPlace(pc)
            if hasPC {
                if lastR[r] != 0 { entries.append((h(3, [UInt64(pc), l3]), row)) }
                for c in firstCanon[Int(first[r])] { entries.append((h(4, [UInt64(pc), UInt64(c)]), row)) }
            }
            if company[r] != 0, lastR[r] != 0 {
                let l2 = prefix(lasts.bytes[Int(lastR[r])], 2)
                for c in firstCanon[Int(first[r])] { entries.append((h(5, [UInt64(company[r]), prefix(firsts.bytes[Int(c)], 2), l2]), row)) }
            }
            if hasPC {
                if company[r] != 0 { entries.append((h(6, [UInt64(company[r]), UInt64(pc)]), row)) }
                if house[r] != 0 { entries.append((h(7, [UInt64(house[r]), UInt64(pc)]), row)) }
            }
        }
        entries.sort { $0.0 < $1.0 }
        var stats = Self.keyNames.map { ($0, 0, 0, 0) }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(count * 3)
        var i = 0
        while i < entries.count {
            var j = i + 1
            while j < entries.count, entries[j].0 == entries[i].0 { j += 1 }
            let m = j - i
            if m >= 2 {
                let kind = Int(entries[i].0 >> 60)
                if m > settings.maxBlock {
                    stats[kind].3 += 1
                } else {
                    stats[kind].1 += 1
                    stats[kind].2 += m * (m - 1) / 2
                    for a in i..<j {
                        for b in (a + 1)..<j {
                            let x = entries[a].1, y = entries[b].1
                            if x != y { pairs.append(x < y ? UInt64(x) << 32 | UInt64(y) : UInt64(y) << 32 | UInt64(x)) }
                        }
                    }
                }
            }
            i = j
        }
        pairs.sort()
        var w = 0
        for k in 0..<pairs.count where k == 0 || pairs[k] != pairs[k - 1] {
            pairs[w] = pairs[k]
            w += 1
        }
        pairs.removeLast(pairs.count - w)
        return (pairs, stats)
    }

    // MARK: - Comparison

    static let fields = ["email", "phone", "first", "last", "company", "street", "location", "title"]
    static let levels = [3, 4, 6, 5, 4, 4, 4, 3]
    static let levelNames = [
        ["null", "exact", "different"], ["null", "exact", "last 7 digits", "different"],
        ["null", "exact", "nickname", "OSA<=1", "JW>=0.88", "different"], ["null", "exact", "translit/OSA<=1", "JW>=0.88", "different"],
        ["null", "core exact", "token subset / JW>=0.92", "different"], ["null", "exact", "same number + JW>=0.85", "different"],
        ["null", "postcode", "city only", "different"], ["null", "exact", "different"],
    ]
    static let strides: [Int] = {
        var s = [Int](repeating: 1, count: levels.count)
        for k in stride(from: levels.count - 2, through: 0, by: -1) { s[k] = s[k + 1] * levels[k + 1] }
        return s
    }()

    private var simCache: [UInt64: (Int8, Float)] = [:]

    private func nameSim(_ table: Values, _ a: Int32, _ b: Int32, field: UInt64) -> (Int, Double) {
        let key = (field << 60) | (UInt64(min(a, b)) << 30) | UInt64(max(a, b))
        if let v = simCache[key] { return (Int(v.0), Double(v.1)) }
        let x = table.bytes[Int(a)], y = table.bytes[Int(b)]
        let d = Similarity.osaDistance(x, y, cap: 2)
        let jw = Similarity.jaroWinkler(x, y)
        if simCache.count < 4_000_000 { simCache[key] = (Int8(d), Float(jw)) }
        return (d, jw)
    }

    /// Sorted token hashes of each company value (for the "one name's words are among the other's" level).
    private var companyTokens: [[UInt64]?] = []

    private func tokens(_ id: Int32) -> [UInt64] {
        let i = Int(id)
        if companyTokens.count <= i { companyTokens += [[UInt64]?](repeating: nil, count: companies.bytes.count - companyTokens.count) }
        if let t = companyTokens[i] { return t }
        var out: [UInt64] = []
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var any = false
        for c in companies.bytes[i] {
            if c == 32 {
                if any { out.append(h) }
                h = 0xcbf2_9ce4_8422_2325
                any = false
            } else {
                h = (h ^ UInt64(c)) &* 0x100_0000_01b3
                any = true
            }
        }
        if any { out.append(h) }
        let t = Array(Set(out)).sorted()
        companyTokens[i] = t
        return t
    }

    private static func isSubset(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        var j = 0
        for x in a {
            while j < b.count, b[j] < x { j += 1 }
            if j == b.count || b[j] != x { return false }
        }
        return true
    }

    /// The comparison levels of rows `a` and `b`, as one mixed-radix code.
    func compare(_ a: Int, _ b: Int) -> Int {
        var code = 0
        let st = Self.strides
        if email[a] != 0 && email[b] != 0 { code += (email[a] == email[b] ? 1 : 2) * st[0] }
        if phone[a] != 0 && phone[b] != 0 { code += (phone[a] == phone[b] ? 1 : (phone7[a] == phone7[b] ? 2 : 3)) * st[1] }
        let fa = first[a], fb = first[b]
        if fa != 0 && fb != 0 {
            var l = 0
            if fa == fb { l = 1 } else {
                let ca = firstCanon[Int(fa)], cb = firstCanon[Int(fb)]
                var shared = false
                for x in ca where cb.contains(x) { shared = true; break }
                if shared { l = 2 } else {
                    let (d, jw) = nameSim(firsts, fa, fb, field: 1)
                    l = d <= 1 ? 3 : (jw >= 0.88 ? 4 : 5)
                }
            }
            code += l * st[2]
        }
        let la = last[a], lb = last[b]
        if la != 0 && lb != 0 {
            var l = 0
            if la == lb { l = 1 } else if lastR[a] == lastR[b] { l = 2 } else {
                let (d, jw) = nameSim(lasts, la, lb, field: 2)
                l = d <= 1 ? 2 : (jw >= 0.88 ? 3 : 4)
            }
            code += l * st[3]
        }
        let ca = company[a], cb = company[b]
        if ca != 0 && cb != 0 {
            var l = 1
            if ca != cb {
                let ta = tokens(ca), tb = tokens(cb)
                var close = Self.isSubset(ta, tb) || Self.isSubset(tb, ta)
                if !close {
                    let x = companies.bytes[Int(ca)], y = companies.bytes[Int(cb)]
                    if x.first == y.first, abs(x.count - y.count) <= 3 { close = nameSim(companies, ca, cb, field: 3).1 >= 0.92 }
                }
                l = close ? 2 : 3
            }
            code += l * st[4]
        }
        let sa = street[a], sb = street[b]
        if sa != 0 && sb != 0 {
            var l = 3
            if sa == sb { l = 1 } else if house[a] != 0, house[a] == house[b], Similarity.jaroWinkler(streets.bytes[Int(sa)], streets.bytes[Int(sb)]) >= 0.85 { l = 2 }
            code += l * st[5]
        }
        let pa = postcode[a], pb = postcode[b], cia = city[a], cib = city[b]
        if !isEmptyPlace(pa) && !isEmptyPlace(pb) {
            code += (pa == pb ? 1 : (!isEmptyPlace(cia) && cia == cib ? 2 : 3)) * st[6]
        } else if !isEmptyPlace(cia) && !isEmptyPlace(cib) {
            code += (cia == cib ? 2 : 3) * st[6]
        }
        if title[a] != 0 && title[b] != 0 { code += (title[a] == title[b] ? 1 : 2) * st[7] }
        return code
    }

    static func level(_ code: Int, _ field: Int) -> Int { code / strides[field] % levels[field] }

    // MARK: - EM

    /// Fellegi-Sunter EM on the counts of distinct comparison codes; returns lambda, m and u.
    static func em(_ histogram: [Int: Int], iterations: Int = 200) -> (lambda: Double, m: [[Double]], u: [[Double]], iterations: Int) {
        var m: [[Double]] = [], u: [[Double]] = []
        for k in levels {
            var mm = [0.0], uu = [0.0]
            for i in 0..<(k - 1) {
                mm.append(0.9 / pow(2, Double(i)))
                uu.append(0.1 / pow(2, Double(k - 2 - i)))
            }
            let sm = mm.reduce(0, +), su = uu.reduce(0, +)
            m.append(mm.map { $0 / sm })
            u.append(uu.map { $0 / su })
        }
        var lambda = 0.1
        let items = histogram.map { ($0.key, Double($0.value)) }
        let total = items.reduce(0) { $0 + $1.1 }
        var previous: Double?
        var it = 0
        while it < iterations {
            it += 1
            var cm = levels.map { [Double](repeating: 0, count: $0) }, cu = cm
            var sumM = 0.0, ll = 0.0
            for (code, count) in items {
                var pm = lambda, pu = 1 - lambda
                for f in 0..<levels.count {
                    let l = level(code, f)
                    if l > 0 { pm *= m[f][l]; pu *= u[f][l] }
                }
                let z = pm + pu
                let g = pm / z
                ll += count * log(z)
                let wm = count * g, wu = count * (1 - g)
                sumM += wm
                for f in 0..<levels.count {
                    let l = level(code, f)
                    if l > 0 { cm[f][l] += wm; cu[f][l] += wu }
                }
            }
            lambda = sumM / total
            for f in 0..<levels.count {
                let s = cm[f].dropFirst().reduce(0, +)
                if s > 0 {
                    // m floored at 0.01: no field's disagreement may rule a match out on its own.
                    let mm = cm[f].dropFirst().map { max($0 / s, 0.01) }
                    let t = mm.reduce(0, +)
                    m[f] = [0] + mm.map { $0 / t }
                }
                let su = cu[f].dropFirst().reduce(0, +)
                if su > 0 {
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

    // MARK: - u and term frequencies

    /// Per field and level, the probability that two random rows compare at that level (given both have a value).
    func randomPairU(samples: Int = 1_000_000) -> [[Double]] {
        let fieldIDs: [[Int32]] = [email, phone, first, last, company, street, postcode, title]
        var u1: [Double] = []
        for (f, ids) in fieldIDs.enumerated() {
            var counts: [Int32: Int] = [:]
            var present = 0
            for id in ids where id != 0 && !(f == 6 && isEmptyPlace(id)) {
                counts[id, default: 0] += 1
                present += 1
            }
            let same = counts.values.reduce(0.0) { $0 + Double($1) * Double($1 - 1) }
            u1.append(present > 1 ? same / (Double(present) * Double(present - 1)) : 0)
        }
        var seen = Self.levels.map { [Int](repeating: 0, count: $0) }
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        if count > 1 {
            for _ in 0..<samples {
                let i = Int(next() % UInt64(count)), j = Int(next() % UInt64(count))
                if i == j { continue }
                let c = compare(i, j)
                for f in 0..<Self.levels.count { seen[f][Self.level(c, f)] += 1 }
            }
        }
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

    /// log2(max(p_v, u1) / u1) for every value of the fields whose exact agreement is weighed by frequency.
    func termFrequencyPenalties(u1: [Double]) -> (first: [Double], last: [Double], company: [Double], street: [Double], place: [Double], title: [Double]) {
        func table(_ ids: [Int32], _ size: Int, _ u: Double, skip: (Int32) -> Bool = { $0 == 0 }) -> [Double] {
            var counts = [Int](repeating: 0, count: size)
            var present = 0
            for id in ids where !skip(id) {
                counts[Int(id)] += 1
                present += 1
            }
            guard present > 0, u > 0 else { return [Double](repeating: 0, count: size) }
            return counts.map { c in c == 0 ? 0 : log2(max(Double(c) / Double(present), u) / u) }
        }
        return (
            table(first, firsts.bytes.count, u1[2]), table(last, lasts.bytes.count, u1[3]), table(company, companies.bytes.count, u1[4]),
            table(street, streets.bytes.count, u1[5]), table(postcode, places.bytes.count, u1[6], skip: { self.isEmptyPlace($0) }),
            table(title, titles.bytes.count, u1[7])
        )
    }

    // MARK: - Run

    /// Matches every row against every other (through the blocks) and clusters them.
    public func run() -> DedupeResult {
        let (pairs, stats) = candidatePairs()
        var codes = [Int32](repeating: 0, count: pairs.count)
        var histogram: [Int: Int] = [:]
        for (k, p) in pairs.enumerated() {
            let c = compare(Int(p >> 32), Int(p & 0xFFFF_FFFF))
            codes[k] = Int32(c)
            histogram[c, default: 0] += 1
        }
        let (lambda, m, _, iterations) = Self.em(histogram)
        // u for scoring comes from random pairs (EM's u describes non-matching *candidates*, which agree on the
        // blocked fields by construction): level 1 exactly from value frequencies, the others from a seeded sample.
        let u = randomPairU()
        let weights: [[Double]] = (0..<Self.levels.count).map { f in (0..<Self.levels[f]).map { l in l == 0 ? 0 : log2(m[f][l] / u[f][l]) } }
        var codeWeight: [Int: Double] = [:]
        for c in histogram.keys {
            var w = 0.0
            for f in 0..<Self.levels.count where Self.level(c, f) > 0 { w += weights[f][Self.level(c, f)] }
            codeWeight[c] = w
        }
        // Term frequency: agreeing on a common value ("Smith", "CEO", a shared street) says less than on a rare one.
        let tf = termFrequencyPenalties(u1: u.map { $0[1] })
        func penalty(_ code: Int, _ a: Int, _ b: Int) -> Double {
            var p = 0.0
            if Self.level(code, 2) == 1 { p += tf.first[Int(first[a])] }
            if Self.level(code, 3) == 1 { p += tf.last[Int(last[a])] }
            if Self.level(code, 4) == 1 { p += tf.company[Int(company[a])] }
            if Self.level(code, 5) == 1 { p += tf.street[Int(street[a])] }
            if Self.level(code, 6) == 1 { p += tf.place[Int(postcode[a])] }
            if Self.level(code, 7) == 1 { p += tf.title[Int(title[a])] }
            return p
        }
        func score(_ code: Int, _ a: Int, _ b: Int) -> Double {
            (codeWeight[code] ?? {
                var w = 0.0
                for f in 0..<Self.levels.count where Self.level(code, f) > 0 { w += weights[f][Self.level(code, f)] }
                return w
            }()) - penalty(code, a, b)
        }
        // Prior odds from the expected number of matching pairs among all pairs; thresholds as posteriors.
        let n = Double(count)
        let expected = max(1, lambda * Double(pairs.count))
        let prior = log2(expected / max(1, n * (n - 1) / 2 - expected))
        let matchWeight = log2(settings.matchProbability / (1 - settings.matchProbability)) - prior
        let reviewWeight = log2(settings.reviewProbability / (1 - settings.reviewProbability)) - prior
        // Deterministic rules first: they force a match whatever the score.
        let forced: (Int, Int) -> Bool = { a, b in
            for rule in self.settings.rules {
                switch rule {
                case "external_id": if self.ext[a] != 0 && self.ext[a] == self.ext[b] { return true }
                case "email": if self.email[a] != 0 && self.email[a] == self.email[b] { return true }
                case "phone_name":
                    if self.phone[a] != 0, self.phone[a] == self.phone[b], self.last[a] != 0, self.lastR[a] == self.lastR[b] { return true }
                default: break
                }
            }
            return false
        }
        var edges: [(Double, UInt32, UInt32)] = []
        var review: [(Int32, Int32, Double)] = []
        for (k, p) in pairs.enumerated() {
            let a = Int(p >> 32), b = Int(p & 0xFFFF_FFFF)
            var w = score(Int(codes[k]), a, b)
            if forced(a, b) { w = max(w, matchWeight + 100) }
            if w >= matchWeight { edges.append((w, UInt32(a), UInt32(b))) } else if w >= reviewWeight { review.append((Int32(a), Int32(b), w)) }
        }
        edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
        // Union-find with member lists; a merge of two multi-row clusters needs every cross pair above the guard.
        var parent = (0..<count).map { Int32($0) }
        var members: [Int32: [Int32]] = [:]
        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        var refused = 0
        for (w, a, b) in edges {
            let ra = find(Int32(a)), rb = find(Int32(b))
            if ra == rb { continue }
            let ma = members[ra] ?? [ra], mb = members[rb] ?? [rb]
            if ma.count + mb.count > settings.maxCluster { refused += 1; continue }
            if (ma.count > 1 || mb.count > 1) && w < matchWeight + 100 {
                var ok = true
                outer: for x in ma {
                    for y in mb where !forced(Int(x), Int(y)) && score(compare(Int(x), Int(y)), Int(x), Int(y)) < reviewWeight {
                        ok = false
                        break outer
                    }
                }
                if !ok { refused += 1; continue }
            }
            let (big, small) = ma.count >= mb.count ? (ra, rb) : (rb, ra)
            parent[Int(small)] = big
            members[big] = (members[big] ?? [big]) + (members[small] ?? [small])
            members[small] = nil
        }
        var cluster = [Int32](repeating: 0, count: count)
        var roots = Set<Int32>()
        for r in 0..<count {
            let root = find(Int32(r))
            cluster[r] = root
            roots.insert(root)
        }
        review = review.filter { cluster[Int($0.0)] != cluster[Int($0.1)] }
        var model: [(String, String, Double, Double, Double)] = []
        for f in 0..<Self.levels.count {
            for l in 1..<Self.levels[f] { model.append((Self.fields[f], Self.levelNames[f][l], m[f][l], u[f][l], weights[f][l])) }
        }
        return DedupeResult(
            cluster: cluster, rows: count, candidatePairs: pairs.count, matchedPairs: edges.count, review: review, clusters: roots.count,
            refusedByGuard: refused, blocking: stats.map { (key: $0.0, blocks: $0.1, pairs: $0.2, skipped: $0.3) },
            model: model.map { (field: $0.0, level: $0.1, m: $0.2, u: $0.3, weight: $0.4) }, matchShare: lambda, emIterations: iterations,
            prior: prior, matchWeight: matchWeight, reviewWeight: reviewWeight)
    }
}
