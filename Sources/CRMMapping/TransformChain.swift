public import CRMModel
public import Foundation
package import Yams

/// The mapping files' transform steps as one chain, for values that do not come from a file's column: a remote
/// profile's field reads a remote value into the model with `read_transform` and writes a model value for the remote
/// with `write_transform`, in the same vocabulary (and with the same errors) as a mapping's `transform:`.
public struct TransformChain: @unchecked Sendable {
    // @unchecked: the steps are immutable once made; NSRegularExpression is thread-safe for matching.
    let steps: [Step]

    /// Reads a transform list (one step or a sequence) as a mapping file's `transform:` is read.
    /// - Throws: `MappingError` with the line of the step.
    package init(yaml node: Node, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
        let nodes: [Node]
        if case .sequence(let seq) = node { nodes = Array(seq) } else { nodes = [node] }
        var out: [Step] = []
        for n in nodes {
            do { out.append(try Step(try MappingFile.transformSpec(n), defaultZone: timeZone)) } catch let e
                as MappingError
            {
                throw e.line == nil ? MappingError(e.code, line: n.mark?.line, message: e.message) : e
            }
        }
        steps = out
    }

    /// The chain of `specs`.
    public init(_ specs: [MappingFile.TransformSpec], timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
        steps = try specs.map { try Step($0, defaultZone: timeZone) }
    }

    /// Whether the chain writes a list as one text (a `split` step): a cleared list is then no JSON array.
    public var joinsLists: Bool { steps.contains { if case .split = $0 { return true } else { return false } } }

    /// What the chain made of a value, or why it could not.
    public enum Result: Sendable, Equatable {
        case value(FieldValue)
        case failed(String)
    }

    /// Reads a value into a model field of `kind`, step by step as an import reads a column.
    public func read(_ v: FieldValue, kind: FieldKind) -> Result {
        var cur = v
        for s in steps {
            switch s.apply(cur, kind: kind, region: "") {
            case .ok(let x): cur = x
            case .invalid(let why): return .failed(why)
            }
        }
        return .value(cur)
    }

    /// Writes a model value (typed as the model holds it) in the form the steps describe: the writing half of each
    /// step. `date` writes in its first format, `number` with its decimal separator, `split` joins a list with its
    /// separator, `scale` multiplies; the text steps (`map`, `replace`, `lower`…) work on the value's text.
    public func write(_ v: FieldValue, kind: FieldKind) -> Result {
        var cur = v
        for s in steps {
            switch s.write(cur, kind: kind) {
            case .ok(let x): cur = x
            case .invalid(let why): return .failed(why)
            }
        }
        return .value(cur)
    }
}

extension Step {
    /// The writing half of a step (see `TransformChain.write`).
    func write(_ v: FieldValue, kind: FieldKind) -> Outcome {
        if case .empty = v { return .ok(.empty) }
        switch self {
        case .scale(let factor):
            // A whole result is written as an integer (amount 12.5 at scale 100: 1250).
            let r = Step.scaled(v, factor, kind: .number)
            if case .ok(.number(let d)) = r, d == d.rounded0, abs(d) < 1e15 {
                return .ok(.integer(NSDecimalNumber(decimal: d).intValue))
            }
            return r
        case .date(let formats, let zone):
            guard let f = formats.first else { return .ok(v) }
            let p: ParsedDate
            switch v {
            case .day(let d): p = ParsedDate(year: d.year, month: d.month, day: d.day)
            case .instant(let t): p = ParsedDate(t, zone: zone ?? TimeZone(identifier: "UTC")!)
            case .text(let s):
                guard let parsed = DateFormat.parseISO(s) else {
                    return .invalid("'\(s)' is not an ISO 8601 date to write")
                }
                if parsed.hasTime, let t = parsed.instant(zone: TimeZone(identifier: "UTC")!) {
                    p = ParsedDate(t, zone: zone ?? TimeZone(identifier: "UTC")!)
                } else {
                    p = parsed
                }
            default: return .invalid("a \(v.kindName) value cannot be written as a date")
            }
            return .ok(.text(f.format(p)))
        case .number(let dec, _):
            let text: String
            switch v {
            case .number(let d):
                text = NSDecimalNumber(decimal: d).description(withLocale: Locale(identifier: "en_US_POSIX"))
            case .integer(let i): text = String(i)
            case .text(let s): text = s
            default: return .invalid("a \(v.kindName) value cannot be written as a number")
            }
            let out =
                dec == UInt8(ascii: ".") ? text : text.replacingOccurrences(of: ".", with: String(UnicodeScalar(dec)))
            return .ok(.text(out))
        case .split(let sep):
            guard case .list(let l) = v else { return .ok(v) }
            // An item holding the separator would come back as two: refused rather than split on the next read.
            if let bad = l.first(where: { $0.contains(sep) }) {
                return .invalid("the list item '\(bad)' holds the separator '\(sep)' and would read back as several")
            }
            return .ok(.text(l.joined(separator: sep)))
        default:
            // Text steps see the value's text (a number's digits, a day's ISO form); a list item by item.
            switch v {
            case .text, .list: return apply(v, kind: .text, region: "")
            default: return apply(.text(v.plainText), kind: .text, region: "")
            }
        }
    }
}

extension ParsedDate {
    init(year: Int, month: Int, day: Int) {
        self.init()
        self.year = year
        self.month = month
        self.day = day
    }

    /// The wall-clock fields of `t` in `zone`, with its offset.
    init(_ t: Date, zone: TimeZone) {
        self.init()
        let offset = zone.secondsFromGMT(for: t)
        let ms = Int((t.timeIntervalSince1970 * 1000).rounded(.down)) + offset * 1000
        var secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        millisecond = ms - secs * 1000
        var days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        secs -= days * 86400
        if secs < 0 {
            secs += 86400
            days -= 1
        }
        (year, month, day) = civil(fromDays: days)
        hour = secs / 3600
        minute = secs % 3600 / 60
        second = secs % 60
        self.offset = offset
        hasTime = true
    }
}

extension FieldValue {
    /// The value as text: ISO days and instants, numbers with `.`, lists joined with `;`.
    var plainText: String {
        switch self {
        case .empty: return ""
        case .text(let s): return s
        case .number(let d):
            return NSDecimalNumber(decimal: d).description(withLocale: Locale(identifier: "en_US_POSIX"))
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .day(let d): return d.description
        case .instant(let t): return t.iso8601UTC
        case .list(let l): return l.joined(separator: ";")
        }
    }
}

extension Decimal {
    /// Rounded to a whole number, half away from zero.
    package var rounded0: Decimal {
        var src = self
        var out = Decimal()
        NSDecimalRound(&out, &src, 0, .plain)
        return out
    }
}
