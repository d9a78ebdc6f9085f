public import CRMModel
import Foundation
import GRDB
import GRDBSQLite

/// What became of a row.
public enum RowOutcome: String, Sendable {
    case created, updated, unchanged, merged, rejected
}

/// Writes one import's records and ledger inside the import's transaction.
///
/// Made by `CRMStore.runImport`; valid only inside its body. Statements are prepared once and
/// values bound directly, so a row costs two SQLite steps and no boxing.
public final class ImportWriter<R: CRMRecord> {
    /// The import batch id.
    public let batch: Int64
    let system: String?
    let path: String
    private let db: Database
    private let insert: RawStatement
    private let update: RawStatement
    private let select: RawStatement
    private let ledgerInsert: RawStatement
    private var changeSeq: Int64
    private let stamp: String
    private var statements: [Statement] = []

    init(db: Database, batch: Int64, system: String?, path: String) throws {
        self.db = db
        self.batch = batch
        self.system = system
        self.path = path
        let conn = db.sqliteConnection!
        func prepare(_ sql: String) throws -> (Statement, RawStatement) {
            let s = try db.makeStatement(sql: sql)
            return (s, RawStatement(handle: s.sqliteStatement, db: conn, sql: sql))
        }
        let i = try prepare(RecordTable<R>.insertSQL)
        let u = try prepare(RecordTable<R>.updateSQL)
        let s = try prepare("SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE rowid = ?")
        let l = try prepare("INSERT INTO import_rows (import_id, row, line, outcome, record_rowid, reason) VALUES (?, ?, ?, ?, ?, ?)")
        statements = [i.0, u.0, s.0, l.0]
        insert = i.1
        update = u.1
        select = s.1
        ledgerInsert = l.1
        changeSeq = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_seq'") ?? "0") ?? 0
        stamp = Date().iso8601UTC
    }

    /// Calls `body` for every stored record, with only `fields` read (the rest left empty): enough to build match keys.
    public func scan(fields: [String], _ body: (Int64, R, _ externalID: String?) throws -> Void) throws {
        let wanted = R.fields.filter { fields.contains($0.name) }
        let cols = (["rowid", "ext_id", "ext_system"] + wanted.map { RecordTable<R>.column($0.name) }).joined(separator: ", ")
        let stmt = try db.makeStatement(sql: "SELECT \(cols) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL")
        let raw = RawStatement(handle: stmt.sqliteStatement, db: db.sqliteConnection!, sql: stmt.sql)
        while try raw.step(path: path) {
            var r = R(id: RecordID.make(at: Date(timeIntervalSince1970: 0)))
            for (i, f) in wanted.enumerated() { f.set(&r, RecordTable<R>.value(raw, Int32(3 + i), f.kind)) }
            // An external id only counts for the same source system.
            let ext = raw.text(2) == system ? raw.text(1) : nil
            try body(raw.int64(0) ?? 0, r, ext)
        }
    }

    /// Reads a stored record by row id.
    public func load(_ rowid: Int64) throws -> (record: R, externalID: String?)? {
        select.reset()
        select.bind(1, rowid)
        guard try select.step(path: path) else { return nil }
        let (_, r, ext) = RecordTable<R>.decode(select)
        select.reset()
        return (r, ext)
    }

    /// Inserts a new record; returns its row id.
    public func insert(_ r: R, externalID: String?) throws -> Int64 {
        let s = insert
        s.reset()
        s.bind(1, r.id.description)
        s.bind(2, externalID == nil ? nil : system)
        s.bind(3, externalID)
        var col: Int32 = 4
        for f in R.fields {
            s.bind(col, f.get(r))
            col += 1
        }
        s.bind(col, JSONText.object(r.custom))
        s.bind(col + 1, stamp)
        changeSeq += 1
        s.bind(col + 2, changeSeq)
        s.bind(col + 3, batch)
        try s.run(path: path)
        return sqlite3_last_insert_rowid(s.db)
    }

    /// Overwrites a stored record's fields (its id stays); sets the external id if it had none.
    public func update(_ rowid: Int64, _ r: R, externalID: String?) throws {
        let s = update
        s.reset()
        s.bind(1, externalID)
        var col: Int32 = 2
        for f in R.fields {
            s.bind(col, f.get(r))
            col += 1
        }
        s.bind(col, JSONText.object(r.custom))
        s.bind(col + 1, stamp)
        changeSeq += 1
        s.bind(col + 2, changeSeq)
        s.bind(col + 3, rowid)
        try s.run(path: path)
        if externalID != nil {
            try db.execute(
                sql: "UPDATE \(RecordTable<R>.name) SET ext_system = COALESCE(ext_system, ?) WHERE rowid = ?",
                arguments: [system, rowid])
        }
    }

    /// Records what became of a row.
    public func ledger(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?) throws {
        let s = ledgerInsert
        s.reset()
        s.bind(1, batch)
        s.bind(2, Int64(row))
        s.bind(3, Int64(line))
        s.bind(4, outcome.rawValue)
        s.bind(5, record)
        s.bind(6, reason)
        try s.run(path: path)
    }

    func finish() throws {
        for s in [insert, update, select, ledgerInsert] { s.reset() }
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'change_seq'", arguments: [String(changeSeq)])
    }
}
