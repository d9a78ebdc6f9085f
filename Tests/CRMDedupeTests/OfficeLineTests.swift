import Foundation
import Testing

@testable import CRMDedupe

/// A trial on B2B contact exports (a helper's generator, used black-box): colleagues on one office line merged on it,
/// since the phone transform dropped their extensions; namesake colleagues (`jbryant@` / `jbryant2@`) merged on the
/// line and the company; and a copy whose only number was its mobile never met the mobile of the other copy.
@Suite("Office lines, extensions and mobiles: what a B2B contact list shares and what it does not")
struct OfficeLineTests {
    func row(
        _ first: String, _ last: String, email: String = "", phone: String = "", mobile: String = "",
        company: String = ""
    ) -> DedupeRow {
        var r = FuzzyDedupeTests().row(first, last, email: email, phone: phone, company: company, city: "Houston")
        r.mobile = mobile
        return r
    }

    static let firsts = [
        "Christina", "Eric", "Keith", "Tara", "Omar", "Helen", "Victor", "Grace", "Priya", "Tomasz", "Aiko", "Bruno",
        "Chiara", "Dmitri", "Fatima", "Gustav", "Hana", "Ingrid", "Jamal", "Kenji",
    ]
    static let lasts = [
        "Vasquez", "Nguyen", "Reyes", "Fisher", "Haddad", "Berg", "Okafor", "Lindqvist", "Schroder", "Lefevre",
        "Raman", "Nowak", "Tanaka", "Silva", "Rossi", "Ivanov", "Moore", "Singh", "Walsh", "Dubois", "Kowalczyk",
        "Yamamoto", "Petrov",
    ]

    @Test(
        """
        one number with other extensions is two desks; the same extension is one number; one on one row only \
        agrees in part
        """
    )
    func extensions() {
        let d = FuzzyDeduplicator()
        let pairs: [(String, String, Int)] = [
            ("+17136913455;ext=898", "+17136913455;ext=615", 4),
            ("+17136913455;ext=898", "+17136913455;ext=898", 1),
            ("+17136913455;ext=898", "+17136913455", 2),
            // As a file writes them, without the phone transform.
            ("713-691-3455 ext 898", "(713) 691-3455 x615", 4),
            ("713-691-3455 ext 898", "713 691 3455 Ext. 898", 1),
            // Two numbers in one cell: the first is the phone, the second no extension.
            ("973-555-0155, 973-555-0199", "973-555-0155", 1),
        ]
        for (a, b, _) in pairs {
            d.add(row("Ann", "Lee", phone: a))
            d.add(row("Ann", "Lee", phone: b))
        }
        for (k, (_, _, level)) in pairs.enumerated() {
            #expect(FuzzyDeduplicator.level(d.compare(2 * k, 2 * k + 1), 1) == level, "pair \(k)")
        }
    }

    @Test("where both rows have a mobile, the mobiles decide; where one has, it may be the other's only number")
    func mobiles() {
        let d = FuzzyDeduplicator()
        let office = "+17136913455"
        let pairs: [((String, String), (String, String), Int)] = [
            ((office, "+18329879536"), (office, "+18325550101"), 4),  // namesake colleagues: one line, two mobiles
            ((office, "+18329879536"), ("", "+18329879536"), 1),  // a copy with only the mobile
            (("+16155550000", "+18329879536"), (office, "+18329879536"), 1),  // moved to another firm
            ((office, "+18329879536"), ("+18329879536", ""), 1),  // the mobile written as the phone
            ((office, ""), (office, ""), 1),
            ((office, "+18329879536"), (office, ""), 1),
            (("\(office);ext=12", "+18329879536"), ("", "+18329879536"), 1),
        ]
        for ((pa, ma), (pb, mb), _) in pairs {
            d.add(row("Ann", "Lee", phone: pa, mobile: ma))
            d.add(row("Ann", "Lee", phone: pb, mobile: mb))
        }
        for (k, (_, _, level)) in pairs.enumerated() {
            #expect(FuzzyDeduplicator.level(d.compare(2 * k, 2 * k + 1), 1) == level, "pair \(k)")
        }
    }

