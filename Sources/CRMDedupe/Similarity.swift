import CRMModel

/// String similarity of normalised values (folding has already removed case and accents), given as UTF-8 bytes.
/// Values of ASCII alone are compared byte by byte; a value with any other character is compared by Unicode
/// scalars, so that `маргарита` / `маргрита` is one edit apart as `margarita` / `margrita` is (by bytes it is two,
/// and Jaro-Winkler over bytes counts the shared lead bytes of Cyrillic letters as matches). A Chinese, Japanese
/// or Korean character counts as two: it carries what a word of letters does, and one replaced is another name
/// (`大翔` / `大輔`, `山田` / `前田`), never a typo of one letter (a trial's colleagues merged when it counted as one).
public enum Similarity {
    /// Jaro-Winkler similarity in 0...1 (prefix scale 0.1, up to 4 characters); see `StringSimilarity`.
    @inline(__always)
    public static func jaroWinkler(_ a: [UInt8], _ b: [UInt8]) -> Double {
        if !isASCII(a) || !isASCII(b) { return StringSimilarity.jaroWinkler(scalars(a), scalars(b)) }
        if a.count > longest || b.count > longest {
            return StringSimilarity.jaroWinkler(Array(a.prefix(longest)), Array(b.prefix(longest)))
        }
        return StringSimilarity.jaroWinkler(a, b)
    }

    /// Whether every byte is ASCII (below 0x80).
    @inline(__always)
    static func isASCII(_ a: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { p in
            var any: UInt8 = 0
            for byte in p { any |= byte }
            return any < 0x80
        }
    }

    /// The Unicode scalar values of UTF-8 bytes, at most `longest` of them (a malformed sequence reads as U+FFFD); a
    /// Chinese, Japanese or Korean character twice (the second time marked, so that it matches only itself).
    static func scalars(_ a: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(min(a.count, longest))
        // At most four bytes a scalar: a 100 KB value is not decoded whole for its first 256.
        for s in String(decoding: a.prefix(4 * longest), as: UTF8.self).unicodeScalars {
            if out.count >= longest { break }
            out.append(s.value)
            if isIdeographic(s.value) { out.append(s.value | 0x8000_0000) }
        }
        return out
    }

    /// Whether a scalar is a Han ideograph, a kana or a Hangul syllable.
    static func isIdeographic(_ v: UInt32) -> Bool {
        switch v {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF,
            0xFF66...0xFF9F, 0x20000...0x3134F:
            return true
        default: return false
        }
    }

    /// The bytes (or, outside ASCII, the characters) of a value the quadratic comparisons read (`jaroWinkler`,
    /// `osaDistance`): its first 256. Names, streets and the like are far shorter; a trial's 100 KB first names made
    /// 200 rows take over five minutes.
    public static let longest = 256

    public static func jaroWinkler(_ a: String, _ b: String) -> Double { jaroWinkler(Array(a.utf8), Array(b.utf8)) }

    /// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), or `cap + 1` when above
    /// `cap`; in characters (see the type).
    public static func osaDistance(_ a: [UInt8], _ b: [UInt8], cap: Int = 3) -> Int {
        if !isASCII(a) || !isASCII(b) { return osa(scalars(a), scalars(b), cap: cap) }
        if a.count > longest || b.count > longest {
            return osa(Array(a.prefix(longest)), Array(b.prefix(longest)), cap: cap)
        }
        return osa(a, b, cap: cap)
    }

    /// `osaDistance` over any elements. Its three rows live on the stack (no allocation per call).
    @inline(__always)
    static func osa<E: Equatable>(_ a: [E], _ b: [E], cap: Int) -> Int {
        let la = a.count
        let lb = b.count
        if abs(la - lb) > cap { return cap + 1 }
        if la == 0 || lb == 0 { return min(max(la, lb), cap + 1) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (lb + 1)) { rows in
            var prev2 = rows.baseAddress!
            var prev = prev2 + (lb + 1)
            var cur = prev + (lb + 1)
            for j in 0...lb {
                prev2[j] = 0
                prev[j] = j
                cur[j] = 0
            }
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
    }

    /// Whether two values are at most one edit apart: one substitution, insertion, deletion or transposition of
    /// neighbouring characters (the same answer as `osaDistance(a, b, cap: 1) <= 1`), in one pass over their common
    /// prefix and the rest, without a table.
    public static func withinOneEdit(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        isASCII(a) && isASCII(b) ? oneEdit(a, b) : oneEdit(scalars(a), scalars(b))
    }

    /// `withinOneEdit` over any elements.
    @inline(__always)
    static func oneEdit<E: Equatable>(_ a: [E], _ b: [E]) -> Bool {
        let la = a.count
        let lb = b.count
        if la - lb > 1 || lb - la > 1 { return false }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(la, lb)
                var i = 0
                while i < n, x[i] == y[i] { i += 1 }
                if i == n { return true }  // equal, or one more element at the end of one
                /// `x[p...] == y[q...]`.
                func rest(_ p: Int, _ q: Int) -> Bool {
                    guard la - p == lb - q else { return false }
                    var p = p
                    var q = q
                    while p < la {
                        if x[p] != y[q] { return false }
                        p += 1
                        q += 1
                    }
                    return true
                }
                if la > lb { return rest(i + 1, i) }
                if lb > la { return rest(i, i + 1) }
                if rest(i + 1, i + 1) { return true }
                return i + 1 < la && x[i] == y[i + 1] && x[i + 1] == y[i] && rest(i + 2, i + 2)
            }
        }
    }

    public static func osaDistance(_ a: String, _ b: String, cap: Int = 3) -> Int {
        osaDistance(Array(a.utf8), Array(b.utf8), cap: cap)
    }
}
