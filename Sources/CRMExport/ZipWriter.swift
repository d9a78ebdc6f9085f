import CDeflate
import CZlib
import Foundation

/// A ZIP archive written as a stream (for XLSX): entries one after another, each deflated at a chosen level, a large
/// entry in independent chunks compressed on two threads (as pigz does: every chunk but the last ends on a byte
/// boundary, so the chunks join into one deflate stream; `DeflateSegment` makes them with libdeflate), then the
/// central directory. Memory stays at a few chunks whatever the entry's size. No ZIP64: an entry or archive past 4 GiB is
/// refused with a clear error (a sheet is split long before).
final class ZipWriter {
    /// The deflate level (libdeflate's and zlib's scale): 1 is fastest; 6 is zlib's default.
    let level: Int32
    /// Bytes per independently compressed chunk of a large entry.
    let chunkSize: Int
    private let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var offset: UInt64 = 0
    private var central: [UInt8] = []
    private var entries = 0
    private var closed = false

    init(path: String, level: Int32 = 3, chunkSize: Int = 4 << 20) throws {
        guard let f = fopen(path, "wb") else {
            throw ExportError(.cannotWrite, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.file = f
        self.level = level
        self.chunkSize = max(64 << 10, chunkSize)
    }

    deinit { if !closed { fclose(file) } }

    /// Adds an entry with these bytes.
    func add(_ name: String, bytes: [UInt8]) throws {
        var pos = 0
        try add(name, size: bytes.count) { buffer in
            let n = min(buffer.count, bytes.count - pos)
            bytes.withUnsafeBufferPointer { b in
                if n > 0 { buffer.baseAddress!.update(from: b.baseAddress! + pos, count: n) }
            }
            pos += n
            return n
        }
    }

    /// Adds an entry with a file's bytes, read in chunks.
    func add(_ name: String, file url: URL) throws {
        guard let input = fopen(url.path, "rb") else {
            throw ExportError(.cannotWrite, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(input) }
        var info = stat()
        let size = fstat(fileno(input), &info) == 0 ? Int(info.st_size) : chunkSize
        try add(name, size: size) { buffer in fread(buffer.baseAddress, 1, buffer.count, input) }
    }

    /// Adds an entry made of `head` (deflated here, so that it may be patched until now: a sheet's dimension) and
    /// `part`, deflated while it was written. Both are sync-flushed deflate segments, so they join into one stream.
    func add(_ name: String, head: [UInt8], part: DeflatingPart?) throws {
        let headerOffset = offset
        let nameBytes = Array(name.utf8)
        try write(localHeader(nameBytes, crc: 0, compressed: 0, size: 0))
        var crc = head.withUnsafeBufferPointer { uLong(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
        var size = UInt64(head.count)
        let headOut = try ZipWriter.segment(head, head.count, level: level)
        try write(headOut)
        var compressed = UInt64(headOut.count)
        if let part {
            try part.finish()
            guard let input = fopen(part.path, "rb") else {
                throw ExportError(.cannotWrite, "cannot read \(part.path): \(String(cString: strerror(errno)))")
            }
            defer { fclose(input) }
            var block = [UInt8](repeating: 0, count: 1 << 20)
            var copied: UInt64 = 0
            while true {
                let n = block.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, input) }
                if n == 0 { break }
                try write(Array(block[0..<n]))
                copied += UInt64(n)
            }
            guard ferror(input) == 0, copied == part.compressed else {
                throw ExportError(.cannotWrite, "cannot read back \(part.path) (\(copied) of \(part.compressed) bytes)")
            }
            crc = crc32_combine(crc, part.crc, off_t(part.size))
            size += part.size
            compressed += part.compressed
        }
        let tail = try ZipWriter.deflateChunk([], 0, level: level, final: true)
        try write(tail)
        compressed += UInt64(tail.count)
        try close(entry: nameBytes, at: headerOffset, crc: crc, compressed: compressed, size: size)
    }

    /// Patches the entry's local header with its sizes and CRC and records it for the central directory.
    private func close(
        entry nameBytes: [UInt8], at headerOffset: UInt64, crc: uLong, compressed: UInt64, size: UInt64
    ) throws {
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard size < 0xFFFF_FFFF, compressed < 0xFFFF_FFFF, headerOffset < 0xFFFF_FFFF else {
            throw ExportError(
                .cannotWrite,
                "\(name) is larger than 4 GiB, which this writer does not support; export fewer rows per sheet")
        }
        let end = offset
        guard fseeko(file, off_t(headerOffset), SEEK_SET) == 0 else { throw writeError() }
        let header = localHeader(nameBytes, crc: UInt32(crc), compressed: UInt32(compressed), size: UInt32(size))
        guard fwrite(header, 1, header.count, file) == header.count, fseeko(file, off_t(end), SEEK_SET) == 0 else {
            throw writeError()
        }
        central += centralHeader(
            nameBytes, crc: UInt32(crc), compressed: UInt32(compressed), size: UInt32(size),
            offset: UInt32(headerOffset))
        entries += 1
    }

    /// Adds an entry whose bytes `read` fills into a buffer, returning how many (0 at the end). `size` (what the entry
    /// is expected to hold) sizes the buffers: a small part does not zero two chunk-sized buffers (that was most of a
    /// small workbook's time).
    private func add(_ name: String, size expected: Int, read: (UnsafeMutableBufferPointer<UInt8>) -> Int) throws {
        let chunkSize = max(1, min(self.chunkSize, expected))
        let headerOffset = offset
        let nameBytes = Array(name.utf8)
        // The local header is written with zero sizes and CRC, and patched once the data is written.
        try write(localHeader(nameBytes, crc: 0, compressed: 0, size: 0))
        var crc: uLong = crc32(0, nil, 0)
        var size: UInt64 = 0
        var compressed: UInt64 = 0
        // Two chunks at a time, each ending with a sync flush: the second is compressed on another thread while
        // this one compresses the first; an empty final block closes the stream.
        var a = [UInt8](repeating: 0, count: chunkSize)
        var b = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let na = a.withUnsafeMutableBufferPointer { read($0) }
            if na == 0 { break }
            let nb = na == chunkSize ? b.withUnsafeMutableBufferPointer { read($0) } : 0
            crc = a.withUnsafeBufferPointer { uLong(libdeflate_crc32(UInt32(crc), $0.baseAddress, na)) }
            if nb > 0 { crc = b.withUnsafeBufferPointer { uLong(libdeflate_crc32(UInt32(crc), $0.baseAddress, nb)) } }
            size += UInt64(na + nb)
            let box = ChunkBox()
            let done = DispatchSemaphore(value: 0)
            if nb > 0 {
                let input = b
                let level = self.level
                Thread.detachNewThread {
                    box.result = try? ZipWriter.segment(input, nb, level: level)
                    done.signal()
                }
            }
            let outA = try ZipWriter.segment(a, na, level: level)
            try write(outA)
            compressed += UInt64(outA.count)
            if nb > 0 {
                done.wait()
                guard let outB = box.result else { throw ExportError(.cannotWrite, "cannot compress \(name)") }
                try write(outB)
                compressed += UInt64(outB.count)
            }
            if na < chunkSize || nb < chunkSize { break }
        }
        let tail = try ZipWriter.deflateChunk([], 0, level: level, final: true)
        try write(tail)
        compressed += UInt64(tail.count)
        try close(entry: nameBytes, at: headerOffset, crc: crc, compressed: compressed, size: size)
    }

    /// Writes the central directory and closes the file.
    func finish() throws {
        let start = offset
        try write(central)
        guard entries < 0xFFFF, offset < 0xFFFF_FFFF else {
            throw ExportError(.cannotWrite, "\(path) is larger than 4 GiB")
        }
        var end: [UInt8] = []
        end.le32(0x0605_4b50)
        end.le16(0)
        end.le16(0)
        end.le16(UInt16(entries))
        end.le16(UInt16(entries))
        end.le32(UInt32(central.count))
        end.le32(UInt32(start))
        end.le16(0)
        try write(end)
        closed = true
        guard fclose(file) == 0 else { throw writeError() }
    }

    private func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw writeError() }
        offset += UInt64(bytes.count)
    }

