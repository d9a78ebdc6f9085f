import CRMStore
import Foundation

/// The Pipeline sheet's figures (count, total and weighted amount per stage and currency), summed while the XLSX rows
/// are
/// written instead of by a second query: that GROUP BY sorted every opportunity again (1.7 s of a 4.8 s export of 1M).
///
/// The same figures as `ExportSource.pipelineTotals`: a missing stage is "", the currency is upper-cased (ASCII, as
/// SQLite's UPPER), a missing amount counts the row but adds nothing, a missing probability weighs 0. Amounts are
/// summed
/// exactly, in millionths; an amount that does not fit that (more than 6 decimals, or not a plain decimal) makes the
/// tally give up (`isExact` false) and the caller asks the store instead.
final class PipelineTally {
    // Unchecked: one thread uses a tally, and the runtime's checks on a class's fields cost more than the look-up.
    private let stage: Int, currency: Int, amount: Int, probability: Int
    @exclusivity(unchecked) private var keys: [[UInt8]] = []
    @exclusivity(unchecked) private var counts: [Int] = []
    @exclusivity(unchecked) private var totals: [Int128] = []
    @exclusivity(unchecked) private var weighted: [Int128] = []
    /// Open addressing over `keys`: a group's index + 1, or 0 when empty; hashed 8 bytes a step
    /// (`SharedStrings.hash`). A dictionary of byte arrays hashed them a byte at a time, which cost more than the rest
    /// of the tally.
    @exclusivity(unchecked) private var slots = [Int32](repeating: 0, count: 64)
    /// The row's key (stage, 0x1F, upper-cased currency), laid out without an array; grown for a long key.
    @exclusivity(unchecked) private var key: UnsafeMutableBufferPointer<UInt8>
    /// False once an amount could not be summed exactly.
    @exclusivity(unchecked) private(set) var isExact = true

    /// A tally over rows laid out as `columns`; nil when one of stage, currency, amount and probability is not among
    /// them.
    init?(columns: [String]) {
        guard let s = columns.firstIndex(of: "stage"), let c = columns.firstIndex(of: "currency"),
            let a = columns.firstIndex(of: "amount"), let p = columns.firstIndex(of: "probability")
        else { return nil }
        (stage, currency, amount, probability) = (s, c, a, p)
        key = .allocate(capacity: 256)
    }

    /// Counts a row. `texts`: the row's texts already read (`XLSXWriter.texts`), else they are read from `row`.
    func add(_ row: StoredRow, texts: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>? = nil) {
        guard isExact else { return }
        let st = texts?[stage] ?? row.bytes(stage)
        let cu = texts?[currency] ?? row.bytes(currency)
        let n = st.count + 1 + cu.count
        if n > key.count {
            key.deallocate()
            key = .allocate(capacity: n * 2)
        }
        if let base = st.baseAddress { key.baseAddress!.update(from: base, count: st.count) }
        key[st.count] = 0x1F
        for (k, b) in cu.enumerated() { key[st.count + 1 + k] = b >= 97 && b <= 122 ? b - 32 : b }
        let g = group(of: UnsafeBufferPointer(rebasing: key[0..<n]))
        counts[g] += 1
        let a = texts?[amount] ?? row.bytes(amount)
        guard a.baseAddress != nil else { return }
        guard let micros = Self.micros(a) else {
            isExact = false
            return
        }
        totals[g] += Int128(micros)
        weighted[g] += Int128(micros) * Int128(row.int64(probability) ?? 0)
    }

    /// The group of a stage and currency, a new one when it is new.
    private func group(of key: UnsafeBufferPointer<UInt8>) -> Int {
        let mask = slots.count - 1
        var slot = SharedStrings.hash(key.baseAddress!, key.count) & mask
        while slots[slot] != 0 {
            let g = Int(slots[slot]) - 1
            if keys[g].count == key.count,
                keys[g].withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 })
            {
                return g
            }
            slot = (slot + 1) & mask
        }
        let g = keys.count
        keys.append(Array(key))
        counts.append(0)
        totals.append(0)
        weighted.append(0)
        slots[slot] = Int32(g + 1)
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for (i, k) in keys.enumerated() {
                var s = k.withUnsafeBufferPointer { SharedStrings.hash($0.baseAddress!, $0.count) } & (slots.count - 1)
                while slots[s] != 0 { s = (s + 1) & (slots.count - 1) }
                slots[s] = Int32(i + 1)
            }
        }
        return g
    }

    deinit { key.deallocate() }

    /// The figures in the shape `pipelineTotals` gives them.
    var figures: [(stage: String, currency: String, count: Int, total: Double, weighted: Double)] {
        keys.indices.map { g in
            let k = keys[g]
            let cut = k.firstIndex(of: 0x1F)!
            return (
                String(decoding: k[..<cut], as: UTF8.self), String(decoding: k[(cut + 1)...], as: UTF8.self), counts[g],
                Double(totals[g]) / 1e6, Double(weighted[g]) / 1e8
            )
        }
    }

    /// A plain decimal (`-1234.5`) in millionths; nil for anything else or what does not fit.
    static func micros(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var value: Int64 = 0
        var digits = 0
        var decimals = -1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "."), decimals < 0 {
                decimals = 0
            } else if c >= 48, c <= 57 {
                if decimals >= 0 { decimals += 1 }
                guard decimals <= 6, value < 900_000_000_000_000 else { return nil }
                value = value * 10 + Int64(c - 48)
                digits += 1
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        for _ in 0..<(6 - max(decimals, 0)) {
            guard value < 900_000_000_000_000_000 / 10 else { return nil }
            value *= 10
        }
        return negative ? -value : value
    }
}