    /// 30 firms of 8 colleagues on one switchboard with their own extensions and mobiles; in each firm a namesake of
    /// its first colleague (another mobile, an address with a digit); a copy of the second colleague with only the
    /// mobile and the firm written another way; and copies of three more, as a second export writes them.
    func firms() -> [DedupeRow] {
        var rows: [DedupeRow] = []
        var more: [DedupeRow] = []
        for f in 0..<30 {
            let domain = "firm\(f).com"
            let line = "+1713555\(String(format: "%04d", f))"
            for c in 0..<8 {
                let first = Self.firsts[(f * 7 + c) % Self.firsts.count]
                let last = Self.lasts[(f * 5 + c * 3) % Self.lasts.count]
                let local = "\(first.prefix(1).lowercased())\(last.lowercased())"
                let mobile = "+1832\(String(format: "%03d", f))\(String(format: "%04d", c))"
                let company = "Firm\(f) International Holdings Inc."
                let r = row(
                    first, last, email: "\(local)@\(domain)", phone: "\(line);ext=\(100 + c)", mobile: mobile,
                    company: company)
                rows.append(r)
                switch c {
                case 0:
                    more.append(
                        row(
                            first, last, email: "\(local)2@\(domain)", phone: "\(line);ext=\(200 + c)",
                            mobile: "+1346\(String(format: "%03d", f))\(String(format: "%04d", c))", company: company))
                case 1: more.append(row(first, last, mobile: mobile, company: "The Firm\(f) Intl Hldgs"))
                case 2, 3, 4:
                    var copy = r
                    copy.email = copy.email.uppercased()
                    copy.company = "Firm\(f) Intl Holdings"
                    more.append(copy)
                default: break
                }
            }
        }
        return rows + more
    }

    @Test("colleagues on one line and namesake colleagues stay apart; a copy with only its mobile joins its person")
    func contacts() {
        let d = FuzzyDeduplicator()
        for r in firms() { d.add(r) }
        let r = d.run()
        var wrong = 0
        var found = 0
        for f in 0..<30 {
            for x in 0..<8 {
                for y in (x + 1)..<8 where r.cluster[f * 8 + x] == r.cluster[f * 8 + y] { wrong += 1 }
            }
            let namesake = 240 + 5 * f
            if r.cluster[namesake] == r.cluster[f * 8] { wrong += 1 }
            if r.cluster[namesake + 1] == r.cluster[f * 8 + 1] { found += 1 }
            for k in 2...4 where r.cluster[namesake + k] == r.cluster[f * 8 + k] { found += 1 }
        }
        #expect(wrong == 0)
        #expect(found == 4 * 30)
    }

    @Test("a company's words and their abbreviations are one word; a leading `The` is no word of the name")
    func companyWords() {
        let same = [
            ("Lake Construction Intl Corp.", "Lake Construction International Corp."),
            ("The Pinnacle Technologies", "Pinnacle Technologies LLC"),
            ("Apex Hldgs, Inc.", "Apex Holdings Incorporated"),
            ("Harbor Mfg Co", "Harbor Manufacturing Company"),
        ]
        for (a, b) in same { #expect(Normalize.companyCore(a) == Normalize.companyCore(b), "\(a) / \(b)") }
        #expect(Normalize.companyCore("The Ent Clinic") != Normalize.companyCore("Enterprise Clinic"))
        #expect(Normalize.companyCore("The") == "the")
    }

    @Test("a public mail service's domain is known by its provider's name, whatever its country")
    func publicMail() {
        for a in ["a@gmail.com", "a@yahoo.co.uk", "a@web.de", "a@naver.com", "a@outlook.com.au", "a@qq.com"] {
            #expect(Normalize.isPublicMailDomain(Array(a.utf8)), "\(a)")
        }
        for a in ["a@grahaminsurance.com", "a@zenith.co.uk", "a@gmail", "gmail.com", "a@mail.zenith.com"] {
            #expect(!Normalize.isPublicMailDomain(Array(a.utf8)), "\(a)")
        }
    }
}
