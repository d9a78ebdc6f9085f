import CRMMapping
import CRMModel
import Foundation
import Testing

/// Maps one row of text fields with a mapping written inline.
func mapRow<R: CRMRecord>(
    _ type: R.Type = Lead.self, yaml: String, header: [String], row: [String]
) throws -> Result<R, RowRejection> {
    let m = try MappingFile.parse(yaml: yaml)
    let mapper = try RowMapper<R>(mapping: m, header: header)
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for f in row {
        bytes.append(contentsOf: f.utf8)
        ends.append(bytes.count)
        bytes.append(10)  // each field's separator byte, as the readers lay rows out
    }
    return bytes.withUnsafeBufferPointer { b in
        ends.withUnsafeBufferPointer { e in
            mapper.map(RawRow(bytes: b, fieldEnds: e, firstField: 0, count: row.count, line: 2), id: RecordID.make())
        }
    }
}

@Suite("RowMapper: transforms and validation")
struct RowMapperTests {
    @Test("dates: formats, unpadded parts, offsets, and zones for naive values")
    func dates() throws {
        let yaml = """
            record: lead
            timezone: Europe/Berlin
            fields:
              created_at: { column: C, transform: [{date: {formats: ["dd.MM.yyyy HH:mm", "MM/dd/yyyy", iso8601]}}] }
              close_date: { column: D, transform: [{date: {formats: ["dd.MM.yyyy"]}}] }
            """
        let summer = try mapRow(yaml: yaml, header: ["C", "D"], row: ["05.07.2024 14:30", "31.12.2024"]).get()
        #expect(summer.createdAt?.iso8601UTC == "2024-07-05T12:30:00Z")  // CEST, UTC+2
        #expect(summer.closeDate?.description == "2024-12-31")  // a day never shifts
        let winter = try mapRow(yaml: yaml, header: ["C", "D"], row: ["3/4/2024", ""]).get()
        #expect(winter.createdAt?.iso8601UTC == "2024-03-03T23:00:00Z")  // midnight CET
        let offset = try mapRow(yaml: yaml, header: ["C", "D"], row: ["2024-03-05T14:22:00-05:00", ""]).get()
        #expect(offset.createdAt?.iso8601UTC == "2024-03-05T19:22:00Z")
        let bad = try mapRow(yaml: yaml, header: ["C", "D"], row: ["32.13.2024", ""])
        #expect(throws: RowRejection.self) { try bad.get() }
        // Fractions of a second of any length (microseconds as PostgreSQL and Python write them crashed the import);
        // milliseconds are kept.
        for (text, ms) in [("1", 100), ("12", 120), ("123", 123), ("1234", 123), ("123456", 123), ("123456789", 123)] {
            let r = try mapRow(yaml: yaml, header: ["C", "D"], row: ["2025-01-01T10:00:00.\(text)Z", ""]).get()
            let t = try #require(r.createdAt?.timeIntervalSince1970)
            #expect(Int((t * 1000).rounded()) == 1_735_725_600_000 + ms, "\(text)")
        }
    }

    @Test(
        "whole numbers: a fraction is refused, not cut (25.5 was stored as 25); a percentage is 0 to 100; 40.0 and 80% are whole"
    )
    func wholeNumbersAndPercentages() throws {
        let yaml = """
            record: opportunity
            fields:
              name: Name
              probability: P
            """
        func probability(_ text: String) throws -> Result<Opportunity, RowRejection> {
            try mapRow(Opportunity.self, yaml: yaml, header: ["Name", "P"], row: ["Deal", text])
        }
        #expect(try probability("40.0").get().probability == 40)
        #expect(try probability("80%").get().probability == 80)
        #expect(try probability("0").get().probability == 0)
        #expect(try probability("100").get().probability == 100)
        for bad in ["25.5", "99.9", "150", "-5", "1e3", "1000000000000000000000"] {
            guard case .failure(let r) = try probability(bad) else {
                Issue.record("'\(bad)' was accepted")
                continue
            }
            #expect(r.field == "probability", "\(r)")
            #expect(r.reason.contains("whole number") || r.reason.contains("between 0 and 100"), "\(r.reason)")
        }
    }

