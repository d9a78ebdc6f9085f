import GRDBSQLite

/// One row of `forEachRow`, valid only inside the callback: stored values read in place (from SQLite's statement or
/// libpq's result).
public struct StoredRow {
    enum Backing {
        /// The statement's handle only (a `RawStatement` would be copied, its SQL text retained, for every cell).
        case sqlite(OpaquePointer)
        case postgres(PGResult, Int32)
    }
    let backing: Backing

    init(raw: RawStatement) { backing = .sqlite(raw.handle) }
    init(result: PGResult, row: Int) { backing = .postgres(result, Int32(row)) }

    /// True when the column is NULL.
    public func isNull(_ column: Int) -> Bool {
        switch backing {
        case .sqlite(let h): return sqlite3_column_type(h, Int32(column)) == SQLITE_NULL
        case .postgres(let r, let row): return r.isNull(row, Int32(column))
        }
    }

    /// The column's stored text, read in place (empty for NULL).
    public func withBytes<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        switch backing {
        case .sqlite(let h): return try body(Self.text(h, Int32(column)))
        case .postgres(let r, let row): return try r.withBytes(row, Int32(column), body)
        }
    }

    /// A SQLite column's text in place; no address for NULL.
    @inline(__always) private static func text(_ h: OpaquePointer, _ c: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let p = sqlite3_column_text(h, c) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(h, c)))
    }

    /// The column's stored text in place (empty for NULL), valid until the row moves on: `withBytes` without a
    /// closure, for a caller that copies it at once (the CSV export's reading thread, where the generic closure cost
    /// as much as the copy).
    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        switch backing {
        case .sqlite(let h): return Self.text(h, Int32(column))
        case .postgres(let r, let row): return r.bytes(row, Int32(column))
        }
    }

    /// The stored text (empty for NULL) of every column `wanted` marks, into `cells` at the same index; the others are
    /// left as they were. Valid until the row moves on. One call a row instead of one a cell: on the CSV export's
    /// reading thread the per-cell call around SQLite's cost as much as SQLite's own column calls (callgrind).
    public func bytes(
        _ wanted: UnsafeBufferPointer<Bool>, into cells: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>
    ) {
        precondition(cells.count >= wanted.count)
        switch backing {
        case .sqlite(let h):
            for c in 0..<wanted.count where wanted[c] { cells[c] = Self.text(h, Int32(c)) }
        case .postgres(let r, let row):
            for c in 0..<wanted.count where wanted[c] { cells[c] = r.bytes(row, Int32(c)) }
        }
    }

    /// The column as an integer, or nil for NULL.
    public func int64(_ column: Int) -> Int64? {
        switch backing {
        case .sqlite(let h):
            let c = Int32(column)
            return sqlite3_column_type(h, c) == SQLITE_NULL ? nil : sqlite3_column_int64(h, c)
        case .postgres(let r, let row): return r.int64(Int(row), column)
        }
    }

    /// The column as text, or nil for NULL.
    public func text(_ column: Int) -> String? {
        switch backing {
        case .sqlite(let h):
            let c = Int32(column)
            guard sqlite3_column_type(h, c) != SQLITE_NULL, let p = sqlite3_column_text(h, c) else { return nil }
            return String(
                decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(h, c))), as: UTF8.self)
        case .postgres(let r, let row): return r.text(Int(row), column)
        }
    }
}
