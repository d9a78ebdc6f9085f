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
    /// Emails are normalised (`EmailAddress.normalize`), phones compared in E.164 as stored, other
    /// text lower-cased with spaces collapsed.
    public func key<R: CRMRecord>(of record: R, externalID: String?) -> String? {
        var parts: [String] = []
        for f in fields {
            let part: String?
            if f == "external_id" {
                part = externalID
            } else {
                let v = record.value(of: f)
                switch v {
                case .empty: part = nil
                case .text(let s):
                    let kind = R.field(named: f)?.kind
                    part = kind == .email ? EmailAddress.normalize(s) : MatchKeySpec.fold(s)
                case .day(let d): part = d.description
                case .instant(let d): part = d.iso8601UTC
                case .integer(let i): part = String(i)
                case .number(let n): part = "\(n)"
                case .bool(let b): part = b ? "1" : "0"
                case .list(let l): part = l.map(MatchKeySpec.fold).sorted().joined(separator: ",")
                }
            }
            guard let p = part, !p.isEmpty else { return nil }
            parts.append(p)
        }
        return parts.joined(separator: "\u{1F}")
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

    /// Records `row` for `key` unless the key is already taken; returns false when it was.
    @discardableResult
    public mutating func insert(kind: Int, key: String, row: Int64) -> Bool {
        let h = ExactMatchIndex.hash(kind: kind, key: key)
        if table[h] != nil { return false }
        table[h] = row
        return true
    }

    /// FNV-1a over the key's UTF-8 with the kind mixed in: stable across runs, cheap.
    static func hash(kind: Int, key: String) -> UInt64 {
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
