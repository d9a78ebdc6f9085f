/// When two values of a field are one value written two ways, beyond the comparison levels' own tests: street
/// lines without their house numbers, first names (a Soundex twin, one inside the other, an initial), and one edit.
extension FuzzyDeduplicator {
    /// A street line without its leading house number (`166 cambridge crescent` → `cambridge crescent`, `b56 raglan
    /// close` → `raglan close`).
    static func streetName(_ line: [UInt8]) -> ArraySlice<UInt8> {
        // A first word with a digit in it is the house number, however recognition misread it (`b56`, `l09c`).
        guard let space = line.firstIndex(of: 32), line[..<space].contains(where: { $0 >= 48 && $0 <= 57 }) else {
            return line[...]
        }
        return line[(space + 1)...]
    }

    /// Whether a street line is a house number alone: one word with a digit in it (`14`, `14g`).
    func numberOnly(_ s: Int32) -> Bool {
        streetWordCount(s) == 1 && streets.bytes[Int(s)].contains { $0 >= 48 && $0 <= 57 }
    }

    /// Whether two street lines name one street once their leading house numbers are left out: Jaro-Winkler 0.85 or
    /// more, the same first letter, and a letter in both (a line of a house number alone names no street); or one
    /// with a letter typed before the other.
    func streetNamesAlike(_ sa: Int32, _ sb: Int32) -> Bool {
        let x = Self.streetName(streets.bytes[Int(sa)])
        let y = Self.streetName(streets.bytes[Int(sb)])
        guard let cx = x.first, let cy = y.first, cx >= 97, cx <= 122, cy >= 97, cy <= 122 else { return false }
        // A letter typed before the name (`dchurch terrace` / `church terrace`), though the first letters differ; not
        // another first letter (`kent street` / `bent street` are two streets as often as one).
        if cx != cy { return x.dropFirst().elementsEqual(y) || y.dropFirst().elementsEqual(x) || soundAlike(x, y) }
        return Similarity.jaroWinkler(Array(x), Array(y)) >= 0.85
    }

    /// Whether two street names whose first letters differ sound alike: their sound folds (`Normalize.soundFolded`,
    /// spaces out) equal, one edit apart behind the same first letter (`khurch dr` / `church dr`), or the first two
    /// letters swapped (`aprk ave` / `park ave`, `amin st` / `main st`). Another first letter is still another street
    /// (`kent st` / `bent st`).
    private func soundAlike(_ x: ArraySlice<UInt8>, _ y: ArraySlice<UInt8>) -> Bool {
        // First what costs nothing: lengths within 3, and the same last word (the street's type, `dr`): folding two
        // names is two strings made, and most pairs of streets reach here (it doubled the matching time of 1M leads).
        guard abs(x.count - y.count) <= 3 else { return false }
        let tx = x.lastIndex(of: 32).map { x[($0 + 1)...] } ?? x[x.endIndex...]
        let ty = y.lastIndex(of: 32).map { y[($0 + 1)...] } ?? y[y.endIndex...]
        guard tx.elementsEqual(ty) else { return false }
        let fx = Array(Normalize.soundFolded(String(decoding: x, as: UTF8.self)).utf8)
        let fy = Array(Normalize.soundFolded(String(decoding: y, as: UTF8.self)).utf8)
        guard fx.count >= 4, fy.count >= 4 else { return false }
        if fx == fy { return true }
        if fx[0] == fy[0] { return Similarity.withinOneEdit(fx, fy) }
        return fx.count == fy.count && fx[0] == fy[1] && fx[1] == fy[0] && fx[2...] == fy[2...]
    }

    /// Whether two street lines differ in one part only: the same house number on streets the two name alike
    /// (`12 mcarthur st` / `12 macarthur stret`), or the house number one edit off (`45` / `54`) on one street
    /// name. Both parts off (`45 kent street` / `54 bent street`) is not one part: strangers often are that alike.
    /// The names are compared without their numbers: a shared `166 ` prefix alone made `166 cambridge crescent` and
    /// `166 marri circuit` Jaro-Winkler 0.85.
    func oneStreetPartOff(_ sa: Int32, _ sb: Int32, _ ha: Int32, _ hb: Int32) -> Bool {
        guard ha != 0, hb != 0 else { return false }
        if ha == hb { return streetNamesAlike(sa, sb) }
        guard oneEditApart(places.bytes[Int(ha)], places.bytes[Int(hb)], sameLength: true) else { return false }
        let x = Self.streetName(streets.bytes[Int(sa)])
        let y = Self.streetName(streets.bytes[Int(sb)])
        // The name's words in either order: address lines 1 and 2 swapped (`58 wentworth st kooringal` / `68 kooringal
        // wentworth st`).
        return x == y || Self.makeTokens(Array(x)) == Self.makeTokens(Array(y))
    }

