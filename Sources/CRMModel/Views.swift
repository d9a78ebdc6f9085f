public import Foundation

/// A kanban board: records grouped into columns by status or stage, in pipeline order.
public struct Board: Sendable, Equatable {
    public struct Card: Sendable, Equatable {
        public var id: RecordID
        public var title: String
        public var amount: Decimal?
        public var currency: String
        public init(id: RecordID, title: String, amount: Decimal?, currency: String) {
            self.id = id
            self.title = title
            self.amount = amount
            self.currency = currency
        }
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var cards: [Card] = []
        public var count: Int { cards.count }
        /// Totals per currency (amounts in different currencies are never added).
        public var totals: [String: Decimal] {
            var t: [String: Decimal] = [:]
            for c in cards { if let a = c.amount { t[c.currency.uppercased(), default: 0] += a } }
            return t
        }
    }

    public var columns: [Column]

    /// Groups cards by column name: the pipeline's columns first (empty ones too), then others in the order seen.
    public init(order: [String], items: [(column: String, card: Card)]) {
        var cols = order.map { Column(name: $0) }
        for (name, card) in items {
            let key = name.isEmpty ? "(none)" : name
            if let i = cols.firstIndex(where: { $0.name.caseInsensitiveCompare(key) == .orderedSame }) {
                cols[i].cards.append(card)
            } else {
                cols.append(Column(name: key, cards: [card]))
            }
        }
        columns = cols
    }
}

extension Board {
    /// The board as text lines no wider than `width` columns (unless a single heading, total or count is).
    ///
    /// When every column fits side by side (its heading with the whole count, each currency's total, and
    /// `+N more`), the columns are printed next to each other, cards cut with `…` to the column's width.
    /// Otherwise the stages are printed one under another: a heading with the count and the totals per
    /// currency, then the stage's cards with their amounts. Either way at most `maxCards` cards are shown
    /// per column, and a capped column ends with `+N more`; counts and amounts are never cut.
    public func render(width: Int, maxCards: Int = 40) -> [String] {
        let cap = max(0, maxCards)
        let separator = 3  // " │ "
        let n = columns.count
        guard n > 0 else { return [] }
        let columnWidth = (width - separator * (n - 1)) / n
        let needed =
            columns.map { c -> Int in
                let more = c.count > cap ? [Board.more(c, cap)] : []
                let parts = [Board.heading(c)] + MoneyText.totalParts(c.totals) + more
                return max(10, parts.map(\.displayWidth).max() ?? 0)
            }.max() ?? 0
        let lines =
            columnWidth >= needed ? sideBySide(columnWidth: columnWidth, cap: cap) : stacked(width: width, cap: cap)
        return lines.map { line in
            var l = line
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }
    }

    /// `Proposal (5)`.
    static func heading(_ c: Column) -> String { "\(c.name) (\(c.count))" }

    /// `+12 more`.
    static func more(_ c: Column, _ cap: Int) -> String { "+\(c.count - cap) more" }

    /// The columns next to each other, each `columnWidth` wide.
    func sideBySide(columnWidth w: Int, cap: Int) -> [String] {
        func row(_ cell: (Column) -> String) -> String {
            columns.map { cell($0).fitted(toWidth: w) }.joined(separator: " │ ")
        }
        var lines = [row(Board.heading)]
        let totals = columns.map { MoneyText.totalParts($0.totals) }
        for i in 0..<(totals.map(\.count).max() ?? 0) {
            let cells = columns.indices.map { c in (i < totals[c].count ? totals[c][i] : "").fitted(toWidth: w) }
            lines.append(cells.joined(separator: " │ "))
        }
        lines.append(columns.map { _ in String(repeating: "─", count: w) }.joined(separator: "─┼─"))
        let depth = min(columns.map(\.count).max() ?? 0, cap)
        for i in 0..<depth {
            lines.append(row { i < $0.cards.count ? $0.cards[i].title.singleLine : "" })
        }
        if columns.contains(where: { $0.count > cap }) {
            lines.append(row { $0.count > cap ? Board.more($0, cap) : "" })
        }
        return lines
    }

