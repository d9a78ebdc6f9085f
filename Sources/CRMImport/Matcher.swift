import CRMDedupe
import CRMModel
import CRMStore

/// Exact matching of incoming records against the store and against each other, and the write
/// that follows: create, or merge into the record found.
struct Matcher<R: CRMRecord, W: ImportSink> where W.Record == R {
    let writer: W
    let keys: [MatchKey<R>]
    private var index = ExactMatchIndex()
    /// Rows above this id were created by this import.
    private let highWater: Int64
    /// Stored records already touched by this import (later rows only fill their blanks).
    private var touched = Set<Int64>()

    init(writer: W, keys: [MatchKeySpec]) throws {
        self.writer = writer
        self.keys = keys.map { MatchKey<R>($0) }
        let fields = Array(Set(keys.flatMap(\.fields)).subtracting(["external_id"]))
        var high: Int64 = 0
        var idx = ExactMatchIndex()
        let specs = self.keys
        let fingerprintKind = keys.count
        try writer.scan(fields: fields) { rowid, record, ext, rowHash in
            high = max(high, rowid)
            for (k, spec) in specs.enumerated() {
                if let key = spec.key(of: record, externalID: ext) { idx.insert(kind: k, key: key, row: rowid) }
            }
            if let rowHash { idx.insert(kind: fingerprintKind, key: String(rowHash), row: rowid) }
        }
        index = idx
        highWater = high
    }

    /// Writes a row: merged into the first record an exact key finds, or created.
    ///
    /// A row with no match key at all is matched by its content fingerprint, so that the same
    /// row imported again is recognised (and an identical row later in the file merges).
    /// The keys' hashes come with the row (`RowData.hashes`, its fingerprint's last).
    mutating func apply(_ row: RowData) throws -> (RowOutcome, Int64) {
        for k in 0..<row.hashes.count {
            guard let hash = row.hashes[k], let rowid = index.lookup(hash: hash) else { continue }
            guard let (stored, storedExt) = try writer.load(rowid),
                k == keys.count || keys[k].key(of: stored, externalID: storedExt) == row.keys[k]
            else { continue }  // a hash collision: not the same key
            let incoming = R(id: row.id, fieldValues: row.values, custom: row.custom)
            var merged = stored
            let createdHere = rowid > highWater
            let mode: MergeMode = createdHere || touched.contains(rowid) ? .fill : .update
            let changed = RecordMerge.absorb(incoming, into: &merged, mode: mode)
            let externalID = row.externalID
            if changed || (externalID != nil && storedExt == nil) {
                try writer.update(rowid, merged, externalID: externalID)
                indexKeys(of: merged, externalID: storedExt ?? externalID, row: rowid)
            }
            if !createdHere { touched.insert(rowid) }
            return (createdHere ? .merged : (changed ? .updated : .unchanged), rowid)
        }
        let rowid = try writer.insert(
            prepared: row.prepared, id: row.idText, customJSON: row.customJSON, externalID: row.externalID,
            rowHash: row.fingerprint)
        for hash in row.hashes { if let hash { index.insert(hash: hash, row: rowid) } }
        return (.created, rowid)
    }

    /// The stored records that rows' keys find (ahead of `apply`, for `ImportSink.preload`).
    func candidates(_ rows: [RowData]) -> [Int64] {
        var out: [Int64] = []
        for row in rows {
            for hash in row.hashes { if let hash, let rowid = index.lookup(hash: hash) { out.append(rowid) } }
        }
        return out
    }

    private mutating func indexKeys(of record: R, externalID: String?, row: Int64) {
        for (k, spec) in keys.enumerated() {
            if let key = spec.key(of: record, externalID: externalID) { index.insert(kind: k, key: key, row: row) }
        }
    }
}
