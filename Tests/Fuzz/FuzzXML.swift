// libFuzzer target for the XML record reader (compiled with Sources/CRMXML and the CLibXML2 shim).
// Invariant: no crash, no hang, no sanitizer report; reading in chunks (1 to 61 bytes) gives the records of reading at once, up to
// the first error.
import CLibXML2

func readAll(_ bytes: [UInt8], chunk: Int) -> ([[String]], String?) {
    var o = XMLReadOptions(recordPath: "/leads/lead", fields: ["name", "email", "@id", "address/city"])
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
    let pieces = readAll(bytes, chunk: 1 + size % 61)
    if whole.1 == nil && pieces.1 == nil && whole.0 != pieces.0 { fatalError("chunking changed the records") }
    return 0
}
