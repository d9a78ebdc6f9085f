import CRMModel

/// Reading the store's stored text of a value without making Strings: dates, numbers, JSON lists.
enum RawCells {
    /// `YYYY-MM-DD` (the first 10 bytes of a date or a stamp) as days since 1970-01-01.
    static func days(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count >= 10, let y = num(b, 0, 4), let m = num(b, 5, 2), let d = num(b, 8, 2),
            let day = CalendarDay(year: y, month: m, day: d)
        else { return nil }
        return day.daysSinceEpoch
    }

    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` as seconds since 1970.
    static func seconds(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let d = days(b), b.count >= 19, let h = num(b, 11, 2), let mi = num(b, 14, 2), let s = num(b, 17, 2)
        else { return nil }
        var ms = 0.0
        if b.count >= 23, b[19] == UInt8(ascii: "."), let f = num(b, 20, 3) { ms = Double(f) / 1000 }
        return Double(d * 86400 + h * 3600 + mi * 60 + s) + ms
    }

    @inline(__always) static func num(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ n: Int) -> Int? {
        var v = 0
        for i in at..<(at + n) {
            let c = b[i]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// A stored JSON array of strings (`["a","b"]`) as its items joined by `; `, appended to `out`.
    static func appendList(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        var first = true
        while i < b.count {
            guard b[i] == 34 else {
                i += 1
                continue
            }
            if !first { out += [59, 32] }
            first = false
            i += 1
            while i < b.count, b[i] != 34 {
                if b[i] == 92, i + 1 < b.count {
                    i += 1
                    switch b[i] {
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "u"):
                        // \u00XX: control characters only (the store escapes nothing else).
                        if i + 4 < b.count, let v = hex(b, i + 1) { appendScalar(v, &out) }
                        i += 4
                    default: out.append(b[i])
                    }
                } else {
                    out.append(b[i])
                }
                i += 1
            }
            i += 1
        }
    }

    static func hex(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = b[k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: return nil
            }
            v = v * 16 + d
        }
        return v
    }

    static func appendScalar(_ v: UInt32, _ out: inout [UInt8]) {
        guard let s = Unicode.Scalar(v) else { return }
        out += Array(String(Character(s)).utf8)
    }
}
