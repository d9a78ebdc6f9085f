public import CRMModel

/// Where an import writes, inside its one transaction: the existing records it matches against, the records it
/// creates and changes, and the row ledger. `ImportWriter` writes to SQLite, `PGImportWriter` to PostgreSQL
/// (through COPY).
public protocol ImportSink<Record>: AnyObject {
    associatedtype Record: CRMRecord
    /// The import batch id.
    var batch: Int64 { get }
    /// Calls `body` for every stored record, with only `fields` read (the rest left empty): enough to build match keys;
    /// and for every record a fuzzy merge folded into another, with the row id of the record it went into
    /// (`mergedInto`, nil for a live record), so that its rows imported again find their survivor.
    func scan(
        fields: [String],
        _ body: (Int64, Record, _ externalID: String?, _ rowHash: Int64?, _ mergedInto: Int64?) throws -> Void
    ) throws
    /// Reads a record by row id (also one written by this import and not yet flushed).
    func load(_ rowid: Int64) throws -> (record: Record, externalID: String?)?
    /// Adds a new record given as a row the reading thread laid out (`LaidRows`); returns its row id.
    func insert(laid rows: LaidRows, row: Int, externalID: String?, rowHash: Int64?) throws -> Int64
    /// Overwrites a record's fields (its id stays); sets the external id if it had none.
    func update(_ rowid: Int64, _ r: Record, externalID: String?) throws
    /// Records what became of a row.
    func ledger(row: Int, line: Int, outcome: RowOutcome, record: Int64?, reason: String?) throws
    /// Says which stored records the next rows will `load`, so that a store behind a network reads them in one
    /// round trip instead of one each (SQLite, in the same process, needs nothing).
    func preload(_ rowids: [Int64]) throws
    /// True when `preload` does something, so that the importer looks candidates up ahead only then.
    var wantsPreload: Bool { get }
    /// Says that the rows to come have values only in the fields at `fields` (indices in `Record.fields`), so that
    /// inserts may bind fewer columns (SQLite); a store that gains nothing by it ignores it.
    func insertFields(only fields: [Int]) throws
}

extension ImportSink {
    public func insertFields(only fields: [Int]) throws {}
    public func preload(_ rowids: [Int64]) throws {}
    public var wantsPreload: Bool { false }
}

extension ImportWriter: ImportSink {
    public typealias Record = R
}
