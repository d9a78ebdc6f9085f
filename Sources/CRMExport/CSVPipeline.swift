import CRMCSV
import CRMModel
import CRMStore
import Foundation

/// The CSV export on two cores: the calling thread steps through the store's rows and copies each cell's text (a
/// list's items joined, a bool spelled out, a decimal comma put in) into batches; a second thread writes the batches
/// as CSV. Reading the store and laying out CSV each took about half of one thread's time (callgrind, 1M
/// opportunities: 4.2 G instructions reading, 3.6 G writing), so the two overlap instead of adding up. Memory: at
/// most `inFlight` batches of about `batchBytes` each.
enum CSVPipeline {
    /// The cells of some rows: their bytes one after another, and where each cell ends. Raw buffers: an array's
    /// checked append cost more than the rest of the reading.
    final class Batch: @unchecked Sendable {
        // @unchecked: a batch belongs to one thread at a time, handed over under `Channel`'s lock.
        private(set) var bytes: UnsafeMutablePointer<UInt8>
        private(set) var count = 0
        private var capacity: Int
        private(set) var ends: UnsafeMutablePointer<Int>
        private(set) var cells = 0
        private var cellCapacity: Int

        init() {
            capacity = CSVPipeline.batchBytes + (1 << 12)
            bytes = .allocate(capacity: capacity)
            cellCapacity = 1 << 14
            ends = .allocate(capacity: cellCapacity)
        }

        deinit {
            bytes.deallocate()
            ends.deallocate()
        }

        func clear() {
            count = 0
            cells = 0
        }

        /// Appends `b` to the current cell.
        @inline(__always) func append(_ b: UnsafeBufferPointer<UInt8>) {
            guard let base = b.baseAddress, !b.isEmpty else { return }
            reserve(b.count)
            (bytes + count).update(from: base, count: b.count)
            count += b.count
        }

        /// Appends one byte to the current cell.
        @inline(__always) func append(_ c: UInt8) {
            reserve(1)
            bytes[count] = c
            count += 1
        }

        /// Appends a whole cell: `append` and `endCell` in one.
        @inline(__always) func appendCell(_ b: UnsafeBufferPointer<UInt8>) {
            if let base = b.baseAddress, !b.isEmpty {
                reserve(b.count)
                (bytes + count).update(from: base, count: b.count)
                count += b.count
            }
            endCell()
        }

        /// Ends the current cell.
        @inline(__always) func endCell() {
            if cells == cellCapacity {
                let grown = UnsafeMutablePointer<Int>.allocate(capacity: cellCapacity * 2)
                grown.update(from: ends, count: cells)
                ends.deallocate()
                ends = grown
                cellCapacity *= 2
            }
            ends[cells] = count
            cells += 1
        }

        @inline(__always) private func reserve(_ n: Int) {
            guard count + n > capacity else { return }
            let grown = max(capacity * 2, count + n)
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            b.update(from: bytes, count: count)
            bytes.deallocate()
            bytes = b
            capacity = grown
        }
    }

    static let batchBytes = 1 << 18, inFlight = 4

    /// The hand-over: full batches to the writer, empty ones back, and the writer's failure to the reader.
    final class Channel: @unchecked Sendable {
        // @unchecked: every field is read and written under `condition`.
        private let condition = NSCondition()
        private var full: [Batch] = []
        private var empty: [Batch] = []
        private var made = 0
        private var finished = false
        private(set) var failure: (any Error)?

        /// A batch to fill: one handed back, a new one while fewer than `inFlight` exist, or nil once the writer
        /// failed.
        func emptyBatch() -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while empty.isEmpty && made >= CSVPipeline.inFlight && failure == nil { condition.wait() }
            if failure != nil { return nil }
            if let b = empty.popLast() {
                b.clear()
                return b
            }
            made += 1
            return Batch()
        }

        /// Gives a filled batch to the writer.
        func send(_ b: Batch) {
            condition.lock()
            full.append(b)
            condition.broadcast()
            condition.unlock()
        }

        /// No more batches.
        func finish() {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch to write, or nil when the reader has finished and all were written.
        func next() -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while full.isEmpty && !finished { condition.wait() }
            return full.isEmpty ? nil : full.removeFirst()
        }

