import Foundation

/// The interned values rows are kept as, and what adding rows needs beside them (caches matching lets go of).
extension FuzzyDeduplicator {
    /// Distinct normalised values of one field, by id; id 0 is "empty".
    final class Values {
        var ids: [String: Int32] = ["": 0]
        var bytes: [[UInt8]] = [[]]
        /// Whether `ids` was let go (`seal`); rebuilt from `bytes` when a value is added again.
        private var sealed = false
        func id(_ s: String) -> Int32 {
            if sealed {
                let pairs = bytes.indices.map { (String(decoding: bytes[$0], as: UTF8.self), Int32($0)) }
                ids = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
                sealed = false
            }
            if let i = ids[s] { return i }
            let i = Int32(bytes.count)
            ids[s] = i
            bytes.append(Array(s.utf8))
            return i
        }

        /// Lets go of the text-to-id table (matching reads only ids and bytes): on a million rows of mostly distinct
        /// e-mails, phones and streets it is a few hundred MB.
        func seal() {
            ids = [:]
            sealed = true
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
        for v in [emails, phones, firsts, lasts, companies, streets, places, titles, exts, dates, idents, recognized] {
            v.seal()
        }
    }

    func cached<V>(_ cache: inout [String: V], _ raw: String, _ make: (String) -> V) -> V {
        if let v = cache[raw] { return v }
        let v = make(raw)
        if cache.count < 2_000_000 { cache[raw] = v }
        return v
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

    /// Digits of a phone number (E.164 from the mapping keeps its `+`-less digits; others as written).
    static func phoneDigits(_ raw: String) -> String {
        let d = String(raw.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 })
        return d.count >= 6 ? d : ""
    }
}
