import CRMDedupe
import Foundation
import Testing

@Suite("Normalisers for matching")
struct NormalizeTests {
    @Test(
        "folding: case, accents, punctuation, special letters, other scripts kept",
        arguments: [
            ("  Zoë  Müller-Lüdenscheidt ", "zoe muller ludenscheidt"), ("O'Brien", "o brien"), ("STRAßE", "strasse"),
            ("Søren Ærø", "soren aero"), ("Łukasz", "lukasz"), ("山田 太郎", "山田 太郎"), ("", ""), ("--", ""),
        ])
    func fold(raw: String, expected: String) {
        #expect(Normalize.fold(raw) == expected)
        #expect(Normalize.fold(Normalize.fold(raw)) == expected)
    }

    @Test(
        "folding twice changes nothing (found by fuzzing: a capital thorn; capitals outside Latin with accents)",
        arguments: [
            "\u{FFFD}Z\u{FFFD}o MÞ[", "\u{FFFD}\u{0532}\u{031A}\u{049A}\u{FFFD}Z", "\u{0531}\u{031A}rm",
            "\u{A65A}\u{031A}",
            "\u{FFFD}\u{0532}\u{0332}\u{031A}:\u{FFFD}", "1\u{0332}\u{031A}\u{0301}",
            "j\u{FFFD}\u{06B2}\u{0332}\u{031A}jj", "กิ", "\u{0E01}\u{0332}\u{0E34}\u{031A}",
            "\u{0651}\u{07F2}\u{FFFD}D@D@\u{FFFD}f\u{FFFD}\u{07F2}\u{FFFD}", "d\u{0651}d", " \u{0903}a",
            "\u{FFFD}\u{0532}\u{031A}\u{FFFD}\u{0532}\u{031A}\u{0488}b(",
        ])
    func foldIdempotent(raw: String) { #expect(Normalize.fold(raw) == Normalize.fold(Normalize.fold(raw))) }

    @Test(
        "accents go from letters of every script; spacing vowel signs stay",
        arguments: [
            ("\u{0532}\u{031A}", "\u{0562}"), ("\u{A65A}\u{031A}", "\u{A65B}"), ("Ä\u{031A}", "a"),
            ("\u{0532}\u{0332}\u{031A}", "\u{0562}"), ("Ά\u{0332}", "α"), ("Ж\u{0301}\u{0332}", "ж"),
            ("\u{06B2}\u{0332}\u{031A}", "\u{06B2}"), ("שָׁלוֹם", "שלום"), ("مَرْحَبًا", "مرحبا"), ("कि", "कि"),
            ("\u{0651}\u{07F2}\u{FFFD}D@D", "d d"),
        ])
    func foldAccentsEverywhere(raw: String, expected: String) { #expect(Normalize.fold(raw) == expected) }

    @Test(
        "companies lose their legal form, `&` is `and`",
        arguments: [
            ("Acme, Inc.", "acme"), ("ACME Inc", "acme"), ("Acme LLC", "acme"), ("Acme L.L.C.", "acme"),
            ("Müller GmbH", "muller"),
            ("Smith & Sons Pty Ltd", "smith and sons"), ("Smith and Sons", "smith and sons"), ("Banco S.A.", "banco"),
            ("Inc", "inc"),
        ])
    func company(raw: String, expected: String) { #expect(Normalize.companyCore(raw) == expected) }

    @Test("streets, house numbers, postcodes, e-mail")
    func others() {
        #expect(Normalize.street("5479 Franklin Avenue") == Normalize.street("5479 franklin ave."))
        #expect(Normalize.street("Hauptstraße 42") == Normalize.street("Hauptstr. 42"))
        #expect(Normalize.houseNumber(Normalize.street("Apt 5, 12 Main St")) == "5")
        // Letters text recognition reads for digits, in a number that ends with a digit; a letter after it stays.
        #expect(Normalize.street("l26 Mimosa Court") == Normalize.street("126 Mimosa Court"))
        #expect(Normalize.street("Z9 Harbour Road Unit 1o5") == Normalize.street("29 Harbour Road Unit 105"))
        #expect(Normalize.houseNumber(Normalize.street("l97 Coral Street")) == "197")
        #expect(Normalize.street("12b Main St") != Normalize.street("128 Main St"))
        #expect(Normalize.street("1st Avenue") == "1st ave")
        // A house number's leading zeros say nothing (`09` is number 9); a zero alone stays.
        #expect(Normalize.street("09 Bridge Street") == Normalize.street("9 Bridge Street"))
        #expect(Normalize.street("Unit 0 Harbour Road") == "unit 0 harbour rd")
        #expect(Normalize.street("o9 Bridge Street") == Normalize.street("9 Bridge Street"))
        #expect(Normalize.street("Lisa Street") == "lisa st")
        #expect(Normalize.postcode(" sw1a 1aa ") == "SW1A1AA")
        #expect(Normalize.email("  Jon.Smith+crm@Example.COM ") == "jon.smith@example.com")
        #expect(Normalize.email("j.o.n@gmail.com", gmailDots: true) == "jon@gmail.com")
        #expect(Normalize.email("j.o.n@gmail.com") == "j.o.n@gmail.com")
        #expect(Normalize.email("no-at-sign") == "")
    }

    @Test(
        "letters and digits text recognition confuses fold alike; other names stay apart",
        arguments: [
            ("jarnes", "james", true), ("nnartin", "martin", true), ("clavid", "david", true),
            ("vvilliam", "william", true),
            ("l0uise", "louise", true), ("1ucas", "lucas", true), ("ro5e", "rose", true), ("james", "janes", false),
            ("anna", "hanna", false),
        ])
    func recognitionFolded(a: String, b: String, alike: Bool) {
        #expect((Normalize.recognitionFolded(a) == Normalize.recognitionFolded(b)) == alike)
    }

    @Test("nicknames map to their formal names")
    func nicknames() {
        #expect(Normalize.firstNameCanon("bob").contains("robert"))
        #expect(Normalize.firstNameCanon("liz").contains("elizabeth"))
        #expect(Normalize.firstNameCanon("robert") == ["robert"])
        #expect(Normalize.firstNameCanon("xavier") == ["xavier"])
    }
}

@Suite("String similarity")
struct SimilarityTests {
    @Test("Jaro-Winkler reference values")
    func jaroWinkler() {
        #expect(abs(Similarity.jaroWinkler("martha", "marhta") - 0.9611) < 0.001)
        #expect(abs(Similarity.jaroWinkler("dwayne", "duane") - 0.84) < 0.001)
        #expect(abs(Similarity.jaroWinkler("dixon", "dicksonx") - 0.8133) < 0.001)
        #expect(Similarity.jaroWinkler("", "abc") == 0)
        #expect(Similarity.jaroWinkler("same", "same") == 1)
    }

    @Test("optimal string alignment distance counts a transposition as one edit, and stops above its cap")
    func osa() {
        #expect(Similarity.osaDistance("smith", "smiht") == 1)
        #expect(Similarity.osaDistance("smith", "smyth") == 1)
        #expect(Similarity.osaDistance("kitten", "sitting") == 3)
        #expect(Similarity.osaDistance("ca", "abc") == 3)
        #expect(Similarity.osaDistance("a", "abcdefgh", cap: 2) == 3)
        #expect(Similarity.osaDistance("", "ab") == 2)
        // Found by fuzzing (fixtures/fuzz/normalize): above the cap both orders answer cap + 1.
        #expect(Similarity.osaDistance("abcdefgh", "hgfedcbx", cap: 3) == 4)
        #expect(Similarity.osaDistance("hgfedcbx", "abcdefgh", cap: 3) == 4)
    }

    @Test(
        "one edit apart means one substitution, insertion, deletion or swap of neighbours: every string up to five letters"
    )
    func withinOneEdit() {
        // The oracle spells the edits out: every string one edit from `s` over the same alphabet, built by hand.
        let alphabet: [UInt8] = Array("abc".utf8)
        var strings: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0..<5 {
            frontier = frontier.flatMap { s in alphabet.map { s + [$0] } }
            strings += frontier
        }
        func neighbours(_ s: [UInt8]) -> Set<[UInt8]> {
            var out: Set<[UInt8]> = [s]
            for i in 0...s.count {
                for c in alphabet { out.insert(Array(s[..<i]) + [c] + Array(s[i...])) }
            }
            for i in 0..<s.count {
                out.insert(Array(s[..<i]) + Array(s[(i + 1)...]))
                for c in alphabet { out.insert(Array(s[..<i]) + [c] + Array(s[(i + 1)...])) }
                if i + 1 < s.count { out.insert(Array(s[..<i]) + [s[i + 1], s[i]] + Array(s[(i + 2)...])) }
            }
            return out
        }
        var disagreements: [String] = []
        var near = 0
        for s in strings where s.count <= 4 {
            let n = neighbours(s)
            for t in strings {
                let expected = n.contains(t)
                if expected { near += 1 }
                if Similarity.withinOneEdit(s, t) != expected || Similarity.withinOneEdit(t, s) != expected
                    || (Similarity.osaDistance(s, t, cap: 2) <= 1) != expected
                {
                    disagreements.append("\(String(decoding: s, as: UTF8.self))/\(String(decoding: t, as: UTF8.self))")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(near > 1000)
        #expect(Similarity.withinOneEdit(Array("2621".utf8), Array("2612".utf8)))
        #expect(!Similarity.withinOneEdit(Array("3211".utf8), Array("3281x".utf8)))
    }
}

@Suite("Fuzzy deduplication")
struct FuzzyDedupeTests {
    func row(
        _ first: String, _ last: String, email: String = "", phone: String = "", company: String = "",
        street: String = "", postcode: String = "", city: String = ""
    ) -> DedupeRow {
        var r = DedupeRow()
        r.firstName = first
        r.lastName = last
        r.email = email
        r.phone = phone
        r.company = company
        r.street = street
        r.postcode = postcode
        r.city = city
        return r
    }

    @Test(
        "a file with known duplicates: precision and recall against its truth (fixture generated by gen_leads.py, seed 11)"
    )
    func generatedFile() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let csv = try String(
            contentsOf: dir.appendingPathComponent("fixtures/csv/gen-leads-3000-s11.csv"), encoding: .utf8)
        let truth = try String(
            contentsOf: dir.appendingPathComponent("fixtures/csv/gen-leads-3000-s11.truth.csv"), encoding: .utf8)
        // A small reader for this well-formed fixture (quoted fields with commas and newlines); the real reader is
        // CRMCSV.
        var rows: [[String]] = []
        var field = ""
        var record: [String] = []
        var quoted = false
        var it = csv.makeIterator()
        while let ch = it.next() {
            if quoted {
                if ch == "\"" { quoted = false } else { field.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                record.append(field)
                field = ""
            } else if ch == "\n" || ch == "\r\n" {
                record.append(field)
                rows.append(record)
                record = []
                field = ""
            } else if ch != "\r" {
                field.append(ch)
            }
        }
        let header = rows.removeFirst()
        let ix = { (n: String) in header.firstIndex(of: n)! }
        let d = FuzzyDeduplicator()
        for r in rows {
            var x = row(
                r[ix("First Name")], r[ix("Last Name")], email: r[ix("Email")], phone: r[ix("Phone")],
                company: r[ix("Company")],
                street: r[ix("Street")], postcode: r[ix("Postcode")], city: r[ix("City")])
            x.jobTitle = r[ix("Job Title")]
            d.add(x)
        }
        let result = d.run()
        #expect(result.rows == 3000)
        var original: [Int: Int] = [:]
        for line in truth.split(separator: "\n").dropFirst() {
            let p = line.split(separator: ",", omittingEmptySubsequences: false)
            original[Int(p[0])! - 1] = Int(p[1])! - 1
        }
        func pairs(_ label: [Int: Int]) -> Set<UInt64> {
            var groups: [Int: [Int]] = [:]
            for (r, l) in label { groups[l, default: []].append(r) }
            var out = Set<UInt64>()
            for g in groups.values where g.count > 1 {
                let s = g.sorted()
                for a in 0..<s.count { for b in (a + 1)..<s.count { out.insert(UInt64(s[a]) << 32 | UInt64(s[b])) } }
            }
            return out
        }
        let truePairs = pairs(original)
        let predicted = pairs(
            Dictionary(uniqueKeysWithValues: result.cluster.enumerated().map { ($0.offset, Int($0.element)) }))
        let tp = Double(truePairs.intersection(predicted).count)
        let precision = tp / Double(predicted.count)
        let recall = tp / Double(truePairs.count)
        #expect(truePairs.count > 200)
        #expect(precision >= 0.99, "precision \(precision)")
        #expect(recall >= 0.97, "recall \(recall)")
        #expect(result.candidatePairs < 3000 * 3)  // blocking keeps the work near-linear
    }

    @Test("the same person written differently is one cluster; a stranger sharing a phone is not")
    func handMade() {
        let d = FuzzyDeduplicator()
        d.add(
            row(
                "Jon", "Smith", email: "jon.smith@acme.test", phone: "+14155550101", company: "Acme Inc.",
                street: "12 Main Street", postcode: "94105", city: "San Francisco"))
        d.add(
            row(
                "John", "Smith", email: "", phone: "(415) 555-0101", company: "ACME", street: "12 Main St",
                postcode: "94105", city: "San Francisco"))
        d.add(
            row(
                "Maria", "Garcia", email: "maria@other.test", phone: "+14155550101", company: "Other Co",
                street: "9 Elm Road", postcode: "10001", city: "New York"))
        d.add(
            row(
                "Bob", "Jones", email: "BOB.JONES@example.test ", company: "Jones & Sons LLC", postcode: "60601",
                city: "Chicago"))
        d.add(
            row(
                "Robert", "Jones", email: "bob.jones@example.test", company: "Jones and Sons", postcode: "60601",
                city: "Chicago"))
        // Filler rows so that EM sees enough non-matching pairs.
        var seed: UInt64 = 7
        func word(_ n: Int) -> String {
            String(
                (0..<n).map { _ in
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return Character(UnicodeScalar(UInt8(97 + (seed >> 33) % 26)))
                }
            ).capitalized
        }
        for i in 0..<200 {
            d.add(
                row(
                    word(6), word(8), email: "p\(i)@mail.test", phone: "+1312555\(String(format: "%04d", i))",
                    company: word(7) + " Ltd", street: "\(i) \(word(5)) Ave", postcode: "\(60000 + i)", city: word(6)))
        }
        let r = d.run()
        #expect(r.cluster[0] == r.cluster[1])
        #expect(r.cluster[2] != r.cluster[0])
        #expect(r.cluster[3] == r.cluster[4])
        #expect(Set(r.cluster[5...]).count == 200)
    }

    /// The explanations of `pairs` (0-based) among `rows`, with the filler after them.
    func explanations(_ rows: [DedupeRow], pairs: [(Int, Int)]) -> [String] {
        var s = DedupeSettings()
        s.explain = pairs
        let d = FuzzyDeduplicator(settings: s)
        for r in rows { d.add(r) }
        filler(d)
        return d.run().explanations
    }

    /// The line of an explanation that gives `field`'s level and weight (`street exact +13.92`).
    func line(_ text: String, _ field: String) -> String? {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(field + " ") }
    }

    /// The term-frequency adjustment of an explanation.
    func adjustment(_ text: String) -> Double? {
        guard let range = text.range(of: "term-frequency adjustment ") else { return nil }
        return Double(text[range.upperBound...].prefix { $0 != ";" })
    }

    /// Filler rows so that EM sees enough non-matching pairs (distinct people, each its own cluster).
    func filler(_ d: FuzzyDeduplicator, _ n: Int = 300) {
        var seed: UInt64 = 11
        func word(_ n: Int) -> String {
            String(
                (0..<n).map { _ in
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return Character(UnicodeScalar(UInt8(97 + (seed >> 33) % 26)))
                }
            ).capitalized
        }
        for i in 0..<n {
            var r = row(
                word(6), word(8), phone: "+1312555\(String(format: "%04d", i))", street: "\(i + 1) \(word(5)) Street",
                postcode: "\(7000 + i)", city: word(6))
            r.birthDate = "19\(50 + i % 40)-0\(1 + i % 9)-1\(i % 9)"
            r.identifier = String(1_000_000 + i * 7919)
            d.add(r)
        }
    }

    @Test(
        "errors another generator makes: names swapped, a postcode typo, words split or merged, house numbers transposed, address lines swapped, day and month swapped, an id typo"
    )
    func otherErrors() {
        let d = FuzzyDeduplicator()
        func person(
            _ first: String, _ last: String, _ street: String, _ street2: String = "", postcode: String, city: String,
            dob: String = "", id: String = ""
        ) -> DedupeRow {
            var r = row(first, last, street: street, postcode: postcode, city: city)
            r.street2 = street2
            r.birthDate = dob
            r.identifier = id
            return r
        }
        let pairs: [(DedupeRow, DedupeRow)] = [
            (
                person("Jasmine", "Gibb", "12 Anembo Street", postcode: "2621", city: "Queanbeyan"),
                person("Gibb", "Jasmine", "12 Anembo Street", postcode: "2621", city: "Queanbeyan")
            ),
            (
                person("Harold", "Wanganeen", "7 Banksia Avenue", postcode: "3211", city: "Geelong"),
                person("Harold", "Wanganeen", "7 Banksia Avenue", postcode: "3281", city: "Geelong")
            ),
            (
                person("Mirela", "Osterhaus", "45 Wattle Grove", postcode: "4870", city: "Cairns"),
                person("Mirela", "Osterhaus", "45 Wat tleGrove", postcode: "4870", city: "Cairns")
            ),
            (
                person("Kwame", "Mensah", "45 Jacaranda Road", postcode: "6050", city: "Perth"),
                person("Kwame", "Mensah", "54 Jacaranda Road", postcode: "6050", city: "Perth")
            ),
            (
                person("Ottilie", "Brennan", "3 Kurrajong Place", "Unit 4", postcode: "2600", city: "Canberra"),
                person("Ottilie", "Brennan", "Unit 4", "3 Kurrajong Place", postcode: "2600", city: "Canberra")
            ),
            (
                person(
                    "Tane", "Whitfield", "88 Fig Tree Lane", postcode: "2480", city: "Lismore", dob: "1984-03-07",
                    id: "40511233"),
                person(
                    "Tane", "Whitfield", "88 Fig Tree Lane", postcode: "2480", city: "Lismore", dob: "1984-07-03",
                    id: "40511283")
            ),
        ]
        for (a, b) in pairs {
            d.add(a)
            d.add(b)
        }
        filler(d)
        let r = d.run()
        for i in 0..<pairs.count {
            #expect(
                r.cluster[2 * i] == r.cluster[2 * i + 1], "pair \(i): \(pairs[i].0.firstName) \(pairs[i].0.lastName)")
        }
        #expect(Set(r.cluster).count == pairs.count + 300, "no other row merged")
        #expect((r.pairsCompleteness ?? 0) > 0.9)
    }

    @Test(
        "a phone with two digits swapped or one misread is one edit apart, not different; a street line that is only a house number is a line missing, not a different street"
    )
    func phoneEditsAndBareHouseNumbers() {
        var s = DedupeSettings()
        s.explain = [(0, 1), (2, 3), (4, 5), (6, 7)]
        let d = FuzzyDeduplicator(settings: s)
        d.add(
            row(
                "Rebecca", "Rivera", phone: "0401 194 517", street: "158 Quandong Road", postcode: "4994",
                city: "Maroochydore"))
        d.add(
            row(
                "Rebecca", "Rivera", phone: "0401 194 571", street: "158 Quandong Road", postcode: "4994",
                city: "Maroochydore"))
        d.add(
            row("Drew", "Kelly", phone: "0400 851 815", street: "782 Lyrebird Road", postcode: "4536", city: "Wynnum"))
        d.add(
            row("Drew", "Kelly", phone: "0400 851 8l5", street: "782 Lyrebird Road", postcode: "4536", city: "Wynnum"))
        d.add(
            row(
                "Harrison", "Gallagher", phone: "(03) 7364 8061", street: "53 Ironbark Highway", postcode: "3322",
                city: "Seymour"))
        d.add(row("Harrison", "Gallagher", phone: "(03) 7364 8061", street: "53", postcode: "3322", city: "Seymour"))
        d.add(row("Ana", "Silva", phone: "0400 111 222", street: "9 Elm Street", postcode: "2000", city: "Sydney"))
        d.add(row("Ana", "Silva", phone: "0400 333 444", street: "9 Elm Street", postcode: "2000", city: "Sydney"))
        filler(d)
        let r = d.run()
        let why = r.explanations
        try? #require(why.count == 4)
        /// The explanation's line for one field, without its padding and weight.
        #expect(line(why[0], "phone")?.contains("1 edit (a typo, two digits swapped)") == true, "\(why[0])")
        #expect(line(why[1], "phone")?.contains("1 edit (a typo, two digits swapped)") == true, "\(why[1])")
        #expect(line(why[2], "street")?.contains("one's words among the other's") == true, "\(why[2])")
        #expect(line(why[3], "phone")?.contains("different") == true, "\(why[3])")
        #expect(r.cluster[0] == r.cluster[1] && r.cluster[2] == r.cluster[3] && r.cluster[4] == r.cluster[5])
    }

    @Test(
        "street lines with one house number and other street names compare as that level; the number alone does not make two names alike; other numbers are different"
    )
    func houseNumberAlone() throws {
        let why = explanations(
            [
                row("Kyle", "Hall", street: "41 Monash Road", postcode: "2232", city: "Sutherland"),
                row("Kyle", "Hall", street: "41 Queen Way", postcode: "2232", city: "Sutherland"),
                row("Dorothy", "Hall", street: "166 Cambridge Crescent", postcode: "4455", city: "Logan Central"),
                row("Tahlia", "Hill", street: "166 Marri Circuit", postcode: "4455", city: "Rockhampton"),
                row("Dean", "Johnson", street: "12 Church Street", postcode: "5061", city: "Unley"),
                row("Dean", "Johnson", street: "21 Church Street", postcode: "5061", city: "Unley"),
                row("Ana", "Silva", street: "9 Elm Street", postcode: "2000", city: "Sydney"),
                row("Ana", "Silva", street: "15 Oak Avenue", postcode: "2000", city: "Sydney"),
            ], pairs: [(0, 1), (2, 3), (4, 5), (6, 7)])
        try #require(why.count == 4)
        #expect(line(why[0], "street")?.contains("same house number, other street") == true, "\(why[0])")
        #expect(line(why[1], "street")?.contains("same house number, other street") == true, "\(why[1])")
        #expect(line(why[2], "street")?.contains("number or name off") == true, "\(why[2])")
        #expect(line(why[3], "street")?.contains("different") == true, "\(why[3])")
    }

    @Test(
        "a house number, a first name's first letters and a city's first letter find a pair whose every other key is broken"
    )
    func houseFirstCityKey() throws {
        let why = explanations(
            [
                // Postcode, city, street name and first name each with a typo: no other key is shared.
                row("Jessica", "Nguyen", street: "44 Darling Drive", postcode: "2560", city: "Campbelltown"),
                row("Jessiea", "Nguyen", street: "44 Darling Dryve", postcode: "2540", city: "Campbeoltown"),
                // The same, in other cities: not compared.
                row("Jessica", "Nguyen", street: "44 Darling Drive", postcode: "2560", city: "Campbelltown"),
                row("Jessiea", "Nguyen", street: "44 Darling Dryve", postcode: "2540", city: "Penrith"),
            ], pairs: [(0, 1), (2, 3)])
        try #require(why.count == 2)
        #expect(why[0].contains("compared; shared keys: house+first+city"), "\(why[0])")
        #expect(why[1].contains("never compared"), "\(why[1])")
    }

    @Test(
        "a street line with one part off, the house number or the name, is one level; with both off it is a street named alike",
        arguments: [
            // The same number, the name more than one edit off (one edit would be a typo of the whole line).
            ("12 Macarthur Street", "12 Mcarthur Stret", "number or name off"),
            // The number's digits swapped, the name as written.
            ("45 Kent Road", "54 Kent Road", "number or name off"),
            // Both: the number's digits swapped and a typo in the name.
            ("12 Church Street", "21 Church Sttreet", "same street, other or no number"),
            // Both: another number and a letter typed before the name.
            ("3 Dchurch Terrace", "2 Church Terrace", "same street, other or no number"),
            // Another first letter is another street.
            ("45 Kent Street", "54 Bent Street", "different"),
            // Another first letter that sounds the same, or the first two letters swapped.
            ("5 Church Drive", "4 Khurch Drive", "same street, other or no number"),
            ("71 Zhearers Road", "17 Shearers Road", "same street, other or no number"),
            ("58 Aprk Avenue", "58 Park Avenue", "number or name off"),
            // A house number misread with a letter (`b56`) is still the number, not a word of the street's name.
            ("b56 Raglan Vclose", "656 Raglan Close", "same street, other or no number"),
            // No number on either line, the names alike.
            ("Glen Street", "Glen Stret", "same street, other or no number"),
            // No number on either, and two streets.
            ("Glen Street", "Gray Street", "different"),
            // The address lines in either order, the number's digit mistyped.
            ("58 Wentworth Street Kooringal", "68 Kooringal Wentworth Street", "number or name off"),
            // In either order with both parts off.
            ("58 Wentworth Street Kooringal", "68 Kooringal Wentworth Road", "different"),
            // A line of a house number alone, misread, and a whole line.
            ("14g", "149 Leichhardt Grove", "same street, other or no number"),
            // A house number alone and a line of another number.
            ("14", "27 Leichhardt Grove", "different"),
            // A house number alone, its digits swapped: namesakes in one suburb as often as one person.
            ("71", "17 Wandoo Drive", "different"),
        ])
    func streetWithOnePartOff(a: String, b: String, level: String) throws {
        let why = explanations(
            [
                row("Dean", "Johnson", street: a, postcode: "5061", city: "Unley"),
                row("Dean", "Johnson", street: b, postcode: "5061", city: "Unley"),
            ], pairs: [(0, 1)])
        try #require(why.count == 1)
        #expect(line(why[0], "street")?.contains(level) == true, "\(why[0])")
    }

    @Test(
        "a house number wrong or missing on a street named alike is its own level, not a different street; a number alone names no street"
    )
    func streetWithOtherNumber() throws {
        let why = explanations(
            [
                row("Ruth", "Baker", street: "120 Churhc Road", postcode: "3053", city: "Carlton"),
                row("Ruth", "Baker", street: "10 Church Road", postcode: "3053", city: "Carlton"),
                row("Owen", "Price", street: "John Stret", postcode: "7315", city: "Ulverstone"),
                row("Owen", "Price", street: "61 John Street", postcode: "7315", city: "Ulverstone"),
                row("Mia", "Ford", street: "12", postcode: "2000", city: "Sydney"),
                row("Mia", "Ford", street: "48", postcode: "2000", city: "Sydney"),
                row("Ana", "Silva", street: "9 Elm Street", postcode: "2000", city: "Sydney"),
                row("Ana", "Silva", street: "15 Oak Avenue", postcode: "2000", city: "Sydney"),
            ], pairs: [(0, 1), (2, 3), (4, 5), (6, 7)])
        try #require(why.count == 4)
        #expect(line(why[0], "street")?.contains("same street, other or no number") == true, "\(why[0])")
        #expect(line(why[1], "street")?.contains("same street, other or no number") == true, "\(why[1])")
        #expect(line(why[2], "street")?.contains("different") == true, "\(why[2])")
        #expect(line(why[3], "street")?.contains("different") == true, "\(why[3])")
    }

    @Test(
        "u of an exact street line is counted among rows that share no name: a person and their duplicate do not make a shared line look common, two flatmates do"
    )
    func streetExactUAmongStrangers() throws {
        func run(flatmates: Int) -> Double? {
            let d = FuzzyDeduplicator()
            for i in 0..<100 {
                // A person and their duplicate (a typo in the first name) on a line no one else has.
                d.add(
                    row(
                        "Person\(i)", "Family\(i)", street: "\(i + 1) Unique\(i) Road", postcode: "\(3000 + i)",
                        city: "Town\(i)"))
                d.add(
                    row(
                        "Persn\(i)", "Family\(i)", street: "\(i + 1) Unique\(i) Road", postcode: "\(3000 + i)",
                        city: "Town\(i)"))
            }
            for i in 0..<flatmates {
                d.add(
                    row(
                        "Flat\(i)", "Mate\(i)", street: "\(i + 1) Shared\(i) Lane", postcode: "\(4000 + i)",
                        city: "City\(i)"))
                d.add(
                    row(
                        "Other\(i)", "Tenant\(i)", street: "\(i + 1) Shared\(i) Lane", postcode: "\(4000 + i)",
                        city: "City\(i)"))
            }
            filler(d)
            return d.run().model.first { $0.field == "street" && $0.level == "exact" }?.u
        }
        let alone = try #require(run(flatmates: 0))
        let shared = try #require(run(flatmates: 40))
        // Over all pairs the 100 duplicate pairs alone would give 200 / (500 * 499) = 8e-4; 40 pairs of strangers
        // among 580 rows are about 2.4e-4.
        #expect(alone < 1e-4, "u \(alone)")
        #expect(shared > 2e-4, "u \(shared) with 40 pairs of flatmates, \(alone) without")
    }

    @Test(
        "two strangers sharing a street line no one else shares are not merged by the line: its weight stays within reach of two different names"
    )
    func strangersOnALineOfTheirOwn() {
        let d = FuzzyDeduplicator()
        d.add(row("Amy", "Lee", street: "14 Tallowwood Close", postcode: "2450", city: "Coffs Harbour"))
        d.add(row("Raj", "Patel", street: "14 Tallowwood Close", postcode: "2450", city: "Coffs Harbour"))
        for i in 0..<100 {
            d.add(
                row(
                    "Person\(i)", "Family\(i)", street: "\(i + 1) Unique\(i) Road", postcode: "\(3000 + i)",
                    city: "Town\(i)"))
            d.add(
                row(
                    "Persn\(i)", "Family\(i)", street: "\(i + 1) Unique\(i) Road", postcode: "\(3000 + i)",
                    city: "Town\(i)"))
        }
        filler(d)
        let r = d.run()
        #expect(r.cluster[0] != r.cluster[1])
        let together = (0..<100).filter { (i: Int) -> Bool in r.cluster[2 + 2 * i] == r.cluster[3 + 2 * i] }
        #expect(together.count == 100)
    }

    @Test(
        "agreeing on a street line is weighed by how many other rows have it: a line only a person and their duplicate share is not discounted, one four rows share is"
    )
    func termFrequencyLeavesThePairOut() throws {
        let why = explanations(
            [
                row("Quintessa", "Vandermolen", street: "41 Yarrabee Crescent", postcode: "2620", city: "Tuggeranong"),
                row("Qintessa", "Vandermolen", street: "41 Yarrabee Crescent", postcode: "2620", city: "Tuggeranong"),
                // Two people at one address (each with a duplicate): four rows share the line.
                row("Ottoline", "Brasch", street: "7 Wattle Street", postcode: "5000", city: "Adelaide"),
                row("Otoline", "Brasch", street: "7 Wattle Street", postcode: "5000", city: "Adelaide"),
                row("Leopold", "Marchetti", street: "7 Wattle Street", postcode: "5000", city: "Adelaide"),
                row("Leopold", "Marchetti", street: "7 Wattle Street", postcode: "5000", city: "Adelaide"),
            ], pairs: [(0, 1), (2, 3)])
        try #require(why.count == 2)
        let alone = try #require(adjustment(why[0]), "\(why[0])")
        let shared = try #require(adjustment(why[1]), "\(why[1])")
        #expect(abs(alone) < 0.005, "\(why[0])")
        #expect(shared < -1, "\(why[1])")
    }

    @Test("a first name written as its initial is the initial level, not a different name; another letter is different")
    func firstInitial() throws {
        let why = explanations(
            [
                row("J", "Jones", street: "508 Wattle Street", postcode: "3280", city: "Warrnambool"),
                row("Julie", "Jones", street: "508 Wattle Street", postcode: "3280", city: "Warrnambool"),
                row("G.", "Hall", street: "787 Deakin Street", postcode: "2099", city: "Dee Why"),
                row("Mary", "Hall", street: "787 Deakin Street", postcode: "2099", city: "Dee Why"),
            ], pairs: [(0, 1), (2, 3)])
        try #require(why.count == 2)
        #expect(line(why[0], "first")?.contains("initial") == true, "\(why[0])")
        #expect(line(why[1], "first")?.contains("different") == true, "\(why[1])")
    }

    @Test("a street line is counted by people: five rows of one person at a line weigh it as a line only they have")
    func termFrequencyCountsPeople() throws {
        /// The term-frequency adjustment of pair (0, 1) when the person's five rows are at `streets`.
        func pairAdjustment(_ streets: [String]) throws -> Double {
            let rows = streets.map {
                row("Quintessa", "Vandermolen", street: $0, postcode: "2620", city: "Tuggeranong")
            }
            let why = explanations(rows, pairs: [(0, 1)])
            let text = try #require(why.first)
            return try #require(adjustment(text), "\(text)")
        }
        let line = "41 Yarrabee Crescent"
        let allAtOne = try pairAdjustment([line, line, line, line, line])
        let twoAtOne = try pairAdjustment([line, line, "3 Acacia Way", "9 Banksia Road", "12 Coolabah Close"])
        // The names are as common in both (five rows); only the street's count could differ, and it must not.
        #expect(abs(allAtOne - twoAtOne) < 0.005, "one line: \(allAtOne), the pair's line alone: \(twoAtOne)")
    }

    @Test(
        "a household (same last name and address, another first name, nothing personal agreeing) is proposed for review, not merged; an agreeing birth date makes it one person"
    )
    func households() throws {
        var explaining = DedupeSettings()
        explaining.explainReview = true
        let d = FuzzyDeduplicator(settings: explaining)
        d.add(
            row(
                "Margaret", "Okafor", phone: "+61255501234", street: "19 Lilly Pilly Court", postcode: "2250",
                city: "Gosford"))
        d.add(
            row(
                "Daniel", "Okafor", phone: "+61255501234", street: "19 Lilly Pilly Court", postcode: "2250",
                city: "Gosford"))
        var x = row("Priya", "Raman", street: "5 Boab Street", postcode: "6725", city: "Broome")
        x.birthDate = "1990-02-11"
        var y = row("Anjali", "Raman", street: "5 Boab Street", postcode: "6725", city: "Broome")
        y.birthDate = "11/02/1990"
        d.add(x)
        d.add(y)
        filler(d)
        let r = d.run()
        #expect(r.cluster[0] != r.cluster[1])
        #expect(r.review.contains { Set([$0.0, $0.1]) == [0, 1] })
        #expect(r.cluster[2] == r.cluster[3])
        // Each review pair comes with its explanation: every field's level and weight, the total and the thresholds.
        #expect(r.reviewExplanations.count == r.review.count)
        let pair = try #require(r.review.firstIndex { Set([$0.0, $0.1]) == [0, 1] })
        let why = r.reviewExplanations[pair]
        #expect(why.contains("rows 1 and 2") && why.contains("total") && why.contains("last "), "\(why)")

        var merging = DedupeSettings()
        merging.households = .merge
        let m = FuzzyDeduplicator(settings: merging)
        m.add(
            row(
                "Margaret", "Okafor", phone: "+61255501234", street: "19 Lilly Pilly Court", postcode: "2250",
                city: "Gosford"))
        m.add(
            row(
                "Daniel", "Okafor", phone: "+61255501234", street: "19 Lilly Pilly Court", postcode: "2250",
                city: "Gosford"))
        filler(m)
        #expect(m.run().cluster[0] == m.run().cluster[1], "households: merge scores the pair like any other")
    }

    @Test(
        "households: auto keeps same-address pairs apart when the file shows two people each with duplicates of their own"
    )
    func householdsShownByTheFile() {
        // 100 people, 30 of them duplicated (rows 2k, 2k+1 for k < 30); 20 household-shaped pairs whose two sides both
        // have duplicates: households, as a replaced first name (a name on one row only) never looks.
        let matched = (0..<30).map { (k: Int) -> (UInt32, UInt32) in (UInt32(2 * k), UInt32(2 * k + 1)) }
        let households = (0..<15).map { (k: Int) -> (UInt32, UInt32) in (UInt32(4 * k), UInt32(4 * k + 2)) }
        let e = FuzzyDeduplicator.estimateHouseholds(
            rows: 130, matched: matched, shaped: households, matchProbability: 0.99)
        #expect(e.shapedPairs == 15 && e.bothDuplicated == 15)
        #expect(abs(e.duplicatedShare - 30.0 / 100) < 1e-9)
        #expect(e.expectedHouseholds == 15, "at most every shaped pair")
        #expect(e.separate)
        // A lower match probability does not loosen the allowance below 1% of the matches: a wrong household merge
        // lets relatives' duplicates chain.
        let loose = FuzzyDeduplicator.estimateHouseholds(
            rows: 130, matched: matched, shaped: households, matchProbability: 0.5)
        #expect(loose.separate && abs(loose.allowedWrongMerges - 0.45) < 1e-9, "\(loose)")
    }

    @Test(
        "households: auto merges same-address pairs when nothing in the file shows a household (replaced first names)")
    func householdsNotShown() {
        // 1,000 people, 600 duplicated; 40 shaped pairs, each a duplicated person against a row of its own: the
        // replaced
        // first name. With 60% of people duplicated a household would show both sides duplicated 36% of the time.
        let matched = (0..<600).map { (k: Int) -> (UInt32, UInt32) in (UInt32(2 * k), UInt32(2 * k + 1)) }
        let replaced = (0..<40).map { (k: Int) -> (UInt32, UInt32) in (UInt32(2 * k), UInt32(1_600 + k)) }
        let e = FuzzyDeduplicator.estimateHouseholds(
            rows: 1_640, matched: matched, shaped: replaced, matchProbability: 0.99)
        #expect(e.shapedPairs == 40 && e.bothDuplicated == 0)
        #expect(e.expectedHouseholds < e.allowedWrongMerges, "\(e)")
        #expect(!e.separate)
        // The same pairs in a file with few duplicates could hide its households: kept apart.
        let few = FuzzyDeduplicator.estimateHouseholds(
            rows: 1_640, matched: Array(matched.prefix(20)), shaped: replaced, matchProbability: 0.99)
        #expect(few.separate, "\(few)")
        // Nothing shaped: the rule stays on (it also keeps a row without a first name from joining relatives).
        #expect(
            FuzzyDeduplicator.estimateHouseholds(rows: 10, matched: [(0, 1)], shaped: [], matchProbability: 0.99)
                .separate)
    }

    @Test(
        "households: auto on whole runs: a list of one person per address merges a replaced first name, a list with households does not"
    )
    func householdsAutoEndToEnd() {
        let streets = [
            "Lilly Pilly Court", "Boab Street", "Anembo Street", "Wattle Grove", "Banksia Road", "Jarrah Way",
        ]
        let firsts = [
            "Margaret", "Daniel", "Priya", "Oliver", "Hannah", "Tobias", "Leila", "Marcus", "Ingrid", "Yusuf",
        ]
        let lasts = [
            "Okafor", "Raman", "Lindqvist", "Castellano", "Nakamura", "Haddad", "Brennan", "Ferreira", "Kowalczyk",
            "Abara",
        ]
        func person(_ i: Int, first: String? = nil) -> DedupeRow {
            row(
                first ?? firsts[i % 10], lasts[(i / 10) % 10] + (i >= 100 ? "\(i / 100)" : ""),
                street: "\(i + 1) \(streets[i % 6])", postcode: String(2000 + i % 700), city: "Town\(i % 37)")
        }
        // 300 people, each twice, and 30 rows that are person i with another first name: one person per address.
        let solo = FuzzyDeduplicator()
        for i in 0..<300 { solo.add(person(i)) }
        for i in 0..<300 { solo.add(person(i)) }
        for i in 0..<30 { solo.add(person(i, first: "Zebedee")) }
        let r = solo.run()
        #expect(r.households?.separate == false, "\(String(describing: r.households))")
        for i in 0..<30 { #expect(r.cluster[600 + i] == r.cluster[i], "a replaced first name joins its person (\(i))") }
        // The same people with 30 relatives at their addresses, each relative duplicated too: households.
        let family = FuzzyDeduplicator()
        for i in 0..<300 { family.add(person(i)) }
        for i in 0..<300 { family.add(person(i)) }
        for _ in 0..<2 { for i in 0..<30 { family.add(person(i, first: firsts[(i + 5) % 10] + "a")) } }
        let f = family.run()
        #expect(f.households?.separate == true, "\(String(describing: f.households))")
        for i in 0..<30 {
            #expect(f.cluster[600 + i] != f.cluster[i], "relative \(i) kept apart")
            #expect(f.cluster[600 + i] == f.cluster[630 + i], "relative \(i) with its own duplicate")
        }
    }

    @Test(
        "a row without a first name that matches each of two relatives joins neither: it could be either, so both pairs go to review"
    )
    func noHouseholdThroughABlankName() {
        func family(_ settings: DedupeSettings, relatives: [String] = ["Nathaniel", "Rui"]) -> DedupeResult {
            let d = FuzzyDeduplicator(settings: settings)
            for first in relatives + [""] {
                d.add(
                    row(
                        first, "Nystrom", phone: "+61341773508", street: "6 Poinciana Avenue", postcode: "3445",
                        city: "Hawthorn"))
            }
            filler(d)
            return d.run()
        }
        let r = family(DedupeSettings())
        #expect(r.cluster[0] != r.cluster[1], "two relatives in one cluster")
        #expect(r.cluster[2] != r.cluster[0] && r.cluster[2] != r.cluster[1], "given to one relative")
        let reviewed = Set(r.review.map { Set([$0.0, $0.1]) })
        #expect(reviewed.isSuperset(of: [[0, 2], [1, 2]]), "\(r.review)")
        // The review's explanation says why a pair that scores a match is held back.
        var explaining = DedupeSettings()
        explaining.explainReview = true
        let e = family(explaining)
        let why = zip(e.review, e.reviewExplanations).first { Set([$0.0.0, $0.0.1]) == [0, 2] }?.1
        #expect(why?.contains("held back: a row without a first name") == true, "\(why ?? "")")
        // Its levels and reason fit 80 columns (the first line lists the shared blocking keys, as long as they are).
        let levelLines = (why ?? "").split(separator: "\n").dropFirst()
        #expect(!levelLines.isEmpty && levelLines.allSatisfy { $0.count <= 80 }, "\(why ?? "")")
        // With one relative only there is nobody else it could be: merged.
        let alone = family(DedupeSettings(), relatives: ["Nathaniel"])
        #expect(alone.cluster[1] == alone.cluster[0])
        // A birth date it shares with one of them says which one: merged with that one.
        /// Nathaniel, Rui and a row without a first name, at one address, with these birth dates.
        func born(_ dates: [String]) -> DedupeResult {
            let d = FuzzyDeduplicator()
            for (first, date) in zip(["Nathaniel", "Rui", ""], dates) {
                var r = row(first, "Nystrom", phone: "+61341773508", street: "6 Poinciana Avenue", postcode: "3445")
                r.birthDate = date
                d.add(r)
            }
            filler(d)
            return d.run()
        }
        let byDate = born(["1971-03-02", "1975-08-19", "19/08/1975"])
        #expect(byDate.cluster[2] == byDate.cluster[1] && byDate.cluster[2] != byDate.cluster[0])
        // The other relative without a birth date: the row still joins the one it shares it with, and its pair with
        // the other, as likely by every other field, goes to review.
        let byHalf = born(["", "1975-08-19", "19/08/1975"])
        #expect(byHalf.cluster[2] == byHalf.cluster[1] && byHalf.cluster[2] != byHalf.cluster[0])
        #expect(byHalf.review.contains { Set([$0.0, $0.1]) == [0, 2] }, "\(byHalf.review)")
        var merging = DedupeSettings()
        merging.households = .merge
        let m = family(merging)
        #expect(m.cluster[0] == m.cluster[1], "households: merge lets the chain join them, as before")
    }

    @Test("an explanation names the blocking keys, every level and weight, and the total against the thresholds")
    func explain() {
        var s = DedupeSettings()
        s.explain = [(0, 1)]
        let d = FuzzyDeduplicator(settings: s)
        d.add(row("Jasmine", "Gibb", street: "12 Anembo Street", postcode: "2621", city: "Queanbeyan"))
        d.add(row("Gibb", "Jasmine", street: "12 Anembo Street", postcode: "2612", city: "Queanbeyan"))
        filler(d)
        let text = d.run().explanations.joined()
        #expect(text.contains("rows 1 and 2: compared"))
        #expect(text.contains("names (either order)"))
        #expect(text.contains("postcode 1 edit / city"))
        #expect(text.contains("(or swapped)"))
        #expect(text.contains("match"))
    }
}
