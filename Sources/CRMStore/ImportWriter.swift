public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// What became of a row.
public enum RowOutcome: String, Sendable {
    case created, updated, unchanged, merged, rejected

    /// `rawValue` in the program's constant data, which SQLite may bind without copying (the ledger's `outcome`).
    var staticText: StaticString {
        switch self {
        case .created: "created"
        case .updated: "updated"
        case .unchanged: "unchanged"
        case .merged: "merged"
        case .rejected: "rejected"
        }
    }
}

/// Writes one import's records and ledger inside the import's transaction.
///
/// Made by `CRMStore.runImport`; valid only inside its body. New records and ledger entries are
/// buffered and written many rows per statement (row ids are assigned here, so they are known at
/// once); a buffered record can still be read and changed. Values are bound directly, unboxed.
public final class ImportWriter<R: CRMRecord> {
    /// The import batch id.
    public let batch: Int64
    let system: String?
    let path: String
    private let db: Database
    private var keep: [Statement] = []
    private let insertMany: RawStatement
    private let insertOne: RawStatement
    private let update: RawStatement
    private let updateCreated: RawStatement
    /// The first row id this import creates: a record from it on was made by this import.
    private let firstCreated: Int64
    private let select: RawStatement
    private let ledgerMany: RawStatement
    private let ledgerOne: RawStatement
    // The writer's state is only touched by the import's one writing thread, a call at a time: the runtime's
    // exclusivity checks on it were 1.6% of that thread's `perf` samples (1M leads); `ledger` 52 M → 43 M
    // instructions on 50k leads (callgrind).
    @exclusivity(unchecked) private var changeSeq: Int64
    /// The kinds of `R`'s fields, for reading stored records.
    private let kinds = R.fields.map(\.kind)
    private let stamp: String
    @exclusivity(unchecked) private var nextRowID: Int64
    /// Records waiting for the next multi-row insert, ready to bind without touching `R`.
    @exclusivity(unchecked) private var pending = PendingRecords(capacity: 32)
    /// Ledger lines not written yet; `span` consecutive created rows (rows, lines and records each one after the
    /// other) make one line.
    @exclusivity(unchecked) private var ledgerBuffer:
        [(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?, span: Int)] =
            []
    static var recordsPerInsert: Int { 32 }
    static var ledgerPerInsert: Int { 256 }

