import Foundation

/// A buffered file (or standard output) that text is appended to.
///
/// Owns a file descriptor; not `Sendable`.
final class ByteSink {
    let path: String
    private let fd: Int32
    private let owns: Bool
    private var buffer: [UInt8] = []
    /// Bytes written so far.
    private(set) var count = 0

    /// Creates or truncates `path`; `-` is standard output.
    init(path: String) throws {
        self.path = path
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
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        try? flush()
        if owns { close(fd) }
    }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        count += s.utf8.count
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        count += bytes.count
    }

    /// Appends text escaped for XML character data and attribute values.
    func writeXMLEscaped(_ s: String) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): buffer.append(contentsOf: Array("&amp;".utf8))
            case UInt8(ascii: "<"): buffer.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): buffer.append(contentsOf: Array("&gt;".utf8))
            case UInt8(ascii: "\""): buffer.append(contentsOf: Array("&quot;".utf8))
            case 0x09, 0x0A, 0x0D: buffer.append(b)
            case 0..<0x20: break  // not allowed in XML 1.0
            default: buffer.append(b)
            }
        }
        count += s.utf8.count
    }

    func write(bytes b: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: b)
        count += b.count
    }

    /// Appends a non-negative integer in decimal, zero-padded to `width`.
    func writeDecimal(_ v: Int, width: Int = 0) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = max(0, v)
        var k = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - k] = UInt8(48 + n % 10)
                n /= 10
                k += 1
            } while n > 0 && k < 20
            while k < width && k < 20 {
                d[19 - k] = 48
                k += 1
            }
            buffer.append(contentsOf: d[(20 - k)...])
        }
        count += k
    }

    /// Appends UTF-8 bytes escaped for XML.
    func writeXMLEscaped(bytes b: UnsafeBufferPointer<UInt8>) {
        var clean = true
        for c in b where c == 38 || c == 60 || c == 62 || c == 34 || (c < 0x20 && c != 9 && c != 10 && c != 13) {
            clean = false
            break
        }
        if clean {
            buffer.append(contentsOf: b)
        } else {
            writeXMLEscaped(String(decoding: b, as: UTF8.self))
            return
        }
        count += b.count
    }

    /// Overwrites bytes already flushed at `offset` (same length), e.g. a size known only at the end.
    func overwrite(at offset: Int, with text: String) throws {
        try flush()
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        if n != bytes.count { throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Writes out the buffer when it is large.
    func maybeFlush() throws { if buffer.count >= 1 << 16 { try flush() } }

    func flush() throws {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError(.cannotWrite, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
