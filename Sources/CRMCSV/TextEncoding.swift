import Foundation

/// The text encodings the reader accepts; everything is transcoded to UTF-8 before parsing.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
    case latin1 = "latin-1"

    /// Parses the names users write (`UTF8`, `cp1252`, `iso-8859-1`, …).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "utf-16le", "utf16le", "utf-16", "utf16", "unicode": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        case "windows-1252", "cp1252", "win1252", "windows1252": self = .windows1252
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1": self = .latin1
        default: return nil
        }
    }
}

/// What `detect` found at the start of a file.
public struct EncodingDetection: Sendable, Equatable {
    public let encoding: TextEncoding
    /// Length of the byte-order mark to skip.
    public let bomLength: Int

    /// Where a file read as Windows-1252 also holds valid UTF-8 characters: the byte offsets of the first of those
    /// and of the first byte that is no UTF-8, and how many of each (nil when it does not).
    public var mixed: (utf8At: Int, otherAt: Int, utf8: Int, other: Int)?

    public init(encoding: TextEncoding, bomLength: Int) {
        self.encoding = encoding
        self.bomLength = bomLength
    }

    public static func == (a: EncodingDetection, b: EncodingDetection) -> Bool {
        a.encoding == b.encoding && a.bomLength == b.bomLength && a.mixed?.utf8At == b.mixed?.utf8At
            && a.mixed?.otherAt == b.mixed?.otherAt
    }
}

extension TextEncoding {
    /// Detects the encoding of a file from its first bytes.
    ///
    /// A BOM decides; without one, UTF-16 is recognised by its NUL pattern, a NUL anywhere else
    /// means a binary file (nil), valid UTF-8 is UTF-8, and anything else is Windows-1252.
    public static func detect(_ sample: some Collection<UInt8>, isWholeFile: Bool) -> EncodingDetection? {
        let b = Array(sample.prefix(65536))
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return .init(encoding: .utf8, bomLength: 3) }
        if b.starts(with: [0xFF, 0xFE]) { return .init(encoding: .utf16LE, bomLength: 2) }
        if b.starts(with: [0xFE, 0xFF]) { return .init(encoding: .utf16BE, bomLength: 2) }
        let nuls = b.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        if nuls > 0 {
            var evenNul = 0
            var oddNul = 0
            for (i, x) in b.enumerated() where x == 0 { if i % 2 == 0 { evenNul += 1 } else { oddNul += 1 } }
            let pairs = max(1, b.count / 2)
            if oddNul * 10 >= pairs * 7, evenNul * 20 < pairs { return .init(encoding: .utf16LE, bomLength: 0) }
            if evenNul * 10 >= pairs * 7, oddNul * 20 < pairs { return .init(encoding: .utf16BE, bomLength: 0) }
            return nil
        }
        // Valid UTF-8 is UTF-8. So is UTF-8 with a stray byte or two (a file edited in two tools): read as Windows-1252,
        // every one of its valid characters turned into two or three wrong ones in silence (`€` into `â‚¬`: a trial).
        // Its rows with the stray bytes are rejected with the reason instead. Windows-1252 text seldom makes a valid
        // UTF-8 sequence (`Ã©`), so at least twice as many of those as bytes that are no UTF-8 decide.
        let (valid, invalid) = utf8Sequences(b, allowTruncatedEnd: !isWholeFile)
        let utf8 = invalid == 0 || (valid > 0 && valid >= 2 * invalid)
        var d = EncodingDetection(encoding: utf8 ? .utf8 : .windows1252, bomLength: 0)
        // Read as Windows-1252, two valid UTF-8 characters or more turn into mojibake in silence (a trial's `Zoë` into
        // `ZoÃ«`): the file mixes the two, which the reader says (one such pair in Windows-1252 text, `Ã©`, is rare).
        if !utf8, valid >= 2, let at = firstOffsets(b) { d.mixed = (at.valid, at.invalid, valid, invalid) }
        return d
    }

    /// The offsets of the first valid multi-byte UTF-8 sequence and of the first byte that starts none.
    static func firstOffsets(_ bytes: [UInt8]) -> (valid: Int, invalid: Int)? {
        var valid: Int?
        var invalid: Int?
        var i = 0
        while i < bytes.count, valid == nil || invalid == nil {
            if bytes[i] < 0x80 {
                i += 1
                continue
            }
            let len = sequenceLength(bytes, at: i)
            if len <= 0 {
                if invalid == nil { invalid = i }
                i += 1
            } else {
                if valid == nil { valid = i }
                i += len
            }
        }
        guard let valid, let invalid else { return nil }
        return (valid, invalid)
    }

    /// The multi-byte UTF-8 sequences in `bytes` that are valid, and the bytes that start no valid one.
    static func utf8Sequences(_ bytes: [UInt8], allowTruncatedEnd: Bool) -> (valid: Int, invalid: Int) {
        var valid = 0
        var invalid = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 {
                i += 1
                continue
            }
            let len = sequenceLength(bytes, at: i)
            if len < 0 {
                if !allowTruncatedEnd { invalid += 1 }
                break
            }
            if len == 0 {
                invalid += 1
                i += 1
            } else {
                valid += 1
                i += len
            }
        }
        return (valid, invalid)
    }

    /// The length of the sequence a lead byte (>= 0x80) at `i` starts when its continuation bytes follow, 0 when it
    /// starts none, -1 when the bytes end inside it.
    private static func sequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let c = bytes[i]
        let len: Int
        if c & 0xE0 == 0xC0 && c >= 0xC2 {
            len = 2
        } else if c & 0xF0 == 0xE0 {
            len = 3
        } else if c & 0xF8 == 0xF0 && c <= 0xF4 {
            len = 4
        } else {
            return 0
        }
        if i + len > bytes.count { return -1 }
        for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { return 0 }
        return len
    }

    /// True when `bytes` are valid UTF-8; a sequence cut at the very end is allowed when asked.
    public static func isValidUTF8(_ bytes: [UInt8], allowTruncatedEnd: Bool) -> Bool {
        utf8Sequences(bytes, allowTruncatedEnd: allowTruncatedEnd).invalid == 0
    }
}

