import Foundation

/// A JSON value with object keys kept in order, read from and written to bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let b): h.combine(b)
        case .number(let d): h.combine(d)
        case .string(let s): h.combine(s)
        case .array(let a): h.combine(a)
        case .object(let o):
            for (k, v) in o {
                h.combine(k)
                h.combine(v)
            }
        }
    }

    /// Parses JSON bytes (RFC 8259), keeping the order of object keys.
    /// - Throws: `SyncError` with code `badResponse` when the bytes are not JSON.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var p = JSONParser(bytes: bytes)
        do {
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            guard p.i == bytes.count else { throw JSONParser.Failure(offset: p.i, what: "text after the JSON value") }
            return v
        } catch let f as JSONParser.Failure {
            let preview = String(decoding: bytes.prefix(80), as: UTF8.self)
            throw SyncError(
                .badResponse,
                message:
                    "the answer is not valid JSON: \(f.what) at byte \(f.offset) of \(bytes.count) (it starts \(preview.debugDescription))"
            )
        }
    }

    /// Compact JSON text.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 {
                out += Array(String(Int64(d)).utf8)
            } else {
                out += Array("\(d)".utf8)
            }
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        let plain = s.withUTF8 { buf in
            buf.allSatisfy { $0 >= 32 && $0 != 34 && $0 != 92 } ? (out.append(contentsOf: buf), true).1 : false
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<32: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: - Access

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .number: String(decoding: bytes, as: UTF8.self)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Sets `key` in an object (appending when new).
    mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var o) = self else {
            self = .object([(key, value)])
            return
        }
        if let i = o.firstIndex(where: { $0.0 == key }) { o[i].1 = value } else { o.append((key, value)) }
        self = .object(o)
    }
}

/// A path into a JSON document: `a.b`, `list[0].x`, `Addresses[Type=Billing].City`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        /// The first array element whose `key` equals `value` (created with it when writing).
        case select(key: String, value: String)
    }
    let steps: [Step]
    public let description: String

    /// Parses a path.
    /// - Throws: `SyncError` with code `invalidProfile` for an empty step or an unclosed bracket.
    public init(_ text: String) throws {
        description = text
        // `$` is the whole answer (a list answered as a bare array).
        if text == "$" {
            steps = []
            return
        }
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            guard !rest.isEmpty else {
                throw SyncError(.invalidProfile, message: "the JSON path '\(text)' has an empty step")
            }
            let name = rest.prefix { $0 != "[" }
            if !name.isEmpty { steps.append(.key(String(name))) }
            rest = rest.dropFirst(name.count)
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else {
                    throw SyncError(.invalidProfile, message: "the JSON path '\(text)' has an unclosed '['")
                }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if let i = Int(inner) {
                    steps.append(.index(i))
                } else if let eq = inner.firstIndex(of: "=") {
                    steps.append(.select(key: String(inner[..<eq]), value: String(inner[inner.index(after: eq)...])))
                } else {
                    throw SyncError(
                        .invalidProfile, message: "the JSON path '\(text)' has '[\(inner)]'; use [N] or [Key=Value]")
                }
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else {
                throw SyncError(.invalidProfile, message: "the JSON path '\(text)' is malformed near '\(rest)'")
            }
        }
        self.steps = steps
    }

    /// The value at this path, or nil.
    public func get(_ root: JSONValue) -> JSONValue? {
        var cur = root
        for s in steps {
            switch s {
            case .key(let k):
                guard let v = cur[k] else { return nil }
                cur = v
            case .index(let i):
                guard let a = cur.arrayValue, i < a.count else { return nil }
                cur = a[i]
            case .select(let k, let v):
                guard let a = cur.arrayValue, let e = a.first(where: { $0[k]?.stringValue == v }) else { return nil }
                cur = e
            }
        }
        return cur
    }

    /// Writes `value` at this path, creating objects and array elements on the way.
    public func set(_ root: inout JSONValue, _ value: JSONValue) { Self.set(&root, steps[...], value) }

    private static func set(_ node: inout JSONValue, _ steps: ArraySlice<Step>, _ value: JSONValue) {
        guard let first = steps.first else {
            node = value
            return
        }
        let rest = steps.dropFirst()
        switch first {
        case .key(let k):
            if case .object = node {} else { node = .object([]) }
            var child = node[k] ?? .null
            set(&child, rest, value)
            node.set(k, child)
        case .index(let i):
            var a = node.arrayValue ?? []
            while a.count <= i { a.append(.null) }
            set(&a[i], rest, value)
            node = .array(a)
        case .select(let k, let v):
            var a = node.arrayValue ?? []
            let i =
                a.firstIndex { $0[k]?.stringValue == v }
                ?? {
                    a.append(.object([(k, .string(v))]))
                    return a.count - 1
                }()
            set(&a[i], rest, value)
            node = .array(a)
        }
    }
}

/// A recursive-descent JSON reader over bytes.
struct JSONParser {
    struct Failure: Error {
        let offset: Int
        let what: String
    }
    let bytes: [UInt8]
    var i = 0

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw Failure(offset: i, what: "nesting deeper than 512") }
        guard i < bytes.count else { throw Failure(offset: i, what: "unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var o: [(String, JSONValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(o)
            }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw Failure(offset: i, what: "expected a key")
                }
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw Failure(offset: i, what: "expected ':'")
                }
                i += 1
                skipSpace()
                o.append((k, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw Failure(offset: i, what: "unexpected end in an object") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(o)
                }
                throw Failure(offset: i, what: "expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(a)
            }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw Failure(offset: i, what: "unexpected end in an array") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(a)
                }
                throw Failure(offset: i, what: "expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw Failure(offset: i, what: "unexpected character")
        }
        i += w.count
    }

    mutating func number() throws -> Double {
        let start = i
        while i < bytes.count,
            (bytes[i] >= 48 && bytes[i] <= 57) || bytes[i] == 45 || bytes[i] == 43 || bytes[i] == 46 || bytes[i] == 101
                || bytes[i] == 69
        { i += 1 }
        guard i > start, let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
            throw Failure(offset: start, what: "unexpected character")
        }
        guard d.isFinite else { throw Failure(offset: start, what: "a number out of range") }
        return d
    }

    mutating func string() throws -> String {
        i += 1
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != 92 {
            guard bytes[i] >= 32 else { throw Failure(offset: i, what: "a control character in a string") }
            i += 1
        }
        guard i < bytes.count else { throw Failure(offset: start, what: "an unterminated string") }
        if bytes[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw Failure(offset: start, what: "an unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                break
            }
            if b != 92 {
                guard b >= 32 else { throw Failure(offset: i, what: "a control character in a string") }
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { throw Failure(offset: i, what: "an unterminated escape") }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var code = try hex4()
                // A high surrogate takes the low one after it; an unpaired surrogate becomes U+FFFD.
                if (0xD800..<0xDC00).contains(code), i + 5 < bytes.count, bytes[i] == 92,
                    bytes[i + 1] == UInt8(ascii: "u")
                {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
            case UInt8(ascii: "\""), 92, UInt8(ascii: "/"): out.append(e)
            default: throw Failure(offset: i - 1, what: "an invalid escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw Failure(offset: i, what: "an invalid \\u escape")
        }
        i += 4
        return v
    }
}
