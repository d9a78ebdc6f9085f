// libFuzzer target for the CSV parser (compiled by scripts/fuzz.sh together with Sources/CRMCSV).
// Input: a control byte (delimiter, field limit, chunk size), then the CSV bytes.
// Invariants: feeding the bytes in chunks gives exactly the records (byte for byte), lines and issues of feeding
// them at once; records without issues written back as RFC 4180 and parsed again come out the same bytes.
// Records are compared as bytes, not Strings: String equality repairs invalid UTF-8 and would hide differences.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = ControlByte(data[0])
    let delimiter = control.delimiter
    let maxField = control.maxField
    let chunk = control.chunk
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let dialect = CSVDialect(delimiter: delimiter)
    let whole = fuzzParse(input, chunk: 0, dialect: dialect, maxField: maxField)
    let pieces = fuzzParse(input, chunk: chunk, dialect: dialect, maxField: maxField)
    if whole != pieces { fatalError("chunk \(chunk) changed the result: \(whole) vs \(pieces)") }
    var (csv, clean) = cleanRecords(whole, delimiter: delimiter)
    var again = csv.withUnsafeBufferPointer { fuzzParse($0, chunk: 0, dialect: dialect, maxField: 1 << 20) }
    again.lines = []
    clean.lines = []
    if again != clean { fatalError("write then read changed the records: \(clean) vs \(again)") }
    return 0
}
