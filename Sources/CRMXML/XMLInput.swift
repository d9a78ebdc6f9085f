import CLibXML2
import Foundation

/// The byte offset where line `line` (1-based) of a file starts, or nil when the file is shorter.
public func byteOffset(ofLine line: Int, inFile path: String) -> Int? {
    guard line > 1 else { return 0 }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var offset = 0
    var current = 1
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { return nil }
        for i in 0..<n where buffer[i] == 10 {
            current += 1
            if current == line { return offset + i + 1 }
        }
        offset += n
    }
}

/// A growable byte buffer that is cut back by setting `count` (the reader's text and values: appended to and
/// truncated per element, where an array's uniqueness checks and range replacement cost more than the copying).
struct ByteBuffer: ~Copyable {
    private var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var capacity = 256
    /// Bytes in use; setting a smaller value cuts the buffer back.
    var count = 0

    deinit { base.deallocate() }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity {
            var grown = capacity * 2
            while grown < count + bytes.count { grown *= 2 }
            let next = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            next.update(from: base, count: count)
            base.deallocate()
            base = next
            capacity = grown
        }
        (base + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    /// The bytes from `start` to `end` (the end of the buffer by default); valid until the next append.
    func bytes(from start: Int, to end: Int? = nil) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: (end ?? count) - start)
    }
}

/// The document's bytes, from a file or from memory, at most `chunk` at a time, scanned on their way to libxml2.
final class InputSource {
    private let fd: Int32
    private let bytes: [UInt8]
    private var position = 0
    private let chunk: Int
    private let limit: Int
    let size: Int?
    private(set) var bytesRead = 0
    /// The first bytes read (up to 4): how libxml2 tells the encoding before a declaration.
    private(set) var head: [UInt8] = []
    /// The input has no bytes left (or no more go to libxml2: the scan found a fault).
    private(set) var atEnd = false
    /// Reads every byte before libxml2 gets it.
    private(set) var scanner = MarkupScanner()

    init(fd: Int32, size: Int?, chunk: Int, limit: Int? = nil) {
        self.fd = fd
        bytes = []
        self.size = size
        self.chunk = max(1, chunk)
        self.limit = limit ?? Int.max
    }

    init(bytes: [UInt8], chunk: Int) {
        fd = -1
        self.bytes = bytes
        size = bytes.count
        self.chunk = max(1, chunk)
        limit = Int.max
    }

    deinit { if fd >= 0 { close(fd) } }

    func read(into buffer: UnsafeMutablePointer<CChar>, max len: Int) -> Int32 {
        if scanner.fault != nil {
            atEnd = true
            return 0
        }
        let want = min(len, chunk, limit - bytesRead)
        if want <= 0 {
            atEnd = true
            scanner.finish()
            return 0
        }
        let n: Int
        if fd >= 0 {
            n = Glibc.read(fd, buffer, want)
            if n < 0 { return -1 }
        } else {
            n = max(0, min(want, bytes.count - position))
            if n > 0 {
                bytes.withUnsafeBufferPointer { src in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + position, byteCount: n)
                }
                position += n
            }
        }
        if n == 0 {
            atEnd = true
            scanner.finish()
        }
        if head.count < 4 {
            for i in 0..<min(n, 4 - head.count) { head.append(UInt8(bitPattern: buffer[i])) }
        }
        bytesRead += n
        if let cut = scanner.scan(UnsafeRawBufferPointer(start: buffer, count: n)) { return Int32(cut) }
        return Int32(n)
    }

    /// True when libxml2 reads the document as UTF-16: it starts with a byte order mark (FF FE, FE FF),
    /// or with `<?` in UTF-16 (3C 00 3F 00, 00 3C 00 3F), the start of a declaration that names UTF-16.
    var isUTF16: Bool {
        if head.count >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)) {
            return true
        }
        return head == [0x3C, 0x00, 0x3F, 0x00] || head == [0x00, 0x3C, 0x00, 0x3F]
    }

    /// Reads (without parsing) whatever libxml2 left unread; returns the input's length in bytes.
    func readToEnd() -> Int {
        var scratch = [CChar](repeating: 0, count: 1 << 16)
        while !atEnd {
            let n = scratch.withUnsafeMutableBufferPointer { read(into: $0.baseAddress!, max: $0.count) }
            if n < 0 { break }
        }
        return bytesRead
    }
}

/// The first error libxml2 reported (warnings are ignored).
final class ErrorSink {
    /// The error, and whether the scan had already stopped the input (a fault, or its end) when it came.
    var first: (message: String, line: Int, column: Int, afterStop: Bool)?
    let input: InputSource

    init(input: InputSource) { self.input = input }

    func error(path: String, fallbackLine: Int?) -> XMLError {
        if let f = first {
            return XMLError(
                .malformed, path: path, line: f.line > 0 ? f.line : fallbackLine, column: f.column > 0 ? f.column : nil,
                message: f.message)
        }
        return XMLError(.malformed, path: path, line: fallbackLine, message: "the XML is not well-formed")
    }
}

/// Keeps libxml2's first error in the `ErrorSink` its argument names.
let xmlErrorCallback: xmlStructuredErrorFunc = { arg, error in
    guard let arg, let e = error?.pointee else { return }
    let sink = Unmanaged<ErrorSink>.fromOpaque(arg).takeUnretainedValue()
    guard e.level.rawValue >= XML_ERR_ERROR.rawValue, sink.first == nil else { return }
    var message = e.message.map { String(cString: $0) } ?? "XML error \(e.code)"
    while message.hasSuffix("\n") { message.removeLast() }
    sink.first = (message, Int(e.line), Int(e.int2), sink.input.scanner.fault != nil || sink.input.scanner.ended)
}
