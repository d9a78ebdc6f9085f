import Foundation

/// The fields `compare` reads of each row, laid out row by row: `RowPack.stride` 32-bit slots (96 bytes, two cache
/// lines) a row. The rows themselves are kept as a struct of arrays, one array a field, so that comparing two rows
/// far apart in the file touched a cache line per field and row, some forty a pair: on 1M leads the comparison was
/// bound by those misses (`perf annotate`: its hottest instructions were the ones waiting on them).
///
/// Made when matching starts, after blocking has let go of its buffers (whose peak is higher), and again when rows
/// were added since; read-only while the comparisons and the scoring run on every core (each laid out first, on one
/// thread: a pack laid out again frees the one they read). A copy beside the arrays, 96 MB for 1M rows, kept with
/// the deduplicator.
final class RowPack {
    /// 32-bit slots a row.
    static let stride = 24
    // Slots: ids of interned values; the 64-bit values in two slots each, at offsets a multiple of 8 bytes.
    static let email = 0, phone = 1, first = 2, last = 3, lastR = 4, firstO = 5, lastO = 6, company = 7
    static let street = 8, house = 9, postcode = 10, city = 11, title = 12, dob = 13, ident = 14, ext = 15
    static let phone7 = 16, streetNS = 18, streetTS = 20, middle = 22, age = 23
    /// The age slot holds the age's id in its low 28 bits and the sex (0, 1 or 2) above them: the row stays two cache
    /// lines. (An age id is at most the number of rows; a file of 2^28 rows is past the matcher's limits.)
    static let genderShift: Int32 = 28, ageMask: Int32 = (1 << 28) - 1

    /// The rows packed (0 until `fill`).
    private(set) var rows = 0
    private var base: UnsafeMutableRawPointer?

    deinit { base?.deallocate() }

    /// Lays out every row of `d`.
    func fill(from d: FuzzyDeduplicator) {
        base?.deallocate()
        let n = d.count
        let size = n * Self.stride * 4
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(size, 64), alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 64))
        let sex = d.sexes()
        for r in 0..<n {
            let p = raw + r * Self.stride * 4
            func put(_ slot: Int, _ v: Int32) { p.storeBytes(of: v, toByteOffset: slot * 4, as: Int32.self) }
            put(Self.email, d.email[r])
            put(Self.phone, d.phone[r])
            put(Self.first, d.first[r])
            put(Self.last, d.last[r])
            put(Self.lastR, d.lastR[r])
            put(Self.firstO, d.firstO[r])
            put(Self.lastO, d.lastO[r])
            put(Self.company, d.company[r])
            put(Self.street, d.street[r])
            put(Self.house, d.house[r])
            put(Self.postcode, d.postcode[r])
            put(Self.city, d.city[r])
            put(Self.title, d.title[r])
            put(Self.dob, d.dob[r])
            put(Self.ident, d.ident[r])
            put(Self.ext, d.ext[r])
            put(Self.middle, d.middleName[r])
            precondition(d.age[r] <= Self.ageMask, "an age id past the pack's 28 bits")
            put(Self.age, d.age[r] | sex[r] << Self.genderShift)
            p.storeBytes(of: d.phone7[r], toByteOffset: Self.phone7 * 4, as: Int64.self)
            p.storeBytes(of: d.streetNS[r], toByteOffset: Self.streetNS * 4, as: UInt64.self)
            p.storeBytes(of: d.streetTS[r], toByteOffset: Self.streetTS * 4, as: UInt64.self)
        }
        base = raw
        rows = n
    }

    /// Row `r`'s slots.
    @inline(__always) func row(_ r: Int) -> PackedRow {
        assert(r >= 0 && r < rows, "row \(r) of \(rows) packed")
        return PackedRow(p: UnsafeRawPointer(base.unsafelyUnwrapped + r * Self.stride * 4))
    }
}

extension FuzzyDeduplicator {
    /// The pack of the rows as they are now (`RowPack`), laid out again when rows were added since.
    @inline(__always) func packed() -> RowPack {
        if pack.rows != count { pack.fill(from: self) }
        return pack
    }

    /// The pairs share `share` of `shares` compares: a contiguous run, the runs in order covering `0..<count` (on
    /// many cores the last shares are empty: with 20,000 pairs in 192 shares of 105, share 191 would start past the
    /// end).
    static func shareRange(_ share: Int, of shares: Int, count: Int) -> Range<Int> {
        let size = (count + shares - 1) / shares
        return min(count, share * size)..<min(count, (share + 1) * size)
    }

