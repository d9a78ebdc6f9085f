/// UTF-8 validation at the byte level, shared by the import's value path and the exporters' escaping.
public enum UTF8Sequence {
    /// The length of the UTF-8 sequence of one scalar value starting at `b[i]` (a byte >= 0x80), or 0 when the bytes
    /// there are not one: a stray continuation byte, an overlong form, a surrogate, a value past U+10FFFF, a cut
    /// sequence.
    @inlinable
    public static func length(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
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
        if i + len > b.count { return 0 }
        for k in 1..<len where b[i + k] & 0xC0 != 0x80 { return 0 }
        if c == 0xE0 && b[i + 1] < 0xA0 { return 0 }
        if c == 0xED && b[i + 1] >= 0xA0 { return 0 }
        if c == 0xF0 && b[i + 1] < 0x90 { return 0 }
        if c == 0xF4 && b[i + 1] >= 0x90 { return 0 }
        return len
    }
}
