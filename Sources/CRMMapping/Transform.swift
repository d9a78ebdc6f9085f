import CRMModel
import Foundation

/// Numbers are stored and read with "." as the decimal point whatever the user's locale (made once: a Locale is
/// costly).
private let posixLocale = Locale(identifier: "en_US_POSIX")

/// A compiled transform step: one value in, one value out, or a reason it cannot be read.
enum Step {
    case trim, squish, lower, upper, title, firstName, lastName, email
    /// nil: the row's region (`phone_country_from`) or the mapping's `phone_country`.
    case phone(String?)
    case date([DateFormat], TimeZone?)
    case number(decimal: UInt8, thousands: UInt8?)
    case map([String: String], otherwise: String)
    case regex(NSRegularExpression)
    case replace(NSRegularExpression, String)
    case split(String)
    case scale(Decimal)

    init(_ spec: MappingFile.TransformSpec, defaultZone: TimeZone) throws {
        switch spec {
        case .trim: self = .trim
        case .squish: self = .squish
        case .lower: self = .lower
        case .upper: self = .upper
        case .title: self = .title
        case .firstName: self = .firstName
        case .lastName: self = .lastName
        case .email: self = .email
        case .phone(let c): self = .phone(c)
        case .date(let formats, let tz):
            self = .date(formats.compactMap(DateFormat.init), tz.flatMap(TimeZone.init(identifier:)) ?? defaultZone)
        case .number(let d, let t):
            guard let dd = d.utf8.first, d.utf8.count == 1 else {
                throw MappingError(.invalidValue, message: "number decimal separator must be one character")
            }
            self = .number(decimal: dd, thousands: t?.utf8.first)
        case .map(let m, let o):
            // Keys as written and lower-cased: the exact hit needs no lower-casing per row.
            var both = m
            for (k, v) in m { both[k.lowercased()] = v }
            self = .map(both, otherwise: o)
        case .regex(let p): self = .regex(try NSRegularExpression(pattern: p))
        case .replace(let p, let w): self = .replace(try NSRegularExpression(pattern: p), w)
        case .split(let s): self = .split(s)
        case .scale(let f): self = .scale(Decimal(string: f, locale: posixLocale) ?? 1)
        }
    }

    /// What an unreadable value does when the field does not say: phone numbers are kept as
    /// written (real lists carry extensions and notes there); everything else rejects the row.
    var defaultOnInvalid: MappingFile.OnInvalid {
        if case .phone = self { return .keep }
        return .reject
    }

