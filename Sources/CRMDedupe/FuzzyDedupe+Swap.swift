/// First and last names in the other's field: a list that swapped them in one row, on top of which a name may be
/// missing, a nickname or replaced.
extension FuzzyDeduplicator {
    /// The first- and last-name levels of rows `a` and `b` read across (one row's first name against the other's
    /// last), or nil when reading across is no better than the straight levels `lf` and `ll`. Asked only when the
    /// straight comparison found a name different.
    ///
    /// - Both rows have both names: both pairs across close (an edit apart, or Jaro-Winkler 0.88), as before; or one
    ///   pair across the same (an edit apart when four letters or more) while both straight pairs differ: the last
    ///   name read across, and the first name a nickname of the other (`Mitchell, Joe` / `Joseph Mitchell`) or
    ///   different (a swap and a replaced first name).
    /// - One row has one name only, which differs from the other row's name in that field: compared with the other
    ///   row's other name (`Clarke` as a first name, no last name / `Tahlia Clarke`), an edit apart or Jaro-Winkler
    ///   0.88.
    ///
    /// The levels are the same whichever row is `a`. A name that is both a first and a last name (`Lee`, `Taylor`)
    /// gives strangers (`James Lee` / `Lee Chen`) the level below an edit apart for the last name; the address and
    /// the rest of the fields decide.
    func namesAcross(_ a: Int, _ b: Int, lf: Int, ll: Int) -> (lf: Int, ll: Int)? {
        let pack = packed()
        let A = pack.row(a)
        let B = pack.row(b)
        let fa = A[RowPack.first]
        let fb = B[RowPack.first]
        let la = A[RowPack.last]
        let lb = B[RowPack.last]
        if fa != 0, fb != 0, la != 0, lb != 0 {
            guard A[RowPack.lastR] != B[RowPack.lastR] else { return nil }
            let fx = firsts.bytes[Int(fa)]
            let lx = lasts.bytes[Int(la)]
            let fy = firsts.bytes[Int(fb)]
            let ly = lasts.bytes[Int(lb)]
            guard fx.first == ly.first || lx.first == fy.first else { return nil }
            let c1 = across(fx, ly)
            let bothDifferent = lf == Self.firstDifferent && ll == 4
            guard c1 < 2 || bothDifferent else { return nil }
            // With the first pair across not alike, only "an edit apart" of the second matters (below).
            let c2 = c1 < 2 ? across(lx, fy) : (Similarity.withinOneEdit(lx, fy) ? 0 : 2)
            // Levels that do not depend on which row is `a`: the closer pair across counts for the last name.
            if c1 < 2 && c2 < 2 { return (max(c1, c2) == 0 ? 3 : 4, min(c1, c2) == 0 ? 2 : 3) }
            // One pair across the same name, the other not alike: only when nothing agrees straight.
            guard bothDifferent else { return nil }
            // The name read across the same (`shared`: its id as a first name and as a last name), and the other pair.
            let other: ([UInt8], [UInt8])
            let shared: (first: Int32, last: Int32)
            if c1 == 0, Self.sameAcross(fx, ly) {
                (other, shared) = ((lx, fy), (fa, lb))
            } else if c2 == 0, Self.sameAcross(lx, fy) {
                (other, shared) = ((fx, ly), (fb, la))
            } else {
                return nil
            }
            // Which name the shared one is, by how the file uses it (four rows to one): a first name (`Hu5sayn Joanne`
            // / `Joanne Hussain`) leaves the other pair two last names, a last name two first names; each is then
            // compared as its field compares them (until now only as nicknames). On the fourth generator's B, C306
            // and C308, a helper found such pairs one person 122 times to 1 (a first name shared) and 58 to 0 (a last
            // name shared, the first names alike).
            // Counted when matching begins (`run`); a comparison asked before it reads no counts.
            let asFirst = Int(shared.first) < firstCount.count ? Int(firstCount[Int(shared.first)]) : 0
            let asLast = Int(shared.last) < lastCount.count ? Int(lastCount[Int(shared.last)]) : 0
            if asFirst >= 4 * max(1, asLast), Self.lastNamesAlike(other.0, other.1) { return (3, 2) }
            if asLast >= 4 * max(1, asFirst) {
                if Self.nicknames(other.0, other.1) { return (2, 2) }
                if Self.firstNamesAlike(other.0, other.1) { return (3, 2) }
            }
            // The last name read across is weaker evidence than the same last name in the same field: a level below (a
            // household member's row with its names swapped then weighs as it did before, when both names counted as
            // different). With the first name different it is a loose household's shape (`PairScorer.looseHousehold`).
            return Self.nicknames(other.0, other.1) ? (2, 2) : (Self.firstDifferent, 3)
        }
        // One row with a single name, the other with both.
        // The names of the row with one name (`f1`, `l1`) and of the other (`f2`, `l2`).
        let (f1, l1, f2, l2) =
            (fa == 0) != (la == 0) && fb != 0 && lb != 0
            ? (fa, la, fb, lb)
            : ((fb == 0) != (lb == 0) && fa != 0 && la != 0 ? (fb, lb, fa, la) : (-1, -1, -1, -1))
        guard f1 >= 0 else { return nil }
        if f1 != 0 {
            // Its first name against the other's last: a last name in the first-name field.
            guard lf == Self.firstDifferent else { return nil }
            let c = acrossSameStart(firsts.bytes[Int(f1)], lasts.bytes[Int(l2)])
            return c < 2 ? (0, c == 0 ? 2 : 3) : nil
        }
        // Its last name against the other's first: a first name in the last-name field. Not as a nickname: a last
        // name alone that is also a first name (`Thomas` / `Tom Jones`) says too little.
        guard ll == 4 else { return nil }
        let c = acrossSameStart(lasts.bytes[Int(l1)], firsts.bytes[Int(f2)])
        return c < 2 ? (c == 0 ? 3 : 4, 0) : nil
    }

