import Foundation

/// Blocking: which pairs of rows the matcher compares at all. Several passes whose keys each leave out a different
/// field family, so that no single wrong field hides a pair; blocks too large for all pairs are compared by sorted
/// neighbourhood.
extension FuzzyDeduplicator {
    static let keyNames = [
        "external_id", "email", "phone", "postcode+last", "postcode+first", "company+names", "company+postcode",
        "house+postcode",
        "names (either order)", "street (no spaces)", "street (words)", "birth_date", "identifier", "phonetic names",
        "city+last",
        "street name+city", "house+first+city", "street name+last", "house+city+street 1st",
        "street words+postcode", "postcode+name across", "house+last sound+city 1st", "names+middle initial",
    ]
    /// Keys that read no address field, and keys that read no name field: two independent ways to find a pair,
    /// for the capture-recapture estimate of how many matching pairs blocking missed.
    static let nameOnlyKeys: Set<Int> = [1, 2, 8, 11, 12, 13, 22]
    static let addressOnlyKeys: Set<Int> = [6, 7, 9, 10, 15, 18, 19]
    /// Keys whose blocks grow with the list (few distinct values): compared all against all only up to
    /// `maxBroadBlock` rows.
    static let broadKeys: Set<Int> = [8, 9, 10, 13, 14, 15, 16, 17, 19]

    static func hash(_ kind: UInt64, _ parts: [UInt64]) -> UInt64 {
        var x: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (kind &* 0x9E37_79B9_7F4A_7C15)
        for p in parts {
            x = (x ^ p) &* 0x100_0000_01b3
            x ^= x >> 29
        }
        return (x & ~(UInt64(0x1F) << 59)) | (kind << 59)
    }

    static func prefix(_ b: [UInt8], _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for (i, c) in b.prefix(n).enumerated() { v |= UInt64(c) << (8 * UInt64(i)) }
        return v | (UInt64(min(n, b.count)) << 56)
    }

    static func fnv(_ b: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return h
    }

    /// The American Soundex code of a folded name (letters a-z only; empty when it has none).
    static func soundex(_ b: [UInt8]) -> UInt64 {
        // a b c d e f g h i j k l m n o p q r s t u v w x y z
        let codes: [UInt8] = [0, 1, 2, 3, 0, 1, 2, 9, 0, 2, 2, 4, 5, 5, 0, 1, 2, 6, 2, 3, 0, 1, 9, 2, 0, 2]
        var out: UInt64 = 0
        var n = 0
        var last: UInt8 = 255
        for c in b where c >= 97 && c <= 122 {
            let code = codes[Int(c - 97)]
            if n == 0 {
                out = UInt64(c)
                n = 1
                last = code
                continue
            }
            if code == 9 { continue }  // h and w do not separate equal codes
            if code != 0 && code != last {
                out = out << 8 | UInt64(48 + code)
                n += 1
                if n == 4 { break }
            }
            last = code
        }
        return n == 0 ? 0 : out << (8 * UInt64(4 - n))
    }