        /// A written batch, for the reader to fill again.
        func giveBack(_ b: Batch) {
            condition.lock()
            empty.append(b)
            condition.broadcast()
            condition.unlock()
        }

        /// The writer stopped on `error`: the reader stops at its next batch.
        func fail(_ error: any Error) {
            condition.lock()
            failure = error
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Moves the writer to the writing thread, which alone uses it until `done` is signalled.
    struct WriterBox: @unchecked Sendable { let writer: CSVWriter }

    /// Writes every row `rows` gives (cells of `kinds`, in order) with `writer`; returns how many.
    /// - Throws: the writer's error (`CSVError`: a full disk, a closed pipe) or the reader's (the store's).
    static func run(
        kinds: [FieldKind], decimalComma: Bool, writer: CSVWriter,
        rows: ((StoredRow) throws -> Void) throws -> Void
    ) throws -> Int {
        let channel = Channel()
        let done = DispatchSemaphore(value: 0)
        let box = WriterBox(writer: writer)
        let columns = kinds.count
        Thread.detachNewThread {
            defer { done.signal() }
            while let b = channel.next() {
                do {
                    var start = 0
                    var column = 0
                    for i in 0..<b.cells {
                        let end = b.ends[i]
                        box.writer.writeField(bytes: UnsafeBufferPointer(start: b.bytes + start, count: end - start))
                        start = end
                        column += 1
                        if column == columns {
                            try box.writer.endRow()
                            column = 0
                        }
                    }
                } catch {
                    channel.fail(error)
                    channel.giveBack(b)
                    // Drain what the reader already sent, so that it is not left waiting for room.
                    while let rest = channel.next() { channel.giveBack(rest) }
                    return
                }
                channel.giveBack(b)
            }
        }
        var count = 0
        // Most cells are their stored text: fetched in one call a row and copied as they are.
        let asStored = UnsafeMutableBufferPointer<Bool>.allocate(capacity: columns)
        defer { asStored.deallocate() }
        for (i, k) in kinds.enumerated() { asStored[i] = isStored(k, decimalComma: decimalComma) }
        let cells = UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: columns)
        defer { cells.deallocate() }
        cells.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0))
        var scratch: [UInt8] = []
        var batch = channel.emptyBatch()
        do {
            try rows { row in
                // The writer failed: stop reading (its error is thrown below).
                guard let b = batch else { throw channel.failure ?? CSVPipelineStopped() }
                row.bytes(UnsafeBufferPointer(asStored), into: cells)
                for i in 0..<columns {
                    if asStored[i] {
                        b.appendCell(cells[i])
                        continue
                    }
                    laidOut(row, i, kinds[i], decimalComma: decimalComma, into: &scratch)
                    scratch.withUnsafeBufferPointer { b.appendCell($0) }
                }
                count += 1
                if b.count >= batchBytes {
                    channel.send(b)
                    batch = channel.emptyBatch()
                }
            }
        } catch {
            channel.finish()
            done.wait()
            throw channel.failure ?? error
        }
        if let b = batch, b.cells > 0 { channel.send(b) }
        channel.finish()
        done.wait()
        if let failure = channel.failure { throw failure }
        return count
    }

    static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    /// Whether a column of `kind` is written as its stored text (most are: copied as they are, fetched in one call a
    /// row); the others are laid out by `laidOut`.
    static func isStored(_ kind: FieldKind, decimalComma: Bool) -> Bool {
        kind != .bool && kind != .list && !(kind == .number && decimalComma)
    }

    /// The text of a cell that is not its stored text, into `out` (emptied first): a bool spelled out, a list's items
    /// joined, a decimal comma put in.
    static func laidOut(_ row: StoredRow, _ i: Int, _ kind: FieldKind, decimalComma: Bool, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        switch kind {
        case .bool:
            if !row.isNull(i) { out += (row.int64(i) ?? 0) != 0 ? trueBytes : falseBytes }
        case .list:
            row.withBytes(i) { RawCells.appendList($0, into: &out) }
        case .number where decimalComma:
            row.withBytes(i) { for c in $0 { out.append(c == 46 ? 44 : c) } }
        default:
            row.withBytes(i) { out.append(contentsOf: $0) }
        }
    }

    /// Rowids a block holds in `runInBlocks`: about 4 MB of CSV, laid out in memory before it is written.
    static let blockRows = 16_384

    /// The export on two connections to one snapshot (`ExportSource.forEachRowInBlocks`): each thread reads its blocks
    /// of rows and lays them out as CSV in memory (`CSVWriter(memoryWith:)`), and writes a block to `writer` once the
    /// block before it is written. Reading, the bound of `run`, is so split over both cores. Memory: a block a
    /// thread. Returns how many rows, or nil when the store could not read in blocks (nothing was written; `run` then
    /// does the export).
    /// - Throws: the writer's error or the store's; the other thread stops at its next block.
    static func runInBlocks(
        kinds: [FieldKind], decimalComma: Bool, writer: CSVWriter, options: CSVWriter.Options,
        read: ((BlockReader, BlockReader)) throws -> Bool
    ) throws -> Int? {
        let order = BlockOrder()
        let sides = (
            BlockSide(kinds: kinds, decimalComma: decimalComma, options: options),
            BlockSide(kinds: kinds, decimalComma: decimalComma, options: options)
        )
        func reader(_ side: BlockSide) -> BlockReader {
            BlockReader(
                row: { try side.add($0) },
                endBlock: { k in
                    try order.take(turn: k)
                    defer { order.done(turn: k) }
                    try side.writer.drain(into: writer)
                },
                stopped: { order.fail($0) })
        }
        guard try read((reader(sides.0), reader(sides.1))) else { return nil }
        return sides.0.rows + sides.1.rows
    }

    /// Blocks written in order: a thread waits for its block's turn.
    final class BlockOrder: @unchecked Sendable {
        // @unchecked: every field is read and written under `condition`.
        private let condition = NSCondition()
        private var next = 0
        private var failure: (any Error)?

        /// Waits until block `k` is next.
        /// - Throws: the error either side stopped on.
        func take(turn k: Int) throws {
            condition.lock()
            defer { condition.unlock() }
            while next != k && failure == nil { condition.wait() }
            if let failure { throw failure }
        }

        /// Block `k` is written (or failed): the next may go.
        func done(turn k: Int) {
            condition.lock()
            next = k + 1
            condition.broadcast()
            condition.unlock()
        }

        func fail(_ e: any Error) {
            condition.lock()
            if failure == nil { failure = e }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// One thread's side of `runInBlocks`: its rows laid out as CSV, kept until its block's turn.
    final class BlockSide: @unchecked Sendable {
        // @unchecked: used by one thread (the one `forEachRowInBlocks` gives its reader to).
        let writer: CSVWriter
        private let kinds: [FieldKind]
        private let decimalComma: Bool
        private let asStored: UnsafeMutableBufferPointer<Bool>
        private let cells: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>
        private var scratch: [UInt8] = []
        private(set) var rows = 0

        init(kinds: [FieldKind], decimalComma: Bool, options: CSVWriter.Options) {
            writer = CSVWriter(memoryWith: options)
            self.kinds = kinds
            self.decimalComma = decimalComma
            asStored = .allocate(capacity: kinds.count)
            for (i, k) in kinds.enumerated() { asStored[i] = CSVPipeline.isStored(k, decimalComma: decimalComma) }
            cells = .allocate(capacity: kinds.count)
            cells.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0))
        }

        deinit {
            asStored.deallocate()
            cells.deallocate()
        }

        /// Lays out one row: the same cells `run` writes.
        func add(_ row: StoredRow) throws {
            row.bytes(UnsafeBufferPointer(asStored), into: cells)
            for i in 0..<kinds.count {
                if asStored[i] {
                    writer.writeField(bytes: cells[i])
                    continue
                }
                CSVPipeline.laidOut(row, i, kinds[i], decimalComma: decimalComma, into: &scratch)
                scratch.withUnsafeBufferPointer { writer.writeField(bytes: $0) }
            }
            try writer.endRow()
            rows += 1
        }
    }
}

/// Thrown inside the reading loop when the writer has stopped without saying why (not expected).
struct CSVPipelineStopped: Error {}
