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

/// A month of tasks as a calendar grid: weeks of seven days (Monday first), tasks on their due days.
public struct MonthGrid: Sendable {
    public struct Day: Sendable {
        public var day: CalendarDay
        public var inMonth: Bool
        public var tasks: [(task: CRMTask, overdue: Bool)]
    }

    public var year: Int
    public var month: Int
    public var weeks: [[Day]]

    /// - Parameter now: tasks due before it and not done are overdue.
    public init(year: Int, month: Int, tasks: [CRMTask], now: Date) {
        self.year = year
        self.month = month
        let first = CalendarDay(year: year, month: month, day: 1)!
        // 1970-01-01 was a Thursday: Monday-based weekday 3.
        let weekday = ((first.daysSinceEpoch % 7) + 7 + 3) % 7
        let start = first.daysSinceEpoch - weekday
        let days = CalendarDay.daysIn(month: month, year: year)
        let cells = ((weekday + days + 6) / 7) * 7
        var byDay: [Int: [(CRMTask, Bool)]] = [:]
        for t in tasks {
            guard let due = t.due else { continue }
            let d = Int((due.timeIntervalSince1970 / 86400).rounded(.down))
            let overdue = due < now && t.status != TaskRules.done
            byDay[d, default: []].append((t, overdue))
        }
        var weeks: [[Day]] = []
        for w in 0..<(cells / 7) {
            var week: [Day] = []
            for k in 0..<7 {
                let n = start + w * 7 + k
                let (y, m, d) = civil(fromDays: n)
                let day = CalendarDay(year: y, month: m, day: d)!
                week.append(Day(day: day, inMonth: m == month, tasks: (byDay[n] ?? []).map { (task: $0.0, overdue: $0.1) }))
            }
            weeks.append(week)
        }
        self.weeks = weeks
    }
}