    /// The letter text recognition often reads as digit `c` (`0` → `o`, `1` → `l`, `5` → `s`, `8` → `b`); any other
    /// byte as it is.
    static func recognizedLetter(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0"): UInt8(ascii: "o")
        case UInt8(ascii: "1"): UInt8(ascii: "l")
        case UInt8(ascii: "5"): UInt8(ascii: "s")
        case UInt8(ascii: "8"): UInt8(ascii: "b")
        default: c
        }
    }

    /// Every blocking key of row `r`, as (key hash with its kind in the top 5 bits).
    func keys(_ r: Int, into out: inout [UInt64]) {
        let h = Self.hash
        let prefix = Self.prefix
        if ext[r] != 0 { out.append(h(0, [UInt64(ext[r])])) }
        if email[r] != 0 { out.append(h(1, [UInt64(email[r])])) }
        if phone[r] != 0 { out.append(h(2, [UInt64(phone[r])])) }
        // A mobile beside the phone is a key of the same pass: one row's mobile may be another's only number.
        if !mobile.isEmpty, mobile[r] != 0, mobile[r] != phone[r] { out.append(h(2, [UInt64(mobile[r])])) }
        let l3 = prefix(lasts.bytes[Int(lastR[r])], 3)
        let pc = postcode[r]
        let hasPC = !isEmptyPlace(pc)
        if hasPC {
            if lastR[r] != 0 { out.append(h(3, [UInt64(pc), l3])) }
            for c in firstCanon[Int(first[r])] { out.append(h(4, [UInt64(pc), UInt64(c)])) }
            // A name that the list has in both fields, with the postcode: one row's first name meets another's last
            // name, so that names swapped with a typo in one of them (`stewart jocl` / `joel stewart`), or a last name
            // written as the first with the other missing (`collins, -` / `annabel collins`), do not hide the pair.
            // Only such names: the others would meet only as the keys above already meet them.
            if !crossNames.isEmpty {
                let x = first[r] == 0 ? 0 : Self.fnv(firsts.bytes[Int(first[r])])
                let y = last[r] == 0 ? 0 : Self.fnv(lasts.bytes[Int(last[r])])
                if x != 0, crossNames.contains(x) { out.append(h(20, [UInt64(pc), x])) }
                if y != 0, y != x, crossNames.contains(y) { out.append(h(20, [UInt64(pc), y])) }
            }
        }
        if company[r] != 0, lastR[r] != 0 {
            let l2 = prefix(lasts.bytes[Int(lastR[r])], 2)
            for c in firstCanon[Int(first[r])] {
                out.append(h(5, [UInt64(company[r]), prefix(firsts.bytes[Int(c)], 2), l2]))
            }
        }
        if hasPC {
            if company[r] != 0 { out.append(h(6, [UInt64(company[r]), UInt64(pc)])) }
            if house[r] != 0 { out.append(h(7, [UInt64(house[r]), UInt64(pc)])) }
        }
        if first[r] != 0, last[r] != 0 {
            // The two names in either order: a wrong postcode, or first and last swapped, do not hide the pair.
            let x = Self.fnv(firsts.bytes[Int(first[r])])
            let y = Self.fnv(lasts.bytes[Int(last[r])])
            out.append(h(8, [min(x, y), max(x, y)]))
            let sx = Self.soundex(firsts.bytes[Int(first[r])])
            let sy = Self.soundex(lasts.bytes[Int(last[r])])
            if sx != 0, sy != 0 { out.append(h(13, [min(sx, sy), max(sx, sy)])) }
        }
        if streetNS[r] != 0, house[r] != 0 {
            out.append(h(9, [streetNS[r]]))
            out.append(h(10, [streetTS[r]]))
        } else if streetTS[r] != 0, !isEmptyPlace(city[r]) {
            // No house number: the line's words with the city, so that two lines in either order (`wattle court church
            // street` / `church street wattle court`) meet, and a street's blocks stay the size of one town's.
            out.append(h(10, [streetTS[r], UInt64(city[r])]))
        }
        if house[r] == 0, streetTS[r] != 0, hasPC {
            // And with the postcode: a typo in the city does not hide the pair either.
            out.append(h(19, [streetTS[r], UInt64(pc)]))
        }
        if dob[r] != 0 { out.append(h(11, [UInt64(dob[r])])) }
        if ident[r] != 0 { out.append(h(12, [UInt64(ident[r])])) }
        // The city without its spaces (`st ki lda` / `st kilda`), and its first letter (keys 16 and 17).
        var town: UInt64 = 0
        let cityInitial = isEmptyPlace(city[r]) ? 0 : UInt64(places.bytes[Int(city[r])][3])
        if !isEmptyPlace(city[r]) {
            town = 0xcbf2_9ce4_8422_2325
            for c in places.bytes[Int(city[r])] where c != 32 { town = (town ^ UInt64(c)) &* 0x100_0000_01b3 }
            town |= 1
        }
        if town != 0, lastR[r] != 0 { out.append(h(14, [town, UInt64(lastR[r])])) }
        if street[r] != 0 {
            // The street without its house number, spaces left out, with the city, and with the last name and the
            // city's first letter: a wrong number or postcode, and a wrong name or a typo in the city, do not hide the
            // pair. Digits text recognition makes of letters are read as those letters (`wi1liam` / `william`).
            var x: UInt64 = 0xcbf2_9ce4_8422_2325
            var letters = false
            let name = Self.streetName(streets.bytes[Int(street[r])])
            for c in name where c != 32 {
                x = (x ^ UInt64(Self.recognizedLetter(c))) &* 0x100_0000_01b3
                if c >= 97 && c <= 122 { letters = true }
            }
            if letters, town != 0 { out.append(h(15, [x, town])) }
            if letters, lastR[r] != 0 {
                // With the city's first letter, as the house+first+city key: a last name on a street of that name is
                // in many towns (2.6M pairs on 1M generated leads without it, a third of the matching time).
                out.append(h(17, [x, UInt64(lastR[r]), cityInitial]))
            }
            // The house number, the city and the street's first letter: a typo in each of the names, the rest of the
            // street and the postcode do not hide the pair (`oivia sanley 6 edwrad st` / `olivia stanley 6 edward st`,
            // same town). With the first name's initial instead of the house number, the key found 7 more pairs of
            // 16,000 on the third generator's files and made 3.3M more pairs on 1M generated leads (+22%): left out.
            if letters, town != 0, house[r] != 0, let s1 = name.first {
                out.append(h(18, [UInt64(house[r]), town, UInt64(s1)]))
            }
        }
        if house[r] != 0, first[r] != 0 {
            // The house number, the first name's first letters and the city's first letter: a street, postcode and
            // last name all wrong, and a typo in the city, do not hide the pair. The city's letter keeps the blocks of
            // a long list small (two fifths of the pairs of the key without it on 1M generated leads).
            out.append(h(16, [UInt64(house[r]), prefix(firsts.bytes[Int(first[r])], 3), cityInitial]))
        }
        if house[r] != 0, last[r] != 0, cityInitial != 0 {
            // The house number, the last name's Soundex code and the city's first letter: a typo in the first name,
            // the last name, the street, the city and the postcode at once do not hide the pair (`hamish johnson 104
            // dover drive bendigo 3550` / `hqmish johnson 104 dover dribe bedigo 3500`, `davsi` / `davis`), which
            // scores far above the match weight once compared: 4 of the 14 such original-duplicate pairs the third
            // generator's file C (names) never compared.
            let sl = Self.soundex(lasts.bytes[Int(last[r])])
            if sl != 0 { out.append(h(21, [UInt64(house[r]), sl, cityInitial])) }
        }
        if middleName[r] != 0, first[r] != 0, last[r] != 0 {
            // Where the list has middle names: the last name's Soundex code, the first name's first two letters (of
            // each formal name a nickname stands for) and the middle initial. A voter who moved to another town keeps
            // them, where the names in either order make blocks too large for all pairs in a state's list (109 of
            // 300 such pairs a voter file's second extract missed were never compared).
            let sl = Self.soundex(lasts.bytes[Int(last[r])])
            let mi = UInt64(middleFirst[Int(middleName[r])])
            let canon = firstCanon[Int(first[r])]
            if sl != 0, mi != 0 {
                let starts = Set((canon.isEmpty ? [first[r]] : canon).map { prefix(firsts.bytes[Int($0)], 2) })
                for p in starts { out.append(h(22, [sl, p, mi])) }
            }
        }
    }

    /// The names some row has as a first name and another row as a last name (FNV-1a of their text).
    func namesInBothFields() -> Set<UInt64> {
        var firstNames = Set<UInt64>()
        for b in firsts.bytes.dropFirst() where !b.isEmpty { firstNames.insert(Self.fnv(b)) }
        var out = Set<UInt64>()
        for b in lasts.bytes.dropFirst() where !b.isEmpty {
            let x = Self.fnv(b)
            if firstNames.contains(x) { out.insert(x) }
        }
        return out
    }

    /// Candidate pairs (row a < row b packed as a << 32 | b), sorted and unique, with per-key statistics.
    func candidatePairs() -> (pairs: [UInt64], stats: [(String, Int, Int, Int)]) {
        crossNames = namesInBothFields()
        var entries: [(UInt64, UInt32)] = []
        var rowKeys: [UInt64] = []
        // Reserved from the keys of an even sample of rows: an array grown by doubling past a fixed guess held the old
        // and the new buffer at once (16 bytes a key, 14 keys a row on generated leads: 384 MB at 1M rows).
        let step = max(1, count / 4096)
        var sampled = 0
        var sampleKeys = 0
        for r in stride(from: 0, to: count, by: step) {
            rowKeys.removeAll(keepingCapacity: true)
            keys(r, into: &rowKeys)
            sampled += 1
            sampleKeys += rowKeys.count
        }
        entries.reserveCapacity(sampled == 0 ? 0 : count * sampleKeys / sampled + count / 8 + 1024)
        for r in 0..<count {
            rowKeys.removeAll(keepingCapacity: true)
            keys(r, into: &rowKeys)
            for k in rowKeys { entries.append((k, UInt32(r))) }
        }
        entries.sort { $0.0 < $1.0 }
        var stats = Self.keyNames.map { ($0, 0, 0, 0) }
        // The pairs' exact number first, so that their array is allocated once: grown by doubling, the old and the new
        // buffer lived side by side with the entries, the dedupe's memory peak (1,015 MB at 1M rows).
        var total = 0
        forEachBlock(entries) { range, kind, window in
            let m = range.count
            if let w = window {
                for a in 0..<m { total += max(0, min(m, a + 1 + w) - (a + 1)) }
            } else {
                total += m * (m - 1) / 2
            }
        }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(total)
        func add(_ x: UInt32, _ y: UInt32) {
            if x != y { pairs.append(x < y ? UInt64(x) << 32 | UInt64(y) : UInt64(y) << 32 | UInt64(x)) }
        }
        forEachBlock(entries) { range, kind, window in
            if let w = window {
                // Too many for all against all: sorted by address and names, each row meets its neighbours.
                stats[kind].3 += 1
                let rows = entries[range].map(\.1).sorted { a, b in
                    let ka = (street[Int(a)], lastR[Int(a)], first[Int(a)])
                    let kb = (street[Int(b)], lastR[Int(b)], first[Int(b)])
                    return ka != kb ? ka < kb : a < b
                }
                for a in rows.indices {
                    for b in (a + 1)..<min(rows.count, a + 1 + w) { add(rows[a], rows[b]) }
                }
                stats[kind].2 += rows.count * w
            } else {
                stats[kind].1 += 1
                stats[kind].2 += range.count * (range.count - 1) / 2
                for a in range {
                    for b in (a + 1)..<range.upperBound { add(entries[a].1, entries[b].1) }
                }
            }
        }
        entries = []  // freed before the pairs are sorted: the peak is one of the two, not both
        pairs.sort()
        var w = 0
        for k in 0..<pairs.count where k == 0 || pairs[k] != pairs[k - 1] {
            pairs[w] = pairs[k]
            w += 1
        }
        pairs.removeLast(pairs.count - w)
        return (pairs, stats)
    }

    /// Calls `body` for every block (a run of sorted entries sharing a key, at least two rows) with its key kind and,
    /// when it is too large for all pairs, the sorted-neighbourhood window to use instead.
    private func forEachBlock(_ entries: [(UInt64, UInt32)], _ body: (Range<Int>, _ kind: Int, _ window: Int?) -> Void)
    {
        var i = 0
        while i < entries.count {
            var j = i + 1
            while j < entries.count, entries[j].0 == entries[i].0 { j += 1 }
            if j - i >= 2 {
                let kind = Int(entries[i].0 >> 59)
                let broad = Self.broadKeys.contains(kind)
                let tooLarge = j - i > (broad ? settings.maxBroadBlock : settings.maxBlock)
                body(i..<j, kind, tooLarge ? max(1, broad ? settings.broadWindow : settings.window) : nil)
            }
            i = j
        }
    }

    /// The kinds of blocking key two rows share, as a bit mask.
    func sharedKeyKinds(_ a: Int, _ b: Int) -> Int {
        var ka: [UInt64] = []
        var kb: [UInt64] = []
        keys(a, into: &ka)
        keys(b, into: &kb)
        var mask = 0
        for k in ka where kb.contains(k) { mask |= 1 << Int(k >> 59) }
        return mask
    }
}

