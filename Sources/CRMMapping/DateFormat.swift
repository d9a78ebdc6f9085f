import CRMModel
import Foundation

/// Date and time values read from text, before a time zone is applied.
struct ParsedDate: Equatable {
    var year = 1970, month = 1, day = 1
    var hour = 0, minute = 0, second = 0, millisecond = 0
    /// Seconds east of UTC when the text carried an offset or `Z`.
    var offset: Int?
    var hasTime = false

    /// The day as written, never shifted by a zone.
    var calendarDay: CalendarDay? { CalendarDay(year: year, month: month, day: day) }

    /// The instant: the written offset, or else `zone` for a naive value.
    func instant(zone: TimeZone) -> Date? {
        guard let d = calendarDay, hour < 24, minute < 60, second < 61 else { return nil }
        let local = Double(d.daysSinceEpoch * 86400 + hour * 3600 + minute * 60 + second) + Double(millisecond) / 1000
        if let offset { return Date(timeIntervalSince1970: local - Double(offset)) }
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return Date(timeIntervalSince1970: local) }
        // Find the offset in force at that local time (two steps settle DST edges).
        var guess = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        guess = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: local - guess)))
        return Date(timeIntervalSince1970: local - guess)
    }
}

/// A date pattern such as `dd.MM.yyyy HH:mm` or `MM/dd/yyyy h:mm a`, or `iso8601`.
///
/// Letters: `yyyy` `yy` year, `M`/`MM` month (1–2 digits), `MMM` `MMMM` month name (English),
/// `d`/`dd` day, `H`/`HH` hour, `h`/`hh` 12-hour clock with `a` (AM/PM), `mm` minute, `ss` second,
/// `S…` fraction, `Z`/`XXX` offset or `Z`, `EEE` weekday name (skipped); `'text'` and other
/// characters are literal. A single space in the pattern matches any run of spaces.
struct DateFormat: Sendable {
    enum Token: Sendable, Equatable {
        case year4, year2, month, monthName, day, hour24, hour12, minute, second, fraction, ampm, offset, weekday
        case literal(UInt8)
        case space
    }

    let tokens: [Token]
    let isISO: Bool
    /// The pattern as written, for writing dates in it (`format`).
    let pattern: [UInt8]