    init(db: Database, batch: Int64, system: String?, path: String) throws {
        self.db = db
        self.batch = batch
        self.system = system
        self.path = path
        let conn = db.sqliteConnection!
        var keep: [Statement] = []
        func prepare(_ sql: String) throws -> RawStatement {
            let s = try db.makeStatement(sql: sql)
            keep.append(s)
            return RawStatement(handle: s.sqliteStatement, db: conn, sql: sql)
        }
        insertMany = try prepare(RecordTable<R>.insertSQL(rows: Self.recordsPerInsert))
        insertOne = try prepare(RecordTable<R>.insertSQL(rows: 1))
        update = try prepare(RecordTable<R>.updateSQL)
        updateCreated = try prepare(RecordTable<R>.updateCreatedSQL)
        select = try prepare("SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE rowid = ?")
        let ledgerSQL = "INSERT INTO import_rows (import_id, row, line, outcome, record_rowid, reason, span) VALUES "
        let values = Array(repeating: "(?,?,?,?,?,?,?)", count: Self.ledgerPerInsert).joined(separator: ",")
        ledgerMany = try prepare(ledgerSQL + values)
        ledgerOne = try prepare(ledgerSQL + "(?,?,?,?,?,?,?)")
        self.keep = keep
        changeSeq = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
        nextRowID = (try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM \(RecordTable<R>.name)") ?? 0) + 1
        firstCreated = nextRowID
        stamp = Date().iso8601UTC
        let stampBytes = Array(stamp.utf8)
        let systemBytes = system.map { Array($0.utf8) }
        constants = .allocate(capacity: stampBytes.count + (systemBytes?.count ?? 0) + 1)
        constants.update(from: stampBytes, count: stampBytes.count)
        if let systemBytes { (constants + stampBytes.count).update(from: systemBytes, count: systemBytes.count) }
        stampLength = stampBytes.count
        // An empty system binds NULL, as a missing one does.
        systemLength = systemBytes.flatMap { $0.isEmpty ? nil : $0.count }
    }

    /// Calls `body` for every stored record, with only `fields` read (the rest left empty): enough to build match keys.
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func scan(
        fields: [String],
        _ body: (Int64, R, _ externalID: String?, _ rowHash: Int64?, _ mergedInto: Int64?) throws -> Void
    ) throws {
        let wanted = R.fields.filter { fields.contains($0.name) }
        // The record id too when a key is made of it (`id`); otherwise a placeholder.
        let withID = fields.contains("id")
        let cols =
            (["rowid", "ext_id", "ext_system", "row_hash", withID ? "id" : "NULL", RecordTable<R>.mergedIntoColumn]
            + wanted.map { RecordTable<R>.column($0.name) }).joined(separator: ", ")
        let stmt = try db.makeStatement(
            sql: "SELECT \(cols) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL OR merged_into IS NOT NULL")
        let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
        while try raw.step(path: path) {
            var r = R(id: raw.text(4).flatMap { RecordID($0) } ?? RecordID.make(at: Date(timeIntervalSince1970: 0)))
            for i in 0..<wanted.count { wanted[i].set(&r, RecordTable<R>.value(raw, Int32(6 + i), wanted[i].kind)) }
            // An external id only counts for the same source system.
            let ext = raw.text(2) == system ? raw.text(1) : nil
            try body(raw.int64(0) ?? 0, r, ext, raw.int64(3), raw.int64(5))
        }
    }

    /// Reads a record by row id (also one written by this import and not yet flushed).
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func load(_ rowid: Int64) throws -> (record: R, externalID: String?)? {
        if let i = pending.slot(rowid) {
            // A record of the current batch, made from its laid-out values.
            let (rows, row) = pending.laid[i]
            return (rows.record(R.self, row, kinds: kinds), pending.meta[i].externalID)
        }
        // Its one parameter is bound anew each time: a reset without clearing bindings (clearing cost more than the
        // bind, callgrind found).
        select.resetKeepingBindings()
        select.bind(1, rowid)
        guard try select.step(path: path) else { return nil }
        let (_, r, ext) = RecordTable<R>.decode(select, kinds: kinds)
        select.resetKeepingBindings()
        return (r, ext)
    }

    /// Adds a new record; returns its row id. `rowHash` is the fingerprint of a row that had no match key.
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func insert(_ r: R, externalID: String?, rowHash: Int64? = nil) throws -> Int64 {
        let row = own.append(id: r.id, externalID: externalID, values: r.fieldValues(), custom: r.custom)
        return try insert(laid: own, row: row, externalID: externalID, rowHash: rowHash)
    }

    /// Adds a new record given as a row laid out by the reading thread; returns its row id. The path for rows that
    /// create: no record is made, and the row is bound from where it was laid out.
    public func insert(laid rows: LaidRows, row: Int, externalID: String?, rowHash: Int64?) throws -> Int64 {
        let rowid = nextRowID
        nextRowID += 1
        pending.append(rowid: rowid, externalID: externalID, rowHash: rowHash, rows: rows, row: row)
        // Written at 32 rows, or earlier when they hold on to more than a few of the reading thread's batches (a file
        // whose rows mostly merge creates a row now and then, and each would keep its whole batch alive).
        if pending.count == Self.recordsPerInsert || pending.batches > 4 { try flushRecords() }
        return rowid
    }

    /// Overwrites a record's fields (its id stays); sets the external id if it had none.
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func update(_ rowid: Int64, _ r: R, externalID: String?) throws {
        if let i = pending.slot(rowid) {
            // Laid out again in the writer's own rows (the reading thread's batch is not changed).
            if pending.meta[i].externalID == nil { pending.meta[i].externalID = externalID }
            let ext = pending.meta[i].externalID
            pending.laid[i] = (own, own.append(id: r.id, externalID: ext, values: r.fieldValues(), custom: r.custom))
            // Each merge lays the row out again and the copies before stay until the pending rows are written: many
            // merges into one row (its notes growing each time) would heap up copies, so the rows are written early.
            if own.count > 2 * Self.recordsPerInsert { try flushRecords() }
            return
        }
        // A record this import created keeps the change number it was created with: it is newer than any sync's
        // cursor either way, and its entry in the index of change numbers stays where it was written, at the end.
        let created = rowid >= firstCreated
        let s = created ? updateCreated : update
        s.resetKeepingBindings()  // every parameter is bound below
        s.bind(1, externalID)
        // The source system goes with an external id, into the same statement (a statement of its own, parsed for
        // every merged row, was a tenth of the writer's SQLite time on 200k XML leads with ids).
        s.bind(2, externalID == nil ? nil : system)
        var col: Int32 = 3
        for v in StoreValues.prepare(r.fieldValues()) {
            s.bind(col, v)
            col += 1
        }
        s.bind(col, JSONText.object(r.custom))
        s.bind(col + 1, stamp)
        if created {
            s.bind(col + 2, rowid)
        } else {
            changeSeq += 1
            s.bind(col + 2, changeSeq)
            s.bind(col + 3, rowid)
        }
        try s.run(path: path)
    }

    /// Records what became of a row. A created row that follows a created row (the next row, on the next line, the
    /// next record) lengthens that row's ledger line instead of adding one (`span`): on 1M generated leads the
    /// ledger went from 1M lines to 212k, the store from 415 to 392 MB, the import from 5.69–5.77 s to 5.28–5.60 s.
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public func ledger(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?) throws {
        if outcome == .created, reason == nil, let record, let last = ledgerBuffer.last, last.outcome == .created,
            last.reason == nil, let first = last.record, row == last.row + last.span, line == last.line + last.span,
            record == first + Int64(last.span)
        {
            ledgerBuffer[ledgerBuffer.count - 1].span += 1
            return
        }
        if ledgerBuffer.count == Self.ledgerPerInsert { try flushLedger() }
        ledgerBuffer.append((row, line, outcome, record, reason, 1))
    }

    /// Rows laid out by the writer itself: records inserted as records (`insert(_:externalID:rowHash:)`) and pending
    /// rows changed by a merge. Emptied when the pending rows are written.
    private let own = LaidRows(fields: R.fields.count, bytes: 1 << 12)
    /// The stamp's bytes, then the source system's, bound in place into every inserted row.
    private let constants: UnsafeMutablePointer<UInt8>
    private let stampLength: Int
    private let systemLength: Int?

    deinit { constants.deallocate() }

    /// Inserts of the fields a mapping fills only (`insertFields(only:)`), and the fields they leave out.
    private var narrow: (many: RawStatement, one: RawStatement, fields: [Int], outside: [Int])?
    private let allFields = Array(R.fields.indices)

    /// Says that the rows to come have values only in the fields at `fields` (indices in `R.fields`, those a mapping
    /// fills): the inserts then bind only those columns and leave the others to their default, NULL. On the 1M
    /// generated leads that is 16 of 31 fields, each of the others a bind and a copy into SQLite's registers a row. A
    /// pending row with a value outside them (a record inserted whole) is written with every column, as before.
    public func insertFields(only fields: [Int]) throws {
        let fields = Array(Set(fields)).filter { R.fields.indices.contains($0) }.sorted()
        // None (a mapping of custom fields only) would make an insert without field columns: all of them then.
        guard !fields.isEmpty, fields.count < R.fields.count else { return }
        func prepare(_ sql: String) throws -> RawStatement {
            let s = try db.makeStatement(sql: sql)
            keep.append(s)
            return RawStatement(handle: s.sqliteStatement, db: db.sqliteConnection!, sql: sql)
        }
        narrow = (
            try prepare(RecordTable<R>.insertSQL(rows: Self.recordsPerInsert, fields: fields)),
            try prepare(RecordTable<R>.insertSQL(rows: 1, fields: fields)), fields,
            R.fields.indices.filter { !fields.contains($0) }
        )
    }

    /// Writes the pending records, many rows per statement, each bound from where it was laid out.
    private func flushRecords() throws {
        let count = pending.count
        if count == 0 { return }
        var seq = changeSeq
        var (many, one, fields) = (insertMany, insertOne, allFields)
        if let narrow, pending.empty(narrow.outside, first: 0, count: count) {
            (many, one, fields) = (narrow.many, narrow.one, narrow.fields)
        }
        if count == Self.recordsPerInsert {
            pending.bind(
                many, first: 0, count: count, fields: fields, constants: constants, stampLength: stampLength,
                systemLength: systemLength, batch: batch, seq: &seq)
            try many.run(path: path)
            many.resetKeepingBindings()
        } else {
            for i in 0..<count {
                pending.bind(
                    one, first: i, count: 1, fields: fields, constants: constants, stampLength: stampLength,
                    systemLength: systemLength, batch: batch, seq: &seq)
                try one.run(path: path)
                one.resetKeepingBindings()
            }
        }
        changeSeq = seq
        pending.removeAll()
        own.removeAll()
    }

    private func flushLedger() throws {
        if ledgerBuffer.isEmpty { return }
        let many = ledgerBuffer.count == Self.ledgerPerInsert
        var s = many ? ledgerMany : ledgerOne
        s.resetKeepingBindings()  // every parameter is bound below
        var col: Int32 = 1
        for (i, e) in ledgerBuffer.enumerated() {
            if !many {
                s = ledgerOne
                s.resetKeepingBindings()
                col = 1
            }
            s.bind(col, batch)
            s.bind(col + 1, Int64(e.row))
            s.bind(col + 2, Int64(e.line))
            let text = e.outcome.staticText
            s.bindStatic(col + 3, text.utf8Start, text.utf8CodeUnitCount)
            s.bind(col + 4, e.record)
            s.bind(col + 5, e.reason)
            s.bind(col + 6, Int64(e.span))
            col += 7
            if !many || i == ledgerBuffer.count - 1 { try s.run(path: path) }
        }
        ledgerBuffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        try flushRecords()
        try flushLedger()
        for s in [insertMany, insertOne, update, updateCreated, select, ledgerMany, ledgerOne] { s.reset() }
        if let narrow { for s in [narrow.many, narrow.one] { s.reset() } }
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(changeSeq)])
    }
}