    /// The stages one under another: a heading line with count and totals, then the cards, indented.
    func stacked(width: Int, cap: Int) -> [String] {
        var lines: [String] = []
        for (k, c) in columns.enumerated() {
            if k > 0 { lines.append("") }
            let heading = Board.heading(c)
            let parts = MoneyText.totalParts(c.totals)
            let oneLine = ([heading] + parts).joined(separator: " · ")
            if parts.isEmpty || oneLine.displayWidth <= width {
                lines.append(oneLine)
            } else {
                // The totals on their own lines, as many whole amounts per line as fit.
                lines.append(heading)
                var line = ""
                for p in parts {
                    if !line.isEmpty, (line + " · " + p).displayWidth > width {
                        lines.append(line)
                        line = ""
                    }
                    line = line.isEmpty ? "  " + p : line + " · " + p
                }
                if !line.isEmpty { lines.append(line) }
            }
            let shown = c.cards.prefix(cap)
            let amounts = shown.map { card in
                card.amount.map {
                    (card.currency.isEmpty ? "" : card.currency.uppercased() + " ") + MoneyText.grouped($0)
                } ?? ""
            }
            let amountWidth = amounts.map(\.displayWidth).max() ?? 0
            let titleWidth = width - 2 - (amountWidth > 0 ? amountWidth + 2 : 0)
            for (card, amount) in zip(shown, amounts) {
                if amountWidth > 0, titleWidth >= 10 {
                    let pad = String(repeating: " ", count: amountWidth - amount.displayWidth)
                    lines.append("  " + card.title.singleLine.fitted(toWidth: titleWidth) + "  " + pad + amount)
                } else {
                    lines.append("  " + card.title.singleLine.truncated(toWidth: max(1, width - 2)))
                }
            }
            if c.count > cap { lines.append("  " + Board.more(c, cap)) }
        }
        return lines
    }
}

/// A month of tasks as a calendar grid: weeks of seven days (Monday first), tasks on their due days (UTC).
///
/// The first and last weeks are filled with days of the months around it; those days are marked
/// `inMonth == false` and carry no tasks.
public struct MonthGrid: Sendable {
    public struct Day: Sendable {
        public var day: CalendarDay
        public var inMonth: Bool
        public var tasks: [(task: CRMTask, overdue: Bool)]
    }

    public var year: Int
    public var month: Int
    public var weeks: [[Day]]

    /// - Parameters:
    ///   - now: tasks due before it and not done are overdue (an all-day task once its day is over in `zone`).
    ///   - zone: a task due at a time falls on its day in this zone (an all-day task on its own day, wherever).
    public init(year: Int, month: Int, tasks: [CRMTask], now: Date, zone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.year = year
        self.month = month
        let first = CalendarDay(year: year, month: month, day: 1)!
        // 1970-01-01 was a Thursday: Monday-based weekday 3.
        let weekday = ((first.daysSinceEpoch % 7) + 7 + 3) % 7
        let start = first.daysSinceEpoch - weekday
        let days = CalendarDay.daysIn(month: month, year: year)
        let cells = ((weekday + days + 6) / 7) * 7
        var byDay: [Int: [(CRMTask, Bool)]] = [:]
        let today = Int(((now.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: now))) / 86400).rounded(.down))
        for t in tasks {
            guard let due = t.due else { continue }
            let local = due.timeIntervalSince1970 + (t.allDay ? 0 : Double(zone.secondsFromGMT(for: due)))
            let d = Int((local / 86400).rounded(.down))
            // An all-day task is overdue once its day is over where the user is, not from its midnight UTC.
            let overdue = (t.allDay ? d < today : due < now) && t.status != TaskRules.done
            byDay[d, default: []].append((t, overdue))
        }
        var weeks: [[Day]] = []
        for w in 0..<(cells / 7) {
            var week: [Day] = []
            for k in 0..<7 {
                let n = start + w * 7 + k
                let (y, m, d) = civil(fromDays: n)
                let day = CalendarDay(year: y, month: m, day: d)!
                // A day of the month before or after shows no tasks: they belong to that month's grid.
                let inMonth = y == year && m == month
                let due = inMonth ? (byDay[n] ?? []).map { (task: $0.0, overdue: $0.1) } : []
                week.append(Day(day: day, inMonth: inMonth, tasks: due))
            }
            weeks.append(week)
        }
        self.weeks = weeks
    }

    /// The month as lines of text `width` columns wide at most: a title, the weekday names, then per week a line of day
    /// numbers and up to `maxPerDay` lines of tasks (`!` marks an overdue one, `·` the others; a day with more says
    /// `+N more` on its last line), each day a column of equal width between `|`, and a rule under every week.
    public func render(title: String, width: Int, maxPerDay: Int = 4) -> [String] {
        let w = Swift.max(4, (width - 6) / 7)
        var lines = [title.truncated(toWidth: w * 7 + 6)]
        lines.append(
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { $0.fitted(toWidth: w) }.joined(separator: "|"))
        for week in weeks {
            let count = Swift.max(1, week.map { $0.tasks.count }.max() ?? 0)
            lines.append(week.map { ($0.inMonth ? String($0.day.day) : "").fitted(toWidth: w) }.joined(separator: "|"))
            for i in 0..<Swift.min(count, maxPerDay) {
                lines.append(
                    week.map { d -> String in
                        let cell: String
                        if i == maxPerDay - 1, d.tasks.count > maxPerDay {
                            cell = "+\(d.tasks.count - maxPerDay + 1) more"
                        } else if i < d.tasks.count {
                            cell = (d.tasks[i].overdue ? "!" : "·") + d.tasks[i].task.title.singleLine
                        } else {
                            cell = ""
                        }
                        return cell.fitted(toWidth: w)
                    }.joined(separator: "|"))
            }
            lines.append(String(repeating: "-", count: w * 7 + 6))
        }
        return lines
    }
}
