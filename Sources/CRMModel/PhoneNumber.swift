import Foundation

/// Phone number normalisation to E.164 (`+14155550101`), fast enough for the import path.
///
/// Handles international forms (`+41 (0)44 620 37 70`, `0041…`, `011…` from North America),
/// national forms with the region's trunk prefix (`020 7946 0958` in GB, `(415) 555-0101` in US),
/// separators of every kind, and extensions (`x123`, `ext. 123`: `e164` drops them, `normalized` keeps them as
/// RFC 3966 writes them, `+19735550155;ext=204`). Validation is by length (a "possible number"), not by numbering plan.
public enum PhoneNumber {
    /// A region's calling code and national trunk prefix.
    public struct Region: Sendable, Hashable {
        public let callingCode: String
        /// The digits dialled before a national number inside the country ("0", "1", "8", or none).
        public let trunkPrefix: String
        /// The prefix for dialling abroad from this region ("00", "011", …).
        public let internationalPrefix: String
    }

    /// The E.164 form of `raw`, or nil when it cannot be a phone number.
    /// - Parameter region: ISO 3166 alpha-2 code used for numbers written without a country code.
    ///
    /// Allocation-free but for the result (which fits in a small string up to 15 bytes): the digits are gathered in a
    /// stack buffer and the region's prefixes compared in place. It runs once per phone cell of an import.
    public static func e164(_ raw: String, region: String) -> String? {
        let reg = regions[region] ?? regions["US"]!
        var raw = DigitFolding.ascii(raw)
        return raw.withUTF8 { e164(utf8: $0, reg) }
    }

    /// The E.164 form of `raw` followed by its extension, if it has one, as RFC 3966 writes it (`+1 (973) 555-0155
    /// ext. 204` → `+19735550155;ext=204`), or nil when it cannot be a phone number. What an import and an edit store:
    /// colleagues at one switchboard have one number and their own extensions, and a number without its extension
    /// reaches another desk (an import that dropped it lost data, and the matcher took colleagues for one person).
    public static func normalized(_ raw: String, region: String) -> String? {
        guard let number = e164(raw, region: region) else { return nil }
        // Most numbers have no marker: one pass over the bytes, no allocation, before reading an extension.
        // (Bytes past ASCII too: a full-width `ｘ` or `＃` is a marker once folded.)
        guard raw.utf8.contains(where: { isExtensionMarker($0) || $0 >= 0x80 }), let ext = extensionDigits(raw) else {
            return number
        }
        return number + ";ext=" + ext
    }

    /// Longest extension kept; a longer run of digits after a marker is not read as one.
    static let maxExtensionDigits = 8

