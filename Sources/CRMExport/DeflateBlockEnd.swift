/// Where a deflate stream of one final block ends inside its last byte, read from the block's header: the
/// end-of-block code is known from the header (fixed, or the dynamic block's code lengths), and the stream ends with
/// that code and zero padding. `DeflateSegment` uses it to join libdeflate's pieces without decompressing each one.
enum DeflateBlockEnd {
    /// The zero bits after the end-of-block code in the last byte (0–7), when exactly one count fits the stream's
    /// end; nil when the stream is not one final block, its header does not parse, or more than one count fits.
    static func paddingBits(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var r = BitReader(p, count)
        guard r.read(1) == 1, let type = r.read(2) else { return nil }
        let length: Int
        let code: Int
        switch type {
        case 0: return 0  // A stored block: its bytes end the stream, on a byte boundary.
        case 1: (length, code) = (7, 0)  // Fixed codes: end-of-block is seven zero bits.
        case 2:
            guard let eob = dynamicEndOfBlock(&r) else { return nil }
            (length, code) = eob
        default: return nil
        }
        let total = 8 * count
        var fits: Int?
        for pad in 0..<8 {
            let end = total - pad
            guard end - length >= r.position else { break }
            var ok = true
            for b in end..<total where r.bit(b) != 0 { ok = false }
            // A Huffman code is sent from its most significant bit.
            for j in 0..<length where r.bit(end - length + j) != (code >> (length - 1 - j)) & 1 { ok = false }
            if ok {
                guard fits == nil else { return nil }
                fits = pad
            }
        }
        return fits
    }

    /// The end-of-block symbol's code length and code in a dynamic block whose header `r` is at (after the
    /// block type); nil when the header does not parse.
    static func dynamicEndOfBlock(_ r: inout BitReader) -> (length: Int, code: Int)? {
        guard let hlit = r.read(5), let hdist = r.read(5), let hclen = r.read(4) else { return nil }
        let literals = hlit + 257
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<(hclen + 4) {
            guard let l = r.read(3) else { return nil }
            codeLengths[order[i]] = l
        }
        let lengthCode = Canonical(codeLengths)
        // The literal/length code's lengths; the distance code's after them are not needed.
        var lengths: [Int] = []
        lengths.reserveCapacity(literals + hdist + 1)
        while lengths.count < literals {
            guard let symbol = lengthCode.decode(&r) else { return nil }
            switch symbol {
            case 0...15: lengths.append(symbol)
            case 16:
                guard let last = lengths.last, let n = r.read(2) else { return nil }
                lengths += repeatElement(last, count: 3 + n)
            case 17:
                guard let n = r.read(3) else { return nil }
                lengths += repeatElement(0, count: 3 + n)
            case 18:
                guard let n = r.read(7) else { return nil }
                lengths += repeatElement(0, count: 11 + n)
            default: return nil
            }
        }
        let length = lengths[256]
        guard length > 0 else { return nil }
        // Canonical codes (RFC 1951, 3.2.2): the first code of each length, then symbols in order.
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths[0..<literals] where l > 0 { counts[l] += 1 }
        var next = 0
        for bits in 1..<length { next = (next + counts[bits]) << 1 }
        let before = lengths[0..<256].reduce(0) { $0 + ($1 == length ? 1 : 0) }
        return (length, next + before)
    }

    /// A canonical Huffman code decoded a bit at a time (the code-length code: 19 symbols, lengths up to 7).
    struct Canonical {
        private var counts = [Int](repeating: 0, count: 16)
        private var symbols: [Int] = []

        init(_ lengths: [Int]) {
            for l in lengths where l > 0 { counts[l] += 1 }
            for l in 1..<16 {
                for (s, sl) in lengths.enumerated() where sl == l { symbols.append(s) }
            }
        }

        func decode(_ r: inout BitReader) -> Int? {
            var code = 0
            var first = 0
            var index = 0
            for l in 1..<16 {
                guard let b = r.read(1) else { return nil }
                code |= b
                let n = counts[l]
                if code - n < first { return symbols[index + code - first] }
                index += n
                first = (first + n) << 1
                code <<= 1
            }
            return nil
        }
    }

    /// Bits of a byte buffer, least significant first (as deflate packs them).
    struct BitReader {
        let p: UnsafePointer<UInt8>, count: Int
        private(set) var position = 0

        init(_ p: UnsafePointer<UInt8>, _ count: Int) {
            self.p = p
            self.count = count
        }

        func bit(_ k: Int) -> Int { Int(p[k >> 3] >> UInt8(k & 7)) & 1 }

        /// The next `n` bits as a number, the first read the least significant; nil past the end.
        mutating func read(_ n: Int) -> Int? {
            guard position + n <= 8 * count else { return nil }
            var v = 0
            for i in 0..<n { v |= bit(position + i) << i }
            position += n
            return v
        }
    }
}
