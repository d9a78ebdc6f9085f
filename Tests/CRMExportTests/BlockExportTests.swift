import CRMCSV
import CRMModel
import CRMTestSupport
import Foundation
import Testing

@testable import CRMExport
@testable import CRMStore

/// The CSV export read on two connections in blocks of rowids (`CRMStore.forEachRowInBlocks`,
/// `CSVPipeline.runInBlocks`) against the export on one connection, and the two connections' one snapshot.
@Suite("CSV export in blocks on two connections")
struct BlockExportTests {
    static let names = [
        "Müller & Söhne", "=SUM(1)", "O'Brien, \"Ltd\"", "line\nbreak", "", "  spaced  ", "日本語", "tab\there",
    ]

    /// A store of `n` customers: hostile names, lists of tags, some fields missing, owners that a filter picks.
    static func store(_ n: Int) throws -> (dir: URL, store: CRMStore) {
        let dir = try TestSupport.temporaryDirectory("crmgate-blocks")
        let store = try CRMStore(path: dir.appendingPathComponent("crm.sqlite").path)
        var records: [Customer] = []
        for i in 0..<n {
            var c = Customer(id: RecordID.make())
            c.name = "\(names[i % names.count]) \(i)"
            c.email = i % 5 == 0 ? "" : "c\(i)@example.com"
            c.owner = i % 3 == 0 ? "Ana" : "Bo"
            c.tags = i % 4 == 0 ? [] : ["t\(i % 7)", "x;y"]
            records.append(c)
        }
        try store.save(records)
        return (dir, store)
    }

    /// Customers whose owner is `name` (any case).
    static func owner(_ name: String) -> RecordQuery {
        var q = RecordQuery()
        q.anyOf = [("owner", [name])]
        return q
    }

