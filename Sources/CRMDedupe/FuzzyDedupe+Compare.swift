import Foundation

/// Comparing two rows: each field's level, as one mixed-radix code (the levels and their names are in
/// FuzzyDedupe.swift), and the shapes of codes the rules read.
extension FuzzyDeduplicator {
    /// OSA distance (1: one edit or less, 2: more) and Jaro-Winkler of two values of a name table, cached.
    private func nameSim(
        _ table: Values, _ a: Int32, _ b: Int32, field: UInt64, _ cache: inout SimCache
    ) -> (Int, Double) {
        let key = (field << 60) | (UInt64(min(a, b)) << 30) | UInt64(max(a, b))
        if let v = cache[key] { return (Int(v.0), v.1) }
        let x = table.bytes[Int(a)]
        let y = table.bytes[Int(b)]
        // Only "one edit or less" is asked of the distance (two different values of a table are never 0 apart).
        let d = Similarity.withinOneEdit(x, y) ? 1 : 2
        let jw = Similarity.jaroWinkler(x, y)
        if cache.count < Self.simCacheLimit { cache[key] = (Int8(d), jw) }
        return (d, jw)
    }

    /// The comparison levels of rows `a` and `b`, as one mixed-radix code.
    func compare(_ a: Int, _ b: Int) -> Int { compare(a, b, &simCache) }

