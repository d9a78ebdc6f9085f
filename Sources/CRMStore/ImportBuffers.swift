import CRMModel

/// One bound parameter of the import writer's inserts: null, an integer, or text at an offset in the arena.
/// Outside the generic writer on purpose: a type nested in a generic class is generic itself, and every
/// append would look its metadata up at run time (a sixth of the writer's instructions, callgrind found).
enum ImportParam {
    case null
    case int(Int64)
    case text(Int, Int)
}

/// Bytes laid out to be bound in place (SQLite copies nothing): a raw buffer that grows by doubling.
/// Offsets, not pointers, are handed out, so growing is safe. Not copyable: one owner frees it.
struct BindArena: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    mutating func removeAll() { count = 0 }

    /// Appends the bytes of a text; returns its parameter (null for an empty or missing text).
    @inline(__always)
    mutating func text(_ s: String?) -> ImportParam {
        guard let s, !s.isEmpty else { return .null }
        let start = count
        if s.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil { append(Array(s.utf8)) }
        return .text(start, count - start)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if count + n > capacity { grow(to: count + n) }
        if let src = bytes.baseAddress { (base + count).update(from: src, count: n) }
        count += n
    }

    private mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    private mutating func grow(to needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }
}

/// Records an import created and has not written yet: row ids (consecutive from `base`), external ids,
/// fingerprints, bind-ready values, custom fields' JSON and ids' texts, side by side in arrays.
struct PendingRecords {
    var meta: [(rowid: Int64, externalID: String?, rowHash: Int64?)] = []
    var values: [[FieldValue]] = []
    var custom: [String?] = []
    var ids: [String] = []
    /// The row id of the first; pending row ids are consecutive, so no lookup table is needed.
    var base: Int64 = 0

    var count: Int { meta.count }

    init(capacity: Int = 0) {
        meta.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        custom.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
    }

    func slot(_ rowid: Int64) -> Int? {
        let i = Int(rowid - base)
        return i >= 0 && i < meta.count ? i : nil
    }

    mutating func append(
        rowid: Int64, externalID: String?, rowHash: Int64?, values v: [FieldValue], custom c: String?, id: String
    ) {
        if meta.isEmpty { base = rowid }
        meta.append((rowid, externalID, rowHash))
        values.append(v)
        custom.append(c)
        ids.append(id)
    }

    mutating func removeAll() {
        meta.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        custom.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }

    /// Lays the rows out as one multi-row insert's parameters (the column order of `RecordTable.insertSQL`),
    /// their texts in `arena`. A static shape on purpose: locals, `inout`s and non-escaping closures over buffer
    /// pointers only, so the loop pays no exclusivity checks and copies no row out of its arrays.
    func lay(
        system: String?, stamp: String, batch: Int64, seq: inout Int64, arena: inout BindArena,
        params: inout [ImportParam]
    ) {
        let stampParam = arena.text(stamp)
        // Rows and their values read through buffer pointers, borrowed in place rather than copied out by subscript:
        // this function 124 M → 120 M instructions on 50k leads (callgrind).
        meta.withUnsafeBufferPointer { meta in
            ids.withUnsafeBufferPointer { ids in
                values.withUnsafeBufferPointer { values in
                    custom.withUnsafeBufferPointer { custom in
                        for i in 0..<meta.count {
                            params.append(.int(meta[i].rowid))
                            params.append(arena.text(ids[i]))
                            params.append(meta[i].externalID == nil ? .null : arena.text(system))
                            params.append(arena.text(meta[i].externalID))
                            values[i].withUnsafeBufferPointer { vs in
                                for j in 0..<vs.count {
                                    switch vs[j] {
                                    case .text(let t): params.append(arena.text(t))
                                    case .integer(let n): params.append(.int(Int64(n)))
                                    default: params.append(.null)
                                    }
                                }
                            }
                            params.append(arena.text(custom[i]))
                            params.append(stampParam)
                            seq += 1
                            params.append(.int(seq))
                            params.append(.int(batch))
                            params.append(meta[i].rowHash.map { .int($0) } ?? .null)
                        }
                    }
                }
            }
        }
    }
}
