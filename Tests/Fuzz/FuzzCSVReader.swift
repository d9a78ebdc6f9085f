// libFuzzer target for reading CSV files in every encoding (compiled by scripts/fuzz.sh with Sources/CRMCSV and
// CSVFuzzSupport.swift). Input: a control byte (delimiter, field limit, chunk size), a byte for the quote (bit 6:
// ' instead of ") and the encoding (bit 7 clear: one of the five; set: the detected one), then the file's bytes.
// Invariants:
// - encoding detection and delimiter sniffing never crash; the sniffed delimiter is one of , ; tab |;
// - transcoding in chunks gives the bytes of transcoding at once, and valid UTF-8 for UTF-16/Latin-1/Windows-1252;
// - CSVReader on the bytes as a file (encoding and delimiter given, batches of 1 to 13 records) yields exactly the
//   records, lines and issues (ragged rows added) after the header that the parser gives for the text after a BOM
//   (a UTF-8 BOM makes the text UTF-8 whatever 8-bit encoding is given); it refuses only a file without records or
//   with an issue in its header.
// (The parser's own invariants, chunking and round trip, are the csv target's.)
import Foundation

/// Transcodes `raw` to UTF-8 in pieces of `chunk` bytes (0: at once).
func transcode(_ raw: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding, chunk: Int) -> [UInt8] {
    var t = UTF8Transcoder(encoding)
    var out: [UInt8] = []
    let step = chunk == 0 ? max(raw.count, 1) : chunk
    var i = 0
    while i < raw.count {
        t.transcode(
            UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: raw[i..<min(i + step, raw.count)])), into: &out)
        i += step
    }
    t.finish(into: &out)
    return out
}

let scratchFile = "/dev/shm/crmgate-fuzz-csvreader-\(getpid()).csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let control = ControlByte(data[0])
    let delimiter = control.delimiter
    let maxField = control.maxField
    let chunk = control.chunk
    let raw = UnsafeBufferPointer(start: data + 2, count: size - 2)
    let quote: UInt8 = data[1] & 0x40 == 0 ? 34 : 39  // " or '
    let dialect = CSVDialect(delimiter: delimiter, quote: quote)

    // Encoding: detected, or given by the second control byte.
    let detected = TextEncoding.detect(raw, isWholeFile: true)
    _ = TextEncoding.detect(raw.prefix(raw.count / 2), isWholeFile: false)
    let declared =
        data[1] < 128
        ? TextEncoding.allCases[Int(data[1] & 0x3F) % TextEncoding.allCases.count] : (detected?.encoding ?? .utf8)
    // The reader, given `declared`, lets UTF-8's mark win over an 8-bit encoding (no Windows-1252 text starts with
    // `ï»¿`): the expected text is read as UTF-8 then.
    let utf8Marked = declared != .utf16LE && declared != .utf16BE && raw.starts(with: [0xEF, 0xBB, 0xBF])
    let encoding = utf8Marked ? .utf8 : declared
    let text = transcode(raw, encoding, chunk: 0)
    if transcode(raw, encoding, chunk: chunk) != text {
        fatalError("transcoding \(encoding) in chunks of \(chunk) changed the text")
    }
    // Valid UTF-8, but for what a damaged UTF-16 file leaves on purpose so that its row is rejected: an unpaired
    // surrogate as its three-byte form (ED A0–BF xx), an odd last byte as FF.
    if encoding != .utf8, !TextEncoding.isValidUTF8(withoutMarkedFaults(text, encoding), allowTruncatedEnd: false) {
        fatalError("\(encoding) gave invalid UTF-8")
    }
    let sniffed = CSVDialect.sniff(text, quote: quote)
    if ![44, 59, 9, 124].contains(sniffed) { fatalError("sniffed delimiter \(sniffed)") }

    // The reader, on the same bytes as a file, skips a BOM of the encoding it is given; the parser reads the rest.
    var bom = 0
    if encoding == .utf8, raw.starts(with: [0xEF, 0xBB, 0xBF]) { bom = 3 }
    if encoding == .utf16LE, raw.starts(with: [0xFF, 0xFE]) { bom = 2 }
    if encoding == .utf16BE, raw.starts(with: [0xFE, 0xFF]) { bom = 2 }
    let body = bom == 0 ? text : transcode(UnsafeBufferPointer(rebasing: raw[bom...]), encoding, chunk: 0)
    let whole = body.withUnsafeBufferPointer { fuzzParse($0, chunk: 0, dialect: dialect, maxField: maxField) }
    // The parser's records after the first (the header); a record without a structural issue whose field count
    // differs from the header's is ragged.
    var expected = Parsed()
    if whole.fieldCounts.count > 1 {
        let headerFields = whole.fieldCounts[0]
        let headerBytes = whole.fieldLengths[0..<headerFields].reduce(0, +)
        expected.bytes = Array(whole.bytes[headerBytes...])
        expected.fieldLengths = Array(whole.fieldLengths[headerFields...])
        expected.fieldCounts = Array(whole.fieldCounts.dropFirst())
        expected.lines = Array(whole.lines.dropFirst())
        for (r, n) in expected.fieldCounts.enumerated() {
            if let code = whole.issues[r + 1] {
                expected.issues[r] = code
            } else if n != headerFields {
                expected.issues[r] = "ragged-row"
            }
        }
    }

    let fd = open(scratchFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0, write(fd, raw.baseAddress, raw.count) == raw.count else { fatalError("cannot write \(scratchFile)") }
    close(fd)
    var options = CSVReadOptions(encoding: declared, delimiter: delimiter, maxFieldBytes: maxField)
    options.quote = quote
    options.batchSize = chunk
    options.chunkSize = 4096  // the reader's smallest buffer (the default, 1 MiB, would be most of each run's time)
    let reader: CSVReader
    do { reader = try CSVReader(path: scratchFile, options: options) } catch {
        // Only a file without any record (not even a header), or whose header has an issue (a field over the limit,
        // a quote left open), is refused.
        if !whole.fieldCounts.isEmpty && whole.issues[0] == nil {
            fatalError("CSVReader refused a file with \(whole.fieldCounts.count) records: \(error)")
        }
        return 0
    }
    var read = Parsed()
    do {
        while let b = try reader.nextBatch() {
            read.append(b)
        }
    } catch { fatalError("reading \(scratchFile) failed: \(error)") }
    if read != expected { fatalError("CSVReader's records differ from the parser's: \(read) vs \(expected)") }
    return 0
}

/// `text` without the bytes the UTF-16 transcoder writes for a fault (nothing is taken out for other encodings).
func withoutMarkedFaults(_ text: [UInt8], _ encoding: TextEncoding) -> [UInt8] {
    guard encoding == .utf16LE || encoding == .utf16BE else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.count)
    var i = 0
    while i < text.count {
        if text[i] == 0xED, i + 2 < text.count, (0xA0...0xBF).contains(text[i + 1]) {
            i += 3
            continue
        }
        if text[i] == 0xFF, i == text.count - 1 { break }
        out.append(text[i])
        i += 1
    }
    return out
}