    /// The digits of the extension written after a number (`x204`, `ext. 204`, `Ext 204`, `extn 204`, `extension 204`,
    /// `#204`, `;ext=204`, `,204`), or nil when there is none: the first of those markers after a digit, then only
    /// spaces, dots, `:` or `=` before 1 to `maxExtensionDigits` digits. Not digits that go on as another number
    /// (`973-555-0155, 973-555-0199`), nor a marker that is a word (`eve 6pm`, `(home)`).
    public static func extensionDigits(_ raw: String) -> String? {
        let b = Array(DigitFolding.ascii(raw).utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        guard let firstDigit = b.firstIndex(where: isDigit),
            var i = b[firstDigit...].firstIndex(where: isExtensionMarker)
        else { return nil }
        var letters: [UInt8] = []
        var skipped = 0
        while i < b.count, !isDigit(b[i]) {
            let c = b[i] | 0x20
            if c >= 97 && c <= 122 {
                letters.append(c)
            } else if !(b[i] == 32 || b[i] == 46 || b[i] == 61 || b[i] == 58 || isExtensionMarker(b[i])) {
                return nil
            }
            skipped += 1
            if skipped > 12 { return nil }
            i += 1
        }
        guard extensionWords.contains(String(decoding: letters, as: UTF8.self)) else { return nil }
        let start = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        guard i > start, i - start <= maxExtensionDigits else { return nil }
        // Digits that go on after a separator are another number, not an extension.
        var j = i
        while j < b.count, [32, 45, 46, 41, 40, 47].contains(b[j]) { j += 1 }
        if j > i, j < b.count, isDigit(b[j]) { return nil }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    /// The words an extension's marker may be written with (lower case; none for `#`, `,` and `;`).
    static let extensionWords: Set<String> = ["", "x", "ext", "extn", "extension", "xt", "ex"]

    /// Whether `c` may start an extension: `x`, `e` (`ext`), `#`, `;` (`;ext=`) or `,`.
    public static func isExtensionMarker(_ c: UInt8) -> Bool {
        c | 0x20 == UInt8(ascii: "x") || c | 0x20 == UInt8(ascii: "e") || c == UInt8(ascii: "#")
            || c == UInt8(ascii: ";")
            || c == UInt8(ascii: ",")
    }

    /// More digits than any number can have with its prefixes: 15 for E.164, an international prefix of up to 4,
    /// a trunk prefix of up to 2. Past it the result is nil whatever follows, so the scan stops there.
    static let maxDigits = 24

    /// The work of `e164` on the text's bytes.
    static func e164(utf8 src: UnsafeBufferPointer<UInt8>, _ reg: Region) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxDigits) { d -> String? in
            var n = 0
            var plus = false
            var sawDigit = false
            var hintRemoved = false
            var i = 0
            let count = src.count
            scan: while i < count {
                let b = src[i]
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if n == maxDigits { return nil }
                    d[n] = b
                    n += 1
                    sawDigit = true
                case UInt8(ascii: "+"):
                    if sawDigit || plus { return nil }
                    plus = true
                case UInt8(ascii: "("):
                    // The first "(0)", a trunk hint written inside international numbers, is left out.
                    if !hintRemoved, i + 2 < count, src[i + 1] == UInt8(ascii: "0"), src[i + 2] == UInt8(ascii: ")") {
                        hintRemoved = true
                        i += 3
                        continue
                    }
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: "/"),
                    0x09,
                    0xA0, 0xC2:
                    break
                case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "#"),
                    UInt8(ascii: ";"), UInt8(ascii: ","):
                    // An extension (x123, ext. 123, #123, ;ext=123) ends the number.
                    if !sawDigit { return nil }
                    break scan
                default:
                    return nil
                }
                i += 1
            }
            guard n >= 4 else { return nil }
            /// True when the digits from `at` start with `prefix`'s.
            func starts(at: Int, with prefix: String) -> Bool {
                var j = at
                for c in prefix.utf8 {
                    if j >= n || d[j] != c { return false }
                    j += 1
                }
                return true
            }
            var start = 0
            if !plus {
                // The region's international dialling prefix, else "00" (two checks: no array made per phone).
                let intl = reg.internationalPrefix
                if n > intl.utf8.count + 6, starts(at: 0, with: intl) {
                    start = intl.utf8.count
                    plus = true
                } else if n > 8, starts(at: 0, with: "00") {
                    start = 2
                    plus = true
                }
            }
            // The calling code: `ccLength` digits at `start`, or the region's; the national number is d[national..<n].
            var ccLength: Int
            var national: Int
            let ccIsOne: Bool
            if plus {
                ccLength = callingCodeLength(d[start], n - start >= 2 ? d[start + 1] : nil)
                guard n - start > ccLength else { return nil }
                national = start + ccLength
                ccIsOne = ccLength == 1 && d[start] == UInt8(ascii: "1")
            } else {
                ccLength = reg.callingCode.utf8.count
                national = 0
                ccIsOne = reg.callingCode == "1"
                if ccIsOne {
                    if n == 11, d[0] == UInt8(ascii: "1") { national = 1 }
                } else if !reg.trunkPrefix.isEmpty, starts(at: 0, with: reg.trunkPrefix) {
                    national = reg.trunkPrefix.utf8.count
                } else if n >= 9, starts(at: 0, with: reg.callingCode) {
                    // Written with the country code but without "+" ("41446203770").
                    national = ccLength
                }
            }
            let nationalCount = n - national
            if ccIsOne {
                guard nationalCount == 10, d[national] >= UInt8(ascii: "2") else { return nil }
            } else {
                guard nationalCount >= 4, ccLength + nationalCount >= 7 else { return nil }
            }
            guard ccLength + nationalCount <= 15 else { return nil }
            let fromDigits = plus
            return String(unsafeUninitializedCapacity: 1 + ccLength + nationalCount) { out in
                out[0] = UInt8(ascii: "+")
                var k = 1
                if fromDigits {
                    for j in start..<(start + ccLength) {
                        out[k] = d[j]
                        k += 1
                    }
                } else {
                    for c in reg.callingCode.utf8 {
                        out[k] = c
                        k += 1
                    }
                }
                for j in national..<n {
                    out[k] = d[j]
                    k += 1
                }
                return k
            }
        }
    }

    /// The length of the calling code that starts with the digit `first`, then `second` (ITU-T E.164 codes are
    /// prefix-free).
    static func callingCodeLength(_ first: UInt8, _ second: UInt8?) -> Int {
        if first == UInt8(ascii: "1") || first == UInt8(ascii: "7") { return 1 }
        guard let second else { return 1 }
        let two = Int(first &- 48) * 10 + Int(second &- 48)
        return twoDigitCodes.contains(two) ? 2 : 3
    }

    static let twoDigitCodes: Set<Int> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
        60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]

    /// Regions by ISO 3166 alpha-2 code.
    public static let regions: [String: Region] = {
        var r: [String: Region] = [:]
        func add(_ codes: [String], _ cc: String, _ trunk: String, _ intl: String = "00") {
            for c in codes { r[c] = Region(callingCode: cc, trunkPrefix: trunk, internationalPrefix: intl) }
        }
        add(["US", "CA", "PR", "JM", "BS", "BB", "TT", "DO"], "1", "1", "011")
        add(["GB", "UK", "GG", "JE", "IM"], "44", "0")
        add(["IE"], "353", "0")
        add(["DE"], "49", "0")
        add(["AT"], "43", "0")
        add(["CH", "LI"], "41", "0")
        add(["FR", "MC"], "33", "0")
        add(["NL"], "31", "0")
        add(["BE"], "32", "0")
        add(["LU"], "352", "")
        add(["ES"], "34", "")
        add(["IT", "SM", "VA"], "39", "")
        add(["PT"], "351", "")
        add(["DK"], "45", "")
        add(["NO"], "47", "")
        add(["SE"], "46", "0")
        add(["FI"], "358", "0")
        add(["IS"], "354", "")
        add(["PL"], "48", "")
        add(["CZ"], "420", "")
        add(["SK"], "421", "0")
        add(["HU"], "36", "06")
        add(["RO"], "40", "0")
        add(["GR"], "30", "")
        add(["TR"], "90", "0")
        add(["RU", "KZ"], "7", "8", "810")
        add(["UA"], "380", "0")
        add(["IL"], "972", "0")
        add(["AE"], "971", "0")
        add(["SA"], "966", "0")
        add(["ZA"], "27", "0")
        add(["NG"], "234", "0")
        add(["KE"], "254", "0")
        add(["EG"], "20", "0")
        add(["IN"], "91", "0")
        add(["PK"], "92", "0")
        add(["CN"], "86", "0")
        add(["HK"], "852", "", "001")
        add(["TW"], "886", "0")
        add(["JP"], "81", "0", "010")
        add(["KR"], "82", "0", "001")
        add(["SG"], "65", "", "000")
        add(["MY"], "60", "0")
        add(["TH"], "66", "0", "001")
        add(["VN"], "84", "0")
        add(["PH"], "63", "0")
        add(["ID"], "62", "0", "001")
        add(["AU"], "61", "0", "0011")
        add(["NZ"], "64", "0")
        add(["BR"], "55", "0")
        add(["MX"], "52", "")
        add(["AR"], "54", "0")
        add(["CL"], "56", "")
        add(["CO"], "57", "", "009")
        add(["PE"], "51", "0")
        return r
    }()

    /// The ISO code for a country name or code as lists write it (`United States`, `USA`, `Deutschland`).
    public static func regionCode(forCountry country: String) -> String? {
        let key = countryKey(country)
        if key.isEmpty { return nil }
        if key.count == 2, key.allSatisfy(\.isASCII) {
            let up = key.uppercased()
            return regions[up] != nil ? up : nil
        }
        return countryNames[key] ?? localizedCountryNames[key]
    }

    /// A country's name as `regionCode(forCountry:)` looks it up: lower case, letters only.
    static func countryKey(_ name: String) -> String { name.lowercased().filter { $0.isLetter } }

    /// The region a calling code shared by several is dialled to first (`7`: Russia, not Kazakhstan), else the one
    /// region of the code; nil for a code no region here has.
    public static func mainRegion(forCallingCode code: String) -> String? {
        if let main = sharedCodes[code] { return main }
        return regions.filter { $0.key.count == 2 && $0.value.callingCode == code }.keys.sorted().first
    }

    /// The first region of each calling code several regions share, as libphonenumber's metadata names it.
    static let sharedCodes = [
        "1": "US", "7": "RU", "44": "GB", "41": "CH", "33": "FR", "39": "IT", "47": "NO", "61": "AU", "358": "FI",
    ]

    /// Every region's name in the languages of its neighbours and of the lists crmgate meets (`Россия`, `日本`,
    /// `Ελλάδα`, `ישראל`, `Việt Nam`), from ICU's locale data, for names `countryNames` lacks: a trial's native
    /// country names read phones as the default region's (`中国` + `138 1234 5678` became a US number).
    static let localizedCountryNames: [String: String] = {
        var out: [String: String] = [:]
        let languages = [
            "ru", "uk", "be", "bg", "sr", "el", "he", "ar", "fa", "ur", "hi", "bn", "th", "ja", "zh-Hans", "zh-Hant",
            "ko", "vi", "tr", "pl", "cs", "sk", "hu", "ro", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb",
            "fi", "is", "id", "ms", "en",
        ]
        for language in languages {
            let locale = Locale(identifier: language)
            for region in regions.keys where region.count == 2 && region != "UK" {
                guard let name = locale.localizedString(forRegionCode: region) else { continue }
                let key = countryKey(name)
                if !key.isEmpty, out[key] == nil { out[key] = region }
            }
        }
        return out
    }()

    static let countryNames: [String: String] = [
        "unitedstates": "US", "usa": "US", "unitedstatesofamerica": "US", "america": "US",
        "canada": "CA", "unitedkingdom": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB",
        "wales": "GB", "northernireland": "GB", "gbr": "GB", "ireland": "IE", "irl": "IE",
        "germany": "DE", "deutschland": "DE", "deu": "DE", "austria": "AT", "österreich": "AT",
        "osterreich": "AT", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
        "france": "FR", "netherlands": "NL", "thenetherlands": "NL", "holland": "NL", "nederland": "NL",
        "belgium": "BE", "belgique": "BE", "belgië": "BE", "luxembourg": "LU", "spain": "ES", "españa": "ES",
        "espana": "ES", "italy": "IT", "italia": "IT", "portugal": "PT", "denmark": "DK", "danmark": "DK",
        "norway": "NO", "norge": "NO", "sweden": "SE", "sverige": "SE", "finland": "FI", "suomi": "FI",
        "iceland": "IS", "poland": "PL", "polska": "PL", "czechrepublic": "CZ", "czechia": "CZ",
        "slovakia": "SK", "hungary": "HU", "romania": "RO", "greece": "GR", "turkey": "TR", "türkiye": "TR",
        "russia": "RU", "ukraine": "UA", "israel": "IL", "unitedarabemirates": "AE", "uae": "AE",
        "saudiarabia": "SA", "southafrica": "ZA", "nigeria": "NG", "kenya": "KE", "egypt": "EG", "india": "IN",
        "pakistan": "PK", "china": "CN", "hongkong": "HK", "taiwan": "TW", "japan": "JP", "southkorea": "KR",
        "korea": "KR", "singapore": "SG", "malaysia": "MY", "thailand": "TH", "vietnam": "VN",
        "philippines": "PH", "indonesia": "ID", "australia": "AU", "newzealand": "NZ", "brazil": "BR",
        "brasil": "BR", "mexico": "MX", "méxico": "MX", "argentina": "AR", "chile": "CL", "colombia": "CO",
        "peru": "PE",
        // Short native names ICU's data words otherwise (`中国大陆`, `المملكة العربية السعودية`).
        "中国": "CN", "中國": "CN", "中华人民共和国": "CN", "السعودية": "SA", "مصر": "EG", "الإمارات": "AE",
    ]
}
