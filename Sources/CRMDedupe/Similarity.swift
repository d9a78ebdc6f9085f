import CRMModel

/// String similarity over UTF-8 bytes of normalised values (folding has already removed case and accents).
public enum Similarity {
    /// Jaro-Winkler similarity in 0...1 (prefix scale 0.1, up to 4 characters); see `StringSimilarity`.
    @inline(__always)
    public static func jaroWinkler(_ a: [UInt8], _ b: [UInt8]) -> Double { StringSimilarity.jaroWinkler(a, b) }

    public static func jaroWinkler(_ a: String, _ b: String) -> Double { jaroWinkler(Array(a.utf8), Array(b.utf8)) }

    /// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), or `cap + 1` when above `cap`.
    public static func osaDistance(_ a: [UInt8], _ b: [UInt8], cap: Int = 3) -> Int {
        let la = a.count, lb = b.count
        if abs(la - lb) > cap { return cap + 1 }
        if la == 0 || lb == 0 { return min(max(la, lb), cap + 1) }
        var prev2 = [Int](repeating: 0, count: lb + 1)
        var prev = Array(0...lb)
        var cur = [Int](repeating: 0, count: lb + 1)
        for i in 1...la {
            cur[0] = i
            var best = i
            let ca = a[i - 1]
            for j in 1...lb {
                let cost = ca == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, ca == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                if v < best { best = v }
            }
            if best > cap { return cap + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return min(prev[lb], cap + 1)
    }

    public static func osaDistance(_ a: String, _ b: String, cap: Int = 3) -> Int { osaDistance(Array(a.utf8), Array(b.utf8), cap: cap) }
}