    /// `compare(_:_:)` with the caller's similarity cache (one per thread).
    func compare(_ a: Int, _ b: Int, _ cache: inout SimCache) -> Int {
        var code = 0
        let st = Self.strides
        let pack = packed()
        let A = pack.row(a)
        let B = pack.row(b)
        typealias K = RowPack
        let ea = A[K.email]
        let eb = B[K.email]
        if ea != 0 && eb != 0 { code += (ea == eb ? 1 : 2) * st[0] }
        let pha = A[K.phone]
        let phb = B[K.phone]
        if pha != 0 && phb != 0 {
            var l = 4
            if pha == phb {
                // One number with other extensions: two desks at one switchboard (a trial's B2B contacts: colleagues
                // on one office line merged on it); an extension on one row only, a desk and the switchboard: the
                // number agrees only in part ("last 7 digits").
                l = 1
                if !phoneExt.isEmpty, phoneExt[a] != phoneExt[b] {
                    l = phoneExt[a] != 0 && phoneExt[b] != 0 ? 4 : 2
                }
            } else if A.wide(K.phone7) == B.wide(K.phone7) {
                l = 2
            } else if oneEditApart(phones.bytes[Int(pha)], phones.bytes[Int(phb)], sameLength: false) {
                l = 3
            }
            if !mobile.isEmpty { l = mobileLevel(a, b, pha, phb, l) }
            code += l * st[1]
        }
        let fa = A[K.first]
        let fb = B[K.first]
        let la = A[K.last]
        let lb = B[K.last]
        var lf = 0
        var ll = 0
        if fa != 0 && fb != 0 {
            if fa == fb {
                lf = 1
            } else {
                let ca = firstCanon[Int(fa)]
                let cb = firstCanon[Int(fb)]
                var shared = false
                for x in ca where cb.contains(x) {
                    shared = true
                    break
                }
                if shared {
                    lf = 2
                } else if A[K.firstO] != 0, A[K.firstO] == B[K.firstO] {
                    // One name respelled or misread (`Fillip` / `Phillip`, `jarnes` / `james`): as one edit.
                    lf = 3
                } else {
                    let (d, jw) = nameSim(firsts, fa, fb, field: 1, &cache)
                    lf = d <= 1 ? 3 : (jw >= 0.88 ? 4 : Self.firstDifferent)
                }
            }
        }
        if la != 0 && lb != 0 {
            if la == lb {
                ll = 1
            } else if A[K.lastR] == B[K.lastR] {
                ll = 2
            } else {
                let (d, jw) = nameSim(lasts, la, lb, field: 2, &cache)
                ll = d <= 1 ? 2 : (jw >= 0.88 ? 3 : 4)
                // One name a whole word of the other (`Turner` / `Turner-Ferguson`): a double-barrelled name, taken
                // on by one person as often as a relative has it; alike as a respelling is (a household's shape).
                if ll >= 3, Self.wordOf(lasts.bytes[Int(la)], lasts.bytes[Int(lb)]) { ll = 2 }
            }
        }
        // A nickname of a misspelled name (`Rob` / `Rbert`, `Judy` / `Jvdith`) is a nickname.
        if lf == Self.firstDifferent || lf == 4, nearNickname(fa, fb) || nearNickname(fb, fa) { lf = 2 }
        // An initial for the first name (`J Jones` / `Julie Jones`): its own level, not a different name.
        if lf == Self.firstDifferent, Self.isInitial(firsts.bytes[Int(fa)], of: firsts.bytes[Int(fb)]) {
            lf = Self.firstInitial
        }
        if ll == 4, A[K.lastO] == B[K.lastO] { ll = 2 }
        // Names in two scripts, compared by their Latin forms.
        if lf == Self.firstDifferent, let l = crossScriptFirst(fa, fb) { lf = l }
        if ll == 4, let l = crossScriptLast(la, lb) { ll = l }
        // First and last swapped in one of the rows (`namesAcross`): read across when the straight comparison finds a
        // name different.
        if lf == Self.firstDifferent || ll == 4, let x = namesAcross(a, b, lf: lf, ll: ll) { (lf, ll) = x }
        code += lf * st[2] + ll * st[3]
        let ca = A[K.company]
        let cb = B[K.company]
        if ca != 0 && cb != 0 {
            var l = 1
            if ca != cb {
                let ta = tokens(ca)
                let tb = tokens(cb)
                var close = Self.isSubset(ta, tb) || Self.isSubset(tb, ta)
                if !close {
                    let x = companies.bytes[Int(ca)]
                    let y = companies.bytes[Int(cb)]
                    if x.first == y.first, abs(x.count - y.count) <= 3 {
                        close = nameSim(companies, ca, cb, field: 3, &cache).1 >= 0.92
                    }
                }
                l = close ? 2 : 3
            }
            code += l * st[4]
        }
        let sa = A[K.street]
        let sb = B[K.street]
        let ha = A[K.house]
        let hb = B[K.house]
        if sa != 0 && sb != 0 {
            var l = 7
            if sa == sb {
                l = 1
            } else if A.wide(K.streetNS) != 0
                && (A.wide(K.streetNS) == B.wide(K.streetNS) || A.wide(K.streetTS) == B.wide(K.streetTS))
            {
                l = 2
            } else if streetWordCount(sa) != streetWordCount(sb),
                Self.isSubset(streetWords(sa), streetWords(sb)) || Self.isSubset(streetWords(sb), streetWords(sa))
            {
                // A line missing from one: `129 Suite 53` / `129 Alma Avenue Suite 53`,
                // `1851` / `1851 Glenferrie Close`.
                l = 3
            } else if oneStreetPartOff(sa, sb, ha, hb) {
                l = 4
            } else if oneEditApart(streets.bytes[Int(sa)], streets.bytes[Int(sb)], sameLength: false) {
                l = 4  // one typo anywhere (an OCR `l851` for `1851`)
            } else if numberOnly(sa) != numberOnly(sb), ha != 0, hb != 0,
                places.bytes[Int(ha)].count != places.bytes[Int(hb)].count,
                oneEditApart(places.bytes[Int(ha)], places.bytes[Int(hb)], sameLength: false)
            {
                // A line of a house number alone (the street missing), the number a digit short of or past the other
                // line's (`14g` / `149 leichhardt grove`). Not two digits swapped: `71` and `17 wandoo drive` were
                // namesakes in one suburb more often than one person (own generator).
                l = 5
            } else if ha != hb || ha == 0, streetNamesAlike(sa, sb) {
                // The house number wrong, or missing from one line or both, on a street the two name alike (`120 churhc
                // road` / `10 church road`, `john stret` / `61 john street`, `glen st` / `glen stret`). Two numbers in
                // digits that are neither two digits swapped nor a mistyping of one another (`numbersMaybeMistyped`:
                // `76` / `443 maple place`) are another address on that street: "different". Copies of one person
                // compare so in 0.2-0.4% of their pairs, on the third and the fourth generator alike, where "other or
                // no number" holds 6% (mostly a number missing); weighed as that level (+2.9 to +3.2 bits), namesakes
                // on one street merged, the commonest wrong link left on the fourth generator's files (a helper's
                // replay of `--explain` against the truth).
                l = neighbourNumbers(a, b) && !numbersMaybeMistyped(a, b) ? 7 : 5
            } else if ha != 0, ha == hb {
                // The street name replaced or garbled past a typo: the house number still says something.
                l = 6
            }
            code += l * st[5]
        }
        let pa = A[K.postcode]
        let pb = B[K.postcode]
        let cia = A[K.city]
        let cib = B[K.city]
        let hasP = !isEmptyPlace(pa) && !isEmptyPlace(pb)
        let hasC = !isEmptyPlace(cia) && !isEmptyPlace(cib)
        if hasP || hasC {
            var l = 4
            if hasP && pa == pb {
                l = hasC && cia == cib ? 1 : 2
            } else if (hasP && oneEditApart(places.bytes[Int(pa)], places.bytes[Int(pb)], sameLength: true))
                || (hasC && (cia == cib || citiesMistyped(cia, cib)))
            {
                l = 3
            }
            code += l * st[6]
        }
        let ta = A[K.title]
        let tb = B[K.title]
        if ta != 0 && tb != 0 { code += (ta == tb ? 1 : titlesAlike(ta, tb) ? 2 : 3) * st[7] }
        let da = A[K.dob]
        let db = B[K.dob]
        if da != 0 && db != 0 {
            var l = 3
            if da == db {
                l = 1
            } else {
                let x = dates.bytes[Int(da)]
                let y = dates.bytes[Int(db)]
                let swap =
                    x.count == 8 && y.count == 8 && x[0..<4] == y[0..<4] && x[4..<6] == y[6..<8] && x[6..<8] == y[4..<6]
                if swap || oneEditApart(x, y, sameLength: false) { l = 2 }
            }
            code += l * st[8]
        }
        let ia = A[K.ident]
        let ib = B[K.ident]
        if ia != 0 && ib != 0 {
            code +=
                (ia == ib
                    ? 1
                    : (oneEditApart(idents.bytes[Int(ia)], idents.bytes[Int(ib)], sameLength: false)
                        ? 2 : 3)) * st[9]
        }
        let ma = A[K.middle]
        let mb = B[K.middle]
        if ma != 0 && mb != 0 { code += middleLevel(ma, mb, &cache) * st[Self.middleField] }
        // The age slot holds the sex above the age's id (`RowPack.genderShift`).
        let ga = A[K.age] >> RowPack.genderShift
        let gb = B[K.age] >> RowPack.genderShift
        if ga != 0 && gb != 0 { code += (ga == gb ? 1 : 2) * st[Self.genderField] }
        let ya = A[K.age] & RowPack.ageMask
        let yb = B[K.age] & RowPack.ageMask
        if ya != 0 && yb != 0 {
            let x = ageYears[Int(ya)]
            let y = ageYears[Int(yb)]
            // An age and a year of birth are not compared (which year the age was taken in is unknown).
            if (x < 1000) == (y < 1000) {
                let d = abs(Int(x) - Int(y))
                code += (d == 0 ? 1 : d == 1 ? 2 : d <= 3 ? 3 : 4) * st[Self.ageField]
            }
        }
        return code
    }

