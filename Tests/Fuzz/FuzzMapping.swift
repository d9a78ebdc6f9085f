// libFuzzer target for mapping files and transforms (built by scripts/fuzz.sh against an instrumented SwiftPM build
// of CRMMapping in .build-fuzz). The input is a mapping file, a NUL, then a row's fields separated by U+001F.
// Invariant: decoding refuses or accepts with an error, never a crash; an accepted mapping maps the row to a record
// or to a rejection with a reason, never a crash or a hang.
import CRMMapping
import CRMModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let yaml = String(decoding: bytes[..<cut], as: UTF8.self)
    guard let mapping = try? MappingFile.parse(yaml: yaml) else { return 0 }
    var fields = cut < bytes.count ? bytes[(cut + 1)...].split(separator: 0x1F, omittingEmptySubsequences: false).map(Array.init) : []
    let header = mapping.sourceColumns
    while fields.count < header.count { fields.append([]) }
    var flat: [UInt8] = []
    var ends: [Int] = []
    for f in fields.prefix(max(header.count, 1)) {
        flat += f
        ends.append(flat.count)
    }
    flat.withUnsafeBufferPointer { b in
        ends.withUnsafeBufferPointer { e in
            let row = RawRow(bytes: b, fieldEnds: e, firstField: 0, count: e.count, line: 2)
            switch mapping.record {
            case .lead: if let m = try? RowMapper<Lead>(mapping: mapping, header: header) { _ = m.mapValues(row) }
            case .customer: if let m = try? RowMapper<Customer>(mapping: mapping, header: header) { _ = m.mapValues(row) }
            case .opportunity: if let m = try? RowMapper<Opportunity>(mapping: mapping, header: header) { _ = m.mapValues(row) }
            case .task: if let m = try? RowMapper<CRMTask>(mapping: mapping, header: header) { _ = m.mapValues(row) }
            }
        }
    }
    return 0
}
