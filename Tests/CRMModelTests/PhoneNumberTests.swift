import CRMModel
import Foundation
import Testing

@Suite("PhoneNumber.e164")
struct PhoneNumberTests {
    @Test(
        "numbers as lists write them",
        arguments: [
            ("+1 (415) 555-0101", "US", "+14155550101"),
            ("415.555.0101", "US", "+14155550101"),
            ("(415) 555-0101", "US", "+14155550101"),
            ("1-415-555-0101", "US", "+14155550101"),
            ("+14155550101", "GB", "+14155550101"),
            ("011 44 20 7946 0958", "US", "+442079460958"),
            ("+353 (0)1 883 2462", "US", "+35318832462"),
            ("044 620 37 70", "CH", "+41446203770"),
            ("+41 (0)44 620 3770", "US", "+41446203770"),
            ("0041446203770", "DE", "+41446203770"),
            ("020 7946 0958", "GB", "+442079460958"),
            ("030 12345678", "DE", "+493012345678"),
            ("(0 89) 12 34 56-0", "DE", "+49891234560"),
            ("02 1234 5678", "IT", "+390212345678"),
            ("+39 02 1234 5678", "US", "+390212345678"),
            ("31 23 45 67", "DK", "+4531234567"),
            ("+1 (973) 555-0155 ext. 204", "US", "+19735550155"),
            ("212-555-0142 x12", "US", "+12125550142"),
            ("(02) 9876 5432", "AU", "+61298765432"),
            ("+61-2-9876-5432", "US", "+61298765432"),
        ])
    func normalises(raw: String, region: String, expected: String) {
        #expect(PhoneNumber.e164(raw, region: region) == expected)
    }

    @Test(
        "an extension is kept after the number, as RFC 3966 writes it; a number without one stays E.164",
        arguments: [
            ("+1 (973) 555-0155 ext. 204", "+19735550155;ext=204"),
            ("212-555-0142 x12", "+12125550142;ext=12"),
            ("1-713-691-3455 Ext. 615", "+17136913455;ext=615"),
            ("+17136913455 X695", "+17136913455;ext=695"),
            ("(713) 691-3455 extension 42 (front desk)", "+17136913455;ext=42"),
            ("713.691.3455 #7", "+17136913455;ext=7"),
            ("+17136913455;ext=898", "+17136913455;ext=898"),
            ("713-691-3455, 3", "+17136913455;ext=3"),
            // A marker without digits, or digits too many to dial as an extension: the number alone.
            ("713-691-3455 ext.", "+17136913455"),
            ("713-691-3455 x 123456789", "+17136913455"),
            // Another number after the first, or a word that starts like a marker: no extension.
            ("973-555-0155, 973-555-0199", "+19735550155"),
            ("973-555-0155; 973 555 0199", "+19735550155"),
            ("973-555-0155 eve 6pm", "+19735550155"),
            // Full-width, as some exports write it: read once folded.
            ("973-555-0155 ｘ２０４", "+19735550155;ext=204"),
            ("(415) 555-0101", "+14155550101"),
        ])
    func keepsExtensions(raw: String, expected: String) {
        #expect(PhoneNumber.normalized(raw, region: "US") == expected)
        // The number itself is what `e164` gives, extension or not.
        #expect(PhoneNumber.e164(raw, region: "US") == expected.split(separator: ";").first.map(String.init))
    }

    @Test(
        "what is not a phone number",
        arguments: ["n/a", "", "12", "call me", "+", "555-01", "+1 (012) 555-0101", "++1 415 555 0101"])
    func rejects(raw: String) {
        #expect(PhoneNumber.e164(raw, region: "US") == nil)
    }

    @Test(
        "country names and codes pick a region",
        arguments: [
            ("United States", "US"), ("USA", "US"), ("Deutschland", "DE"), ("Schweiz", "CH"), ("GB", "GB"),
            ("United Kingdom", "GB"),
            // A trial's lists named their countries in their own languages (ICU's names of each region).
            ("Россия", "RU"), ("日本", "JP"), ("中国", "CN"), ("Ελλάδα", "GR"), ("ישראל", "IL"), ("Việt Nam", "VN"),
            ("Polska", "PL"), ("Türkiye", "TR"), ("대한민국", "KR"), ("السعودية", "SA"),
        ])
    func regions(name: String, code: String) {
        #expect(PhoneNumber.regionCode(forCountry: name) == code)
    }

    /// A trial: `０９０－２８０１－３３４１` was stored as written, no phone number, and `+7` drafts said Kazakhstan.
    @Test("full-width and Arabic-Indic digits are digits; a shared calling code names its main region")
    func digitsOfOtherScripts() {
        #expect(PhoneNumber.e164("０９０－２８０１－３３４１", region: "JP") == "+819028013341")
        #expect(PhoneNumber.e164("٠٥٠١٢٣٤٥٦٧", region: "SA") == "+966501234567")
        #expect(PhoneNumber.e164("＋８１ ３ １２３４ ５６７８", region: "US") == "+81312345678")
        #expect(DigitFolding.ascii("ул. Ленина ７") == "ул. Ленина 7")
        #expect(PhoneNumber.mainRegion(forCallingCode: "7") == "RU")
        #expect(PhoneNumber.mainRegion(forCallingCode: "1") == "US")
        #expect(PhoneNumber.mainRegion(forCallingCode: "81") == "JP")
    }
}

