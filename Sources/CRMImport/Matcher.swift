import CRMDedupe
import CRMModel
import CRMStore

/// Exact matching of incoming records against the store and against each other, and the write
/// that follows: create, or merge into the record found.
///
/// A class, used by one thread: the importer's loop calls it from inside closures, where a struct held in a `var` was
/// copied for each row's `prefetch` (callgrind: its copy and destroy were 66 instructions a row). Its mutable state is
/// exempt from the run-time exclusivity checks a class's properties get otherwise (each access cost as much again).
final class Matcher<R: CRMRecord, W: ImportSink> where W.Record == R {
    let writer: W
    let keys: [MatchKey<R>]
    @exclusivity(unchecked) private var index = ExactMatchIndex()
    /// Rows above this id were created by this import.
    private let highWater: Int64
    /// Stored records already touched by this import (later rows only fill their blanks).
    @exclusivity(unchecked) private var touched = Set<Int64>()
    /// The index of the key made of the record id (`id`), whose rows replace what they name; nil for none.
    private let recordIDKey: Int?
    /// The kinds of `R`'s fields, for making a laid-out row into a record.
    private let kinds = R.fields.map(\.kind)
    /// Records a fuzzy merge folded into another: row id → the survivor's row id. Their keys stay in the index, so
    /// that their rows imported again fill their survivor instead of coming back as new records (which the fuzzy
    /// pass then merged again: a trial's re-import said "merged 34" and left 34 more deleted records each time).
    private let survivors: [Int64: Int64]

    init(writer: W, keys: [MatchKeySpec]) throws {
        self.writer = writer
        self.keys = keys.map { MatchKey<R>($0) }
        recordIDKey = keys.firstIndex { $0.fields == ["id"] }
        let fields = Array(Set(keys.flatMap(\.fields)).subtracting(["external_id"]))  // `id` reads the id column
        var high: Int64 = 0
        var idx = ExactMatchIndex()
        let specs = self.keys
        let fingerprintKind = keys.count
        var merged: [(Int64, R, String?, Int64?)] = []
        var survivors: [Int64: Int64] = [:]
        var live: [UInt64] = []  // a bit per row id: the live records (a merge's survivor may have been deleted since)
        func index(_ rowid: Int64, _ record: R, _ ext: String?, _ rowHash: Int64?) {
            for (k, spec) in specs.enumerated() {
                if let key = spec.key(of: record, externalID: ext) { idx.insert(kind: k, key: key, row: rowid) }
            }
            if let rowHash { idx.insert(kind: fingerprintKind, key: String(rowHash), row: rowid) }
        }
        try writer.scan(fields: fields) { rowid, record, ext, rowHash, mergedInto in
            high = max(high, rowid)
            if let mergedInto {
                survivors[rowid] = mergedInto
                merged.append((rowid, record, ext, rowHash))
            } else {
                index(rowid, record, ext, rowHash)
                let word = Int(rowid >> 6)
                if word >= live.count { live += [UInt64](repeating: 0, count: word + 1 - live.count + live.count / 2) }
                live[word] |= 1 << UInt64(rowid & 63)
            }
        }
        // Only merges whose survivor (at the end of merges of merges) still lives.
        func ends(_ rowid: Int64) -> Int64? {
            var at = rowid
            for _ in 0..<64 {
                guard let next = survivors[at] else {
                    let word = Int(at >> 6)
                    return at >= 0 && word < live.count && live[word] & (1 << UInt64(at & 63)) != 0 ? at : nil
                }
                at = next
            }
            return nil  // a loop
        }
        let resolved = survivors.keys.reduce(into: [Int64: Int64]()) { out, rowid in out[rowid] = ends(rowid) }
        merged.removeAll { resolved[$0.0] == nil }
        // After the live records, so that a key a live record has finds it rather than a merged one.
        for (rowid, record, ext, rowHash) in merged { index(rowid, record, ext, rowHash) }
        self.index = idx
        self.survivors = resolved
        highWater = high
    }

