import CRMTestSupport
import Foundation
import Testing

@testable import CRMDedupe

/// A list of households and of people whose first name was replaced on one row, told apart by the phone: households
/// share a fixed line (`+61 2 …`), a person keeps their mobile (`+61 4 …`).
struct PhoneGroupList {
    /// Rows of `(person, row)`: the people a row stands for, by index.
    var rows: [DedupeRow] = []
    var person: [Int] = []
    /// Row pairs (0-based) of two members of one household, and of a person and their row with a replaced first name.
    var households: [(Int, Int)] = []
    var replaced: [(Int, Int)] = []

    /// A name of four letters or more, unique per `i`, starting with one of `initials` (two pools of initials keep two
    /// relatives' first names entirely different).
    static func name(_ i: Int, _ initials: String) -> String {
        let c = Array("bcdfghjklmnprstvz")
        let v = Array("aeiou")
        let start = Array(initials)
        var s = String(start[i % start.count]).uppercased() + String(v[(i / start.count) % 5])
        var k = i / (start.count * 5)
        for _ in 0..<3 {
            s += String(c[k % c.count]) + String(v[(k / c.count) % 5])
            k /= c.count * 5
        }
        return s
    }

    /// `people` people with a duplicate each, `homes` households of two (their members each duplicated every other
    /// household), `replacedNames` people with a duplicate (without the phone for every other one) and a row whose
    /// first name was replaced, keeping the mobile when `keepPhone` (else no phone on that row).
    init(people: Int, homes: Int, replacedNames: Int, keepPhone: Bool = true) {
        var next = 0
        func add(_ r: DedupeRow, _ p: Int) -> Int {
            rows.append(r)
            person.append(p)
            return rows.count - 1
        }
        func row(_ first: String, _ last: String, _ n: Int, _ phone: String) -> DedupeRow {
            var r = DedupeRow()
            (r.firstName, r.lastName, r.phone) = (first, last, phone)
            (r.street, r.postcode, r.city) = (
                "\(n % 90 + 1) \(Self.name(n, "bdgkmt")) Street", "\(2000 + n % 900)", "Sydney"
            )
            return r
        }
        func mobile(_ n: Int) -> String { String(format: "+61 4%02d %03d %03d", n % 100, n / 100 % 1000, n % 997) }
        func landline(_ n: Int) -> String { String(format: "+61 2 %04d %04d", (n * 37) % 10000, (n * 7) % 10000) }
        for i in 0..<people {
            let r = row(Self.name(i, "abcdefghijkl"), Self.name(i + 7, "pqrstvw"), next, mobile(next))
            _ = add(r, next)
            _ = add(r, next)
            next += 1
        }
        for h in 0..<homes {
            let last = Self.name(people + h + 7, "pqrstvw")
            let address = next
            let head = row(Self.name(people + h, "abcdefghijkl"), last, address, landline(address))
            var member = head
            member.firstName = Self.name(people + h, "mnoyz")
            let a = add(head, next)
            let b = add(member, next + 1)
            if h % 2 == 0 {
                _ = add(head, next)
                _ = add(member, next + 1)
            }
            households.append((a, b))
            next += 2
        }
        for k in 0..<replacedNames {
            let i = people + homes + k
            let r = row(Self.name(i, "abcdefghijkl"), Self.name(i + 7, "pqrstvw"), next, mobile(next))
            let a = add(r, next)
            // Every other person's duplicate has lost the phone: a household's shape against the replaced row.
            var copy = r
            if k % 2 == 0 { copy.phone = "" }
            _ = add(copy, next)
            var other = r
            other.firstName = Self.name(i, "mnoyz")
            if !keepPhone { other.phone = "" }
            replaced.append((a, add(other, next)))
            next += 1
        }
    }

    func run(explain: [(Int, Int)] = []) -> DedupeResult {
        var s = DedupeSettings()
        s.explain = explain
        let d = FuzzyDeduplicator(settings: s)
        for r in rows { d.add(r) }
        return d.run()
    }
}