    private func writeError() -> ExportError {
        ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
    }

    /// 2020-01-01 00:00 in MS-DOS form: a fixed stamp, so that the same rows give the same bytes.
    private static let dosTime: UInt16 = 0, dosDate: UInt16 = UInt16((2020 - 1980) << 9 | 1 << 5 | 1)

    private func localHeader(_ name: [UInt8], crc: UInt32, compressed: UInt32, size: UInt32) -> [UInt8] {
        var h: [UInt8] = []
        h.le32(0x0403_4b50)
        h.le16(20)  // version needed: 2.0 (deflate)
        h.le16(1 << 11)  // UTF-8 names
        h.le16(8)  // deflate
        h.le16(Self.dosTime)
        h.le16(Self.dosDate)
        h.le32(crc)
        h.le32(compressed)
        h.le32(size)
        h.le16(UInt16(name.count))
        h.le16(0)
        return h + name
    }

    private func centralHeader(
        _ name: [UInt8], crc: UInt32, compressed: UInt32, size: UInt32, offset: UInt32
    ) -> [UInt8] {
        var h: [UInt8] = []
        h.le32(0x0201_4b50)
        h.le16(0x031E)  // made by: Unix, 3.0
        h.le16(20)
        h.le16(1 << 11)
        h.le16(8)
        h.le16(Self.dosTime)
        h.le16(Self.dosDate)
        h.le32(crc)
        h.le32(compressed)
        h.le32(size)
        h.le16(UInt16(name.count))
        h.le16(0)
        h.le16(0)
        h.le16(0)
        h.le16(0)
        h.le32(0o100644 << 16)  // a regular file, rw-r--r--
        h.le32(offset)
        return h + name
    }