    @Test("12-hour clocks and month names")
    func clockAndNames() throws {
        let yaml =
            "record: lead\nfields:\n  created_at: { column: C, transform: [{date: {formats: [\"MMM d, yyyy h:mm a\"]}}] }\n"
        let r = try mapRow(yaml: yaml, header: ["C"], row: ["Mar 5, 2024 2:22 PM"]).get()
        #expect(r.createdAt?.iso8601UTC == "2024-03-05T14:22:00Z")
    }

    @Test("numbers in European and US notation")
    func numbers() throws {
        let eu =
            "record: lead\nfields:\n  amount: { column: A, transform: [{number: {decimal: \",\", thousands: \".\"}}] }\n"
        #expect(try mapRow(yaml: eu, header: ["A"], row: ["1.234,56"]).get().amount == Decimal(string: "1234.56"))
        let us = "record: lead\nfields:\n  amount: { column: A, transform: [{number: {thousands: \",\"}}] }\n"
        #expect(try mapRow(yaml: us, header: ["A"], row: ["1,500,000.00"]).get().amount == Decimal(1_500_000))
        #expect(throws: RowRejection.self) { try mapRow(yaml: us, header: ["A"], row: ["12abc"]).get() }
        // Digits are grouped as numbers are, or the text is not a number: dropping every thousands mark made a
        // trial's `0.5` 5 and `10.00` 1000 under a decimal comma.
        for (text, value) in [
            ("1.234.567,8", "1234567.8"), ("12,5", "12.5"), ("1234,5", "1234.5"), ("0,5", "0.5"), ("-1.234", "-1234"),
            ("1 234,56", "1234.56"), ("1\u{A0}234", "1234"), ("999", "999"),
        ] {
            #expect(try mapRow(yaml: eu, header: ["A"], row: [text]).get().amount == Decimal(string: value), "\(text)")
        }
        for text in ["0.5", "10.00", "1234.56", "1.23", "12.3456", "1.234.56", "1 23"] {
            #expect(throws: RowRejection.self, "\(text)") { try mapRow(yaml: eu, header: ["A"], row: [text]).get() }
        }
        #expect(try mapRow(yaml: us, header: ["A"], row: ["1,00,000.50"]).get().amount == Decimal(string: "100000.5"))
        #expect(throws: RowRejection.self) { try mapRow(yaml: us, header: ["A"], row: ["1,5"]).get() }
    }