    /// `compare` of each pair (`a << 32 | b`), on every core: the samples the model draws (random pairs, pairs within
    /// a place) are rows far apart, each comparison waiting on memory. The same codes in the same order as one
    /// thread's.
    func compareAll(_ pairs: [UInt64]) -> [Int32] { compareAll(pairs, countingPatterns: false).codes }

    /// `compareAll`, with how many pairs have each code when `countingPatterns` (counted by each share, added after).
    func compareAll(_ pairs: [UInt64], countingPatterns: Bool) -> (codes: [Int32], patterns: [Int: Int]) {
        _ = packed()
        prepareTokens()
        var codes = [Int32](repeating: 0, count: pairs.count)
        let shares = pairs.count < 20_000 ? 1 : ProcessInfo.processInfo.activeProcessorCount * 4
        let histograms = Histograms(shares)
        codes.withUnsafeMutableBufferPointer { out in
            pairs.withUnsafeBufferPointer { ps in
                // Unchecked on purpose: the comparison only reads the rows (the pack and the token table are made
                // above, each share has its own cache), and the shares write disjoint slots of `codes`.
                nonisolated(unsafe) let me = self
                nonisolated(unsafe) let codesOut = out
                nonisolated(unsafe) let pairsIn = ps
                DispatchQueue.concurrentPerform(iterations: shares) { share in
                    var cache = SimCache()
                    var h: [Int: Int] = [:]
                    // A contiguous run of the pairs: sorted, neighbouring pairs share rows, so their names are in the
                    // cache.
                    for k in FuzzyDeduplicator.shareRange(share, of: shares, count: pairsIn.count) {
                        let c = me.compare(Int(pairsIn[k] >> 32), Int(pairsIn[k] & 0xFFFF_FFFF), &cache)
                        codesOut[k] = Int32(c)
                        if countingPatterns { h[c, default: 0] += 1 }
                    }
                    if countingPatterns { histograms.set(share, h) }
                }
            }
        }
        var patterns: [Int: Int] = [:]
        for h in histograms.all { patterns.merge(h, uniquingKeysWith: +) }
        return (codes, patterns)
    }

    /// The raw weights of the compared pairs counted in `selfConsistentPrior`'s bins, on every core (in runs of a
    /// fixed length, the counts added after: whole numbers, the same in any order).
    func weightBins(pairs: [UInt64], codes: [Int32], model: PairWeights) -> [Double] {
        precondition(pairs.count == codes.count, "a code for every pair")
        _ = packed()  // laid out on this thread: the weights read it (`RowPack`)
        let run = 1 << 16
        let runs = max(1, (pairs.count + run - 1) / run)
        var parts = [[Double]](repeating: [], count: runs)
        parts.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            nonisolated(unsafe) let model = model
            DispatchQueue.concurrentPerform(iterations: runs) { k in
                var bins = [Double](repeating: 0, count: Self.priorBins)
                for i in (k * run)..<min(pairs.count, (k + 1) * run) {
                    let p = pairs[i]
                    Self.countInBins(model.rawScore(Int(codes[i]), Int(p >> 32), Int(p & 0xFFFF_FFFF)), &bins)
                }
                out[k] = bins
            }
        }
        var bins = [Double](repeating: 0, count: Self.priorBins)
        for part in parts { for (i, c) in part.enumerated() where c > 0 { bins[i] += c } }
        return bins
    }
}

/// One row of a `RowPack`.
struct PackedRow {
    let p: UnsafeRawPointer

    @inline(__always) subscript(_ slot: Int) -> Int32 { p.load(fromByteOffset: slot * 4, as: Int32.self) }

    @inline(__always) func wide(_ slot: Int) -> UInt64 { p.load(fromByteOffset: slot * 4, as: UInt64.self) }
}

/// The comparison histograms of the shares of pairs, each set by its own thread.
private final class Histograms: @unchecked Sendable {
    // @unchecked: each slot is written by one share's thread, and read after all of them ended.
    private var slots: [[Int: Int]]
    private let lock = NSLock()

    init(_ n: Int) { slots = Array(repeating: [:], count: n) }

    func set(_ i: Int, _ h: [Int: Int]) {
        lock.lock()
        slots[i] = h
        lock.unlock()
    }

    var all: [[Int: Int]] { slots }
}