extension FuzzyDeduplicator {
    /// Which passes found the matches (`edges`): per blocking key, and the pairs-completeness estimate,
    /// capture-recapture between the name-only and the address-only keys (nil when either found none, or none found
    /// both).
    func matchesByKey(_ edges: [(Double, UInt32, UInt32)]) -> (byKind: [Int], completeness: Double?) {
        var matchedByKind = [Int](repeating: 0, count: Self.keyNames.count)
        var byNames = 0
        var byAddress = 0
        var byBoth = 0
        for (_, a, b) in edges {
            let mask = sharedKeyKinds(Int(a), Int(b))
            for k in 0..<Self.keyNames.count where mask & (1 << k) != 0 { matchedByKind[k] += 1 }
            let n = Self.nameOnlyKeys.contains { mask & (1 << $0) != 0 }
            let ad = Self.addressOnlyKeys.contains { mask & (1 << $0) != 0 }
            if n { byNames += 1 }
            if ad { byAddress += 1 }
            if n && ad { byBoth += 1 }
        }
        var completeness: Double?
        if byNames > 0, byAddress > 0, byBoth > 0 {
            let estimated = Double(byNames) * Double(byAddress) / Double(byBoth)
            completeness = min(1, Double(edges.count) / max(Double(edges.count), estimated))
        }
        return (matchedByKind, completeness)
    }
}
