/// Words of company and street values as sorted hashes, made once before the comparisons run, for the levels that
/// ask whether one value's words are among the other's (a line or a word missing).
extension FuzzyDeduplicator {
    func prepareTokens() {
        if companyTokens.count < companies.bytes.count {
            companyTokens += (companyTokens.count..<companies.bytes.count).map { Self.makeTokens(companies.bytes[$0]) }
        }
        if streetTokens.count < streets.bytes.count {
            streetTokens += (streetTokens.count..<streets.bytes.count).map { Self.makeTokens(streets.bytes[$0]) }
        }
        if streetWordCounts.count < streetTokens.count {
            streetWordCounts += streetTokens[streetWordCounts.count...].map { Int32($0.count) }
        }
        if titleTokens.count < titles.bytes.count {
            titleTokens += (titleTokens.count..<titles.bytes.count).map { Self.titleWords(titles.bytes[$0]) }
        }
    }

    /// Whether two job titles (ids of `titles`) are one written two ways: the same words in any order once their
    /// abbreviations are written out and the small words left out (`titleWords`): `VP Sales` / `Vice President,
    /// Sales`, `CEO` / `Chief Executive Officer`, `Marketing Director` / `Director of Marketing`. Not one title's words
    /// among the other's: `President` / `VP Engineering` and `Founder` / `Co-Founder` were two people on the 1M leads.
    func titlesAlike(_ a: Int32, _ b: Int32) -> Bool {
        let x = Int(a) < titleTokens.count ? titleTokens[Int(a)] : Self.titleWords(titles.bytes[Int(a)])
        let y = Int(b) < titleTokens.count ? titleTokens[Int(b)] : Self.titleWords(titles.bytes[Int(b)])
        return !x.isEmpty && x == y
    }

    /// A folded title's words as sorted hashes, abbreviations written out and small words (`of`, `and`, `the`)
    /// left out.
    static func titleWords(_ bytes: [UInt8]) -> [UInt64] {
        var words: [UInt8] = []
        for w in bytes.split(separator: 32) {
            let word = String(decoding: w, as: UTF8.self)
            if Normalize.titleFillers.contains(word) { continue }
            words += Array((Normalize.titleAbbreviations[word] ?? word).utf8)
            words.append(32)
        }
        return makeTokens(words)
    }

    /// How many distinct words a street has (a line missing from one of two streets makes their counts differ).
    func streetWordCount(_ id: Int32) -> Int {
        let i = Int(id)
        return i < streetWordCounts.count ? Int(streetWordCounts[i]) : Self.makeTokens(streets.bytes[i]).count
    }

    func streetWords(_ id: Int32) -> [UInt64] {
        let i = Int(id)
        return i < streetTokens.count ? streetTokens[i] : Self.makeTokens(streets.bytes[i])
    }

    func tokens(_ id: Int32) -> [UInt64] {
        let i = Int(id)
        return i < companyTokens.count ? companyTokens[i] : Self.makeTokens(companies.bytes[i])
    }

    static func makeTokens(_ bytes: [UInt8]) -> [UInt64] {
        var out: [UInt64] = []
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var any = false
        for c in bytes {
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
        return Array(Set(out)).sorted()
    }

    static func isSubset(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        var j = 0
        for x in a {
            while j < b.count, b[j] < x { j += 1 }
            if j == b.count || b[j] != x { return false }
        }
        return true
    }
}
