import CRMModel
import Foundation

/// A buffered file (or standard output) that text is appended to; or a part of a ZIP archive deflated as it is
/// written; or bytes kept in memory.
///
/// Owns a file descriptor; not `Sendable`.
final class ByteSink {
    let path: String
    private let fd: Int32
    private let owns: Bool
    private let part: DeflatingPart?
    private let inMemory: Bool
    /// The buffer: raw memory appended to with memcpy (an array's generic append, retains and exclusivity checks were
    /// a fifth of an XLSX export's time).
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    /// Bytes written so far.
    private(set) var count = 0

    /// Creates or truncates `path`; `-` is standard output.
    init(path: String) throws {
        self.path = path
        part = nil
        inMemory = false
        if path == "-" {
            fd = 1
            owns = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            owns = true
            guard fd >= 0 else {
                throw ExportError(.cannotWrite, "cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
        capacity = 1 << 17
        storage = .allocate(capacity: capacity)
    }

    /// Bytes handed to a deflating archive part as the buffer fills.
    init(part: DeflatingPart) {
        path = part.path
        self.part = part
        inMemory = false
        fd = -1
        owns = false
        // A whole chunk and some: a full buffer is handed to the part as it is (`DeflatingPart.take`).
        capacity = part.chunkSize + (1 << 16)
        storage = .allocate(capacity: capacity)
    }

    /// Bytes kept in memory (`bytes`), for small parts.
    init() {
        path = "(memory)"
        part = nil
        inMemory = true
        fd = -1
        owns = false
        capacity = 1 << 12
        storage = .allocate(capacity: capacity)
    }

    /// What an in-memory sink holds.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: used)) }

    deinit {
        if !inMemory { try? flush() }
        if owns { close(fd) }
        storage.deallocate()
    }

    /// Appends `n` bytes from `p`. Up to 16 bytes (the sheet's tags, most values) as two overlapping word copies
    /// rather than a call to memcpy.
    @inline(__always) func write(raw p: UnsafePointer<UInt8>, _ n: Int) {
        if used + n > capacity { grow(used + n) }
        let d = UnsafeMutableRawPointer(storage + used)
        let r = UnsafeRawPointer(p)
        if n >= 8 && n <= 16 {
            d.storeBytes(of: r.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (d + (n - 8)).storeBytes(of: r.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), as: UInt64.self)
        } else if n >= 4 && n < 8 {
            d.storeBytes(of: r.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (d + (n - 4)).storeBytes(of: r.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), as: UInt32.self)
        } else {
            (storage + used).update(from: p, count: n)
        }
        used += n
        count += n
    }

    /// Appends the first `n` (at most 8) bytes of `word`, least significant first, in one store.
    @inline(__always) func write(word: UInt64, _ n: Int) {
        if used + 8 > capacity { grow(used + 8) }
        UnsafeMutableRawPointer(storage + used).storeBytes(of: word.littleEndian, as: UInt64.self)
        used += n
        count += n
    }

    /// The last `n` bytes appended, in place (valid until the next append or flush); `n` at most what was appended
    /// since the last flush.
    func last(_ n: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(n <= used)
        return UnsafeBufferPointer(start: storage + used - n, count: n)
    }

    private func grow(_ needed: Int) {
        let larger = max(needed, capacity * 2)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        p.update(from: storage, count: used)
        storage.deallocate()
        storage = p
        capacity = larger
    }

    /// Appends a literal's bytes (no array, no retain).
    @inline(__always) func write(static s: StaticString) { write(raw: s.utf8Start, s.utf8CodeUnitCount) }

    func write(_ s: String) {
        var s = s
        s.withUTF8 { write(bytes: $0) }
    }

    func write(bytes: [UInt8]) { bytes.withUnsafeBufferPointer { write(bytes: $0) } }

    /// Appends text escaped for XML character data and attribute values (see `writeXMLEscaped(bytes:)`).
    func writeXMLEscaped(_ s: String) {
        var s = s
        s.withUTF8 { writeXMLEscaped(bytes: $0) }
    }

    @inline(__always) func write(bytes b: UnsafeBufferPointer<UInt8>) {
        if let base = b.baseAddress, b.count > 0 { write(raw: base, b.count) }
    }

    /// Appends a non-negative integer in decimal, zero-padded to `width` (at most 20). Written in place, two digits a
    /// step: a sheet has a dozen numbers a row (the row's number, shared strings' indexes, dates), and a digit a step
    /// through a scratch tuple was a tenth of the XLSX export's writing thread.
    func writeDecimal(_ v: Int, width: Int = 0) {
        var n = UInt64(max(0, v))
        var k = 1
        var power: UInt64 = 10
        while k < 20 && n >= power {
            k += 1
            power &*= 10
        }
        let digits = max(k, min(width, 20))
        if used + digits > capacity { grow(used + digits) }
        var at = storage + used + digits
        let pairs = Self.pairs.utf8Start
        while n >= 100 {
            let r = Int(n % 100) * 2
            n /= 100
            at -= 2
            at[0] = pairs[r]
            at[1] = pairs[r + 1]
        }
        if n >= 10 {
            at -= 2
            at[0] = pairs[Int(n) * 2]
            at[1] = pairs[Int(n) * 2 + 1]
        } else {
            at -= 1
            at[0] = UInt8(48 + n)
        }
        while at > storage + used {
            at -= 1
            at[0] = 48
        }
        used += digits
        count += digits
    }

    /// "00" to "99", two bytes each.
    private static let pairs: StaticString = """
        0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Appends UTF-8 text escaped for XML, in the form spreadsheet cells are written (ECMA-376 `ST_Xstring`),
    /// so that Excel reads back the text as it was.
    ///
    /// `&`, `<`, `>` and `"` become entities and CR a character reference (a raw CR would read back as LF).
    /// A character XML 1.0 does not allow (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) is written as
    /// `_xHHHH_`, its UTF-16 code unit in upper-case hex; the `_` that starts a literal `_xHHHH_` already in
    /// the text is written `_x005F_`, so `_x0041_` stays `_x0041_`. Bytes that are not UTF-8 become U+FFFD.
    func writeXMLEscaped(bytes b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        var copied = 0  // b[copied..<i] is text still to append as it is
        var i = 0
        while i < n {
            let c = b[i]
            let escape: [UInt8]
            var length = 1
            if c < 0x80 {
                switch c {
                case UInt8(ascii: "&"): escape = ByteSink.amp
                case UInt8(ascii: "<"): escape = ByteSink.lt
                case UInt8(ascii: ">"): escape = ByteSink.gt
                case UInt8(ascii: "\""): escape = ByteSink.quot
                case 0x0D: escape = ByteSink.carriageReturn
                case 0x09, 0x0A:
                    i += 1
                    continue
                case 0..<0x20: escape = ByteSink.excelEscape(UInt16(c))
                case UInt8(ascii: "_") where ByteSink.isExcelEscape(b, at: i): escape = ByteSink.excelEscape(0x5F)
                default:
                    i += 1
                    continue
                }
            } else {
                length = ByteSink.utf8Length(b, at: i)
                if length == 0 {
                    escape = ByteSink.replacement
                    length = 1
                } else if length == 3, c == 0xEF, b[i + 1] == 0xBF, b[i + 2] >= 0xBE {
                    escape = ByteSink.excelEscape(b[i + 2] == 0xBE ? 0xFFFE : 0xFFFF)
                } else {
                    i += length
                    continue
                }
            }
            if copied < i { write(bytes: UnsafeBufferPointer(rebasing: b[copied..<i])) }
            write(bytes: escape)
            i += length
            copied = i
        }
        if copied == 0 {
            write(bytes: b)
        } else if copied < n {
            write(bytes: UnsafeBufferPointer(rebasing: b[copied..<n]))
        }
    }

    static let amp = Array("&amp;".utf8)
    static let lt = Array("&lt;".utf8)
    static let gt = Array("&gt;".utf8)
    static let quot = Array("&quot;".utf8)
    static let carriageReturn = Array("&#13;".utf8)
    /// U+FFFD, for bytes that are not UTF-8.
    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// `_xHHHH_`: a UTF-16 code unit as Excel escapes it in cell text.
    static func excelEscape(_ unit: UInt16) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return [
            UInt8(ascii: "_"), UInt8(ascii: "x"), hex[Int(unit >> 12)], hex[Int(unit >> 8 & 0xF)],
            hex[Int(unit >> 4 & 0xF)], hex[Int(unit & 0xF)], UInt8(ascii: "_"),
        ]
    }

    /// True when `b[i...]` starts with `_xHHHH_` (hex digits in either case), which a reader would unescape, or with
    /// `_xHHHH` followed by a character this writer escapes (its escape starts with `_` and would close it: found by
    /// the exporter fuzz target).
    static func isExcelEscape(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 6 < b.count, b[i + 1] == UInt8(ascii: "x") else { return false }
        let next = b[i + 6]
        let closes =
            next == UInt8(ascii: "_") || (next < 0x20 && next != 0x09 && next != 0x0A && next != 0x0D)
            || (next == 0xEF && i + 8 < b.count && b[i + 7] == 0xBF && b[i + 8] >= 0xBE)
        guard closes else { return false }
        for k in (i + 2)...(i + 5) {
            switch b[k] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"):
                continue
            default: return false
            }
        }
        return true
    }

    /// The length of the UTF-8 sequence of a scalar value starting at `b[i]` (a byte >= 0x80), or 0 when
    /// the bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
    static func utf8Length(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int { UTF8Sequence.length(b, at: i) }

    /// Overwrites bytes already flushed at `offset` (same length), e.g. a size known only at the end.
    func overwrite(at offset: Int, with text: String) throws {
        try flush()
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        if n != bytes.count {
            throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes out the buffer when it is large.
    func maybeFlush() throws {
        if let part {
            if used >= part.chunkSize { try flush() }
        } else if used >= 1 << 16 && !inMemory {
            try flush()
        }
    }

    func flush() throws {
        if inMemory { return }
        if let part {
            guard used > 0 else { return }
            // The buffer itself goes to the part; writing goes on in a new one.
            let full = storage
            storage = .allocate(capacity: capacity)
            let n = used
            used = 0
            try part.take(full, count: n)
            return
        }
        var off = 0
        while off < used {
            let n = Glibc.write(fd, storage + off, used - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
        used = 0
    }
}
