import CRMModel
import GRDBSQLite

/// Records an import created and has not written yet, in creation order: row ids (consecutive from `base`), external
/// ids, fingerprints, and where each row's laid-out values are (a batch of the reading thread's `LaidRows`, or the
/// writer's own for a row changed since it was created). Nothing is copied on the way: the rows are bound from where
/// the reading thread laid them out.
struct PendingRecords {
    var meta: [(rowid: Int64, externalID: String?, rowHash: Int64?)] = []
    var laid: [(rows: LaidRows, row: Int)] = []
    /// The row id of the first; pending row ids are consecutive, so no lookup table is needed.
    var base: Int64 = 0
    /// How many layouts the rows were taken from (counted when one differs from the row's before).
    private(set) var batches = 0

    var count: Int { meta.count }

    init(capacity: Int = 0) {
        meta.reserveCapacity(capacity)
        laid.reserveCapacity(capacity)
    }

    func slot(_ rowid: Int64) -> Int? {
        let i = Int(rowid - base)
        return i >= 0 && i < meta.count ? i : nil
    }

    mutating func append(rowid: Int64, externalID: String?, rowHash: Int64?, rows: LaidRows, row: Int) {
        if meta.isEmpty { base = rowid }
        if laid.last?.rows !== rows { batches += 1 }
        meta.append((rowid, externalID, rowHash))
        laid.append((rows, row))
    }

    mutating func removeAll() {
        meta.removeAll(keepingCapacity: true)
        laid.removeAll(keepingCapacity: true)
        batches = 0
    }

    /// True when rows `first..<first + n` have no value in the fields at `outside` (so that an insert of the other
    /// fields only may write them).
    func empty(_ outside: [Int], first: Int, count n: Int) -> Bool {
        for i in first..<(first + n) {
            let (rows, row) = laid[i]
            for f in outside where rows.slot(row, 2 + f).length != -1 { return false }
        }
        return true
    }

    /// Binds rows `first..<first + n` as the parameters of one insert of `n` rows (the column order of
    /// `RecordTable.insertSQL` for `fields`): row id, id, source system, external id, the fields at `fields`, custom
    /// fields, stamp, change number, import batch, fingerprint. Texts are bound in place (SQLite copies nothing); `constants` holds the
    /// stamp's bytes and then the system's. A static shape on purpose (no generic context, no closures): it runs
    /// once per created row.
    func bind(
        _ s: RawStatement, first: Int, count n: Int, fields: [Int], constants: UnsafePointer<UInt8>, stampLength: Int,
        systemLength: Int?, batch: Int64, seq: inout Int64
    ) {
        s.resetKeepingBindings()
        var col: Int32 = 1
        meta.withUnsafeBufferPointer { meta in
            laid.withUnsafeBufferPointer { laid in
                for i in first..<(first + n) {
                    let rows = laid[i].rows
                    let bytes = UnsafePointer(rows.bytes)
                    let width = rows.width
                    rows.slots.withUnsafeBufferPointer { slots in
                        let start = laid[i].row * width
                        func put(_ slot: LaidSlot) {
                            if slot.length >= 0 {
                                s.bindStatic(col, bytes + slot.offset, slot.length)
                            } else if slot.length == LaidSlot.integerLength {
                                sqlite3_bind_int64(
                                    s.handle, col, UnsafeRawPointer(bytes + slot.offset).loadUnaligned(as: Int64.self))
                            } else {
                                sqlite3_bind_null(s.handle, col)
                            }
                            col += 1
                        }
                        sqlite3_bind_int64(s.handle, col, meta[i].rowid)
                        col += 1
                        put(slots[start])  // id
                        if let systemLength, meta[i].externalID != nil {
                            s.bindStatic(col, constants + stampLength, systemLength)
                        } else {
                            sqlite3_bind_null(s.handle, col)
                        }
                        col += 1
                        put(slots[start + 1])  // external id
                        for f in fields { put(slots[start + 2 + f]) }
                        put(slots[start + width - 1])  // custom fields
                        s.bindStatic(col, constants, stampLength)
                        seq += 1
                        sqlite3_bind_int64(s.handle, col + 1, seq)
                        sqlite3_bind_int64(s.handle, col + 2, batch)
                        if let h = meta[i].rowHash {
                            sqlite3_bind_int64(s.handle, col + 3, h)
                        } else {
                            sqlite3_bind_null(s.handle, col + 3)
                        }
                        col += 4
                    }
                }
            }
        }
    }
}