    func apply(_ v: FieldValue, kind: FieldKind, region: String) -> Outcome {
        if case .scale(let factor) = self { return Step.scaled(v, factor, kind: kind) }
        let text: String
        switch v {
        case .text(let s): text = s
        case .list(let l):
            // Text steps apply to each item of a list.
            var out: [String] = []
            for item in l {
                switch apply(.text(item), kind: .text, region: region) {
                case .ok(.text(let s)): if !s.isEmpty { out.append(s) }
                case .ok(.list(let items)): out += items  // an item split again
                case .ok: break
                case .invalid(let r): return .invalid(r)
                }
            }
            return .ok(.list(out))
        default: return .ok(v)
        }
        switch self {
        case .trim: return .ok(.text(text.trimmingWhitespace))
        case .squish:
            return .ok(
                .text(
                    text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(
                        separator: " ")))
        case .lower: return .ok(.text(text.lowercased()))
        case .upper: return .ok(.text(text.uppercased()))
        case .title: return .ok(.text(text.lowercased().capitalized))
        case .firstName: return .ok(.text(NameParts.split(text).first))
        case .lastName: return .ok(.text(NameParts.split(text).last))
        case .email:
            guard let e = EmailAddress.normalize(text) else {
                return .invalid("'\(text)' is not a valid email address")
            }
            return .ok(.text(e))
        case .phone(let country):
            guard let p = PhoneNumber.normalized(text, region: country ?? region) else {
                return .invalid("'\(text)' is not a phone number crmgate can read")
            }
            return .ok(.text(p))
        case .date(let formats, let zone):
            for f in formats {
                guard let p = f.parse(text) else { continue }
                switch kind {
                case .day:
                    guard let d = p.calendarDay else { continue }
                    return .ok(.day(d))
                default:
                    guard let d = p.instant(zone: zone ?? TimeZone(identifier: "UTC")!) else { continue }
                    return .ok(
                        kind == .instant
                            ? .instant(d) : .text(p.hasTime ? d.iso8601UTC : (p.calendarDay?.description ?? "")))
                }
            }
            return .invalid(
                "'\(text)' does not match the date format" + (formats.count > 1 ? "s" : "") + " of the mapping")
        case .number(let dec, let th):
            guard let d = NumberText.parse(text, decimal: dec, thousands: th) else {
                let mark = String(UnicodeScalar(dec))
                let group = th.map { " and thousands '\(String(UnicodeScalar($0)))'" } ?? ""
                return .invalid(
                    "'\(text)' is not a number in the mapping's format (decimal '\(mark)'\(group); digits grouped by three,"
                        + " as 1\(th.map { String(UnicodeScalar($0)) } ?? " ")234\(mark)56)")
            }
            return .ok(kind == .integer ? .integer(NSDecimalNumber(decimal: d).intValue) : .number(d))
        case .map(let table, let otherwise):
            if let m = table[text] ?? table[text.lowercased()] { return .ok(.text(m)) }
            switch otherwise {
            case "blank": return .ok(.empty)
            case "reject": return .invalid("'\(text)' is not one of the values the mapping knows")
            default: return .ok(.text(text))
            }
        case .regex(let re):
            let ns = text as NSString
            guard let m = re.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
                return .invalid("'\(text)' does not match the pattern \(re.pattern)")
            }
            let r = m.numberOfRanges > 1 ? m.range(at: 1) : m.range
            return .ok(.text(r.location == NSNotFound ? "" : ns.substring(with: r)))
        case .replace(let re, let with):
            let ns = text as NSString
            return .ok(
                .text(
                    re.stringByReplacingMatches(
                        in: text, range: NSRange(location: 0, length: ns.length), withTemplate: with)))
        case .split(let sep):
            let items = text.components(separatedBy: sep).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            return .ok(items.isEmpty ? .empty : .list(items))
        case .scale: return .ok(v)  // handled above
        }
    }

    /// A number (or its text, with `.` as the decimal point) times `factor`; an integer field keeps a whole result.
    static func scaled(_ v: FieldValue, _ factor: Decimal, kind: FieldKind) -> Outcome {
        let d: Decimal
        switch v {
        case .empty: return .ok(.empty)
        case .number(let x): d = x
        case .integer(let i): d = Decimal(i)
        case .text(let s):
            if s.isEmpty { return .ok(.empty) }
            guard let x = NumberText.parse(s, decimal: UInt8(ascii: "."), thousands: nil) else {
                return .invalid("'\(s)' is not a number to scale")
            }
            d = x
        default: return .invalid("a \(v.kindName) value cannot be scaled")
        }
        let r = d * factor
        if kind == .integer { return .ok(.integer(NSDecimalNumber(decimal: r.rounded0).intValue)) }
        return .ok(.number(r))
    }
}

extension FieldValue {
    /// The value's kind in words, for messages.
    var kindName: String {
        switch self {
        case .empty: return "empty"
        case .text: return "text"
        case .number: return "number"
        case .integer: return "integer"
        case .bool: return "true/false"
        case .day: return "date"
        case .instant: return "timestamp"
        case .list: return "list"
        }
    }
}

extension String {
    /// The text without Unicode `White_Space` at either end (`Unicode.Scalar.Properties.isWhitespace`):
    /// tab, LF, VT, FF, CR, space, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
    /// U+205F and U+3000. Scalars, not characters: a mark after a removed space stays.
    ///
    /// Linear; text that starts and ends with an ASCII byte other than whitespace (most values, since
    /// every cell has had its spaces, tabs and line breaks trimmed already) is returned without a scan.
    var trimmingWhitespace: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return self }
        if first < 0x80, last < 0x80, !isASCIIWhitespace(first), !isASCIIWhitespace(last) { return self }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isUnicodeWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while start < end {
            let before = scalars.index(before: end)
            guard isUnicodeWhitespace(scalars[before]) else { break }
            end = before
        }
        if start == scalars.startIndex && end == scalars.endIndex { return self }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// Tab, LF, VT, FF, CR or space: the ASCII `White_Space`.
