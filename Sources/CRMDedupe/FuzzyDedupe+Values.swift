import CRMModel
import Foundation

/// The interned values rows are kept as, and what adding rows needs beside them (caches matching lets go of).
extension FuzzyDeduplicator {
    /// Distinct normalised values of one field, by id; id 0 is "empty".
    ///
    /// The text-to-id table is an open-addressing table of ids over the values' UTF-8 bytes, hashed with the
    /// standard library's `Hasher` (seeded per process, so that no file can crowd one slot): a `[String: Int32]`
    /// hashed every string again each time it grew and was a third of adding a row on 1M leads (`perf`). Text is
    /// told apart as `String`'s `==` tells it: by its canonical composition (NFC), so that `é` as one scalar and as
    /// `e` and an accent are one value; a value keeps the spelling it was first seen in, as the dictionary kept it.
    final class Values {
        var bytes: [[UInt8]] = [[]]
        /// Slots: the hash's high 32 bits (its tag, which also places it: the slot is the tag's low bits), then the
        /// id + 1 (0: empty). A power of two long, at most half full.
        private var slots: [UInt64] = []
        private var filled = 0
        /// The canonical composition of each value first seen in another spelling (rare: text that is not ASCII and
        /// not composed), which lookups compare with instead of its bytes.
        private var composed: [Int: [UInt8]] = [:]

        init() { rebuild() }

        /// The id of `s`, added when new.
        func id(_ s: String) -> Int32 {
            var s = s
            if s.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) { return s.withUTF8 { id(key: $0, spelling: nil) } }
            var key = s.precomposedStringWithCanonicalMapping
            return key.withUTF8 { k in s.withUTF8 { id(key: k, spelling: k.elementsEqual($0) ? nil : $0) } }
        }

        /// The text value `id` is compared by.
        private func key(_ id: Int) -> [UInt8] { composed.isEmpty ? bytes[id] : composed[id] ?? bytes[id] }

        /// The id of the value whose canonical composition is `key`, added (with the bytes of `spelling`, or of `key`
        /// when nil) when new.
        private func id(key text: UnsafeBufferPointer<UInt8>, spelling: UnsafeBufferPointer<UInt8>?) -> Int32 {
            if slots.isEmpty { rebuild() }
            let h = Self.hash(text)
            let tag = h >> 32
            let mask = slots.count - 1
            var i = Int(tag) & mask
            while true {
                let slot = slots[i]
                if slot == 0 { break }
                if slot >> 32 == tag {
                    let id = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                    if key(id).withUnsafeBufferPointer({ $0.elementsEqual(text) }) { return Int32(id) }
                }
                i = (i + 1) & mask
            }
            let id = Int32(bytes.count)
            if let spelling {
                bytes.append(Array(spelling))
                composed[Int(id)] = Array(text)
            } else {
                bytes.append(Array(text))
            }
            slots[i] = tag << 32 | UInt64(id + 1)
            filled += 1
            if filled * 2 > slots.count { grow() }
            return id
        }

        /// Lets go of the text-to-id table (matching reads only ids and bytes); rebuilt when a value is added again.
        func seal() {
            slots = []
            filled = 0
        }

