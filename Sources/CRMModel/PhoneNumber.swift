/// Phone number normalisation to E.164 (`+14155550101`), fast enough for the import path.
///
/// Handles international forms (`+41 (0)44 620 37 70`, `0041…`, `011…` from North America),
/// national forms with the region's trunk prefix (`020 7946 0958` in GB, `(415) 555-0101` in US),
/// separators of every kind, and extensions (`x123`, `ext. 123`, which are dropped).
/// Validation is by length (a "possible number"), not by numbering plan.
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
    public static func e164(_ raw: String, region: String) -> String? {
        let reg = regions[region] ?? regions["US"]!
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus = false
        var sawDigit = false
        var utf8 = Array(raw.utf8)
        // Remove a "(0)" trunk hint written inside international numbers.
        if let r = find(Array("(0)".utf8), in: utf8) { utf8.removeSubrange(r) }
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(b)
                sawDigit = true
            case UInt8(ascii: "+"):
                if sawDigit || plus { return nil }
                plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "/"), 0x09, 0xA0, 0xC2:
                break
            case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "#"),
                UInt8(ascii: ";"), UInt8(ascii: ","):
                // An extension (x123, ext. 123, #123, ;ext=123) ends the number.
                if !sawDigit { return nil }
                i = utf8.count
                continue
            default:
                return nil
            }
            i += 1
        }
        guard digits.count >= 4 else { return nil }
        var national: ArraySlice<UInt8>
        var cc: ArraySlice<UInt8>
        if !plus, let intl = stripInternationalPrefix(digits, region: reg) {
            digits = Array(intl)
            plus = true
        }
        if plus {
            let ccLength = callingCodeLength(digits)
            guard digits.count > ccLength else { return nil }
            cc = digits[..<ccLength]
            national = digits[ccLength...]
        } else {
            cc = ArraySlice(reg.callingCode.utf8)
            national = digits[...]
            let trunk = Array(reg.trunkPrefix.utf8)
            if reg.callingCode == "1" {
                if national.count == 11, national.first == UInt8(ascii: "1") { national = national.dropFirst() }
            } else if !trunk.isEmpty, national.starts(with: trunk) {
                national = national.dropFirst(trunk.count)
            } else if national.count >= 9, national.starts(with: cc) {
                // Written with the country code but without "+" ("41446203770").
                national = national.dropFirst(cc.count)
            }
        }
        if cc == [UInt8(ascii: "1")] {
            guard national.count == 10, let first = national.first, first >= UInt8(ascii: "2") else { return nil }
        } else {
            guard national.count >= 4, cc.count + national.count >= 7 else { return nil }
        }
        guard cc.count + national.count <= 15 else { return nil }
        var out: [UInt8] = [UInt8(ascii: "+")]
        out.append(contentsOf: cc)
        out.append(contentsOf: national)
        return String(decoding: out, as: UTF8.self)
    }

    /// The digits after an international dialling prefix, when `digits` starts with one.
    static func stripInternationalPrefix(_ digits: [UInt8], region: Region) -> ArraySlice<UInt8>? {
        let prefixes = [region.internationalPrefix, "00"]
        for p in prefixes {
            let pb = Array(p.utf8)
            if digits.count > pb.count + 6, digits.starts(with: pb) { return digits.dropFirst(pb.count) }
        }
        return nil
    }

    /// The length of the calling code at the start of `digits` (ITU-T E.164 codes are prefix-free).
    static func callingCodeLength(_ digits: [UInt8]) -> Int {
        guard let first = digits.first else { return 0 }
        if first == UInt8(ascii: "1") || first == UInt8(ascii: "7") { return 1 }
        guard digits.count >= 2 else { return 1 }
        let two = Int(first - 48) * 10 + Int(digits[1] - 48)
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
        let key = country.lowercased().filter { $0.isLetter }
        if key.isEmpty { return nil }
        if key.count == 2 { let up = key.uppercased(); return regions[up] != nil ? up : nil }
        return countryNames[key]
    }

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
    ]

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Range<Int>? {
        guard hay.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= hay.count {
            if hay[i] == needle[0], Array(hay[i..<(i + needle.count)]) == needle { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }
}
