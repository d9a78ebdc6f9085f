public import Foundation

/// A calendar day without a time or a time zone (a close date, a due day).
///
/// Kept apart from `Date` on purpose: a day never shifts when it crosses a time zone.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Creates a day, or returns nil when the components do not name a real day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CalendarDay.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso string: String) {
        let parts = string.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]),
            let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The number of days in a month of a year of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// The kind of value a model field holds; mapping files convert text into it.
public enum FieldKind: String, Sendable, Hashable {
    case text, email, phone, number, integer, bool, day, instant, list
}

/// A typed field value as mapping produces it and the store keeps it.
public enum FieldValue: Sendable, Hashable {
    case empty
    case text(String)
    case number(Decimal)
    case integer(Int)
    case bool(Bool)
    case day(CalendarDay)
    case instant(Date)
    case list([String])

    /// True for `.empty`, an empty text and an empty list.
    public var isEmpty: Bool {
        switch self {
        case .empty: return true
        case .text(let s): return s.isEmpty
        case .list(let l): return l.isEmpty
        default: return false
        }
    }
}

extension Date {
    /// RFC 3339 / ISO 8601 in UTC with milliseconds only when there are any: `2024-03-05T14:22:00Z`.
    public var iso8601UTC: String {
        String(unsafeUninitializedCapacity: 24) { writeISO8601UTC(into: $0) }
    }

    /// Writes `iso8601UTC`'s bytes (20 or 24) at the start of `buf`, which holds at least 24; returns their count.
    /// For a writer that lays texts out in a buffer of its own (the import), without making a string.
    public func writeISO8601UTC(into buf: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let ms = Int64((timeIntervalSince1970 * 1000).rounded(.down))
        var secs = ms / 1000
        var millis = ms - secs * 1000
        if millis < 0 {
            millis += 1000
            secs -= 1
        }
        var days = secs / 86400
        secs -= days * 86400
        if secs < 0 {
            secs += 86400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: Int(days))
        let hh = Int(secs / 3600)
        let mm = Int(secs % 3600 / 60)
        let ss = Int(secs % 60)
        let count = millis != 0 ? 24 : 20
        func put(_ v: Int, _ at: Int, _ width: Int) {
            var v = v
            for k in stride(from: at + width - 1, through: at, by: -1) {
                buf[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(max(0, min(9999, y)), 0, 4)
        buf[4] = 45
        put(m, 5, 2)
        buf[7] = 45
        put(d, 8, 2)
        buf[10] = 84
        put(hh, 11, 2)
        buf[13] = 58
        put(mm, 14, 2)
        buf[16] = 58
        put(ss, 17, 2)
        if millis != 0 {
            buf[19] = 46
            put(Int(millis), 20, 3)
        }
        buf[count - 1] = 90
        return count
    }
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days).
public func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}
