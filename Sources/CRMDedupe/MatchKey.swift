import CPrefetch
public import CRMModel
import Foundation

/// An exact-match key definition: `id` (the crmgate record id), `external_id`, `email`, any field, or fields joined
/// by `+`.
public struct MatchKeySpec: Sendable, Hashable, CustomStringConvertible {
    /// The fields the key is made of (`external_id` is the source system's id).
    public let fields: [String]

    /// True when the key counts only for rows without an external id (`MappingFile.keysWithoutExternalID`).
    public var onlyWithoutExternalID = false

    /// Parses `email`, `external_id`, `name+customer_name`.
    public init(_ text: String, onlyWithoutExternalID: Bool = false) {
        fields = text.split(separator: "+").map { String($0).trimmingCharacters(in: [" "]) }
        self.onlyWithoutExternalID = onlyWithoutExternalID
    }

    public var description: String { fields.joined(separator: "+") }

    /// True for the `external_id` key.
    public var isExternalID: Bool { fields == ["external_id"] }

    /// The normalised key of a record, or nil when a part is empty (empty keys never match).
    ///
    /// Emails are normalised (`EmailAddress.normalize`), other text lower-cased with spaces collapsed.
    /// For many records, compile the spec once with `MatchKey`.
    public func key<R: CRMRecord>(of record: R, externalID: String?) -> String? {
        MatchKey<R>(self).key(of: record, externalID: externalID)
    }

    /// Lower-cased with runs of whitespace collapsed; ASCII text takes a fast path.
    public static func fold(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var space = false
        var ascii = true
        for b in s.utf8 {
            if b >= 0x80 { ascii = false }
            if b == 32 || b == 9 || b == 10 || b == 13 {
                space = !out.isEmpty
                continue
            }
            if space {
                out.append(32)
                space = false
            }
            out.append(b >= 65 && b <= 90 ? b | 0x20 : b)
        }
        let r = String(decoding: out, as: UTF8.self)
        return ascii ? r : r.lowercased()
    }
}

/// A match key compiled for one record type: field descriptors looked up once.
public struct MatchKey<R: CRMRecord>: Sendable {
    public let spec: MatchKeySpec
    private let parts: [Int?]  // field indexes; nil: the external id or a custom field
    private let kinds: [FieldKind?]
    /// Leads are people: a role address (`info@`, `Normalize.isRoleAddress`) is no key of theirs. Two colleagues
    /// under one `info@` were one lead, the second's name and number lost (a customer, a firm, keeps it as its key).
    private let personal: Bool

    public init(_ spec: MatchKeySpec) {
        self.spec = spec
        parts = spec.fields.map { $0 == "external_id" || $0 == "id" ? nil : R.fieldIndex(named: $0) }
        kinds = parts.map { $0.map { R.fields[$0].kind } }
        personal = R.recordType == .lead
    }

    /// The key of a record given as its field values (in the order of `R.fields`) and custom fields; `recordID` is
    /// the id a row of a file names (`id:` in a mapping), nil for none.
    public func key(
        values: [FieldValue], custom: [String: String], externalID: String?, recordID: RecordID? = nil
    ) -> String? {
        if parts.count == 1 { return part(0, { values[$0] }, custom, externalID, recordID) }
        var out: [String] = []
        for i in parts.indices {
            guard let p = part(i, { values[$0] }, custom, externalID, recordID) else { return nil }
            out.append(p)
        }
        return out.joined(separator: "\u{1F}")
    }

    /// The normalised key of a record, or nil when a part is empty.
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func key(of record: R, externalID: String?) -> String? {
        key(of: record, externalID: externalID, recordID: record.id)
    }

    /// The key of a record whose `id` part is `recordID` (an incoming row's is the id its file names, not the one
    /// it was given to be created under).
    public func key(of record: R, externalID: String?, recordID: RecordID?) -> String? {
        if parts.count == 1 { return part(0, { record.fieldValue($0) }, record.custom, externalID, recordID) }
        var out: [String] = []
        for i in parts.indices {
            guard let p = part(i, { record.fieldValue($0) }, record.custom, externalID, recordID) else { return nil }
            out.append(p)
        }
        return out.joined(separator: "\u{1F}")
    }

    private func part(
        _ i: Int, _ field: (Int) -> FieldValue, _ custom: [String: String], _ externalID: String?,
        _ recordID: RecordID?
    ) -> String? {
        let name = spec.fields[i]
        let value: FieldValue
        if let d = parts[i] {
            value = field(d)
        } else if name == "external_id" {
            return externalID.flatMap { $0.isEmpty ? nil : $0 }
        } else if name == "id" {
            return recordID?.description
        } else if name.hasPrefix("custom.") {
            value = custom[String(name.dropFirst(7))].map { FieldValue.text($0) } ?? .empty
        } else {
            return nil
        }
        let p: String?
        switch value {
        case .empty: p = nil
        case .text(let s):
            if kinds[i] == .email {
                let e = EmailAddress.normalize(s)
                p = personal && e.map(Normalize.isRoleAddress) == true ? nil : e
            } else {
                p = MatchKeySpec.fold(s)
            }
        case .day(let d): p = d.description
        case .instant(let d): p = d.iso8601UTC
        case .integer(let n): p = String(n)
        case .number(let n): p = "\(n)"
        case .bool(let b): p = b ? "1" : "0"
        case .list(let l): p = l.map(MatchKeySpec.fold).sorted().joined(separator: ",")
        }
        guard let p, !p.isEmpty else { return nil }
        return p
    }
}