@Suite("Households asked again by the phone: a mobile that agrees names one person where the file says so")
struct PhoneGroupTests {
    @Test(
        "a replaced first name that keeps its mobile joins its person; relatives sharing a fixed line stay apart; both explained"
    )
    func mobilesMergeFixedLinesDoNot() throws {
        let list = PhoneGroupList(people: 300, homes: 160, replacedNames: 160)
        let result = list.run(explain: [list.replaced[0], list.households[0]])
        let h = try #require(result.households)
        // The file as a whole shows households: without the phones, every shaped pair would be held back.
        try #require(h.separate, "\(h)")
        let mobiles = try #require(h.phoneGroups.first { $0.prefix == "614" })
        // The fixed lines, split down to four digits, are kept apart in every part.
        let fixed = h.phoneGroups.filter { $0.prefix.hasPrefix("612") }
        try #require(fixed.count > 1, "\(fixed)")
        #expect(mobiles.merged && mobiles.shapedPairs == 160 && mobiles.bothDuplicated == 0, "\(mobiles)")
        #expect(!fixed.contains { $0.merged }, "\(fixed)")
        #expect(
            fixed.map(\.shapedPairs).reduce(0, +) == 160 && fixed.map(\.bothDuplicated).reduce(0, +) == 80, "\(fixed)")
        let joined = list.replaced.filter { result.cluster[$0.0] == result.cluster[$0.1] }.count
        #expect(joined == 160)
        let merged = list.households.filter { result.cluster[$0.0] == result.cluster[$0.1] }.count
        #expect(merged == 0)
        let inReview = Set(result.review.map { Set([Int($0.0), Int($0.1)]) })
        #expect(!list.replaced.contains { inReview.contains(Set([$0.0, $0.1])) })
        // No cluster holds two people.
        var people: [Int32: Set<Int>] = [:]
        for r in list.rows.indices { people[result.cluster[r], default: []].insert(list.person[r]) }
        #expect(people.values.allSatisfy { $0.count == 1 })
        // The explanations say why one merged and the other did not.
        try #require(result.explanations.count == 2)
        #expect(result.explanations[0].contains("households in this file do not share"), "\(result.explanations[0])")
        #expect(result.explanations[0].contains("outcome: one cluster"), "\(result.explanations[0])")
        #expect(result.explanations[1].contains("held back: a household's shape"), "\(result.explanations[1])")
    }

    @Test("crmgate dedupe prints the phone groups under households, within 80 columns, and explains a merged pair")
    func commandLine() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = PhoneGroupList(people: 300, homes: 160, replacedNames: 160)
        let lines =
            ["First,Last,Street,Postcode,City,Phone"]
            + list.rows.map {
                [$0.firstName, $0.lastName, $0.street, $0.postcode, $0.city, $0.phone].joined(separator: ",")
            }
        let csv = dir.appendingPathComponent("people.csv")
        let mapping = dir.appendingPathComponent("people.yaml")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: csv)
        try Data(
            """
            record: lead
            phone_country: AU
            fields:
              first_name: First
              last_name: Last
              phone: { column: Phone, transform: [phone] }
              address.street: Street
              address.postcode: Postcode
              address.city: City
            """.utf8
        ).write(to: mapping)
        let (a, b) = list.replaced[1]
        let r = try TestSupport.run(
            bin,
            [
                "dedupe", csv.path, "--mapping", mapping.path, "--clusters", dir.appendingPathComponent("c.csv").path,
                "--explain", "\(a + 1),\(b + 1)",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        // The lines read as one text: the decision, then the groups, merged first.
        let text = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(
            separator: " ")
        #expect(
            text.contains("but where their phone agrees on a number households here do not share, merged"),
            "\(r.stdout)")
        #expect(text.contains("fixed lines, seldom a mobile): 614… 160 pairs, about"), "\(r.stdout)")
        #expect(text.contains("households, merged; 612"), "\(r.stdout)")
        #expect(text.contains("households in this file do not share"), "\(r.stdout)")
        #expect(text.contains("outcome: one cluster"), "\(r.stdout)")
        let wide = r.stdout.split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "\(wide)")
    }

    @Test("without the phone on the replaced row, the same pairs stay apart, held back for a household's shape")
    func withoutPhoneHeldBack() throws {
        let list = PhoneGroupList(people: 300, homes: 160, replacedNames: 160, keepPhone: false)
        let result = list.run()
        let h = try #require(result.households)
        try #require(h.separate, "\(h)")
        #expect(!h.phoneGroups.contains { $0.prefix == "614" }, "\(h.phoneGroups)")
        let joined = list.replaced.filter { result.cluster[$0.0] == result.cluster[$0.1] }.count
        #expect(joined == 0)
        let held = Set(
            zip(result.review, result.reviewReasons).filter { $0.1 == .household }.map {
                Set([Int($0.0.0), Int($0.0.1)])
            })
        #expect(list.replaced.allSatisfy { held.contains(Set([$0.0, $0.1])) })
    }

    @Test(
        "groups by the first two digits, split by the next where they show households; merged lowest share first within the allowance"
    )
    func groupsWithinAllowance() {
        // 1,000 people of two rows (rows 2k, 2k+1), 2,000 of one (rows 2,000–3,999): d = 1/3, 1/d² = 9.
        let matched = (0..<1_000).map { (k: Int) -> (UInt32, UInt32) in (UInt32(2 * k), UInt32(2 * k + 1)) }
        let clusters = MatchedClusters(rows: 4_000, matched: matched)
        #expect(abs(clusters.duplicatedShare - 1.0 / 3) < 1e-9)
        typealias Item = (digits: [UInt8], pair: (UInt32, UInt32))
        /// Replaced names (the other side a person with duplicates, never both sides duplicated), phones `start…`.
        func replaced(_ start: String, _ from: Int, _ n: Int) -> [Item] {
            (0..<n).map { (i: Int) -> Item in
                (Array((start + "1234567").utf8), (UInt32(2 * (from + i)), UInt32(3_000 + from + i)))
            }
        }
        // Households: both sides duplicated a quarter of the time, the others neither.
        func homes(_ start: String) -> [Item] {
            (0..<100).map { (k: Int) -> Item in
                let pair =
                    k % 4 == 0 ? (UInt32(2 * (500 + k)), UInt32(2 * (700 + k))) : (UInt32(2_000 + k), UInt32(3_500 + k))
                return (Array((start + "7654321").utf8), pair)
            }
        }
        // E.164: `61` mixes mobiles and fixed lines, and is split; written nationally, `04…` in ten parts of 12 pairs
        // each (too few alone: 9 households expected at most in each) is one group of 120.
        let national = (0..<10).flatMap { replaced("04\($0)", 200 + 12 * $0, 12) }
        let pairs = replaced("614", 0, 200) + homes("612") + national + replaced("447", 400, 20)
        let decided = FuzzyDeduplicator.decidePhoneGroups(
            clusters, pairs: pairs, matchProbability: 0.99, maxShare: 0.1, allowed: 20)
        let merged = Set(decided.filter { $0.merged }.map { $0.prefix })
        // 614: 9 of 200; 04: 9 of 120. 447 (20 pairs, 9 expected) is split down to 4471 and kept apart, as is 612.
        #expect(merged == ["614", "04"], "\(decided)")
        #expect(Set(decided.filter { !$0.merged }.map { $0.prefix }) == ["6127", "4471"], "\(decided)")
        // With room for one group's expected households only, the lower share goes first.
        let tight = FuzzyDeduplicator.decidePhoneGroups(
            clusters, pairs: pairs, matchProbability: 0.99, maxShare: 0.1, allowed: 10)
        #expect(Set(tight.filter { $0.merged }.map { $0.prefix }) == ["614"], "\(tight)")
    }
}