@Suite("EmailAddress.normalize")
struct EmailTests {
    @Test(
        "trims and lower-cases valid addresses",
        arguments: [
            ("  Erin.OMalley+crm@Example.COM ", "erin.omalley+crm@example.com"), ("<a@b.co>", "a@b.co"),
            ("mailto:X@Y.org", "x@y.org"), ("ZOË@exämple.de", "zoë@exämple.de"),
        ])
    func valid(raw: String, expected: String) {
        #expect(EmailAddress.normalize(raw) == expected)
    }

    @Test(
        "refuses what is not an address",
        arguments: [
            "no-at-sign", "a@b", "x@@y.com", "john smith@example.com", "a@b..com", "a@b.com, c@d.com", "@b.com", "a@",
            ".a@b.com",
        ])
    func invalid(raw: String) {
        #expect(EmailAddress.normalize(raw) == nil)
    }
}

@Suite("Dates, days and ids")
struct ValueTests {
    @Test("calendar days round-trip through days since the epoch and text")
    func days() throws {
        let d = try #require(CalendarDay(year: 2024, month: 2, day: 29))
        #expect(d.description == "2024-02-29")
        #expect(CalendarDay(iso: "2024-02-29") == d)
        #expect(CalendarDay(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDay(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        let (y, m, dd) = civil(fromDays: d.daysSinceEpoch)
        #expect(y == 2024 && m == 2 && dd == 29)
    }

    @Test("timestamps print as RFC 3339 UTC")
    func stamps() {
        #expect(Date(timeIntervalSince1970: 0).iso8601UTC == "1970-01-01T00:00:00Z")
        #expect(Date(timeIntervalSince1970: 1_709_648_520.25).iso8601UTC == "2024-03-05T14:22:00.250Z")
    }

    @Test("record ids are UUIDv7 and sort by time")
    func ids() {
        let a = RecordID.make(at: Date(timeIntervalSince1970: 1000))
        let b = RecordID.make(at: Date(timeIntervalSince1970: 2000))
        #expect(a < b)
        #expect(a.description.count == 36)
        #expect(Array(a.description)[14] == "7")
        #expect(RecordID(a.description) == a)
    }

    @Test("every record type lists unique field names that mapping files use")
    func fieldTables() {
        for names in [
            Lead.fields.map(\.name), Customer.fields.map(\.name), Opportunity.fields.map(\.name),
            CRMTask.fields.map(\.name),
        ] {
            #expect(Set(names).count == names.count)
            #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" || $0 == "." } })
        }
        var lead = Lead(id: RecordID.make())
        Lead.field(named: "address.city")!.set(&lead, .text("Köln"))
        #expect(lead.address.city == "Köln")
        #expect(lead.value(of: "address.city") == .text("Köln"))
    }
}

@Suite("Field tables agree with the direct accessors")
struct FieldTableTests {
    /// A lead with every field set, so that a mix-up of two fields shows.
    static func fullLead() -> Lead {
        var l = Lead(id: RecordID.make())
        for (i, f) in Lead.fields.enumerated() {
            switch f.kind {
            case .text, .email, .phone: f.set(&l, .text("v\(i)"))
            case .number: f.set(&l, .number(Decimal(i)))
            case .integer: f.set(&l, .integer(i))
            case .bool: f.set(&l, .bool(true))
            case .day: f.set(&l, .day(CalendarDay(year: 2000 + i, month: 1, day: 1)!))
            case .instant: f.set(&l, .instant(Date(timeIntervalSince1970: Double(i))))
            case .list: f.set(&l, .list(["t\(i)"]))
            }
        }
        l.custom = ["k": "v"]
        return l
    }

    @Test("fieldValue, fieldValues and init(fieldValues:) match the descriptors, for every record type")
    func agree() {
        func check<R: CRMRecord>(_ r: R) {
            let viaDescriptors = R.fields.map { $0.get(r) }
            #expect(r.fieldValues() == viaDescriptors)
            #expect((0..<R.fields.count).map { r.fieldValue($0) } == viaDescriptors)
            let rebuilt = R(id: r.id, fieldValues: viaDescriptors, custom: r.custom)
            #expect(rebuilt == r)
        }
        check(FieldTableTests.fullLead())
        func full<R: CRMRecord>(_ type: R.Type) -> R {
            var r = R(id: RecordID.make())
            for (i, f) in R.fields.enumerated() {
                switch f.kind {
                case .text, .email, .phone: f.set(&r, .text("v\(i)"))
                case .number: f.set(&r, .number(Decimal(i)))
                case .integer: f.set(&r, .integer(i))
                case .bool: f.set(&r, .bool(i % 2 == 0))
                case .day: f.set(&r, .day(CalendarDay(year: 2000 + i, month: 1, day: 1)!))
                case .instant: f.set(&r, .instant(Date(timeIntervalSince1970: Double(i))))
                case .list: f.set(&r, .list(["t\(i)"]))
                }
            }
            return r
        }
        check(full(Customer.self))
        check(full(Opportunity.self))
        check(full(CRMTask.self))
    }
}