    /// First names that may be one name written two ways, though no comparison level says so: the same first letter
    /// and close by Jaro-Winkler (`Katherine`/`Kathryn`), or one inside the other (`Toni`/`Antonia`, `Bec`/`Rebecca`).
    /// Not a Soundex twin alone (`Mohammed`/`Mandy`, `Jose`/`Jess`) nor Jaro-Winkler 0.8 across another first letter
    /// (`Linnea`/`Sienna`, `Hao`/`Sharon`): on lists where a quarter of the people live with a relative, relatives
    /// were that alike more often than a person's duplicates (own generator, `--family-rate 0.25`).
    func firstNamesAlike(_ a: Int32, _ b: Int32) -> Bool {
        let x = firsts.bytes[Int(a)]
        let y = firsts.bytes[Int(b)]
        guard !x.isEmpty, !y.isEmpty else { return false }
        if x[0] == y[0] && Similarity.jaroWinkler(x, y) >= 0.8 { return true }
        return firstNamesContained(a, b)
    }

    /// First names of which one is an initial of the other or inside it (`J`/`Julie`, `Toni`/`Antonia`).
    func firstNamesContained(_ a: Int32, _ b: Int32) -> Bool {
        let x = firsts.bytes[Int(a)]
        let y = firsts.bytes[Int(b)]
        guard !x.isEmpty, !y.isEmpty else { return false }
        if Self.isInitial(x, of: y) { return true }
        let (short, long) = x.count <= y.count ? (x, y) : (y, x)
        guard short.count >= 3 else { return false }
        return long.indices.contains { i in
            i + short.count <= long.count && long[i..<(i + short.count)].elementsEqual(short)
        }
    }

    /// Whether one of two folded first names is a single letter that starts the other (`j` / `julie`).
    static func isInitial(_ x: [UInt8], of y: [UInt8]) -> Bool {
        (x.count == 1 && y.count > 1 && y[0] == x[0]) || (y.count == 1 && x.count > 1 && x[0] == y[0])
    }

    /// One substitution, insertion, deletion or transposition of neighbours apart (with `sameLength`, only a
    /// substitution or a transposition: a postcode or house number of the same width).
    func oneEditApart(_ x: [UInt8], _ y: [UInt8], sameLength: Bool) -> Bool {
        if sameLength && x.count != y.count { return false }
        return Similarity.withinOneEdit(x, y)
    }

    /// Whether two cities (place ids) are one name with a typo: one edit apart (`parrmaatta` / `parramatta`,
    /// `campbeltown` / `campbelltown`), both of five letters or more, so that short names one letter apart (`kew` /
    /// `key`) stay two towns. Without it, a copy whose postcode was missing and whose suburb had a typo compared
    /// "different" on location: with it the third generator's file C (names) missed 223 pairs instead of 243.
    func citiesMistyped(_ x: Int32, _ y: Int32) -> Bool {
        let a = places.bytes[Int(x)]
        let b = places.bytes[Int(y)]
        // Three bytes of tag (`ci:`) before the folded name.
        guard a.count >= 8, b.count >= 8 else { return false }
        return oneEditApart(a, b, sameLength: false)
    }

    /// Whether rows `a` and `b` have one e-mail address mistyped: one edit apart, unless the one letter that differs
    /// is each row's own initial of its first or of its last name (`maryb@` for Mary Brown and `maryl@` for Mary
    /// Lopez, `jsmith@` and `msmith@`: a firm's addresses of two people, written the same way).
    func emailsMistyped(_ a: Int, _ b: Int) -> Bool {
        let x = emails.bytes[Int(email[a])]
        let y = emails.bytes[Int(email[b])]
        guard oneEditApart(x, y, sameLength: false) else { return false }
        guard x.count == y.count, let i = x.indices.first(where: { x[$0] != y[$0] }), i + 1 < x.count,
            x[i + 1] == y[i + 1]
        else { return true }  // an insertion, a deletion or two letters swapped
        func initial(_ r: Int, _ c: UInt8) -> Bool {
            firsts.bytes[Int(first[r])].first == c || lasts.bytes[Int(last[r])].first == c
        }
        return !(initial(a, x[i]) && initial(b, y[i]))
    }

    /// Whether rows `a` and `b` have e-mail addresses at one firm's domain whose local parts differ only in their
    /// digits (`jbryant@` / `jbryant2@`, `ann.lee1@` / `ann.lee2@`): how a firm tells two namesakes apart. A trial's
    /// B2B contacts had namesake colleagues so addressed in 42 of their 68 wrongly merged pairs. Not at a public mail
    /// service (`Normalize.isPublicMailDomain`), where one person's second address is written so as often
    /// (`gen_leads.py`'s `lisa.woods2@outlook.com`).
    func emailsNumbered(_ a: Int, _ b: Int) -> Bool {
        let x = emails.bytes[Int(email[a])]
        let y = emails.bytes[Int(email[b])]
        guard x != y, let ax = x.lastIndex(of: 64), let ay = y.lastIndex(of: 64), x[ax...] == y[ay...],
            !Normalize.isPublicMailDomain(x)
        else {
            return false
        }
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        let lx = x[..<ax].filter { !isDigit($0) }
        return !lx.isEmpty && lx == y[..<ay].filter { !isDigit($0) }
    }