/// Finds records by exact key in memory: keys are hashed to 64 bits and point at a store row.
///
/// Holds hashes, not keys or records, so a million keys take tens of megabytes. A hit must be
/// confirmed against the record (a 64-bit collision is possible, if unlikely); `insert` keeps the
/// first row for a hash.
public struct ExactMatchIndex: Sendable {
    // An open-addressing table (linear probing, at most half full) of the keys' hashes, which are mixed already
    // (`hash(kind:key:)`): a `Dictionary` hashed each again with SipHash and looked a new key up twice, 4% of the
    // import's writing thread (`perf`, 1M leads), about 30 M instructions on 50k leads against 10 M now (callgrind). A slot's key 0 means empty; the hash 0 is kept as 1. The first slot
    // is taken from the hash mixed with a seed drawn per index, so that a file cannot be made of keys that all want one
    // slot (hashes are not secret; the seed is): lookups stay constant time whatever the keys.
    // A slot's key and row side by side: the key's cache line brings its row (two arrays took two misses a lookup that
    // hit and an insert, on a table far larger than the cache).
    private var table: [Slot]
    private var mask: Int
    private var shift: UInt64
    private let seed = UInt64.random(in: 0...UInt64.max)
    /// The number of keys.
    public private(set) var count = 0

    private struct Slot {
        var key: UInt64
        var row: Int64
    }

    public init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        table = [Slot](repeating: Slot(key: 0, row: 0), count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always)
    private func first(_ h: UInt64) -> Int { Int(truncatingIfNeeded: ((h ^ seed) &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The slot of `h` (0 replaced by 1): where it is, or the empty slot where it would go. The first one tried is
    /// the top bits of the seeded hash times the golden ratio (Fibonacci hashing).
    @inline(__always)
    private func slot(_ h: UInt64) -> Int {
        var i = first(h)
        while table[i].key != 0 && table[i].key != h { i = (i + 1) & mask }
        return i
    }

    /// Asks the processor for the slot a lookup of `hash` starts at, ahead of the lookup: the table outgrows the
    /// caches, and the miss is then waited for while other rows are written.
    @inline(__always)
    public func prefetch(hash: UInt64) {
        let i = first(hash == 0 ? 1 : hash)
        table.withUnsafeBufferPointer { crmgate_prefetch($0.baseAddress! + i) }
    }

    /// The row recorded for `key` of key kind `kind`, if any.
    public func lookup(kind: Int, key: String) -> Int64? { lookup(hash: ExactMatchIndex.hash(kind: kind, key: key)) }

    /// The row recorded for a key given as its `hash(kind:key:)`, computed ahead (on another thread).
    public func lookup(hash: UInt64) -> Int64? {
        let h = hash == 0 ? 1 : hash
        let i = slot(h)
        return table[i].key == h ? table[i].row : nil
    }

    /// Records `row` for a key given as its `hash(kind:key:)` unless it is already taken.
    @discardableResult
    public mutating func insert(hash: UInt64, row: Int64) -> Bool {
        let h = hash == 0 ? 1 : hash
        var i = slot(h)
        if table[i].key == h { return false }
        if (count + 1) * 2 > table.count {
            grow()
            i = slot(h)
        }
        table[i] = Slot(key: h, row: row)
        count += 1
        return true
    }

    /// Records `row` for `key` unless the key is already taken; returns false when it was.
    @discardableResult
    public mutating func insert(kind: Int, key: String, row: Int64) -> Bool {
        insert(hash: ExactMatchIndex.hash(kind: kind, key: key), row: row)
    }

    /// Twice the slots, every key placed again.
    private mutating func grow() {
        let old = table
        table = [Slot](repeating: Slot(key: 0, row: 0), count: old.count * 2)
        mask = table.count - 1
        shift -= 1
        for s in old where s.key != 0 { table[slot(s.key)] = s }
    }

    /// FNV-1a over the key's UTF-8 with the kind mixed in: stable across runs, cheap.
    public static func hash(kind: Int, key: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: kind &* 0x9E37_79B9)
        for b in key.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        // Final avalanche (splitmix64) so similar keys spread over the table.
        h ^= h >> 30
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        h = h &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}

/// A 64-bit fingerprint of a record's content, for rows that carry no match key at all:
/// the same row imported again is recognised by it instead of being created twice.
public enum RowFingerprint {
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public static func of<R: CRMRecord>(_ record: R) -> Int64 {
        of(values: record.fieldValues(), custom: record.custom)
    }

    /// The fingerprint of a record given as its field values and custom fields.
    public static func of(values: [FieldValue], custom: [String: String]) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            h ^= 0x1F
            h = h &* 0x100_0000_01b3
        }
        for v in values {
            switch v {
            case .empty: mix("")
            case .text(let s): mix(s)
            case .list(let l): mix(l.joined(separator: "\u{1E}"))
            case .number(let d): mix("\(d)")
            case .integer(let i): mix(String(i))
            case .bool(let b): mix(b ? "1" : "0")
            case .day(let d): mix(d.description)
            case .instant(let d): mix(d.iso8601UTC)
            }
        }
        for k in custom.keys.sorted() {
            mix(k)
            mix(custom[k]!)
        }
        return Int64(bitPattern: h)
    }
}