    /// The export of `query` on one connection (`run`) and in blocks of `blockRows`: their bytes and row counts.
    static func both(
        _ store: CRMStore, _ dir: URL, query: RecordQuery, blockRows: Int, decimalComma: Bool = false
    )
        throws -> (one: [UInt8], blocks: [UInt8], counts: (Int, Int))
    {
        let columns = try Columns.resolve(nil, for: Customer.self)
        let names = columns.map(\.name)
        let kinds = columns.map(\.kind)
        var options = CSVWriter.Options()
        options.neutralizeFormulas = true
        let onePath = dir.appendingPathComponent("one-\(UUID().uuidString).csv").path
        let blocksPath = dir.appendingPathComponent("blocks-\(UUID().uuidString).csv").path
        let one = try CSVWriter(path: onePath, options: options)
        let n1 = try CSVPipeline.run(kinds: kinds, decimalComma: decimalComma, writer: one) {
            try store.forEachRow(Customer.self, columns: names, where: query, $0)
        }
        try one.flush()
        let blocks = try CSVWriter(path: blocksPath, options: options)
        let n2 = try #require(
            try CSVPipeline.runInBlocks(kinds: kinds, decimalComma: decimalComma, writer: blocks, options: options) {
                try store.forEachRowInBlocks(
                    Customer.self, columns: names, where: query, blockRows: blockRows, readers: $0)
            })
        try blocks.flush()
        return (
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: onePath))),
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: blocksPath))), (n1, n2)
        )
    }

    @Test(
        "blocks of 1 to 1,000 rowids, with and without a filter that leaves gaps, give the bytes the one-connection export gives",
        arguments: [1, 7, 64, 1000])
    func sameBytes(blockRows: Int) throws {
        let (dir, store) = try Self.store(700)
        for query in [RecordQuery(), Self.owner("ana")] {
            let r = try Self.both(store, dir, query: query, blockRows: blockRows)
            #expect(r.counts.0 == r.counts.1)
            #expect(r.counts.0 == (query.anyOf.isEmpty ? 700 : 234))
            #expect(r.one == r.blocks, "\(r.one.count) bytes against \(r.blocks.count)")
        }
    }

    @Test("an empty table and a filter that matches nothing give the same (empty) export")
    func empty() throws {
        let (dir, store) = try Self.store(0)
        let r = try Self.both(store, dir, query: RecordQuery(), blockRows: 8)
        #expect(r.one == r.blocks && r.counts == (0, 0))
        let (dir2, store2) = try Self.store(30)
        let none = try Self.both(store2, dir2, query: Self.owner("nobody"), blockRows: 4)
        #expect(none.one == none.blocks && none.counts == (0, 0))
    }

    @Test(
        "while another connection rewrites every name in one transaction after another, both connections read one version; with a pause where writes land, the tries see them and read nothing"
    )
    func oneSnapshot() throws {
        let (dir, store) = try Self.store(2000)
        let writer = try CRMStore(path: dir.appendingPathComponent("crm.sqlite").path)
        // Every name one version to begin with.
        var all = try writer.all(Customer.self)
        for i in all.indices { all[i].name = "version 0" }
        try writer.save(all)
        let stop = ManagedFlag()
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedSendable(writer)
        Thread.detachNewThread {
            defer { done.signal() }
            var version = 0
            while !stop.isSet {
                version += 1
                var all = (try? box.value.all(Customer.self)) ?? []
                for i in all.indices { all[i].name = "version \(version)" }
                try? box.value.save(all)
            }
        }
        defer {
            stop.set()
            done.wait()
        }
        func read(pause: UInt32) throws -> (agreed: Bool, disagreements: Int, names: LockedNames) {
            let seen = LockedNames()
            let reader = BlockReader(row: { seen.add($0.text(0) ?? "") }, endBlock: { _ in }, stopped: { _ in })
            let r = try store.readInBlocks(
                Customer.self, columns: ["name"], where: RecordQuery(), blockRows: 128, readers: (reader, reader),
                pause: pause)
            return (r.agreed, r.disagreements, seen)
        }
        var agreedReads = 0
        for _ in 0..<6 {
            let r = try read(pause: 0)
            guard r.agreed else { continue }
            agreedReads += 1
            #expect(r.names.count == 2000)
            #expect(r.names.distinct.count == 1, "names of \(r.names.distinct.count) versions")
        }
        #expect(agreedReads > 0, "every try fell back to one connection")
        // 300 ms between the second connection's reads: a save (about 2,000 rows) lands in most of them.
        var seenWrites = 0
        for _ in 0..<2 {
            let r = try read(pause: 300_000)
            seenWrites += r.disagreements
            if r.agreed {
                #expect(r.names.distinct.count == 1, "names of \(r.names.distinct.count) versions")
            } else {
                #expect(r.names.count == 0 && r.disagreements == BlockScan.tries)
            }
        }
        #expect(seenWrites > 0, "no try saw a write land between the two reads")
    }

    @Test("an error on either thread stops both and is thrown, with nothing left waiting")
    func errors() throws {
        let (_, store) = try Self.store(500)
        struct Boom: Error {}
        for failing in [0, 1] {
            let readers = (0..<2).map { side in
                BlockReader(
                    row: { _ in }, endBlock: { k in if k % 2 == failing && side == failing && k >= 2 { throw Boom() } },
                    stopped: { _ in })
            }
            #expect(throws: Boom.self) {
                _ = try store.forEachRowInBlocks(
                    Customer.self, columns: ["name"], where: RecordQuery(), blockRows: 50,
                    readers: (readers[0], readers[1]))
            }
        }
    }
}

/// A flag set by one thread and read by another.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Names gathered from both reading threads.
final class LockedNames: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    func add(_ s: String) { lock.withLock { names.append(s) } }
    var count: Int { lock.withLock { names.count } }
    var distinct: [String] { lock.withLock { Array(Set(names)).sorted() } }
}

/// A value handed to another thread that alone uses it.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