        private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var h = Hasher()
            h.combine(bytes: UnsafeRawBufferPointer(text))
            // Multiplied by an odd constant: the tag is the high half, which a 32-bit `Int` would leave empty.
            return UInt64(UInt(bitPattern: h.finalize())) &* 0x9E37_79B9_7F4A_7C15
        }

        /// The table made again from `bytes` (after `seal`, or at the start).
        private func rebuild() {
            var size = 16
            while size < bytes.count * 2 + 2 { size *= 2 }
            slots = [UInt64](repeating: 0, count: size)
            filled = 0
            for id in bytes.indices { place(key(id).withUnsafeBufferPointer { Self.hash($0) } >> 32, id) }
        }

        /// Twice the slots; every id moves by its tag, without hashing its text again.
        private func grow() {
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count * 2)
            filled = 0
            for slot in old where slot != 0 { place(slot >> 32, Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1) }
        }

        private func place(_ tag: UInt64, _ id: Int) {
            let mask = slots.count - 1
            var i = Int(tag) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = tag << 32 | UInt64(id + 1)
            filled += 1
        }
    }

    /// The id of a first name's `Normalize.soundFolded` form (0 for none, or a name without letters).
    func soundID(_ id: Int32) -> Int32 {
        if id == 0 { return 0 }
        if let v = recognizedFor.first[id] { return v }
        let v = recognized.id(Normalize.soundFolded(String(decoding: firsts.bytes[Int(id)], as: UTF8.self)))
        recognizedFor.first[id] = v
        return v
    }

    /// The id of a name's `Normalize.recognitionFolded` form, cached by the name's id.
    func recognizedID(_ id: Int32, in table: Values, _ cache: inout [Int32: Int32]) -> Int32 {
        if id == 0 { return 0 }
        if let v = cache[id] { return v }
        let v = recognized.id(Normalize.recognitionFolded(String(decoding: table.bytes[Int(id)], as: UTF8.self)))
        cache[id] = v
        return v
    }

    /// Lets go of what only adding rows needs before matching starts, so that it does not add to the peak: the
    /// raw-text caches and the text-to-id tables (a row added afterwards rebuilds them).
    func releaseAddingState() {
        caches = ([:], [:], [:], [:], [:], [:])
        for v in [
            emails, phones, firsts, lasts, companies, streets, places, titles, exts, dates, idents, recognized, middles,
            ages,
        ] {
            v.seal()
        }
    }

    func cached<V>(_ cache: inout [String: V], _ raw: String, _ make: (String) -> V) -> V {
        if let v = cache[raw] { return v }
        let v = make(raw)
        if cache.count < 2_000_000 { cache[raw] = v }
        return v
    }

    /// An age (1 to 150) or a year of birth (1000 to 2999) written as whole years (`34`, ` 1989 `, `٣٤`, `34.0`);
    /// nil for anything else (`34.5`, `-34`, `65+`, `unknown`, `0`).
    static func years(_ raw: String) -> Int? {
        // Digits alone (of any script), and a whole number written as a decimal (`34.0`, a spreadsheet's); not
        // `-34`, `65+` or `34.5`.
        var digits = raw.trimmingCharacters(in: .whitespaces)
        if digits.hasSuffix(".0") { digits.removeLast(2) }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        let t = Normalize.fold(digits)
        guard (1...4).contains(t.utf8.count), t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(t) else {
            return nil
        }
        return (1...150).contains(v) || (1000...2999).contains(v) ? v : nil
    }

    /// A sex as written (`sexes` reads it): 1 male, 2 female, 3 the letter `m`, 4 the letter `h`, else 0. Words lists
    /// write for them in English, German, French, Spanish, Italian and Portuguese, their first letters where no other
    /// language reads the letter otherwise (`w` for `weiblich`), and the codes 1 and 2 of ISO/IEC 5218. Anything else
    /// (`U`, `X`, `unknown`, `0`, `9`) is no value: it agrees and differs with nothing.
    static func genderCode(_ raw: String) -> Int32 {
        if raw.isEmpty { return 0 }  // no gender field: every row, with no folding
        let t = Normalize.fold(raw.trimmingCharacters(in: .whitespaces)).filter { $0 != "." }
        if t == "m" { return 3 }
        if t == "h" { return 4 }
        if maleWords.contains(t) { return 1 }
        if femaleWords.contains(t) { return 2 }
        return 0
    }

    static let maleWords: Set = [
        "male", "man", "masc", "masculine", "1", "mann", "mannlich", "maennlich", "homme", "masculin", "hombre",
        "masculino", "varon", "maschio", "uomo", "maschile", "boy", "mr",
    ]
    static let femaleWords: Set = [
        "f", "female", "woman", "fem", "feminine", "2", "w", "frau", "weiblich", "femme", "feminin", "mujer",
        "femenino", "feminino", "mulher", "femmina", "donna", "femminile", "girl", "mrs", "ms", "miss",
    ]

    /// The rows' sexes as compared: 0 none, 1 male, 2 female. `M` is a man's, unless the file writes `H` too: then
    /// it is Spanish (`H` hombre, `M` mujer, as Mexico's and Spain's registers write them), and `M` is a woman's.
    func sexes() -> [Int32] {
        let spanish = gender.contains(4)
        return gender.map { $0 == 3 ? (spanish ? 2 : 1) : $0 == 4 ? 1 : $0 }
    }

    /// An identifier folded, without spaces, dashes, dots and slashes.
    static func identifier(_ raw: String) -> String {
        String(Normalize.fold(raw).unicodeScalars.filter { !" -./".unicodeScalars.contains($0) })
    }
}