    /// Writes a row: merged into the first record an exact key finds, or created.
    ///
    /// A row with no match key at all is matched by its content fingerprint, so that the same
    /// row imported again is recognised (and an identical row later in the file merges).
    /// The keys' hashes come with the row (`MappedBatch.hashes`: `keys.count + 1` a row, its fingerprint's last, 0
    /// for none); the row is made into a record only when a hash finds one.
    func apply(
        laid: LaidRows, row: Int, head: RowHead, hashes: UnsafeBufferPointer<UInt64>
    ) throws -> (RowOutcome, Int64) {
        let width = keys.count + 1
        let first = row * width
        var incoming: R?
        for k in 0..<width {
            let hash = hashes[first + k]
            // A key for rows without an external id is not looked up for one with it (the created record is indexed
            // by it all the same, so that a later row without an id finds it).
            if k < keys.count, keys[k].spec.onlyWithoutExternalID, head.externalID != nil { continue }
            guard hash != 0, let found = index.lookup(hash: hash), let (keyed, keyedExt) = try writer.load(found)
            else { continue }
            let made = incoming ?? laid.record(R.self, row, kinds: kinds)
            incoming = made
            if k < keys.count,
                keys[k].key(of: keyed, externalID: keyedExt)
                    != keys[k].key(of: made, externalID: head.externalID, recordID: head.recordID)
            {
                continue  // a hash collision: not the same key
            }
            // A record merged away stands for its survivor, which the row only fills (as the merge did).
            let survivor = survivors.isEmpty ? nil : survivors[found]
            let redirected = survivor != nil
            let rowid = survivor ?? found
            guard let (stored, storedExt) = redirected ? try writer.load(rowid) : (keyed, keyedExt) else { continue }
            var merged = stored
            let createdHere = rowid > highWater
            // A row that names the record by its crmgate id is its new version (an export edited and imported back).
            let mode: MergeMode
            if createdHere || touched.contains(rowid) || redirected {
                mode = .fill
            } else {
                mode = k == recordIDKey ? .replace : .update
            }
            let changed = RecordMerge.absorb(made, into: &merged, mode: mode)
            let externalID = head.externalID
            if changed || (externalID != nil && storedExt == nil) {
                try writer.update(rowid, merged, externalID: externalID)
                indexKeys(of: merged, externalID: storedExt ?? externalID, row: rowid)
            }
            // A row that only filled a survivor leaves the survivor's own row (later in the file) free to update it.
            if !createdHere && !redirected { touched.insert(rowid) }
            return (createdHere ? .merged : (changed ? .updated : .unchanged), rowid)
        }
        let rowid = try writer.insert(laid: laid, row: row, externalID: head.externalID, rowHash: head.fingerprint)
        for k in 0..<width where hashes[first + k] != 0 { index.insert(hash: hashes[first + k], row: rowid) }
        return (.created, rowid)
    }

    /// Asks ahead for the index slots that the hashes of `row` (a row a few after the one being applied) will look
    /// up: the index outgrows the caches, and its misses were 6% of the writing thread's `perf` samples on 1M leads.
    func prefetch(row: Int, hashes: UnsafeBufferPointer<UInt64>) {
        let width = keys.count + 1
        let first = row * width
        guard first + width <= hashes.count else { return }
        for k in 0..<width where hashes[first + k] != 0 { index.prefetch(hash: hashes[first + k]) }
    }

    /// The stored records that rows' keys find (ahead of `apply`, for `ImportSink.preload`), given the rows' hashes.
    func candidates(_ hashes: [UInt64]) -> [Int64] {
        var out: [Int64] = []
        for hash in hashes where hash != 0 {
            // A record merged away is read for its key, and its survivor is the record written.
            if let rowid = index.lookup(hash: hash) {
                out.append(rowid)
                if let survivor = survivors.isEmpty ? nil : survivors[rowid] { out.append(survivor) }
            }
        }
        return out
    }

    private func indexKeys(of record: R, externalID: String?, row: Int64) {
        for (k, spec) in keys.enumerated() {
            if let key = spec.key(of: record, externalID: externalID) { index.insert(kind: k, key: key, row: row) }
        }
    }
}
