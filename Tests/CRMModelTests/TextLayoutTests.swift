import CRMModel
import Foundation
import Testing

@Suite("Display width and truncation")
struct DisplayWidthTests {
    @Test(
        "East Asian wide characters and emoji take two columns, combining marks none",
        arguments: [
            ("abc", 3), ("Zoë", 3), ("e\u{301}", 1), ("日本語", 6), ("한국어", 6), ("ＡＢ", 4), ("ｱｲ", 2),
            ("東京 Robotics", 13), ("😀", 2), ("👍🏽", 2), ("🇯🇵", 2), ("❤️", 2), ("a\u{200B}b", 2), ("", 0),
        ])
    func width(text: String, columns: Int) {
        #expect(text.displayWidth == columns, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test(
        "text for a terminal: escape, bell, carriage return, DEL, C1 and bidi overrides written as escapes; the rest kept"
    )
    func terminalSafe() {
        #expect("esc\u{1B}[31mred".terminalSafe == "esc\\u001B[31mred")
        #expect("bell\u{07} cr\r del\u{7F} c1\u{9B}".terminalSafe == "bell\\u0007 cr\\u000D del\\u007F c1\\u009B")
        #expect("abc\u{202E}fed \u{2066}x\u{2069}".terminalSafe == "abc\\u202Efed \\u2066x\\u2069")
        for kept in ["plain text", "two\nlines\tand a tab", "Zoë Müller 日本語 😀👍🏽", "שלום \u{200F}مرحبا", ""] {
            #expect(kept.terminalSafe == kept)
        }
    }

    @Test("truncation cuts by columns, never inside a character, and marks the cut with …")
    func truncation() {
        #expect("日本語テキスト".truncated(toWidth: 7) == "日本語…")
        #expect("日本語テキスト".truncated(toWidth: 8) == "日本語…")  // the next wide character does not fit in 1 column
        #expect("日本語".truncated(toWidth: 6) == "日本語")
        #expect("Qualification (12)".truncated(toWidth: 12) == "Qualificati…")
        #expect("abc".truncated(toWidth: 0) == "")
        #expect("日本語テキスト".fitted(toWidth: 8) == "日本語… ")
        #expect("ab".fitted(toWidth: 4) == "ab  ")
        for w in 1...20 { #expect("東京ロボティクス導入 pilot 😀".truncated(toWidth: w).displayWidth <= w) }
    }

    @Test("a table fits the width by cutting the widest text columns, never the id")
    func table() {
        let rows = [
            [
                "0123456789ab", "Maximilian Alexander von Hohenberg", "Atlantic Manufacturing International Holdings",
                "max@atlantic-manufacturing.example", "Attempting to Contact",
            ],
            ["ba9876543210", "山田 太郎", "東京ロボティクス株式会社", "taro@example.jp", "New"],
        ]
        let lines = TextTable.render(rows, width: 80)
        #expect(lines.count == 2)
        for (line, row) in zip(lines, rows) {
            #expect(line.displayWidth <= 80, "\(line)")
            #expect(line.hasPrefix(row[0] + "  "))
        }
        #expect(lines[0].contains("…"))
        // Wide enough: nothing is cut, columns are aligned.
        let wide = TextTable.render(rows, width: 200)
        #expect(!wide.joined().contains("…"))
        #expect(wide[1].contains("東京ロボティクス株式会社"))
    }
}

@Suite("Money as text")
struct MoneyTextTests {
    @Test("decimal sums print with two decimals, no binary floating-point noise")
    func plain() {
        let sum = Decimal(string: "1234.56")! + Decimal(string: "4199.50")!
        #expect(MoneyText.plain(sum) == "5434.06")
        #expect(MoneyText.plain(Decimal(string: "0.1")! + Decimal(string: "0.2")!) == "0.30")
        #expect(MoneyText.plain(1200) == "1200.00")
        #expect(MoneyText.plain(Decimal(string: "0.125")!) == "0.13")
        #expect(MoneyText.plain(Decimal(string: "-27400.5")!) == "-27400.50")
        #expect(MoneyText.plain(Decimal(string: "-0.001")!) == "0.00")
        #expect(MoneyText.grouped(9_800_000) == "9,800,000.00")
        #expect(MoneyText.grouped(Decimal(string: "-1234567.891")!) == "-1,234,567.89")
        #expect(MoneyText.grouped(999) == "999.00")
    }

