import Foundation

/// An XLSX workbook's shared strings: a text repeated down a column (a stage, a currency, an owner) is written once,
/// in `xl/sharedStrings.xml`, and each cell refers to it by index (`<c t="s"><v>3</v></c>`, 22 bytes instead of 35
/// and the text's own). On 1M exported opportunities seven of nine text columns repeat, and the sheet's XML, which
/// is deflated, shrank by a quarter.
///
/// Bounded: at most `maxCount` strings of at most `maxLength` bytes, `maxBytes` in all; past that, texts are written
/// inline as before. Only texts that need no escaping go in (`XLSXWriter.isPlain`), so a shared string is written as
/// it is. A column whose texts are mostly new (an id, a name) stops being looked up (`Column`).
struct SharedStrings {
    let maxCount: Int, maxBytes: Int, maxLength: Int
    /// The strings' bytes one after another; string `i` is `arena[starts[i]..<starts[i + 1]]`.
    private(set) var arena: [UInt8] = []
    private(set) var starts: [Int] = [0]
    /// Open addressing: each slot holds a string's index + 1, or 0 when empty. Twice `maxCount` slots at most.
    private var slots: [Int32]
    private var mask: Int
    /// How many cells refer to a shared string (the `count` of `sharedStrings.xml`).
    private(set) var references = 0
    /// Each string's index in decimal, its digits packed into a word, least significant byte first: a cell writes it
    /// in one store (`ByteSink.write(word:_:)`) instead of formatting the number again.
    private var decimals: [(word: UInt64, count: Int)] = []

    init(maxCount: Int = 1 << 16, maxBytes: Int = 8 << 20, maxLength: Int = 255) {
        precondition(maxCount <= 100_000_000, "an index is at most eight digits")
        self.maxCount = maxCount
        self.maxBytes = maxBytes
        self.maxLength = maxLength
        slots = [Int32](repeating: 0, count: 1024)
        mask = 1023
    }

    /// How many distinct strings there are.
    var count: Int { starts.count - 1 }

    /// The index of `b` and whether it was there already (else it is added, if there is room); nil when it is too
    /// long or the table is full.
    mutating func index(of b: UnsafeBufferPointer<UInt8>) -> (index: Int, found: Bool)? {
        guard b.count <= maxLength, !b.isEmpty, let base = b.baseAddress else { return nil }
        var slot = Self.hash(base, b.count) & mask
        while slots[slot] != 0 {
            let i = Int(slots[slot]) - 1
            if equals(i, b) {
                references += 1
                return (i, true)
            }
            slot = (slot + 1) & mask
        }
        guard count < maxCount, arena.count + b.count <= maxBytes else { return nil }
        arena.append(contentsOf: b)
        starts.append(arena.count)
        slots[slot] = Int32(count)
        decimals.append(Self.packed(count - 1))
        references += 1
        if count * 2 > mask { grow() }
        return (count - 1, false)
    }

    /// String `i`'s index in decimal: up to eight digits packed into a word, and how many.
    func decimal(_ i: Int) -> (word: UInt64, count: Int) { decimals[i] }

    static func packed(_ i: Int) -> (word: UInt64, count: Int) {
        let text = Array(String(i).utf8)
        var word: UInt64 = 0
        for (k, c) in text.enumerated() { word |= UInt64(c) << (8 * UInt64(k)) }
        return (word, text.count)
    }

    /// The bytes of string `i`.
    func bytes(_ i: Int) -> ArraySlice<UInt8> { arena[starts[i]..<starts[i + 1]] }

    private func equals(_ i: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = starts[i]
        guard starts[i + 1] - s == b.count else { return false }
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + s, b.baseAddress!, b.count) == 0 }
    }

    /// A hash of `n` bytes, 8 at a time; the last (partial) word read as the last 8 bytes, or as two 4-byte words
    /// overlapping for 4 to 7 bytes.
    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        if i < n {
            if n >= 8 {
                tail = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                tail =
                    UInt64(raw.loadUnaligned(as: UInt32.self))
                    | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
            } else {
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(p[i]) << shift
                    shift += 8
                    i += 1
                }
            }
        }
        h = (h ^ tail) &* 0xc4ce_b9fe_1a85_ec53
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for i in 0..<count {
            var slot =
                arena.withUnsafeBufferPointer { Self.hash($0.baseAddress! + starts[i], starts[i + 1] - starts[i]) }
                & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    /// Whether one column's texts are worth looking up: yes until `trial` of them have been, then only if at least
    /// half were already in the table (a column of stages, not of ids).
    struct Column {
        static let trial = 2_000
        private var looked = 0
        private var found = 0
        private(set) var shared = true

        /// Counts a look-up (`found`: the text was in the table already).
        mutating func count(found wasFound: Bool) {
            guard looked < Self.trial else { return }
            looked += 1
            if wasFound { found += 1 }
            if looked == Self.trial { shared = found * 2 >= Self.trial }
        }
    }

    /// `xl/sharedStrings.xml`.
    func xml() -> [UInt8] {
        var out = Array(
            ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/"
                + "spreadsheetml/2006/main\" count=\"\(references)\" uniqueCount=\"\(count)\">").utf8)
        out.reserveCapacity(out.count + arena.count + count * 16 + 6)
        let open = Array("<si><t>".utf8)
        let close = Array("</t></si>".utf8)
        for i in 0..<count {
            out += open
            out += bytes(i)
            out += close
        }
        out += Array("</sst>".utf8)
        return out
    }
}
