public import CRMModel
import Foundation

/// An exact-match key definition: `external_id`, `email`, any field, or fields joined by `+`.
public struct MatchKeySpec: Sendable, Hashable, CustomStringConvertible {
    /// The fields the key is made of (`external_id` is the source system's id).
    public let fields: [String]

    /// Parses `email`, `external_id`, `name+customer_name`.
    public init(_ text: String) {
        fields = text.split(separator: "+").map { String($0).trimmingCharacters(in: [" "]) }
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

    public init(_ spec: MatchKeySpec) {
        self.spec = spec
        parts = spec.fields.map { $0 == "external_id" ? nil : R.fieldIndex(named: $0) }
        kinds = parts.map { $0.map { R.fields[$0].kind } }
    }

    /// The key of a record given as its field values (in the order of `R.fields`) and custom fields.
    public func key(values: [FieldValue], custom: [String: String], externalID: String?) -> String? {
        if parts.count == 1 { return part(0, { values[$0] }, custom, externalID) }
        var out: [String] = []
        for i in parts.indices {
            guard let p = part(i, { values[$0] }, custom, externalID) else { return nil }
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
        if parts.count == 1 { return part(0, { record.fieldValue($0) }, record.custom, externalID) }
        var out: [String] = []
        for i in parts.indices {
            guard let p = part(i, { record.fieldValue($0) }, record.custom, externalID) else { return nil }
            out.append(p)
        }
        return out.joined(separator: "\u{1F}")
    }

    private func part(
        _ i: Int, _ field: (Int) -> FieldValue, _ custom: [String: String], _ externalID: String?
    ) -> String? {
        let name = spec.fields[i]
        let value: FieldValue
        if let d = parts[i] {
            value = field(d)
        } else if name == "external_id" {
            return externalID.flatMap { $0.isEmpty ? nil : $0 }
        } else if name.hasPrefix("custom.") {
            value = custom[String(name.dropFirst(7))].map { FieldValue.text($0) } ?? .empty
        } else {
            return nil
        }
        let p: String?
        switch value {
        case .empty: p = nil
        case .text(let s): p = kinds[i] == .email ? EmailAddress.normalize(s) : MatchKeySpec.fold(s)
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
    private var table: [UInt64: Int64] = [:]

    public init(capacity: Int = 0) { table.reserveCapacity(capacity) }

    /// The number of keys.
    public var count: Int { table.count }

    /// The row recorded for `key` of key kind `kind`, if any.
    public func lookup(kind: Int, key: String) -> Int64? { table[ExactMatchIndex.hash(kind: kind, key: key)] }

    /// The row recorded for a key given as its `hash(kind:key:)`, computed ahead (on another thread).
    public func lookup(hash: UInt64) -> Int64? { table[hash] }

    /// Records `row` for a key given as its `hash(kind:key:)` unless it is already taken.
    @discardableResult
    public mutating func insert(hash h: UInt64, row: Int64) -> Bool {
        if table[h] != nil { return false }
        table[h] = row
        return true
    }

    /// Records `row` for `key` unless the key is already taken; returns false when it was.
    @discardableResult
    public mutating func insert(kind: Int, key: String, row: Int64) -> Bool {
        let h = ExactMatchIndex.hash(kind: kind, key: key)
        if table[h] != nil { return false }
        table[h] = row
        return true
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