    @Test("totals are per currency, in currency order, never added across currencies")
    func totals() {
        #expect(MoneyText.totals(["USD": 300, "EUR": 1200]) == "EUR 1,200.00 · USD 300.00")
        #expect(MoneyText.totals([:]) == "")
    }
}

@Suite("Boards as text")
struct BoardTextTests {
    @Test("a lead's card names it by name and company, whichever it has, else its e-mail, never a bare comma")
    func leadTitles() {
        func lead(_ first: String, _ last: String, _ company: String, _ email: String = "") -> Lead {
            var l = Lead(id: RecordID.make())
            (l.firstName, l.lastName, l.company, l.email) = (first, last, company, email)
            return l
        }
        #expect(lead("Ann", "Lee", "Acme").displayTitle == "Ann Lee, Acme")
        #expect(lead("", "Lee", "").displayTitle == "Lee")
        #expect(lead("", "", "Blue Sky Ventures").displayTitle == "Blue Sky Ventures")
        #expect(lead("", "", "", "ann@example.com").displayTitle == "ann@example.com")
        #expect(lead("", "", "").displayTitle == "(no name)")
    }

    static func board(
        _ items: [(String, String, Decimal, String)], order: [String] = OpportunityStage.defaults
    ) -> Board {
        Board(
            order: order,
            items: items.map { ($0.0, Board.Card(id: RecordID.make(), title: $0.1, amount: $0.2, currency: $0.3)) })
    }

    static let items: [(String, String, Decimal, String)] = [
        ("Prospecting", "Acme Corp - Enterprise renewal 2025 with a very long name", 120000, "USD"),
        ("Prospecting", "東京ロボティクス 導入プロジェクト", Decimal(string: "1234.56")!, "EUR"),
        ("Qualification", "서울 물류 확장", Decimal(string: "4199.50")!, "EUR"),
        ("Qualification", "Globex - Data platform pilot", 45000, "USD"),
        ("Needs Analysis", "Trattoria Giuseppe 😀", 9_800_000, "JPY"),
    ]

    /// The display columns at which `│` stands on a line.
    static func bars(_ line: String) -> [Int] {
        var column = 0
        var out: [Int] = []
        for c in line {
            if c == "│" { out.append(column) }
            column += c.displayWidth
        }
        return out
    }

