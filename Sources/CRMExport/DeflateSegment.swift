import CDeflate
import CZlib
import Foundation

/// Raw deflate segments that join into one stream, as zlib's sync flush makes them: every block non-final, the
/// segment ending on a byte boundary. A ZIP entry is segments one after another and an empty final block.
///
/// libdeflate compresses a sheet's XML about twice as fast as zlib at level 1 and smaller (17% against 18% of the
/// input), but it has no sync flush: every call ends with a final block, ending anywhere in its last byte. So each
/// piece of at most 64 KiB is compressed on its own (libdeflate 1.14 writes one block for it at level 1), and the
/// block is made to join: its BFINAL bit cleared, and an empty stored block appended to reach a byte boundary. That
/// block's header is three bits, which fit in the last byte's padding or start a byte of their own; which, is read
/// from the block's end-of-block code (`DeflateBlockEnd`). The first piece of every segment, and any piece whose end
/// cannot be read that way, is checked instead by decompressing it with libdeflate both ways and comparing it with
/// the input; a first piece where the reading and the check disagree makes the check decide for the rest of the
/// segment. A piece that does not come back exactly (libdeflate split it into blocks, as higher levels and other
/// versions may) is compressed by zlib with a sync flush instead.
enum DeflateSegment {
    /// Bytes a piece holds: libdeflate's level 1 keeps this in one block.
    static let pieceSize = 1 << 16

    /// How a segment's pieces were compressed (for tests).
    struct Tally: Equatable {
        /// Pieces compressed by libdeflate and joined.
        var libdeflate = 0
        /// Pieces compressed by zlib because libdeflate's did not join.
        var zlib = 0
        /// libdeflate's pieces checked by decompressing them.
        var checked = 0
        /// Checked pieces whose end read from the code disagreed with the check.
        var disagreed = 0
    }

    /// `input` as one segment at `level` (zlib's scale: 1 fastest, 6 default, 9 smallest; libdeflate's at the same
    /// number). `useLibdeflate: false` compresses every piece with zlib (tests compare the two); `checkAll` checks
    /// every piece by decompressing it (tests compare the check with the reading of the end).
    /// - Throws: `ExportError(.cannotWrite)` when neither library can start or compress.
    static func deflate(
        _ input: UnsafeBufferPointer<UInt8>, level: Int32, useLibdeflate: Bool = true, checkAll: Bool = false,
        tally: inout Tally
    ) throws -> [UInt8] {
        guard let base = input.baseAddress, !input.isEmpty else { return [] }
        let pieces = (input.count + pieceSize - 1) / pieceSize
        // libdeflate's bound for each piece, plus the appended blocks; zlib's is smaller than libdeflate's.
        guard let compressor = libdeflate_alloc_compressor(max(0, min(12, level))) else {
            throw ExportError(.cannotWrite, "libdeflate could not start (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        guard let decompressor = libdeflate_alloc_decompressor() else {
            throw ExportError(.cannotWrite, "libdeflate could not start (out of memory)")
        }
        defer { libdeflate_free_decompressor(decompressor) }
        let bound = libdeflate_deflate_compress_bound(compressor, pieceSize) + 64
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: pieceSize)
        defer { scratch.deallocate() }
        /// Pieces one after another into `o`; how many bytes.
        func fill(_ o: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
            var at = 0
            var from = 0
            // The first piece is checked; the rest only with `checkAll`, or after a disagreement.
            var check = true
            var distrust = false
            var joinedOne = false
            while from < input.count {
                let n = min(pieceSize, input.count - from)
                let piece = base + from
                let dest = o.baseAddress! + at
                if useLibdeflate,
                    let made = joined(
                        piece, n, compressor, decompressor, scratch, into: dest, room: bound, check: check,
                        distrust: &distrust, tally: &tally)
                {
                    at += made
                    tally.libdeflate += 1
                    joinedOne = true
                } else {
                    at += try syncFlushed(piece, n, level: level, into: dest, room: bound)
                    tally.zlib += 1
                }
                check = checkAll || distrust || !joinedOne
                from += n
            }
            return at
        }

        // Not zeroed first: every byte kept is written.
        var failure: (any Error)?
        let out = [UInt8](unsafeUninitializedCapacity: pieces * bound) { o, initialized in
            do { initialized = try fill(o) } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return out
    }

    /// The empty stored block that ends a joined piece on a byte boundary: its three header bits in the final
    /// block's padding (`[0, 0, 255, 255]`, LEN and NLEN), or starting in a byte of their own (`[0, 0, 0, 255, 255]`).
    private static let alignInPadding: [UInt8] = [0, 0, 255, 255], alignInNewByte: [UInt8] = [0, 0, 0, 255, 255]
    /// A final empty stored block, appended only to check a joined piece.
    private static let finalEmpty: [UInt8] = [1, 0, 0, 255, 255]

    /// The piece compressed by libdeflate and made to join, written at `dest`; its length, or nil when it did not
    /// join. `check`: decompress it to choose the ending (else it is read from the code, and checked only when it
    /// cannot be); a disagreement is counted in `tally` and sets `distrust`.
    private static func joined(
        _ piece: UnsafePointer<UInt8>, _ n: Int, _ compressor: OpaquePointer, _ decompressor: OpaquePointer,
        _ scratch: UnsafeMutablePointer<UInt8>, into dest: UnsafeMutablePointer<UInt8>, room: Int, check: Bool,
        distrust: inout Bool, tally: inout Tally
    ) -> Int? {
        let made = libdeflate_deflate_compress(compressor, piece, n, dest, room - 16)
        // The first block must be the final one: one block, whose header is the first three bits.
        guard made > 0, dest[0] & 1 == 1 else { return nil }
        let read = DeflateBlockEnd.paddingBits(dest, made).map { $0 >= 3 ? alignInPadding : alignInNewByte }
        dest[0] &= ~1
        if let read, !check {
            (dest + made).update(from: read, count: read.count)
            return made + read.count
        }
        tally.checked += 1
        for align in [alignInPadding, alignInNewByte] {
            (dest + made).update(from: align, count: align.count)
            (dest + made + align.count).update(from: finalEmpty, count: finalEmpty.count)
            let total = made + align.count + finalEmpty.count
            var consumed = 0
            var produced = 0
            let r = libdeflate_deflate_decompress_ex(decompressor, dest, total, scratch, n, &consumed, &produced)
            if r == LIBDEFLATE_SUCCESS, consumed == total, produced == n, memcmp(scratch, piece, n) == 0 {
                if let read, read != align {
                    tally.disagreed += 1
                    distrust = true
                }
                return made + align.count
            }
        }
        return nil
    }

    /// The piece compressed by zlib with a sync flush, written at `dest`; its length.
    private static func syncFlushed(
        _ piece: UnsafePointer<UInt8>, _ n: Int, level: Int32, into dest: UnsafeMutablePointer<UInt8>, room: Int
    ) throws -> Int {
        var s = z_stream()
        guard crmgate_deflate_init_raw(&s, max(0, min(9, level))) == Z_OK else {
            throw ExportError(.cannotWrite, "zlib could not start")
        }
        defer { deflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: piece)
        s.avail_in = uInt(n)
        s.next_out = dest
        s.avail_out = uInt(room)
        let r = CZlib.deflate(&s, Z_SYNC_FLUSH)
        guard r == Z_OK, s.avail_in == 0, s.avail_out > 0 else {
            throw ExportError(.cannotWrite, "zlib failed (\(r))")
        }
        return room - Int(s.avail_out)
    }
}
