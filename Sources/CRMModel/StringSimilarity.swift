/// String similarity shared by header suggestions (CRMMapping) and fuzzy matching (CRMDedupe).
public enum StringSimilarity {
    /// Jaro-Winkler similarity in 0...1 of two sequences (bytes of normalised values, or Unicode scalars):
    /// matches within half the longer length, half the out-of-order matches as transpositions (rounded down, as
    /// Apache Commons Text and jellyfish do), prefix scale 0.1 for up to 4 equal leading elements. Two empty
    /// sequences are equal (1); one empty, nothing in common (0).
    @inlinable
    public static func jaroWinkler<E: Equatable>(_ a: [E], _ b: [E]) -> Double {
        if a == b { return 1 }
        let la = a.count
        let lb = b.count
        if la == 0 || lb == 0 { return 0 }
        let r = max(0, max(la, lb) / 2 - 1)
        // The two "matched" flag rows live on the stack (no allocation per call: a dedupe asks millions of times).
        let (m, t) = withUnsafeTemporaryAllocation(of: Bool.self, capacity: la + lb) { flags -> (Int, Int) in
            let ma = flags.baseAddress!
            let mb = ma + la
            ma.initialize(repeating: false, count: la + lb)
            var m = 0
            for i in 0..<la {
                let lo = max(0, i - r)
                let hi = min(lb, i + r + 1)
                if lo >= hi { continue }
                for j in lo..<hi where !mb[j] && b[j] == a[i] {
                    ma[i] = true
                    mb[j] = true
                    m += 1
                    break
                }
            }
            if m == 0 { return (0, 0) }
            var t = 0
            var j = 0
            for i in 0..<la where ma[i] {
                while !mb[j] { j += 1 }
                if a[i] != b[j] { t += 1 }
                j += 1
            }
            return (m, t)
        }
        if m == 0 { return 0 }
        let md = Double(m)
        let jaro = (md / Double(la) + md / Double(lb) + (md - Double(t / 2)) / md) / 3
        var p = 0
        while p < min(4, la, lb), a[p] == b[p] { p += 1 }
        return jaro + Double(p) * 0.1 * (1 - jaro)
    }
}