/// Incremental transcoder from a file's encoding to UTF-8; state carries across chunk boundaries.
public struct UTF8Transcoder: Sendable {
    public let encoding: TextEncoding
    /// The odd byte at the end of the last UTF-16 chunk.
    private var carry: UInt8?
    private var highSurrogate: UInt16?

    public init(_ encoding: TextEncoding) { self.encoding = encoding }

    /// Appends the UTF-8 form of `input` to `output`.
    public mutating func transcode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        switch encoding {
        case .utf8:
            output.append(contentsOf: input)
        case .latin1:
            reserve(&output, input.count + input.count / 4)
            for b in input {
                if b < 0x80 {
                    output.append(b)
                } else {
                    output.append(0xC0 | (b >> 6))
                    output.append(0x80 | (b & 0x3F))
                }
            }
        case .windows1252:
            reserve(&output, input.count + input.count / 4)
            for b in input {
                if b < 0x80 {
                    output.append(b)
                } else if b >= 0xA0 {
                    output.append(0xC0 | (b >> 6))
                    output.append(0x80 | (b & 0x3F))
                } else {
                    appendScalar(cp1252C1[Int(b) - 0x80], into: &output)
                }
            }
        case .utf16LE, .utf16BE:
            // Units are read straight from `input`; only an odd byte left at a chunk's end is carried over.
            reserve(&output, input.count + input.count / 2)
            let le = encoding == .utf16LE
            @inline(__always) func unit(_ a: UInt8, _ b: UInt8) -> UInt16 {
                le ? UInt16(a) | UInt16(b) << 8 : UInt16(a) << 8 | UInt16(b)
            }
            var i = 0
            if let first = carry, input.count > 0 {
                carry = nil
                appendUTF16(unit(first, input[0]), into: &output)
                i = 1
            }
            while i + 1 < input.count {
                appendUTF16(unit(input[i], input[i + 1]), into: &output)
                i += 2
            }
            if i < input.count { carry = input[i] }
        }
    }

    /// Flushes what a truncated input left behind: a high surrogate with no partner, or an odd last byte, as bytes
    /// that are not UTF-8 (so the row holding them is rejected, never imported with a guessed character).
    public mutating func finish(into output: inout [UInt8]) {
        if let hi = highSurrogate { Self.appendUnpaired(hi, into: &output) }
        if carry != nil { output.append(0xFF) }
        highSurrogate = nil
        carry = nil
    }

    /// An unpaired surrogate, written as its three-byte form (ED A0–BF xx), which UTF-8 forbids: the row that holds
    /// it is rejected as "not valid UTF-8 (an unpaired UTF-16 surrogate)" instead of being stored with U+FFFD in
    /// its place.
    @inline(__always) static func appendUnpaired(_ u: UInt16, into out: inout [UInt8]) {
        out.append(0xED)
        out.append(0x80 | UInt8((u >> 6) & 0x3F))
        out.append(0x80 | UInt8(u & 0x3F))
    }

    private mutating func appendUTF16(_ u: UInt16, into out: inout [UInt8]) {
        if let hi = highSurrogate {
            highSurrogate = nil
            if u >= 0xDC00 && u <= 0xDFFF {
                let scalar = 0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(u) - 0xDC00)
                appendScalar(scalar, into: &out)
                return
            }
            Self.appendUnpaired(hi, into: &out)
        }
        if u >= 0xD800 && u <= 0xDBFF {
            highSurrogate = u
        } else if u >= 0xDC00 && u <= 0xDFFF {
            Self.appendUnpaired(u, into: &out)
        } else {
            appendScalar(UInt32(u), into: &out)
        }
    }
}

/// Makes room for `more` bytes, growing geometrically (a plain `reserveCapacity` per small chunk would copy the
/// buffer every time).
@inline(__always) private func reserve(_ out: inout [UInt8], _ more: Int) {
    let needed = out.count + more
    if out.capacity < needed { out.reserveCapacity(max(needed, 2 * out.capacity)) }
}

@inline(__always) func appendScalar(_ s: UInt32, into out: inout [UInt8]) {
    if s < 0x80 {
        out.append(UInt8(s))
    } else if s < 0x800 {
        out.append(UInt8(0xC0 | (s >> 6)))
        out.append(UInt8(0x80 | (s & 0x3F)))
    } else if s < 0x10000 {
        out.append(UInt8(0xE0 | (s >> 12)))
        out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (s & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (s >> 18)))
        out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (s & 0x3F)))
    }
}

/// Windows-1252 0x80–0x9F; the five undefined bytes map to their C1 code points, as Python's and WHATWG's decoders do.
/// (0xA0–0xFF are the Latin-1 code points.)
private let cp1252C1: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
    0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x9D, 0x017E, 0x0178,
]