/// The digits a row's dates and phones are compared by.
extension FuzzyDeduplicator {
    /// A date as `YYYYMMDD` digits (`YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`, `DD.MM.YYYY`); other text as its digits.
    static func dateDigits(_ raw: String) -> String {
        let parts = raw.split(whereSeparator: { !$0.isNumber }).map(String.init)
        if parts.count == 3 {
            if parts[0].count == 4 { return parts[0] + pad2(parts[1]) + pad2(parts[2]) }
            if parts[2].count == 4 { return parts[2] + pad2(parts[1]) + pad2(parts[0]) }
        }
        return parts.joined()
    }

    private static func pad2(_ s: String) -> String { s.count == 1 ? "0" + s : s }

    /// Whether the ages (or years of birth) of rows `a` and `b` are ten years or more apart and not one typo of one
    /// another (a digit lost or added: `4` / `45`; not `60` / `30` nor `84` / `48`).
    func agesFarApart(_ a: Int, _ b: Int) -> Bool {
        let x = ageYears[Int(age[a])]
        let y = ageYears[Int(age[b])]
        guard x != 0, y != 0, (x < 1000) == (y < 1000), abs(Int(x) - Int(y)) >= 10 else { return false }
        // A digit lost or added is a typo (`4` / `45`). Of one width, nothing is: one digit replaced (`60` / `30`,
        // `1950` / `1980`) or two swapped (`84` / `48`, `1958` / `1985`: a difference of 27 or 36 years, a parent's
        // and a child's ages as often as a slip of the finger; a trial's every parent and child merged had one).
        let p = ages.bytes[Int(age[a])]
        let q = ages.bytes[Int(age[b])]
        return p.count == q.count || !oneEditApart(p, q, sameLength: false)
    }

    /// Whether the dates of birth of rows `a` and `b` (`yyyymmdd`) differ in three digits or more, read straight and
    /// with one's day and month swapped.
    func datesFarApart(_ a: Int, _ b: Int) -> Bool {
        let x = dates.bytes[Int(dob[a])]
        let y = dates.bytes[Int(dob[b])]
        guard x.count == 8, y.count == 8 else { return false }
        var straight = 0
        var swapped = 0
        let swap = [0, 1, 2, 3, 6, 7, 4, 5]
        for i in 0..<8 {
            if x[i] != y[i] { straight += 1 }
            if x[i] != y[swap[i]] { swapped += 1 }
        }
        return min(straight, swapped) >= 3
    }

    /// The first digits of a phone (ASCII) as one number that keeps their count: `04` and `004` differ.
    static func prefixKey(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(digits.count) { $0 * 10 + Int($1 &- 48) }
    }

    /// A phone number's digits up to its extension (`;ext=204` as the phone transform stores it, `x204`, `ext. 204`
    /// as a file writes it), at least six or none, and the extension's digits (empty for none).
    static func phoneParts(_ raw: String) -> (digits: String, ext: String) {
        guard !raw.isEmpty else { return ("", "") }
        let folded = DigitFolding.ascii(raw)
        var digits: [UInt8] = []
        var marker = false
        for c in folded.utf8 {
            if c >= 48 && c <= 57 {
                digits.append(c)
            } else if !digits.isEmpty && PhoneNumber.isExtensionMarker(c) {
                marker = true
                break
            }
        }
        let d = digits.count >= 6 ? String(decoding: digits, as: UTF8.self) : ""
        return (d, marker && !d.isEmpty ? PhoneNumber.extensionDigits(folded) ?? "" : "")
    }
}