    /// Whether rows `a` and `b` share a name only read across (one row's first name the other's last) that the file
    /// uses mainly as a first name (four rows to one, as `namesAcross` reads it): their last names then differ, which
    /// is not relatives' shape (`PairScorer.looseHousehold`).
    func sharedAcrossMainlyFirst(_ a: Int, _ b: Int) -> Bool {
        let (fa, fb, la, lb) = (first[a], first[b], last[a], last[b])
        guard fa != 0, fb != 0, la != 0, lb != 0 else { return false }
        let shared: (first: Int32, last: Int32)
        if Self.sameAcross(firsts.bytes[Int(fa)], lasts.bytes[Int(lb)]) {
            shared = (fa, lb)
        } else if Self.sameAcross(lasts.bytes[Int(la)], firsts.bytes[Int(fb)]) {
            shared = (fb, la)
        } else {
            return false
        }
        let asFirst = Int(shared.first) < firstCount.count ? Int(firstCount[Int(shared.first)]) : 0
        let asLast = Int(shared.last) < lastCount.count ? Int(lastCount[Int(shared.last)]) : 0
        return asFirst >= 4 * max(1, asLast)
    }

    /// 0 when two names are an edit apart, 1 when Jaro-Winkler 0.88 or more, 2 otherwise.
    private func across(_ x: [UInt8], _ y: [UInt8]) -> Int {
        Similarity.withinOneEdit(x, y) ? 0 : (Similarity.jaroWinkler(x, y) >= 0.88 ? 1 : 2)
    }

    /// `across`, with Jaro-Winkler only for names that start with the same letter (as the pairs of full names have
    /// one pair across that does): asked of many more pairs, and two names alike by it nearly always do.
    private func acrossSameStart(_ x: [UInt8], _ y: [UInt8]) -> Int {
        x.first == y.first ? across(x, y) : (Similarity.withinOneEdit(x, y) ? 0 : 2)
    }

    /// Whether a name read across is the same name: identical, or an edit apart when both have four letters or more
    /// (`lee` / `le` are two names).
    static func sameAcross(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        x == y || (min(x.count, y.count) >= 4 && Similarity.withinOneEdit(x, y))
    }

    /// Whether two last names not alike by edits or Jaro-Winkler are one name misread (`hu5sayn` / `hussain`) or
    /// transliterated, as the straight comparison's keys find (`lastO`, `lastR`).
    static func lastNamesAlike(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        let (a, b) = (String(decoding: x, as: UTF8.self), String(decoding: y, as: UTF8.self))
        return Normalize.recognitionFolded(a) == Normalize.recognitionFolded(b)
            || Normalize.transliterationReduced(a) == Normalize.transliterationReduced(b)
    }

    /// Whether two first names not alike by edits or Jaro-Winkler sound alike or are one name misread
    /// (`j0xhua` / `joshua`), as the straight comparison's key finds (`firstO`).
    static func firstNamesAlike(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        let (a, b) = (String(decoding: x, as: UTF8.self), String(decoding: y, as: UTF8.self))
        return Normalize.soundFolded(a) == Normalize.soundFolded(b)
            || Normalize.recognitionFolded(a) == Normalize.recognitionFolded(b)
    }

    /// Whether two folded names are nicknames of one first name (`joe` / `joseph`).
    static func nicknames(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard !x.isEmpty, !y.isEmpty, x != y else { return false }
        let cx = Normalize.firstNameCanon(String(decoding: x, as: UTF8.self))
        return !cx.isDisjoint(with: Normalize.firstNameCanon(String(decoding: y, as: UTF8.self)))
    }
}