    init?(_ pattern: String) {
        self.pattern = Array(pattern.utf8)
        if pattern.lowercased() == "iso8601" {
            tokens = []
            isISO = true
            return
        }
        isISO = false
        var out: [Token] = []
        let chars = Array(pattern.utf8)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count, chars[i + run] == c { run += 1 }
            switch c {
            case UInt8(ascii: "y"):
                out.append(run == 2 ? .year2 : .year4)
            case UInt8(ascii: "M"):
                out.append(run >= 3 ? .monthName : .month)
            case UInt8(ascii: "d"):
                out.append(.day)
            case UInt8(ascii: "H"):
                out.append(.hour24)
            case UInt8(ascii: "h"):
                out.append(.hour12)
            case UInt8(ascii: "m"):
                out.append(.minute)
            case UInt8(ascii: "s"):
                out.append(.second)
            case UInt8(ascii: "S"):
                out.append(.fraction)
            case UInt8(ascii: "a"):
                out.append(.ampm)
            case UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"):
                out.append(.offset)
            case UInt8(ascii: "E"):
                out.append(.weekday)
            case UInt8(ascii: "'"):
                var j = i + 1
                while j < chars.count, chars[j] != UInt8(ascii: "'") {
                    out.append(.literal(chars[j]))
                    j += 1
                }
                if j >= chars.count { return nil }
                i = j + 1
                continue
            case UInt8(ascii: " "):
                out.append(.space)
            default:
                if (c >= 65 && c <= 90) || (c >= 97 && c <= 122) { return nil }
                for _ in 0..<run { out.append(.literal(c)) }
            }
            i += run
        }
        tokens = out
    }

    /// Reads `text` completely, or returns nil.
    func parse(_ text: String) -> ParsedDate? {
        if isISO { return DateFormat.parseISO(text) }
        let b = Array(text.utf8)
        var p = ParsedDate()
        var i = 0
        var pm: Bool?
        func number(min: Int, max: Int) -> Int? {
            var v = 0
            var n = 0
            while i < b.count, n < max, b[i] >= 48, b[i] <= 57 {
                v = v * 10 + Int(b[i] - 48)
                i += 1
                n += 1
            }
            return n >= min ? v : nil
        }
        for t in tokens {
            switch t {
            case .year4:
                guard let v = number(min: 4, max: 4) else { return nil }
                p.year = v
            case .year2:
                guard let v = number(min: 2, max: 2) else { return nil }
                p.year = v < 70 ? 2000 + v : 1900 + v
            case .month:
                guard let v = number(min: 1, max: 2) else { return nil }
                p.month = v
            case .day:
                guard let v = number(min: 1, max: 2) else { return nil }
                p.day = v
            case .hour24, .hour12:
                guard let v = number(min: 1, max: 2) else { return nil }
                p.hour = v
                p.hasTime = true
            case .minute:
                guard let v = number(min: 2, max: 2) else { return nil }
                p.minute = v
            case .second:
                guard let v = number(min: 2, max: 2) else { return nil }
                p.second = v
            case .fraction:
                let start = i
                guard let v = number(min: 1, max: 9) else { return nil }
                let digits = i - start
                p.millisecond =
                    digits >= 3 ? v / Int(pow(10.0, Double(digits - 3))) : v * Int(pow(10.0, Double(3 - digits)))
            case .ampm:
                guard i + 1 < b.count else { return nil }
                let x = b[i] | 0x20
                let y = b[i + 1] | 0x20
                guard y == UInt8(ascii: "m"), x == UInt8(ascii: "a") || x == UInt8(ascii: "p") else { return nil }
                pm = x == UInt8(ascii: "p")
                i += 2
            case .offset:
                guard let o = DateFormat.parseOffset(b, &i) else { return nil }
                p.offset = o
            case .monthName, .weekday:
                let start = i
                while i < b.count, (b[i] | 0x20) >= 97, (b[i] | 0x20) <= 122 { i += 1 }
                if i < b.count, b[i] == UInt8(ascii: ".") { i += 1 }
                if t == .monthName {
                    let name = String(decoding: b[start..<i], as: UTF8.self).lowercased().trimmingCharacters(in: ["."])
                    guard name.count >= 3,
                        let m = DateFormat.months.firstIndex(where: { name.hasPrefix($0) || $0.hasPrefix(name) })
                    else { return nil }
                    p.month = m + 1
                }
            case .literal(let c):
                guard i < b.count, b[i] == c else { return nil }
                i += 1
            case .space:
                guard i < b.count, b[i] == 32 || b[i] == 9 else { return nil }
                while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
            }
        }
        guard i == b.count else { return nil }
        if let pm {
            guard p.hour >= 1, p.hour <= 12 else { return nil }
            p.hour = p.hour % 12 + (pm ? 12 : 0)
        }
        return p
    }

    /// `p` written in this pattern: the writing half of `parse`, as a remote profile's `write_transform` uses it.
    /// Widths follow the pattern (`d` 5, `dd` 05, `MMM` Mar, `MMMM` March, `SSS` milliseconds); `Z` writes `Z` for UTC
    /// and `+01:00` otherwise. ISO 8601 writes a day as `YYYY-MM-DD` and a time as RFC 3339 with the zone's offset.
    func format(_ p: ParsedDate) -> String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        if isISO {
            let day = pad(p.year, 4) + "-" + pad(p.month, 2) + "-" + pad(p.day, 2)
            guard p.hasTime else { return day }
            let ms = p.millisecond != 0 ? "." + pad(p.millisecond, 3) : ""
            return day + "T" + pad(p.hour, 2) + ":" + pad(p.minute, 2) + ":" + pad(p.second, 2) + ms
                + offsetText(p.offset ?? 0)
        }
        var out = ""
        var i = 0
        let chars = pattern
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count, chars[i + run] == c { run += 1 }
            switch c {
            case UInt8(ascii: "y"): out += run == 2 ? pad(p.year % 100, 2) : pad(p.year, 4)
            case UInt8(ascii: "M"):
                if run >= 3 {
                    let name = DateFormat.monthNames[max(0, min(11, p.month - 1))]
                    out += run == 3 ? String(name.prefix(3)) : name
                } else {
                    out += pad(p.month, run)
                }
            case UInt8(ascii: "d"): out += pad(p.day, run)
            case UInt8(ascii: "H"): out += pad(p.hour, run)
            case UInt8(ascii: "h"): out += pad(p.hour % 12 == 0 ? 12 : p.hour % 12, run)
            case UInt8(ascii: "m"): out += pad(p.minute, 2)
            case UInt8(ascii: "s"): out += pad(p.second, 2)
            case UInt8(ascii: "S"):
                out += String(pad(p.millisecond, 3).prefix(run)) + String(repeating: "0", count: max(0, run - 3))
            case UInt8(ascii: "a"): out += p.hour < 12 ? "AM" : "PM"
            case UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"): out += offsetText(p.offset ?? 0)
            case UInt8(ascii: "E"):
                let days = p.calendarDay?.daysSinceEpoch ?? 0
                let name = DateFormat.weekdayNames[((days % 7) + 7 + 3) % 7]  // 1970-01-01 was a Thursday
                out += run >= 4 ? name : String(name.prefix(3))
            case UInt8(ascii: "'"):
                var j = i + 1
                while j < chars.count, chars[j] != UInt8(ascii: "'") { j += 1 }
                out += String(decoding: chars[(i + 1)..<min(j, chars.count)], as: UTF8.self)
                i = j + 1
                continue
            default: out += String(decoding: chars[i..<(i + run)], as: UTF8.self)
            }
            i += run
        }
        return out
    }

    /// `Z` for UTC, else `+hh:mm` / `-hh:mm`.
    private func offsetText(_ seconds: Int) -> String {
        guard seconds != 0 else { return "Z" }
        let a = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + String(format: "%02d:%02d", a / 60, a % 60)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Z`, `+01:00`, `+0100`, `+01`, `-05:00`.
    static func parseOffset(_ b: [UInt8], _ i: inout Int) -> Int? {
        b.withUnsafeBufferPointer { parseOffset($0, &i) }
    }

    static func parseOffset(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int? {
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
            return 0
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        func two() -> Int? {
            guard i + 1 < b.count, b[i] >= 48, b[i] <= 57, b[i + 1] >= 48, b[i + 1] <= 57 else { return nil }
            defer { i += 2 }
            return Int(b[i] - 48) * 10 + Int(b[i + 1] - 48)
        }
        guard let h = two(), h <= 18 else { return nil }
        var m = 0
        if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
        if i < b.count, let mm = two() { m = mm }
        return sign * (h * 3600 + m * 60)
    }

    /// ISO 8601 / RFC 3339: `YYYY-MM-DD`, with `T` or a space and `hh:mm[:ss[.fff]]`, and an optional offset.
    static func parseISO(_ text: String) -> ParsedDate? {
        var t = text
        return t.withUTF8 { parseISO($0) }
    }

    static func parseISO(_ b: [UInt8]) -> ParsedDate? { b.withUnsafeBufferPointer { parseISO($0) } }

    static func parseISO(_ b: UnsafeBufferPointer<UInt8>) -> ParsedDate? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        var p = ParsedDate()
        guard let y = digits(4), expect(UInt8(ascii: "-")), let m = digits(2), expect(UInt8(ascii: "-")),
            let d = digits(2)
        else { return nil }
        p.year = y
        p.month = m
        p.day = d
        if i == b.count { return p }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 32 else { return nil }
        i += 1
        guard let hh = digits(2), expect(UInt8(ascii: ":")), let mm = digits(2) else { return nil }
        p.hour = hh
        p.minute = mm
        p.hasTime = true
        if expect(UInt8(ascii: ":")) {
            guard let ss = digits(2) else { return nil }
            p.second = ss
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var frac = 0
                var n = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if n < 3 { frac = frac * 10 + Int(b[i] - 48) }
                    n += 1
                    i += 1
                }
                guard n > 0 else { return nil }
                for _ in min(n, 3)..<3 { frac *= 10 }
                p.millisecond = frac
            }
        }
        if i < b.count {
            guard let o = parseOffset(b, &i) else { return nil }
            p.offset = o
        }
        return i == b.count ? p : nil
    }
}
