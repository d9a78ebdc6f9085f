public import Foundation

/// A record's local id: a UUID version 7, so ids sort by creation time and index appends stay cheap.
public struct RecordID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    /// Parses the text form as `UUID(uuidString:)` does. The canonical form (36 characters, hex digits in either case,
    /// hyphens after the 8th, 12th, 16th and 20th digit) without its `sscanf` per byte: an import reads back the id of
    /// every stored record it merges into. Anything else goes to `UUID(uuidString:)`, which takes a few more forms.
    public init?(_ string: String) {
        if let id = RecordID(canonical: string) {
            self = id
        } else if let u = UUID(uuidString: string) {
            uuid = u
        } else {
            return nil
        }
    }

    /// Parses the canonical text form only (see `init?(_:)`).
    public init?(canonical string: String) {
        var text = string
        guard let bytes = text.withUTF8({ Self.parse($0) }) else { return nil }
        uuid = UUID(uuid: bytes)
    }

    private static func parse(_ p: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard p.count == 36, p[8] == 45, p[13] == 45, p[18] == 45, p[23] == 45 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &out) { o -> Bool in
            var i = 0
            for k in 0..<16 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1 }
                guard let hi = nibble(p[i]), let lo = nibble(p[i + 1]) else { return false }
                o[k] = hi << 4 | lo
                i += 2
            }
            return true
        }
        return ok ? out : nil
    }

    /// A new time-ordered id (RFC 9562 UUIDv7) for the given time.
    public static func make(at date: Date = Date()) -> RecordID {
        var rng = SystemRandomNumberGenerator()
        return make(at: date, using: &rng)
    }

    /// A new time-ordered id drawing its random bits from `rng`.
    public static func make(at date: Date, using rng: inout some RandomNumberGenerator) -> RecordID {
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let r1 = rng.next() as UInt64
        let r2 = rng.next() as UInt64
        let b:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8
            ) = (
                UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32),
                UInt8(truncatingIfNeeded: ms >> 24), UInt8(truncatingIfNeeded: ms >> 16),
                UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
                0x70 | UInt8(truncatingIfNeeded: r1 & 0x0F), UInt8(truncatingIfNeeded: r1 >> 8),
                0x80 | UInt8(truncatingIfNeeded: (r1 >> 16) & 0x3F), UInt8(truncatingIfNeeded: r1 >> 24),
                UInt8(truncatingIfNeeded: r2), UInt8(truncatingIfNeeded: r2 >> 8),
                UInt8(truncatingIfNeeded: r2 >> 16), UInt8(truncatingIfNeeded: r2 >> 24),
                UInt8(truncatingIfNeeded: r2 >> 32), UInt8(truncatingIfNeeded: r2 >> 40)
            )
        return RecordID(uuid: UUID(uuid: b))
    }

    /// The short id lists print: the last 12 hex digits, the random tail of the UUID (its leading
    /// digits are a timestamp that every record of one import shares). Commands that take an id
    /// accept it, the full id, or a unique prefix of the full id (`CRMStore.record(_:id:)`).
    public var short: String { RecordID.short(description) }

    /// The short id of an id given as text: its last 12 characters (the text itself when shorter).
    public static func short(_ id: String) -> String { String(id.suffix(12)) }

    /// The lookup key for an id a user typed: trimmed, lower case, 8 to 36 characters of an id (a full id without its
    /// hyphens gets them back); nil for text that cannot be (part of) an id. Every command that takes an id reads it
    /// this way, and `matches(key:id:)` says which records it names.
    public static func typedKey(_ text: String) -> String? {
        var key = text.trimmingCharacters(in: .whitespaces).lowercased()
        let isIDText = key.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || $0 == 45 }
        if isIDText, key.utf8.count == 32, !key.contains("-") {
            // A full id written without its hyphens (as some tools copy a UUID) is that id.
            let h = Array(key)
            key = [h[0..<8], h[8..<12], h[12..<16], h[16..<20], h[20..<32]].map { String($0) }.joined(separator: "-")
        }
        guard (8...36).contains(key.utf8.count), isIDText else { return nil }
        return key
    }

    /// Whether the full id `id` is one a typed key (`typedKey`) names: the id itself, its start, its end (the short id
    /// lists print is its last 12 characters), or the start of its short id.
    public static func matches(key: String, id: String) -> Bool {
        if key.utf8.count == 36 { return id == key }
        if id.hasPrefix(key) || id.hasSuffix(key) { return true }
        let shortStart = id.utf8.dropFirst(24)
        return shortStart.starts(with: key.utf8)
    }

    /// Lower-case canonical text, as stored and printed.
    public var description: String {
        String(unsafeUninitializedCapacity: 36) { writeText(into: $0) }
    }

    /// Writes the canonical text's 36 bytes at the start of `out`, which holds at least 36; returns 36. For a writer
    /// that lays texts out in a buffer of its own (the import), without making a string.
    public func writeText(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var o = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    out[o] = 45
                    o += 1
                }
                let b = raw[i]
                out[o] = Self.hexDigit(b >> 4)
                out[o + 1] = Self.hexDigit(b & 0x0F)
                o += 2
            }
            return 36
        }
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    /// The order of the canonical texts (lower-case hex keeps the order of the bytes), without making them.
    public static func < (a: RecordID, b: RecordID) -> Bool {
        withUnsafeBytes(of: a.uuid.uuid) { x in
            withUnsafeBytes(of: b.uuid.uuid) { y in x.lexicographicallyPrecedes(y) }
        }
    }

    /// Makes many ids fast: one timestamp per millisecond and a counter in the random bits
    /// (RFC 9562's monotonic method), so ids made in a row are also in order.
    ///
    /// The counter orders ids through the 26 bits after the version (it starts below 2^20 and counts up; when those
    /// bits wrap, the timestamp moves on a millisecond). The last 12 hex digits, the short id, are the counter mixed by a bijection of 48 bits, so
    /// the ids of one generator differ in their short id until 2^48 ids, and differ from their first digits on:
    /// with the counter itself there, ids of one import shared the short id's first eight digits, and typing the
    /// start of a short id (as `show` invites) matched dozens of records (a trial). The salt makes two generators'
    /// short ids unlikely to meet.
    public struct Generator: Sendable {
        private var ms: UInt64 = 0
        private var counter: UInt64
        private let salt: UInt64

        public init() {
            var sys = SystemRandomNumberGenerator()
            salt = sys.next()
            counter = (sys.next() as UInt64) >> 44  // 20 random bits: room to count up
        }

        /// A generator whose counter starts at `counter` (a test reaches the wrap of the ordering bits with it).
        public init(counter: UInt64, salt: UInt64 = 0) {
            self.counter = counter
            self.salt = salt
        }

        /// A bijection of the low 48 bits (xor-shifts and odd multipliers modulo 2^48).
        static func mix48(_ v: UInt64) -> UInt64 {
            let mask: UInt64 = 0xFFFF_FFFF_FFFF
            var x = v & mask
            x ^= x >> 23
            x = (x &* 0x9E37_79B9_7F4B) & mask
            x ^= x >> 21
            x = (x &* 0xC2B2_AE3D_27D5) & mask
            x ^= x >> 24
            return x
        }

        /// The next id.
        public mutating func next(at date: Date = Date()) -> RecordID {
            let now = UInt64(max(0, date.timeIntervalSince1970 * 1000))
            if now > ms { ms = now }
            counter &+= 1
            // The ordering bits wrap every 2^26 ids: the timestamp moves on a millisecond then (RFC 9562 6.2), so the
            // next id still sorts after this generator's earlier ones.
            if counter & 0x3FF_FFFF == 0 { ms += 1 }
            // The counter's low 26 bits in order (12 in rand_a, 14 at the top of rand_b), then the short id.
            let a = (counter >> 14) & 0x0FFF
            let b = ((counter & 0x3FFF) << 48) | Self.mix48(counter ^ salt)
            let bytes:
                (
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                    UInt8, UInt8
                ) = (
                    UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32),
                    UInt8(truncatingIfNeeded: ms >> 24), UInt8(truncatingIfNeeded: ms >> 16),
                    UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
                    0x70 | UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a),
                    0x80 | UInt8(truncatingIfNeeded: (b >> 56) & 0x3F), UInt8(truncatingIfNeeded: b >> 48),
                    UInt8(truncatingIfNeeded: b >> 40), UInt8(truncatingIfNeeded: b >> 32),
                    UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 16),
                    UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b)
                )
            return RecordID(uuid: UUID(uuid: bytes))
        }
    }
}
