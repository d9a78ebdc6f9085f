import CRMTestSupport
import Testing

@testable import CRMModel

/// The allocation-free `PhoneNumber.e164` against the implementation it replaced (kept below, verbatim but for its
/// name and the region passed in): the same result for every phone cell of the fixtures and for a quarter of a
/// million strings made of what phone cells hold.
@Suite("PhoneNumber.e164 against the previous implementation")
struct PhoneNumberReferenceTests {
    @Test(
        "the same result for random strings of digits, separators, plus signs, (0) hints, extensions and letters, in every region"
    )
    func randomStrings() {
        let pieces = [
            "0", "1", "2", "4", "7", "9", "00", "011", "0011", "44", "41", "1", "+", "+1", "+44", "(0)", "(", ")", " ",
            "-", ".",
            "/", "\t", "\u{A0}", " x", "ext. ", "#", ";", ",", "e", "a", "(0", "0)", "555", "0101", "20 7946 0958", "8",
            "06", "810", "é",
        ]
        let regions = Array(PhoneNumber.regions.keys).sorted() + ["ZZ"]
        var rng = SplitMix(seed: 16)
        var differing: [String] = []
        var nonNil = 0
        for _ in 0..<250_000 {
            var s = ""
            for _ in 0..<(1 + rng.next() % 12) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let region = regions[Int(rng.next() % UInt64(regions.count))]
            let got = PhoneNumber.e164(s, region: region)
            if got != nil { nonNil += 1 }
            if got != ReferenceE164.e164(s, region: region), differing.count < 5 {
                differing.append("\(region) \(s.debugDescription)")
            }
        }
        #expect(differing.isEmpty, "\(differing)")
        // The strings reach both outcomes often: the comparison is not all nil against nil.
        #expect(nonNil > 20_000)
    }

    @Test(
        "the same result for runs of 1 to 40 digits (across the stack buffer's limit) after every kind of prefix and before an extension or a letter"
    )
    func edges() {
        for n in 1...40 {
            let digits = String(repeating: "1", count: n)
            for s in [
                digits, "+" + digits, "00" + digits, "011" + digits, "0" + digits, "44" + digits, digits + " x12",
                digits + "a",
            ] {
                for region in ["US", "GB", "AU", "RU", "HU", "IT"] {
                    #expect(
                        PhoneNumber.e164(s, region: region) == ReferenceE164.e164(s, region: region), "\(region) \(s)")
                }
            }
        }
    }
}

/// `PhoneNumber.e164` as it was before it gathered digits on the stack (commit 3a62e30): the oracle.
private enum ReferenceE164 {
    typealias Region = PhoneNumber.Region
    /// The E.164 form of `raw`, or nil when it cannot be a phone number.
    /// - Parameter region: ISO 3166 alpha-2 code used for numbers written without a country code.
    static func e164(_ raw: String, region: String) -> String? {
        let reg = PhoneNumber.regions[region] ?? PhoneNumber.regions["US"]!
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
        return PhoneNumber.twoDigitCodes.contains(two) ? 2 : 3
    }

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