@inline(__always) func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

/// Unicode `White_Space`, ASCII without a property lookup.
@inline(__always) func isUnicodeWhitespace(_ u: Unicode.Scalar) -> Bool {
    u.value < 0x80 ? isASCIIWhitespace(UInt8(u.value)) : u.properties.isWhitespace
}

/// Numbers as lists write them: `1,234.56`, `1.234,56`, `-12`, `1 234,5`.
/// A decimal as a whole number, exactly.
enum YesNo {
    /// A yes-or-no field's text as the import and `set` read it, any case; nil for anything else.
    static func parse(_ text: String) -> Bool? {
        switch text.trimmingSpaces.lowercased() {
        case "true", "yes", "y", "1", "x", "ja", "oui", "si", "sí": return true
        case "false", "no", "n", "0", "nein", "non": return false
        default: return nil
        }
    }
}

enum WholeNumber {
    /// A whole-number field's text as the import and `set` read it: `40`, `40.0` or `40%`; nil for a fraction or
    /// anything else (one reader for both: `set probability=40%` was refused where the import took it).
    static func parse(_ text: String) -> Int? {
        var t = text.trimmingSpaces
        if t.hasSuffix("%") { t.removeLast() }
        guard let d = NumberText.parse(t.trimmingSpaces, decimal: UInt8(ascii: "."), thousands: nil) else { return nil }
        return exact(d)
    }

    /// `d` as an `Int` when it has no fraction and fits (`40`, `40.0`), else nil (`25.5`, `1e30`).
    static func exact(_ d: Decimal) -> Int? {
        var value = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard rounded == d, rounded >= Decimal(Int.min), rounded <= Decimal(Int.max) else { return nil }
        return NSDecimalNumber(decimal: rounded).intValue
    }
}

enum NumberText {
    /// The number `s` writes with `decimal` as its decimal mark and `thousands` (or a space, a no-break space or an
    /// apostrophe) between groups of digits, or nil. Grouped digits must be grouped as numbers are: a first group of
    /// one to three digits, then groups of three (or of two, as India groups lakhs and crores: `1,00,000`), the last
    /// of three. `0.5` or `10.00` with thousands `.` is not a number then: dropping the dots made them 5 and 1000.
    static func parse(_ s: String, decimal: UInt8, thousands: UInt8?) -> Decimal? {
        var out: [UInt8] = []
        var seenDigit = false
        var seenDecimal = false
        var grouped = false  // a group separator was seen
        var group = 0  // digits of the integer part since the last separator
        func endGroup(last: Bool) -> Bool {
            if !grouped { return group >= 1 && group <= 3 || last }
            return last ? group == 3 : group == 2 || group == 3
        }
        for (i, b) in s.utf8.enumerated() {
            switch b {
            case 48...57:
                out.append(b)
                seenDigit = true
                if !seenDecimal { group += 1 }
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard i == 0 else { return nil }
                if b == UInt8(ascii: "-") { out.append(b) }
            case decimal:
                guard !seenDecimal, endGroup(last: true) else { return nil }
                seenDecimal = true
                out.append(UInt8(ascii: "."))
            case 0xC2:  // the first byte of a no-break space (U+00A0); its second is the separator
                continue
            case 32, 0xA0, 0x27:  // spaces, no-break space, apostrophe (Swiss) as grouping
                guard seenDigit, !seenDecimal, endGroup(last: false) else { return nil }
                grouped = true
                group = 0
            default:
                if let t = thousands, b == t, seenDigit, !seenDecimal, endGroup(last: false) {
                    grouped = true
                    group = 0
                    continue
                }
                return nil
            }
        }
        guard seenDigit, seenDecimal || endGroup(last: true) else { return nil }
        return Decimal(string: String(decoding: out, as: UTF8.self), locale: posixLocale)
    }
}

/// What a transform or conversion made of a value.
enum Outcome {
    case ok(FieldValue)
    /// The value cannot be read; the reason says why.
    case invalid(String)
}
