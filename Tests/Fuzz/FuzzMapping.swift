// libFuzzer target for mapping files and transforms (built by scripts/fuzz.sh against an instrumented SwiftPM build
// of CRMMapping in .build-fuzz). The input is a mapping file, a NUL, then a row's fields separated by U+001F.
// Invariants: decoding refuses or accepts, never a crash; an accepted mapping gives a row mapper for its own source
// columns, and maps the row (every column filled) to values or to a rejection with a reason, never a crash or a hang.
import CRMMapping
import CRMModel

/// Work done once per process before the first input: ICU loads its locale, calendar and time-zone data on first
/// use, which took over a second under AddressSanitizer beside a build (a CI run's timeout on a bundled mapping that
/// runs in 40 ms). libFuzzer's per-input timeout is for the input's own work.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzMappingInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let warm = """
        record: lead
        timezone: Europe/Berlin
        phone_country: DE
        fields:
          created_at: {column: C, transform: [{date: {formats: ["dd.MM.yyyy HH:mm", iso8601, "MM/dd/yyyy"]}}]}
          phone: {column: P, transform: [phone]}
          email: {column: E, transform: [email]}
          first_name: {column: N, transform: [first_name]}
          amount: {column: A, transform: [{number: {decimal: ",", thousands: "."}}]}
        \u{0}31.12.2024 10:30\u{1F}+49 30 123456\u{1F}ann@example.com\u{1F}Ann Lee\u{1F}1.234,56
        """
    var bytes = Array(warm.utf8)
    _ = bytes.withUnsafeMutableBufferPointer { fuzzMapping($0.baseAddress!, $0.count) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let yaml = String(decoding: bytes[..<cut], as: UTF8.self)
    guard let mapping = try? MappingFile.parse(yaml: yaml) else { return 0 }
    var fields =
        cut < bytes.count
        ? bytes[(cut + 1)...].split(separator: 0x1F, omittingEmptySubsequences: false).map(Array.init) : []
    let header = mapping.sourceColumns
    // Every column gets a value (the given ones, repeated), so that every field's transforms run.
    let given = fields.count
    while fields.count < header.count { fields.append(given == 0 ? [] : fields[fields.count % given]) }
    var flat: [UInt8] = []
    var ends: [Int] = []
    for f in fields.prefix(max(header.count, 1)) {
        flat += f
        ends.append(flat.count)
        flat.append(10)  // each field's separator byte, as the readers lay rows out (RawRow)
    }
    flat.withUnsafeBufferPointer { b in
        ends.withUnsafeBufferPointer { e in
            let row = RawRow(bytes: b, fieldEnds: e, firstField: 0, count: e.count, line: 2)
            switch mapping.record {
            case .lead: check(mapper(Lead.self, mapping, header).mapValues(row))
            case .customer: check(mapper(Customer.self, mapping, header).mapValues(row))
            case .opportunity: check(mapper(Opportunity.self, mapping, header).mapValues(row))
            case .task: check(mapper(CRMTask.self, mapping, header).mapValues(row))
            }
        }
    }
    return 0
}

/// A mapping that decoded must give a row mapper for its own source columns.
func mapper<R: CRMRecord>(_: R.Type, _ mapping: MappingFile, _ header: [String]) -> RowMapper<R> {
    do { return try RowMapper<R>(mapping: mapping, header: header) } catch {
        fatalError("a decoded mapping has no row mapper for its own columns \(header): \(error)")
    }
}

/// A rejection says why, in words.
func check(_ result: Result<([FieldValue], [String: String]), RowRejection>) {
    if case .failure(let r) = result, r.reason.isEmpty { fatalError("a rejection without a reason: \(r)") }
}