    /// The first `count` bytes of `input` as a segment that joins the next (`DeflateSegment`).
    static func segment(_ input: [UInt8], _ count: Int, level: Int32) throws -> [UInt8] {
        var tally = DeflateSegment.Tally()
        return try input.withUnsafeBufferPointer {
            try DeflateSegment.deflate(UnsafeBufferPointer(rebasing: $0[0..<count]), level: level, tally: &tally)
        }
    }

    /// One chunk as raw deflate by zlib: a sync flush at its end (it joins the next), or the stream's end when
    /// `final`.
    static func deflateChunk(_ input: [UInt8], _ count: Int, level: Int32, final: Bool) throws -> [UInt8] {
        var s = z_stream()
        guard crmgate_deflate_init_raw(&s, level) == Z_OK else {
            throw ExportError(.cannotWrite, "zlib could not start")
        }
        defer { deflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, uLong(count))) + 16)
        let produced: Int = try input.withUnsafeBufferPointer { inp in
            try out.withUnsafeMutableBufferPointer { o in
                s.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                s.avail_in = uInt(count)
                s.next_out = o.baseAddress
                s.avail_out = uInt(o.count)
                let r = deflate(&s, final ? Z_FINISH : Z_SYNC_FLUSH)
                guard (final && r == Z_STREAM_END) || (!final && r == Z_OK), s.avail_in == 0 else {
                    throw ExportError(.cannotWrite, "zlib failed (\(r))")
                }
                return o.count - Int(s.avail_out)
            }
        }
        out.removeLast(out.count - produced)
        return out
    }
}

/// Bytes handed to a compressing thread, freed with the last reference.
private final class OwnedBytes: @unchecked Sendable {
    // @unchecked: written before the hand-over, only read after it.
    let bytes: UnsafeMutablePointer<UInt8>
    let count: Int
    init(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) { (self.bytes, self.count) = (bytes, count) }
    deinit { bytes.deallocate() }
}

/// The compressed bytes of a chunk, handed back from the thread that made them (read only after it signals).
private final class ChunkBox: @unchecked Sendable {
    var result: [UInt8]?
    var crc: uLong = 0
}

/// A part of an archive deflated while it is written (a sheet): the writer hands over chunks of about `chunkSize`
/// bytes (`take`), and each is deflated on a worker thread while the writer goes on producing the next. Two chunks
/// may be in flight, so the writer and two compressions share the cores; the compressed chunks go, in order, to a
/// temporary file that `ZipWriter.add(_:head:part:)` copies into the archive. Memory: three chunks at most.
final class DeflatingPart {
    /// The temporary file of compressed bytes.
    let path: String
    let level: Int32
    let chunkSize: Int
    private let file: UnsafeMutablePointer<FILE>
    private var inFlight: [(box: ChunkBox, done: DispatchSemaphore, count: Int)] = []
    private var finished = false
    /// CRC-32, bytes in and bytes out of the chunks written so far.
    private(set) var crc: uLong = crc32(0, nil, 0)
    private(set) var size: UInt64 = 0
    private(set) var compressed: UInt64 = 0

    init(path: String, level: Int32, chunkSize: Int = 4 << 20) throws {
        guard let f = fopen(path, "wb") else {
            throw ExportError(.cannotWrite, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.level = level
        self.chunkSize = max(64 << 10, chunkSize)
        file = f
    }

    deinit {
        for c in inFlight { c.done.wait() }
        fclose(file)
    }

    /// Takes `count` bytes at `bytes` (allocated by the caller, which lets go of them) as the next chunk, without
    /// copying them; they are freed once compressed. The XLSX sheet's bytes come this way: copying 480 MB of XML
    /// into chunks was a twentieth of its writing thread.
    func take(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) throws {
        let owned = OwnedBytes(bytes, count)
        guard count > 0 else { return }
        if inFlight.count == 2 { try drainOldest() }
        let box = ChunkBox()
        let done = DispatchSemaphore(value: 0)
        let level = self.level
        Thread.detachNewThread {
            let input = UnsafeBufferPointer(start: owned.bytes, count: owned.count)
            box.crc = uLong(libdeflate_crc32(0, input.baseAddress, input.count))
            var tally = DeflateSegment.Tally()
            box.result = try? DeflateSegment.deflate(input, level: level, tally: &tally)
            done.signal()
        }
        inFlight.append((box, done, count))
    }

    private func drainOldest() throws {
        let c = inFlight.removeFirst()
        c.done.wait()
        guard let out = c.box.result else { throw ExportError(.cannotWrite, "cannot compress \(path)") }
        guard fwrite(out, 1, out.count, file) == out.count else {
            throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        crc = crc32_combine(crc, c.box.crc, off_t(c.count))
        size += UInt64(c.count)
        compressed += UInt64(out.count)
    }

    /// Waits for every chunk; the temporary file is then complete.
    func finish() throws {
        guard !finished else { return }
        while !inFlight.isEmpty { try drainOldest() }
        guard fflush(file) == 0 else {
            throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        finished = true
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }

    fileprivate mutating func le32(_ v: UInt32) {
        for k in 0..<4 { append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) }
    }
}
