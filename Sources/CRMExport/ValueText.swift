import CRMModel
import Foundation

/// How values print in NDJSON.
enum ValueText {
    /// A JSON value: numbers as numbers, dates as ISO 8601 strings, lists as arrays, empty as null.
    static func json(_ v: FieldValue, into out: inout String) {
        switch v {
        case .empty: out += "null"
        case .text(let s): jsonString(s, into: &out)
        case .number(let d): out += NSDecimalNumber(decimal: d).stringValue
        case .integer(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .day(let d): jsonString(d.description, into: &out)
        case .instant(let d): jsonString(d.iso8601UTC, into: &out)
        case .list(let l):
            out += "["
            for (i, s) in l.enumerated() {
                if i > 0 { out += "," }
                jsonString(s, into: &out)
            }
            out += "]"
        }
    }

    static func jsonString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
