public import CRMModel
import Foundation
import GRDBSQLite

/// SQLite's "copy the bytes now" destructor, which the C macro `SQLITE_TRANSIENT` spells.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement used directly on the hot path (binding without boxing values).
///
/// Owned by the connection GRDB opened; valid only inside the transaction that made it.
struct RawStatement {
    let handle: OpaquePointer
    let db: OpaquePointer
    let sql: String

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Resets without clearing bindings (for statements that bind every parameter each time).
    func resetKeepingBindings() { sqlite3_reset(handle) }

    /// Binds bytes that stay valid until the statement has run (no copy by SQLite).
    func bindStatic(_ i: Int32, _ p: UnsafePointer<UInt8>, _ count: Int) {
        p.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) { c in
            _ = sqlite3_bind_text(handle, i, c, Int32(count), nil)
        }
    }

    func bind(_ i: Int32, _ s: String?) {
        guard var s, !s.isEmpty else {
            sqlite3_bind_null(handle, i)
            return
        }
        s.withUTF8 { u in
            _ = u.withMemoryRebound(to: CChar.self) { c in
                sqlite3_bind_text(handle, i, c.baseAddress, Int32(c.count), sqliteTransient)
            }
        }
    }

    /// Binds text as it is: nil as NULL, an empty string as the empty string (as GRDB binds it).
    func bindText(_ i: Int32, _ s: String?) {
        guard var s else {
            sqlite3_bind_null(handle, i)
            return
        }
        guard !s.isEmpty else {
            _ = sqlite3_bind_text(handle, i, "", 0, sqliteTransient)
            return
        }
        s.withUTF8 { u in
            _ = u.withMemoryRebound(to: CChar.self) { c in
                sqlite3_bind_text(handle, i, c.baseAddress, Int32(c.count), sqliteTransient)
            }
        }
    }

    func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(handle, i, v) } else { sqlite3_bind_null(handle, i) }
    }

    /// Binds a field value in its stored form.
    func bind(_ i: Int32, _ v: FieldValue) {
        switch v {
        case .empty: sqlite3_bind_null(handle, i)
        case .text(let s): bind(i, s)
        case .number(let d): bind(i, NSDecimalNumber(decimal: d).stringValue)
        case .integer(let n): sqlite3_bind_int64(handle, i, Int64(n))
        case .bool(let b): sqlite3_bind_int64(handle, i, b ? 1 : 0)
        case .day(let d): bind(i, d.description)
        case .instant(let d): bind(i, d.iso8601UTC)
        case .list(let l): bind(i, JSONText.array(l))
        }
    }

    /// Runs a statement that returns no rows.
    func run(path: String?) throws {
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc, path: path) }
    }

    /// Steps once; true when a row is available.
    func step(path: String?) throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw error(rc, path: path)
    }

    func text(_ col: Int32) -> String? {
        guard sqlite3_column_type(handle, col) != SQLITE_NULL, let p = sqlite3_column_text(handle, col) else {
            return nil
        }
        return String(
            decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, col))), as: UTF8.self)
    }

    func int64(_ col: Int32) -> Int64? {
        sqlite3_column_type(handle, col) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, col)
    }

    func error(_ rc: Int32, path: String?) -> StoreError {
        let msg = String(cString: sqlite3_errmsg(db))
        let code: StoreError.Code =
            rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? .busy : rc == SQLITE_CORRUPT ? .corrupt : .sqlite
        return StoreError(code, path: path, sqliteCode: rc, message: msg)
    }
}

/// Field values in the form the store binds them: text and integers only, with dates, numbers and
/// lists already formatted. Done on the reading thread so that the writing thread only binds.
public enum StoreValues {
    public static func prepare(_ values: [FieldValue]) -> [FieldValue] {
        values.map { v in
            switch v {
            case .empty, .text, .integer: return v
            case .bool(let b): return .integer(b ? 1 : 0)
            case .number(let d): return .text(NSDecimalNumber(decimal: d).stringValue)
            case .day(let d): return .text(d.description)
            case .instant(let d): return .text(d.iso8601UTC)
            case .list(let l): return .text(JSONText.array(l))
            }
        }
    }
}

