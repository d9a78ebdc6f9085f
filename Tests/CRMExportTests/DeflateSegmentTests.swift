import CZlib
import Testing

@testable import CRMExport

/// `DeflateSegment` against zlib's inflate, an independent decoder: segments joined one after another and closed by
/// an empty final block must inflate to exactly the input, whichever library compressed each piece.
@Suite("deflate segments joined from libdeflate's pieces")
struct DeflateSegmentTests {
    /// Raw inflate of `stream` by zlib, or nil when zlib reports an error or the stream does not end where it should.
    static func inflated(_ stream: [UInt8], expecting count: Int) -> [UInt8]? {
        var s = z_stream()
        guard crmgate_inflate_init_raw(&s) == Z_OK else { return nil }
        defer { inflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: count + 1)
        let r: Int32 = stream.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                s.next_in = UnsafeMutablePointer(mutating: i.baseAddress)
                s.avail_in = uInt(i.count)
                s.next_out = o.baseAddress
                s.avail_out = uInt(o.count)
                return inflate(&s, Z_FINISH)
            }
        }
        guard r == Z_STREAM_END, s.avail_in == 0 else { return nil }
        return Array(out[0..<(out.count - Int(s.avail_out))])
    }

    /// Rows like a sheet's XML, with numbers from a seeded generator.
    static func sheetLike(_ bytes: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 200)
        var r = 2
        while out.count < bytes {
            let row =
                "<row r=\"\(r)\"><c t=\"inlineStr\"><is><t>Opportunity #\(next() % 100_000)</t></is></c>"
                + "<c t=\"s\"><v>\(next() % 40)</v></c><c s=\"4\"><v>\(next() % 1_000_000).\(next() % 100)</v></c></row>"
            out += Array(row.utf8)
            r += 1
        }
        return Array(out[0..<bytes])
    }

    static func random(_ bytes: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<bytes).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// Several inputs as segments, one after another, and zlib's empty final block.
    static func stream(
        _ inputs: [[UInt8]], level: Int32, useLibdeflate: Bool, tally: inout DeflateSegment.Tally
    )
        throws -> [UInt8]
    {
        var out: [UInt8] = []
        for input in inputs {
            out += try input.withUnsafeBufferPointer {
                try DeflateSegment.deflate($0, level: level, useLibdeflate: useLibdeflate, tally: &tally)
            }
        }
        return out + (try ZipWriter.deflateChunk([], 0, level: 1, final: true))
    }

    @Test(
        "sheet-like text at sizes around the piece boundary, at levels 1 and 6, inflates back exactly; level 1 joins libdeflate's pieces",
        arguments: [Int32(1), 6])
    func text(level: Int32) throws {
        let p = DeflateSegment.pieceSize
        let sizes = [1, 2, 100, p - 1, p, p + 1, 3 * p + 17, 10 * p]
        let inputs = sizes.enumerated().map { Self.sheetLike($0.element, seed: UInt64($0.offset + 1)) }
        var tally = DeflateSegment.Tally()
        let joined = try Self.stream(inputs, level: level, useLibdeflate: true, tally: &tally)
        let expected = inputs.flatMap { $0 }
        #expect(Self.inflated(joined, expecting: expected.count) == expected)
        let pieces = sizes.map { ($0 + p - 1) / p }.reduce(0, +)
        #expect(tally.libdeflate + tally.zlib == pieces)
        if level == 1 { #expect(tally.libdeflate == pieces, "libdeflate's level 1 keeps a piece in one block") }
        // Smaller than zlib's at the same level, for the same text.
        var zlibTally = DeflateSegment.Tally()
        let byZlib = try Self.stream(inputs, level: level, useLibdeflate: false, tally: &zlibTally)
        #expect(zlibTally == DeflateSegment.Tally(libdeflate: 0, zlib: pieces))
        #expect(Self.inflated(byZlib, expecting: expected.count) == expected)
        if level == 1 { #expect(joined.count < byZlib.count, "\(joined.count) against zlib's \(byZlib.count)") }
    }

    @Test("random bytes (stored blocks, which libdeflate may split) and text mixed inflate back exactly")
    func mixed() throws {
        let p = DeflateSegment.pieceSize
        let inputs = [
            Self.random(p, seed: 3), Self.sheetLike(2 * p + 5, seed: 4), Self.random(p - 1, seed: 5),
            Self.random(7, seed: 6), Self.sheetLike(p / 2, seed: 7) + Self.random(p / 2, seed: 8),
        ]
        var tally = DeflateSegment.Tally()
        let joined = try Self.stream(inputs, level: 1, useLibdeflate: true, tally: &tally)
        let expected = inputs.flatMap { $0 }
        #expect(Self.inflated(joined, expecting: expected.count) == expected)
        #expect(tally.libdeflate + tally.zlib == 7)
        #expect(tally.libdeflate > 0)
    }

    @Test(
        "every piece's end read from its end-of-block code agrees with the check by decompression, and only the first piece of a segment is decompressed"
    )
    func endReadFromTheCode() throws {
        let p = DeflateSegment.pieceSize
        let inputs = (1...6).map { Self.sheetLike(3 * p + 1000 * $0, seed: UInt64(10 + $0)) }
        var all = DeflateSegment.Tally()
        for input in inputs {
            _ = try input.withUnsafeBufferPointer {
                try DeflateSegment.deflate($0, level: 1, checkAll: true, tally: &all)
            }
        }
        #expect(all.checked == all.libdeflate && all.libdeflate == 24 && all.disagreed == 0)
        var usual = DeflateSegment.Tally()
        let joined = try Self.stream(inputs, level: 1, useLibdeflate: true, tally: &usual)
        #expect(usual.libdeflate == 24 && usual.disagreed == 0)
        #expect(usual.checked < 12, "\(usual.checked) of 24 pieces decompressed")
        #expect(Self.inflated(joined, expecting: inputs.map(\.count).reduce(0, +)) == inputs.flatMap { $0 })
    }

    @Test(
        "the end of zlib's one-block streams read from the code (dynamic codes and stored; fixed codes cannot be read) joins them as zlib's inflate reads them"
    )
    func endOfZlibBlocks() throws {
        var read = 0
        // (size, block type) of the streams whose end was not read.
        var unread: [(Int, UInt8)] = []
        for n in [1, 2, 3, 5, 8, 13, 40, 100, 300, 1000, 3000, 9000] {
            for input in [Self.sheetLike(n, seed: UInt64(n)), Self.random(n, seed: UInt64(n))] {
                // One final block: zlib keeps inputs this small in one.
                var stream = try ZipWriter.deflateChunk(input, input.count, level: 6, final: true)
                guard stream[0] & 1 == 1 else { continue }
                guard
                    let pad = stream.withUnsafeBufferPointer({ DeflateBlockEnd.paddingBits($0.baseAddress!, $0.count) })
                else {
                    unread.append((n, (stream[0] >> 1) & 3))
                    continue
                }
                read += 1
                stream[0] &= ~1
                stream += pad >= 3 ? [0, 0, 255, 255] : [0, 0, 0, 255, 255]
                stream += Array("tail".utf8).withUnsafeBufferPointer { b in
                    var t = DeflateSegment.Tally()
                    return (try? DeflateSegment.deflate(b, level: 1, tally: &t)) ?? []
                }
                stream += try ZipWriter.deflateChunk([], 0, level: 1, final: true)
                #expect(Self.inflated(stream, expecting: n + 4) == input + Array("tail".utf8), "\(n) bytes, pad \(pad)")
            }
        }
        // Fixed codes end with seven zero bits, which zero padding cannot be told from: those are checked instead.
        #expect(unread.allSatisfy { $0.1 == 1 }, "not read: \(unread)")
        #expect(read >= 8, "the end was read for \(read) of 24 streams")
    }

    @Test("an empty input is an empty segment")
    func empty() throws {
        var tally = DeflateSegment.Tally()
        let out = try [UInt8]().withUnsafeBufferPointer { try DeflateSegment.deflate($0, level: 1, tally: &tally) }
        #expect(out.isEmpty && tally == DeflateSegment.Tally())
    }
}