    /// The middle name's level: exact (a name, not an initial); an initial and a name it begins, or the same
    /// initial; names one edit apart, alike by Jaro-Winkler, or one the start of the other (`chris` / `christopher`);
    /// else different.
    private func middleLevel(_ a: Int32, _ b: Int32, _ cache: inout SimCache) -> Int {
        if middleInitial[Int(a)] || middleInitial[Int(b)] { return middleFirst[Int(a)] == middleFirst[Int(b)] ? 2 : 4 }
        if a == b { return 1 }
        let x = middles.bytes[Int(a)]
        let y = middles.bytes[Int(b)]
        if x.starts(with: y) || y.starts(with: x) { return 3 }
        let (d, jw) = nameSim(middles, a, b, field: 4, &cache)
        return d <= 1 || jw >= 0.88 ? 3 : 4
    }

    /// The phone's level of rows `a` and `b` (numbers `pha`, `phb`; `l` their level) with their mobiles counted: where
    /// both have one, the mobiles decide (colleagues share an office line, seldom a mobile; one person keeps a mobile
    /// across jobs); where one has, its mobile may be the other's only number.
    func mobileLevel(_ a: Int, _ b: Int, _ pha: Int32, _ phb: Int32, _ l: Int) -> Int {
        let ma = mobile[a]
        let mb = mobile[b]
        if ma != 0 && mb != 0 { return phoneLevel(ma, mb) }
        if l == 1 { return l }
        if ma != 0 && ma != pha { return min(l, phoneLevel(ma, phb)) }
        if mb != 0 && mb != phb { return min(l, phoneLevel(pha, mb)) }
        return l
    }

    /// Whether rows `a` and `b` both have a mobile and the two differ entirely (not the last seven digits, not one
    /// edit): two people's own numbers.
    func mobilesDiffer(_ a: Int, _ b: Int) -> Bool {
        guard !mobile.isEmpty, mobile[a] != 0, mobile[b] != 0 else { return false }
        return phoneLevel(mobile[a], mobile[b]) == 4
    }

