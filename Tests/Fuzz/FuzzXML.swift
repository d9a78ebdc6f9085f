// libFuzzer target for the XML record reader (compiled with Sources/CRMXML and the CLibXML2 shim).
// Invariants: no crash, no hang, no sanitizer report; the records never hold more than 3 bytes of UTF-8 per byte
// of the document (no entity expansion); reading in chunks (1 to 61 bytes) faults exactly when reading at once
// does, with the same records (before the fault).
import CLibXML2

func readAll(
    _ bytes: [UInt8], chunk: Int, fields: [String] = ["name", "email", "@id", "address/city"]
) -> ([[String]], String?) {
    var o = XMLReadOptions(recordPath: "/leads/lead", fields: fields)
    o.batchSize = 7
    var out: [[String]] = []
    do {
        let r = try XMLRecordReader(bytes: bytes, chunk: chunk, options: o)
        while let b = r.nextBatch() {
            for i in 0..<b.count { out.append(b.fields(i)) }
            if let f = b.fault { return (out, "\(f.code)") }
        }
        return (out, nil)
    } catch {
        return (out, "\(type(of: error))")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = readAll(bytes, chunk: max(1, bytes.count))
    let chunk = 1 + size % 61
    let pieces = readAll(bytes, chunk: chunk)
    // No entity is ever expanded: the records cannot hold more text than the document, in UTF-8 — a byte of a
    // single-byte encoding (a declared ISO-8859-1, Windows-1252, TIS-620) is at most 3 (kept:
    // fixtures/fuzz/xml/crash-8cf7…).
    let text = whole.0.reduce(0) { $0 + $1.reduce(0) { $0 + $1.utf8.count } }
    if text > 3 * size { fatalError("\(text) bytes of records from a \(size)-byte document: something was expanded") }
    // Chunking changes neither whether the document faults nor the records read; with a fault, one reading may
    // have handed out fewer of the records before it (a batch ends at the fault), never different ones.
    if (whole.1 == nil) != (pieces.1 == nil) {
        fatalError("chunks of \(chunk): fault \(whole.1 ?? "none") vs \(pieces.1 ?? "none")")
    }
    if whole.1 == nil {
        if whole.0 != pieces.0 { fatalError("chunks of \(chunk) changed the records") }
    } else {
        let n = min(whole.0.count, pieces.0.count)
        if whole.0.prefix(n) != pieces.0.prefix(n) {
            fatalError("chunks of \(chunk) changed the records before the fault")
        }
    }
    // Fields that are all children or attributes of the record take the reader's flat path, `name[1]` the general one
    // for the same thing: they read the same records and fault alike.
    let flat = readAll(bytes, chunk: chunk, fields: ["name", "email", "@id"])
    let general = readAll(bytes, chunk: chunk, fields: ["name[1]", "email[1]", "@id"])
    if flat.0 != general.0 || (flat.1 == nil) != (general.1 == nil) {
        fatalError("the flat path read other records than the general one (chunks of \(chunk))")
    }
    return 0
}
