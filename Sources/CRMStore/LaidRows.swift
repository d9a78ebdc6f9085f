public import CRMModel
import Foundation

/// Where one value of a laid-out row is: text bytes at `offset` (`length` ≥ 0), NULL (`length == -1`), or an
/// integer in the eight bytes at `offset` (`length == -2`).
struct LaidSlot {
    var offset: Int
    var length: Int

    static let null = LaidSlot(offset: 0, length: -1)
    static let integerLength = -2
}

/// Rows laid out as the store binds them, made by an import's reading thread and bound in place by its writing
/// thread: for each row its id, its external id, its field values in the forms `StoreValues.prepare` gives (text,
/// integer or NULL) and its custom fields' JSON, as slots over one byte buffer.
///
/// Why: a row used to travel as a class holding arrays of values, the bind-ready values, its id's text, its keys and
/// their hashes, a dozen allocations made on the reading thread, touched across cores by the writer and freed again
/// on the reading thread. Here a batch of rows is two buffers; a row that merges is made into a record from them
/// (`record(_:_:)`), the others are never turned back into values.
///
/// A class, so that the writer can keep a batch's rows alive until they are bound; not changed once handed over (the
/// queue between the threads orders the writes before the reads), hence `@unchecked Sendable`.
public final class LaidRows: @unchecked Sendable {
    /// Slots a row has: the id, the external id, one per field, the custom fields' JSON.
    let width: Int
    // Only one thread at a time touches a layout (the reader while it fills it, then the writer), one call at a time:
    // the runtime's exclusivity checks on these were a tenth of the reading thread's `perf` samples (1M leads).
    @exclusivity(unchecked) private(set) var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var byteCount = 0
    @exclusivity(unchecked) private var byteCapacity: Int
    @exclusivity(unchecked) private(set) var slots: [LaidSlot] = []

    /// The rows laid out so far.
    public var count: Int { slots.count / width }

    /// An empty layout for records of `fields` fields.
    public init(fields: Int, rows: Int = 0, bytes capacity: Int = 1 << 16) {
        width = fields + 3
        byteCapacity = max(64, capacity)
        bytes = .allocate(capacity: byteCapacity)
        slots.reserveCapacity(rows * width)
    }

    deinit { bytes.deallocate() }

    /// Forgets every row, keeping the buffers.
    func removeAll() {
        byteCount = 0
        slots.removeAll(keepingCapacity: true)
    }

    /// Lays out one row: `values` in `R.fields` order, typed as a mapper or a record gives them. Returns its index.
    @discardableResult
    public func append(id: RecordID, externalID: String?, values: [FieldValue], custom: [String: String]) -> Int {
        slots.append(write(36) { id.writeText(into: $0) })
        slots.append(text(externalID))
        values.withUnsafeBufferPointer { vs in
            for v in vs { slots.append(value(v)) }
        }
        slots.append(custom.isEmpty ? .null : text(JSONText.object(custom)))
        return count - 1
    }

    /// A value in its stored form: what `StoreValues.prepare` and then binding its text would store.
    @inline(__always)
    private func value(_ v: FieldValue) -> LaidSlot {
        switch v {
        case .empty: return .null
        case .text(let t): return text(t)
        case .integer(let n): return integer(Int64(n))
        case .bool(let b): return integer(b ? 1 : 0)
        case .number(let d): return text(NSDecimalNumber(decimal: d).stringValue)
        case .day(let d): return text(d.description)
        case .instant(let d): return write(24) { d.writeISO8601UTC(into: $0) }
        case .list(let l): return text(JSONText.array(l))
        }
    }

    /// A text's bytes (NULL for nil or empty, as the writer has always bound them).
    @inline(__always)
    private func text(_ s: String?) -> LaidSlot {
        guard var s, !s.isEmpty else { return .null }
        return s.withUTF8 { b in
            write(b.count) { out in
                if let src = b.baseAddress { out.baseAddress!.update(from: src, count: b.count) }
                return b.count
            }
        }
    }

    @inline(__always)
    private func integer(_ n: Int64) -> LaidSlot {
        let slot = write(8) { out in
            UnsafeMutableRawPointer(out.baseAddress!).storeBytes(of: n, as: Int64.self)
            return 8
        }
        return LaidSlot(offset: slot.offset, length: LaidSlot.integerLength)
    }

    /// Makes room for `most` bytes, lets `body` write them and say how many it wrote.
    @inline(__always)
    private func write(_ most: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> LaidSlot {
        if byteCount + most > byteCapacity { grow(to: byteCount + most) }
        let start = byteCount
        byteCount += body(UnsafeMutableBufferPointer(start: bytes + start, count: most))
        return LaidSlot(offset: start, length: byteCount - start)
    }

    private func grow(to needed: Int) {
        var c = byteCapacity
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = b
        byteCapacity = c
    }

    // MARK: reading a row back

    @inline(__always)
    func slot(_ row: Int, _ i: Int) -> LaidSlot { slots[row * width + i] }

    func string(_ s: LaidSlot) -> String? {
        s.length >= 0
            ? String(decoding: UnsafeBufferPointer(start: bytes + s.offset, count: s.length), as: UTF8.self) : nil
    }

    func int64(_ s: LaidSlot) -> Int64 {
        UnsafeRawPointer(bytes + s.offset).loadUnaligned(as: Int64.self)
    }

    /// A slot as the bind-ready value it stands for.
    func prepared(_ s: LaidSlot) -> FieldValue {
        switch s.length {
        case LaidSlot.integerLength: return .integer(Int(int64(s)))
        case -1: return .empty
        default: return .text(string(s) ?? "")
        }
    }

    /// The row's id text.
    public func idText(_ row: Int) -> String { string(slot(row, 0)) ?? "" }

    /// The row's external id.
    public func externalID(_ row: Int) -> String? { string(slot(row, 1)) }

    /// The row's field values in their bind-ready forms (`StoreValues.prepare`).
    public func prepared(_ row: Int) -> [FieldValue] {
        (0..<(width - 3)).map { prepared(slot(row, 2 + $0)) }
    }

    /// The row's custom fields' JSON (nil when it has none).
    public func customJSON(_ row: Int) -> String? { string(slot(row, width - 1)) }

    /// The row as a record, typed again (a row that merges, or one read back before it is written); `kinds` are
    /// `R.fields.map(\.kind)`, made once by the caller (read field by field in a generic context, each took a metadata
    /// lookup: a quarter of this function's instructions).
    public func record<R: CRMRecord>(_ type: R.Type, _ row: Int, kinds: [FieldKind]) -> R {
        R(
            id: RecordID(idText(row)) ?? RecordID.make(), fieldValues: typedValues(row, kinds: kinds),
            custom: JSONText.decodeObject(customJSON(row)))
    }

    private func typedValues(_ row: Int, kinds: [FieldKind]) -> [FieldValue] {
        var values: [FieldValue] = []
        values.reserveCapacity(kinds.count)
        for i in 0..<kinds.count { values.append(StoreValues.typed(prepared(slot(row, 2 + i)), kinds[i])) }
        return values
    }
}
