// libFuzzer target for the JSON reader of remote answers (compiled with Sources/CRMSync/JSONValue.swift).
// Invariant: a document that parses, written back and parsed again, is the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let v = try? JSONValue.parse(bytes) else { return 0 }
    let text = v.bytes
    guard let w = try? JSONValue.parse(text) else {
        fatalError("written JSON does not parse: \(String(decoding: text, as: UTF8.self))")
    }
    if w != v && !containsNaNOrHuge(v) { fatalError("round trip changed the value") }
    return 0
}

func containsNaNOrHuge(_ v: JSONValue) -> Bool {
    switch v {
    case .number(let d): return d.isNaN || d.isInfinite || abs(d) >= 1e15
    case .array(let a): return a.contains(where: containsNaNOrHuge)
    case .object(let o): return o.contains { containsNaNOrHuge($0.1) }
    default: return false
    }
}