    /// Whether rows `a` and `b` have e-mail addresses that each name their own row's first name and not the other's
    /// (`joan.medina@` for Joan, `john.medina@` for John): two colleagues, each addressed by a firm's pattern, though
    /// the addresses are one edit apart. First names of three letters or more.
    func emailsNameTheirOwn(_ a: Int, _ b: Int) -> Bool {
        let fa = firsts.bytes[Int(first[a])]
        let fb = firsts.bytes[Int(first[b])]
        guard fa.count >= 3, fb.count >= 3, fa != fb else { return false }
        let x = emails.bytes[Int(email[a])]
        let y = emails.bytes[Int(email[b])]
        guard let ax = x.lastIndex(of: 64), let ay = y.lastIndex(of: 64) else { return false }
        func has(_ text: ArraySlice<UInt8>, _ word: [UInt8]) -> Bool {
            guard text.count >= word.count else { return false }
            var i = text.startIndex
            while i + word.count <= text.endIndex {
                if text[i..<(i + word.count)].elementsEqual(word) { return true }
                i += 1
            }
            return false
        }
        return has(x[..<ax], fa) && has(y[..<ay], fb) && !has(x[..<ax], fb) && !has(y[..<ay], fa)
    }

    /// Whether a pair at street level `s` is one of neighbours (`neighboursInPlace` counts and weighs these): "number
    /// or name off" or "same street, other or no number" with neighbours' numbers (`neighbourNumbers`), and for the
    /// latter a street name on both lines (a line of a house number alone, `14` / `149 leichhardt grove`, is one
    /// person's line with the street missing more often than a neighbour's).
    func neighbourPair(_ s: Int, _ a: Int, _ b: Int) -> Bool {
        guard Self.neighbourLevels.contains(s), neighbourNumbers(a, b) else { return false }
        return s == Self.streetOff || (streetNS[a] != 0 && streetNS[b] != 0)
    }

    /// Whether the house numbers of rows `a` and `b` are neighbours' numbers: both present, written with digits
    /// alone, and different but not by two digits swapped (`45` / `54`). A number missing or written with a letter is
    /// more often one misread (`l5` / `15`, `1o` / `10`: the house number is the line's first run of digits, `5` and
    /// `1`) than a neighbour's.
    func neighbourNumbers(_ a: Int, _ b: Int) -> Bool {
        guard house[a] != house[b], house[a] != 0, house[b] != 0 else { return false }
        guard digitsAlone(streets.bytes[Int(street[a])]), digitsAlone(streets.bytes[Int(street[b])]) else {
            return false
        }
        // The places table keeps a house number as `#` and the number.
        let x = Array(places.bytes[Int(house[a])].dropFirst())
        let y = Array(places.bytes[Int(house[b])].dropFirst())
        guard x.count == y.count else { return true }
        var diffs: [Int] = []
        for i in x.indices where x[i] != y[i] {
            diffs.append(i)
            if diffs.count > 2 { return true }
        }
        guard diffs.count == 2, diffs[1] == diffs[0] + 1 else { return true }
        return !(x[diffs[0]] == y[diffs[1]] && x[diffs[1]] == y[diffs[0]])
    }

    /// Whether the house numbers of rows `a` and `b` may be one number mistyped: one edit apart (`8` / `58`, `42` /
    /// `32`), or two in a number of four digits or more (`146` / `1647`: a digit typed and two swapped). Two edits in a
    /// shorter number leave little of it (`12` / `47`, `146` / `157`): on the third and fourth generators' streets such
    /// pairs were another person's 30 to 1000 times as often as one person's, and at four digits never.
    func numbersMaybeMistyped(_ a: Int, _ b: Int) -> Bool {
        guard house[a] != 0, house[b] != 0 else { return false }
        let x = Array(places.bytes[Int(house[a])].dropFirst())
        let y = Array(places.bytes[Int(house[b])].dropFirst())
        let d = Similarity.osaDistance(x, y, cap: 3)
        return d <= 1 || (d == 2 && max(x.count, y.count) >= 4)
    }

    /// Whether the word of a street line that holds its first digit is digits alone (`12 elm st`, not `12a elm st`
    /// or `l5 elm st`).
    private func digitsAlone(_ line: [UInt8]) -> Bool {
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        guard let d = line.firstIndex(where: isDigit) else { return false }
        var start = d
        var end = d
        while start > 0, line[start - 1] != 32 { start -= 1 }
        while end < line.count, line[end] != 32 { end += 1 }
        return line[start..<end].allSatisfy(isDigit)
    }
}
