/// Email address normalisation and validation.
public enum EmailAddress {
    /// The address trimmed and lower-cased, or nil when it is not a plausible address.
    ///
    /// Plausible: one `@`, a non-empty local part without spaces, a domain with a dot, no empty
    /// labels, no spaces or control characters. A pure-ASCII address is handled without Unicode work.
    public static func normalize(_ raw: String) -> String? {
        if isAlreadyNormal(raw) { return raw }
        var bytes = Array(raw.utf8)
        // Trim ASCII whitespace and a surrounding `mailto:` or angle brackets.
        while let f = bytes.first, isSpace(f) { bytes.removeFirst() }
        while let l = bytes.last, isSpace(l) { bytes.removeLast() }
        if bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">") {
            bytes.removeFirst()
            bytes.removeLast()
        }
        if bytes.count > 7, bytes[0...6].map({ $0 | 0x20 }) == Array("mailto:".utf8) { bytes.removeFirst(7) }
        guard !bytes.isEmpty, bytes.count <= 254 else { return nil }
        var at = -1
        var ascii = true
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "@") {
                if at >= 0 { return nil }
                at = i
            } else if b <= 0x20 || b == 0x7F || b == UInt8(ascii: ",") || b == UInt8(ascii: ";")
                || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"")
            {
                return nil
            } else if b >= 0x80 {
                ascii = false
            }
        }
        guard at > 0, at < bytes.count - 1 else { return nil }
        let domain = bytes[(at + 1)...]
        guard domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: "."),
            !containsDoubleDot(domain), bytes[at - 1] != UInt8(ascii: "."), bytes[0] != UInt8(ascii: ".")
        else { return nil }
        if ascii {
            for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] |= 0x20 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// True for a lower-case ASCII address with one `@`, a dotted domain and nothing to trim: the common case.
    static func isAlreadyNormal(_ s: String) -> Bool {
        var copy = s
        return copy.withUTF8 { b in
            guard b.count >= 5, b.count <= 254, b[0] != UInt8(ascii: "."), b[b.count - 1] != UInt8(ascii: ".") else {
                return false
            }
            var at = -1
            var dotAfterAt = false
            var prev: UInt8 = 0
            for i in 0..<b.count {
                let c = b[i]
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                    UInt8(ascii: "_"), UInt8(ascii: "+"):
                    break
                case UInt8(ascii: "."):
                    if prev == UInt8(ascii: ".") || prev == UInt8(ascii: "@") { return false }
                    if at >= 0 { dotAfterAt = true }
                case UInt8(ascii: "@"):
                    if at >= 0 || i == 0 || prev == UInt8(ascii: ".") { return false }
                    at = i
                default:
                    return false
                }
                prev = c
            }
            return at > 0 && at < b.count - 1 && dotAfterAt
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func containsDoubleDot(_ s: ArraySlice<UInt8>) -> Bool {
        var prev: UInt8 = 0
        for b in s {
            if b == UInt8(ascii: "."), prev == UInt8(ascii: ".") { return true }
            prev = b
        }
        return false
    }
}