    @Test(
        "scale: integer cents into a decimal amount, exactly, on its own or after a number step; text that is no number rejects the row"
    )
    func scale() throws {
        let cents = "record: lead\nfields:\n  amount: { column: C, transform: [{scale: 0.01}] }\n"
        #expect(try mapRow(yaml: cents, header: ["C"], row: ["125050"]).get().amount == Decimal(string: "1250.5"))
        #expect(try mapRow(yaml: cents, header: ["C"], row: ["-1"]).get().amount == Decimal(string: "-0.01"))
        let thousands =
            "record: lead\nfields:\n  amount: { column: C, transform: [{number: {decimal: \",\"}}, {scale: 1000}] }\n"
        #expect(try mapRow(yaml: thousands, header: ["C"], row: ["1,5"]).get().amount == Decimal(1500))
        #expect(throws: RowRejection.self) { try mapRow(yaml: cents, header: ["C"], row: ["12 cents"]).get() }
        #expect(throws: MappingError.self) {
            try MappingFile.parse(yaml: "record: lead\nfields:\n  amount: { column: C, transform: [{scale: 0}] }\n")
        }
    }

    @Test(
        "an invalid email rejects the row with the column and the value; on_invalid blank empties it, keep keeps it (trimmed)"
    )
    func invalidEmail() throws {
        let yaml = "record: lead\nfields:\n  email: { column: E-Mail, transform: [email] }\n"
        let r = try mapRow(yaml: yaml, header: ["E-Mail"], row: ["no-at-sign"])
        guard case .failure(let why) = r else {
            Issue.record("expected a rejection")
            return
        }
        #expect(why.field == "email")
        #expect(why.column == "E-Mail")
        #expect(why.reason.contains("no-at-sign"))
        let blank = "record: lead\nfields:\n  email: { column: E, transform: [email], on_invalid: blank }\n"
        #expect(try mapRow(yaml: blank, header: ["E"], row: ["nope"]).get().email == "")
        let keep = "record: lead\nfields:\n  email: { column: E, transform: [email], on_invalid: keep }\n"
        #expect(try mapRow(yaml: keep, header: ["E"], row: [" Nope "]).get().email == "Nope")  // trimmed, as every value
    }

    @Test("phones use the row's country, else the mapping's; unreadable phones are kept as written")
    func phones() throws {
        let yaml = """
            record: lead
            phone_country: US
            phone_country_from: Country
            fields:
              phone: { column: Phone, transform: [phone] }
            """
        #expect(
            try mapRow(yaml: yaml, header: ["Phone", "Country"], row: ["020 7946 0958", "United Kingdom"]).get().phone
                == "+442079460958")
        #expect(
            try mapRow(yaml: yaml, header: ["Phone", "Country"], row: ["(415) 555-0101", ""]).get().phone
                == "+14155550101")
        #expect(
            try mapRow(yaml: yaml, header: ["Phone", "Country"], row: ["ask reception", "US"]).get().phone
                == "ask reception")
    }

    @Test("value maps, defaults, constants, required fields")
    func mapsAndDefaults() throws {
        let yaml = """
            record: lead
            fields:
              status: { column: S, transform: [{map: {Hot: Qualified, Cold: New}, otherwise: reject}], default: New }
              source: { value: Trade show 2026 }
              last_name: { column: L, required: true }
            """
        let hot = try mapRow(yaml: yaml, header: ["S", "L"], row: ["hot", "Lee"]).get()
        #expect(hot.status == "Qualified")
        #expect(hot.source == "Trade show 2026")
        #expect(try mapRow(yaml: yaml, header: ["S", "L"], row: ["", "Lee"]).get().status == "New")
        #expect(throws: RowRejection.self) {
            try mapRow(yaml: yaml, header: ["S", "L"], row: ["Lukewarm", "Lee"]).get()
        }
        #expect(throws: RowRejection.self) { try mapRow(yaml: yaml, header: ["S", "L"], row: ["Hot", " "]).get() }
    }

    @Test("trim removes Unicode White_Space at both ends, nothing else; a value of whitespace only is empty")
    func trimUnicodeWhitespace() throws {
        let yaml = """
            record: lead
            fields:
              company: { column: C, transform: [trim] }
              source: { column: S, transform: [trim], default: none }
              tags: { column: T, transform: [{split: ";"}, trim] }
              custom.note: { column: N, transform: [trim] }
              last_name: { column: L, transform: [trim], required: true }
            """
        let codes: [UInt32] = [
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
            0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        ]
        let white = String(String.UnicodeScalarView(codes.compactMap { Unicode.Scalar($0) }))
        let allWhite = white.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
        #expect(allWhite)
        let header = ["C", "S", "T", "N", "L"]
        // Kept: inner whitespace, and scalars that are not White_Space (U+200B, U+FEFF, U+180E, U+001F, a mark).
        let kept = "\u{200B}Acme\u{A0}\u{3000}Co\u{FEFF}"
        let row = [
            white + kept + white, white, "a;\u{A0};\u{3000}b\u{2029};\u{85}", "\u{B}\u{180E}\u{1F}\u{C}",
            "\u{A0}\u{301}x\u{C}",
        ]
        let r = try mapRow(yaml: yaml, header: header, row: row).get()
        #expect(r.company == kept)
        #expect(r.source == "none")  // all whitespace: empty, so the default fills it
        #expect(r.tags == ["a", "b"])
        #expect(r.custom["note"] == "\u{180E}\u{1F}")
        #expect(r.lastName == "\u{301}x")
        for onlyWhite in [white, "\u{B}", "\u{C}\u{A0}", "\u{3000}", "\u{85}\u{2028}"] {
            let empty = try mapRow(yaml: yaml, header: header, row: ["", "", onlyWhite, onlyWhite, onlyWhite])
            let required = RowRejection(
                field: "last_name", column: "L", reason: "a value is required and the cell is empty", isMissing: true)
            #expect(throws: required) { try empty.get() }
        }
        let plain = try mapRow(yaml: yaml, header: header, row: ["Acme", "", "\u{2003}", "", "Lee"]).get()
        #expect(plain.company == "Acme" && plain.tags.isEmpty && plain.custom["note"] == nil && plain.lastName == "Lee")
    }

    @Test("names split, columns join, regex extracts, lists split, custom fields")
    func textTransforms() throws {
        let yaml = """
            record: lead
            fields:
              first_name: { column: Contact, transform: [first_name] }
              last_name: { column: Contact, transform: [last_name] }
              address.street: { columns: [A1, A2], separator: ", " }
              website: { column: Web, transform: [{regex: "https?://([^/]+)"}] }
              tags: { column: Tags, transform: [{split: ";"}] }
              custom.industry: { column: Industry, transform: [upper] }
            """
        let header = ["Contact", "A1", "A2", "Web", "Tags", "Industry"]
        let r = try mapRow(
            yaml: yaml, header: header,
            row: ["Dr. Sarah J. Patel", "1 Main St", "Suite 2", "https://acme.io/x", "vip; 2026;", "retail"]
        ).get()
        #expect(r.firstName == "Sarah")
        #expect(r.lastName == "Patel")
        #expect(r.address.street == "1 Main St, Suite 2")
        #expect(r.website == "acme.io")
        #expect(r.tags == ["vip", "2026"])
        #expect(r.custom["industry"] == "RETAIL")
        let comma = try mapRow(yaml: yaml, header: header, row: ["Smith, Emma", "", "", "", "", ""]).get()
        #expect(comma.firstName == "Emma")
        #expect(comma.lastName == "Smith")
        #expect(
            try mapRow(yaml: yaml, header: header, row: ["Ludwig van Beethoven", "", "", "", "", ""]).get().lastName
                == "van Beethoven")
        // A generational suffix stays with the last name (a father and his son were one name without it); a degree
        // goes; a bare `M` is an initial, `M.` Monsieur.
        for (full, first, last) in [
            ("Daniel Jones Jr.", "Daniel", "Jones Jr."), ("Jones, Daniel Jr.", "Daniel", "Jones Jr."),
            ("Cook Sr., John", "John", "Cook Sr."), ("Adam P. Horvath III", "Adam", "Horvath III"),
            ("Sarah Patel PhD", "Sarah", "Patel"), ("Tom Lee Jr. MD", "Tom", "Lee Jr."), ("M N. White", "M", "White"),
            ("M. Dupont", "", "Dupont"),
        ] {
            let r = try mapRow(yaml: yaml, header: header, row: [full, "", "", "", "", ""]).get()
            #expect(r.firstName == first && r.lastName == last, "\(full): \(r.firstName) / \(r.lastName)")
        }
    }

    @Test("invalid UTF-8 in a cell rejects the row and suggests --encoding")
    func invalidUTF8() throws {
        let m = try MappingFile.parse(yaml: "record: lead\nfields:\n  last_name: L\n")
        let mapper = try RowMapper<Lead>(mapping: m, header: ["L"])
        let bytes: [UInt8] = [0x4D, 0xFC, 0x6C]  // "Mül" in Latin-1
        let ends = [3]
        let r = bytes.withUnsafeBufferPointer { b in
            ends.withUnsafeBufferPointer {
                mapper.map(RawRow(bytes: b, fieldEnds: $0, firstField: 0, count: 1, line: 7), id: RecordID.make())
            }
        }
        guard case .failure(let why) = r else {
            Issue.record("expected a rejection")
            return
        }
        #expect(why.reason.contains("--encoding"))
    }

    @Test("columns the header lacks are all named, with the header")
    func missingColumns() throws {
        let m = try MappingFile.parse(
            yaml: "record: lead\nfields:\n  email: Email\n  phone: Phone\n  company: Company\n")
        #expect {
            _ = try RowMapper<Lead>(mapping: m, header: ["Mail", "Company"])
        } throws: { e in
            guard let e = e as? MappingError else { return false }
            return e.code == .missingColumn && e.message.contains("'Email'") && e.message.contains("'Phone'")
                && e.message.contains("'Mail'")
        }
    }

    @Test("a mapping for another record type is refused")
    func wrongType() throws {
        let m = try MappingFile.parse(yaml: "record: opportunity\nfields:\n  name: N\n")
        #expect(throws: MappingError.self) { try RowMapper<Lead>(mapping: m, header: ["N"]) }
    }

    @Test("a CSV cell guarded against formulas ('=, '+, '-, '@) loses the quote; other quotes stay; XML keeps it")
    func formulaGuardTakenOff() throws {
        let yaml = """
            record: lead
            fields:
              phone: P
              company: C
              last_name: L
              job_title: J
              notes: N
              first_name: F
            """
        let l = try mapRow(
            yaml: yaml, header: ["P", "C", "L", "J", "N", "F"],
            row: ["'+4311552754", "'=SUM(A1)", "'-5", "'@x", "''=x", "'Neil"]
        ).get()
        #expect(l.phone == "+4311552754")
        #expect(l.company == "=SUM(A1)")
        #expect(l.lastName == "-5")
        #expect(l.jobTitle == "@x")
        #expect(l.notes == "'=x")  // a value that itself began `'=`, guarded by the export (`CSVWriter.startsGuarded`)
        #expect(l.firstName == "'Neil")  // not before a formula character: part of the value
        let xml = try mapRow(
            yaml: "record: lead\nformat: xml\nrecord_path: /leads/lead\nfields:\n  phone: p\n", header: ["p"],
            row: ["'+1"]
        ).get()
        #expect(xml.phone == "'+1")
    }

    @Test(
        "a header name that two columns have is an error naming both positions when the mapping uses it; #N maps by position"
    )
    func duplicateHeaderName() throws {
        let header = ["First Name", "Last Name", "Phone", "Company", "Email", "City", "Country", "Notes", "Email"]
        let row = ["Ann", "Lee", "+1 415 555 0101", "Acme", "ann@work.example", "Boston", "US", "", "ann@home.example"]
        let uses = "record: lead\nfields:\n  first_name: First Name\n  email: Email\n"
        #expect {
            _ = try mapRow(yaml: uses, header: header, row: row)
        } throws: { e in
            let m = e as? MappingError
            return m?.code == .duplicateColumn
                && m?.message.contains(
                    "column \"Email\" appears twice (columns 5 and 9); rename one in the file, or map by position")
                    == true
        }
        // Folded names that fit two columns are as ambiguous as equal ones.
        #expect(throws: MappingError.self) {
            _ = try mapRow(
                yaml: "record: lead\nfields:\n  email: e-mail\n", header: ["Email", "E mail"],
                row: ["a@x.example", "b@x.example"])
        }
        // A mapping that does not use the name is fine; positions pick either column.
        let other = try mapRow(yaml: "record: lead\nfields:\n  first_name: First Name\n", header: header, row: row)
            .get()
        #expect(other.firstName == "Ann")
        let byPosition = "record: lead\nfields:\n  email: \"#5\"\n  notes: { column: \"#9\" }\n"
        let l = try mapRow(yaml: byPosition, header: header, row: row).get()
        #expect(l.email == "ann@work.example")
        #expect(l.notes == "ann@home.example")
        #expect(HeaderNames.duplicates(in: header).map(\.name) == ["Email"])
        #expect(HeaderNames.duplicates(in: header).first?.columns == [5, 9])
    }
}