extension StoreValues {
    /// A bind-ready value (`prepare`) back in its typed form. Outside the generic `RecordTable` so that a caller in a
    /// loop pays no generic context.
    static func typed(_ v: FieldValue, _ kind: FieldKind) -> FieldValue {
        switch (kind, v) {
        case (.bool, .integer(let n)): return .bool(n != 0)
        case (.number, .text(let t)):
            return Decimal(string: t, locale: posixLocale).map { .number($0) } ?? .empty
        case (.day, .text(let t)): return CalendarDay(iso: t).map { .day($0) } ?? .empty
        case (.instant, .text(let t)): return ISOStamp.parse(t).map { .instant($0) } ?? .empty
        case (.list, .text(let t)):
            let l = JSONText.decodeArray(t)
            return l.isEmpty ? .empty : .list(l)
        default: return v
        }
    }

    /// Custom fields as the store keeps them (a JSON object; nil when there are none).
    public static func customJSON(_ custom: [String: String]) -> String? { JSONText.object(custom) }
}

/// Minimal JSON text for the store's list and dictionary columns (no Foundation encoder on the hot path).
enum JSONText {
    static func string(_ s: String, into out: inout String) {
        out.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append("\"")
    }

    static func array(_ items: [String]) -> String {
        var out = "["
        for (i, s) in items.enumerated() {
            if i > 0 { out.append(",") }
            string(s, into: &out)
        }
        return out + "]"
    }

    static func object(_ dict: [String: String]) -> String? {
        if dict.isEmpty { return nil }
        var out = "{"
        for (i, k) in dict.keys.sorted().enumerated() {
            if i > 0 { out.append(",") }
            string(k, into: &out)
            out.append(":")
            string(dict[k]!, into: &out)
        }
        return out + "}"
    }

    /// A JSON array of strings (as `array` writes it); empty for NULL or anything else.
    ///
    /// Read here rather than by `JSONSerialization`, which drops a U+FEFF that starts a string (it takes
    /// it for a byte order mark): a tag or custom value of just U+FEFF came back empty.
    static func decodeArray(_ s: String?) -> [String] {
        guard var s else { return [] }
        return s.withUTF8 { b in
            var r = JSONStringReader(b)
            var out: [String] = []
            guard r.take(UInt8(ascii: "[")) else { return [] }
            if r.take(UInt8(ascii: "]")) { return r.atEnd ? out : [] }
            repeat {
                guard let item = r.string() else { return [] }
                out.append(item)
            } while r.take(UInt8(ascii: ","))
            return r.take(UInt8(ascii: "]")) && r.atEnd ? out : []
        }
    }

    /// A JSON object of strings (as `object` writes it); empty for NULL or anything else.
    static func decodeObject(_ s: String?) -> [String: String] {
        guard var s else { return [:] }
        return s.withUTF8 { b in
            var r = JSONStringReader(b)
            var out: [String: String] = [:]
            guard r.take(UInt8(ascii: "{")) else { return [:] }
            if r.take(UInt8(ascii: "}")) { return r.atEnd ? out : [:] }
            repeat {
                guard let key = r.string(), r.take(UInt8(ascii: ":")), let value = r.string() else { return [:] }
                out[key] = value
            } while r.take(UInt8(ascii: ","))
            return r.take(UInt8(ascii: "}")) && r.atEnd ? out : [:]
        }
    }
}

/// Reads the strings and punctuation of a JSON text (RFC 8259), every scalar value as written.
struct JSONStringReader {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    /// True when only whitespace is left.
    var atEnd: Bool {
        mutating get {
            skipSpace()
            return i == b.count
        }
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    /// Consumes `c` (after whitespace) when it comes next.
    mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    /// A string (after whitespace), or nil when none comes next or it is malformed.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < b.count else { return nil }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var v = hex4() else { return nil }
                    if v >= 0xD800 && v < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"),
                        b[i + 1] == UInt8(ascii: "u")
                    {
                        let mark = i
                        i += 2
                        if let low = hex4(), low >= 0xDC00 && low < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = mark
                        }
                    }
                    // A lone surrogate is no scalar value: U+FFFD, as a decoder of UTF-16 does.
                    out.append(contentsOf: String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8)
                default: return nil
                }
            case 0..<0x20: return nil
            default: out.append(c)
            }
        }
        return nil
    }

    /// Four hex digits, consumed.
    mutating func hex4() -> UInt32? {
        guard i + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