    @Test("at 80 columns seven stages are printed one under another, with whole counts and totals per currency")
    func stacked() {
        let lines = BoardTextTests.board(BoardTextTests.items).render(width: 80)
        for line in lines { #expect(line.displayWidth <= 80, "\(line)") }
        #expect(!lines.contains { $0.contains("│") })
        #expect(lines.contains("Prospecting (2) · EUR 1,234.56 · USD 120,000.00"))
        #expect(lines.contains("Qualification (2) · EUR 4,199.50 · USD 45,000.00"))
        #expect(lines.contains("Needs Analysis (1) · JPY 9,800,000.00"))
        #expect(lines.contains("Won (0)"))
        #expect(lines.contains { $0.hasPrefix("  東京ロボティクス 導入プロジェクト") && $0.hasSuffix("EUR 1,234.56") })
    }

    @Test("side by side when the columns fit: cut titles keep every │ in its column, CJK and emoji included")
    func sideBySide() {
        let lines = BoardTextTests.board(BoardTextTests.items).render(width: 200)
        for line in lines { #expect(line.displayWidth <= 200, "\(line)") }
        let bars = lines.map(BoardTextTests.bars).filter { !$0.isEmpty }
        #expect(bars.count >= 4)
        #expect(Set(bars.map { $0.description }).count == 1, "\(lines.joined(separator: "\n"))")
        #expect(lines[0].contains("Qualification (2)"))
        #expect(lines.contains { $0.contains("JPY 9,800,000.00") })
    }

    @Test("a capped column says how many cards it does not show", arguments: [80, 200])
    func capped(width: Int) {
        let many = (1...45).map { ("Won", "Deal \($0)", Decimal($0), "USD") }
        let lines = BoardTextTests.board(many).render(width: width, maxCards: 40)
        #expect(lines.contains { $0.contains("+5 more") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("Won (45)") })
        #expect(!lines.contains { $0.contains("Deal 41") })
    }
}

@Suite("Task dates as typed")
struct TaskDateTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func instant(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test(
        "a day is all-day at its midnight UTC; a time is local to the zone unless it carries Z or an offset",
        arguments: [
            ("2026-12-11", "UTC", "2026-12-11T00:00:00Z", true),
            ("2026-12-11", "Pacific/Auckland", "2026-12-11T00:00:00Z", true),
            ("2026-12-11 15:00", "UTC", "2026-12-11T15:00:00Z", false),
            ("2026-12-11T15:00", "UTC", "2026-12-11T15:00:00Z", false),
            ("2026-12-11T15:00:30", "UTC", "2026-12-11T15:00:30Z", false),
            ("2026-12-11 15:00", "Europe/Berlin", "2026-12-11T14:00:00Z", false),
            ("2026-07-01 15:00", "Europe/Berlin", "2026-07-01T13:00:00Z", false),
            ("2026-12-11T15:00Z", "Europe/Berlin", "2026-12-11T15:00:00Z", false),
            ("2026-12-11 15:00+02:00", "UTC", "2026-12-11T13:00:00Z", false),
            ("2026-12-11T15:00-0500", "UTC", "2026-12-11T20:00:00Z", false),
        ])
    func parses(text: String, zone: String, expected: String, allDay: Bool) throws {
        let parsed = try #require(TaskDate.parse(text, zone: TimeZone(identifier: zone)!))
        #expect(parsed.instant == TaskDateTests.instant(expected))
        #expect(parsed.allDay == allDay)
    }

    @Test(
        "other text is not a date",
        arguments: [
            "11/12/2026", "2026-13-01", "2026-02-30", "2026-12-11 25:00", "2026-12-11 15:60", "2026-12-11 3pm",
            "tomorrow", "",
        ])
    func refuses(text: String) {
        #expect(TaskDate.parse(text, zone: TaskDateTests.utc) == nil)
    }

    /// 02:30 on Berlin's spring day became 03:30 without a word.
    @Test("a time the clocks skip is refused and said to be skipped; a time that occurs twice is its first occurrence")
    func daylightSavingTime() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(TaskDate.parse("2026-03-29 02:30", zone: berlin) == nil)
        #expect(TaskDate.isSkipped("2026-03-29 02:30", zone: berlin))
        #expect(!TaskDate.isSkipped("2026-03-29 03:30", zone: berlin) && !TaskDate.isSkipped("tomorrow", zone: berlin))
        #expect(
            TaskDate.parse("2026-03-29 03:30", zone: berlin)?.instant == TaskDateTests.instant("2026-03-29T01:30:00Z"))
        // 02:30 on the autumn day is first in summer time (+02:00).
        #expect(
            TaskDate.parse("2026-10-25 02:30", zone: berlin)?.instant == TaskDateTests.instant("2026-10-25T00:30:00Z"))
    }
}

@Suite("The month grid")
struct MonthGridTests {
    static func task(_ title: String, _ y: Int, _ m: Int, _ d: Int) -> CRMTask {
        var t = CRMTask(id: RecordID.make())
        t.title = title
        t.due = Date(
            timeIntervalSince1970: Double(CalendarDay(year: y, month: m, day: d)!.daysSinceEpoch * 86400 + 9 * 3600))
        return t
    }

    @Test("days of the months around it are outside the month and carry no tasks")
    func outsideDays() {
        let tasks = [
            MonthGridTests.task("October", 2026, 10, 31), MonthGridTests.task("last of November", 2026, 11, 30),
            MonthGridTests.task("December 1", 2026, 12, 1), MonthGridTests.task("December 3", 2026, 12, 3),
            MonthGridTests.task("December 4", 2026, 12, 4),
        ]
        let g = MonthGrid(year: 2026, month: 11, tasks: tasks, now: Date(timeIntervalSince1970: 0))
        let days = g.weeks.flatMap { $0 }
        #expect(days.filter(\.inMonth).count == 30)
        let outside = days.filter { !$0.inMonth }
        #expect(!outside.isEmpty)
        #expect(
            outside.allSatisfy { $0.tasks.isEmpty }, "\(outside.map { "\($0.day): \($0.tasks.map(\.task.title))" })")
        let titles = days.flatMap { $0.tasks.map(\.task.title) }
        #expect(titles == ["last of November"])
    }
}