    /// Whether rows `a` and `b` have one phone number and extension (or none on either): what `compare` calls the
    /// phone's "exact" level before the mobiles are asked.
    func samePhone(_ a: Int, _ b: Int) -> Bool {
        phone[a] != 0 && phone[a] == phone[b] && (phoneExt.isEmpty || phoneExt[a] == phoneExt[b])
    }

    /// Whether rows `a` and `b` have one mobile.
    func mobilesAgree(_ a: Int, _ b: Int) -> Bool { !mobile.isEmpty && mobile[a] != 0 && mobile[a] == mobile[b] }

    /// The phone's level of two numbers (ids of `phones`): exact, the last seven digits, one edit, or different.
    func phoneLevel(_ x: Int32, _ y: Int32) -> Int {
        if x == y { return 1 }
        let u = phones.bytes[Int(x)]
        let v = phones.bytes[Int(y)]
        if u.count >= 7 && v.count >= 7 && u.suffix(7).elementsEqual(v.suffix(7)) { return 2 }
        return oneEditApart(u, v, sameLength: false) ? 3 : 4
    }

    static func level(_ code: Int, _ field: Int) -> Int { code / strides[field] % levels[field] }

    /// Whether the shorter of two folded names is a whole word of the longer (words split at spaces, as folding
    /// writes hyphens).
    static func wordOf(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        let (short, long) = x.count <= y.count ? (x, y) : (y, x)
        guard !short.isEmpty, long.count > short.count, long.contains(32) else { return false }
        return long.split(separator: 32).contains { $0.elementsEqual(short) }
    }

    /// Whether a pair has a shape two people often have, which a pair that stands alone between its rows is not
    /// merged below the match weight against:
    /// - a field that names one person differs entirely (the e-mail, the phone, the date of birth, the identifier):
    ///   two namesakes at one company (left out, 104 such pairs merged on 1M generated leads, nearly all two people);
    /// - the street line differs entirely: two namesakes in one town (26 wrong pairs of 33 on 6,000 generated
    ///   people with names and addresses only), unless a middle name and an age agree (`middleAndAgeAgree`);
    /// - the middle names differ (neither alike nor an initial of the other): a father and his son, two namesakes;
    /// - both names differ: two flatmates at one address.
    static func twoPeoplesShape(_ code: Int) -> Bool {
        level(code, 0) == 2 || level(code, 1) == 4 || level(code, 8) == 3 || level(code, 9) == 3
            || level(code, middleField) == 4
            || (level(code, 5) == levels[5] - 1 && !middleAndAgeAgree(code))
            || (level(code, 2) == firstDifferent && level(code, 3) == levels[3] - 1)
    }

    /// Whether a pair has the shape of two namesakes in one town: the street lines differ entirely and nothing that
    /// names one person agrees (e-mail, phone, company, date of birth, identifier, or a middle name or its initial and
    /// an age at most three years apart together: a voter who moved).
    static func namesakesShape(_ code: Int) -> Bool {
        level(code, 5) == levels[5] - 1 && level(code, 0) != 1 && !(1...3).contains(level(code, 1))
            && !(1...2).contains(level(code, 4)) && !(1...2).contains(level(code, 8))
            && !(1...2).contains(level(code, 9))
            && !middleAndAgeAgree(code)
    }

    /// A middle name (or its initial) that agrees and an age at most three years apart, together: a voter who moved
    /// between two extracts of a list, not two namesakes in one town.
    static func middleAndAgeAgree(_ code: Int) -> Bool {
        (1...2).contains(level(code, middleField)) && (1...3).contains(level(code, ageField))
    }

    /// A comparison code shaped like two members of one household: first names different, last names alike, street
    /// lines alike (the same, or one part off).
    static func householdPattern(_ code: Int) -> Bool {
        level(code, 2) == firstDifferent && (1...2).contains(level(code, 3)) && (1...4).contains(level(code, 5))
    }

    /// Whether `x` is a rare spelling one edit from a formal name of which `y` is a nickname (`rbert` / `rob`). Rare:
    /// on at most a quarter as many rows as the formal name (or on one row where the file has not the formal name), so
    /// that a name of its own one edit from a formal one (`christian` / `christina`) is not read as its misspelling.
    func nearNickname(_ x: Int32, _ y: Int32) -> Bool {
        guard Int(x) < firstNear.count, Int(x) < firstCount.count else { return false }
        let near = firstNear[Int(x)]
        guard !near.isEmpty else { return false }
        let cy = firstCanon[Int(y)]
        for f in near where f != y && cy.contains(f) {
            let formal = Int(f) < firstCount.count ? Int(firstCount[Int(f)]) : 0
            if Int(firstCount[Int(x)]) <= max(1, formal / 4) { return true }
        }
        return false
    }
}
