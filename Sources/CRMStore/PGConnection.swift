import CLibPQ
import CRMModel
import Foundation

/// One libpq connection, used synchronously on the caller's thread (as the SQLite path is). Internal: the
/// store's PostgreSQL implementation is the only user.
///
/// Not thread-safe by itself: `PostgresStore` serialises every use behind its lock.
final class PGConnection {
    private(set) var handle: OpaquePointer
    /// The URL without a password (it never has one: `StoreLocation` refuses it), for messages.
    let url: String

    /// Connects. libpq reads the password from `PGPASSWORD`, `PGPASSFILE`/`~/.pgpass` or a `passfile` named in the URL.
    /// - Throws: `StoreError(.cannotOpen)` with libpq's message (which never contains the password).
    init(url: String) throws {
        self.url = url
        // A host that does not answer fails in 10 s instead of the system's TCP timeout (minutes), unless the URL says.
        var conninfo = url
        if !url.contains("connect_timeout=") { conninfo += (url.contains("?") ? "&" : "?") + "connect_timeout=10" }
        guard let h = PQconnectdb(conninfo) else {
            throw StoreError(.cannotOpen, path: url, message: "cannot connect: libpq is out of memory")
        }
        handle = h
        guard PQstatus(h) == CONNECTION_OK else {
            let message = PGConnection.trimmed(PQerrorMessage(h))
            // deinit finishes the handle.
            throw StoreError(.cannotOpen, path: url, message: "cannot connect to PostgreSQL: \(message)")
        }
        // Notices (e.g. "relation already exists, skipping") go nowhere rather than to stderr.
        PQsetNoticeProcessor(h, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// True when the connection is up.
    var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True when no transaction is open (or left open by an error whose ROLLBACK failed).
    var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Connects again after the server restarted or the connection dropped.
    func reconnect() -> Bool {
        PQreset(handle)
        if PQstatus(handle) == CONNECTION_OK { PQsetNoticeProcessor(handle, { _, _ in }, nil) }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// libpq's message on one line: its lines (a message and its `DETAIL`, or one per address tried, each after a
    /// tab) joined by `; `, so that a log keeps one line per event.
    static func trimmed(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "unknown error" }
        return String(cString: p).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Why the connection is down, as libpq says it (never the password).
    var failure: String { PGConnection.trimmed(PQerrorMessage(handle)) }

    /// Runs one statement with text parameters (`$1`, `$2`…; nil is NULL).
    /// - Throws: `StoreError(.postgres)` with the SQLSTATE, or `.connectionLost` when the server is gone.
    @discardableResult
    func exec(_ sql: String, _ params: [String?] = []) throws -> PGResult {
        let result: OpaquePointer?
        if params.isEmpty {
            result = PQexec(handle, sql)
        } else {
            // PostgreSQL text cannot hold U+0000, and C strings would silently cut the value there: refuse it.
            if params.contains(where: { $0?.utf8.contains(0) == true }) {
                throw StoreError(
                    .postgres, path: url,
                    message: "a value holds the character U+0000, which PostgreSQL cannot store in text")
            }
            var cStrings: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
            for (p, c) in zip(params, cStrings) where p != nil && c == nil {
                throw StoreError(.postgres, path: url, message: "out of memory copying a parameter")
            }
            defer { for p in cStrings { free(p) } }
            result = cStrings.withUnsafeMutableBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { values in
                    PQexecParams(handle, sql, Int32(params.count), nil, values, nil, nil, 0)
                }
            }
        }
        return try check(result, sql: sql)
    }

    private func check(_ result: OpaquePointer?, sql: String) throws -> PGResult {
        guard let result else { throw failure(nil, sql: sql) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN:
            return PGResult(result)
        default:
            let e = failure(result, sql: sql)
            PQclear(result)
            throw e
        }
    }

    /// The error of a failed statement (or of the connection, when `result` is nil).
    func failure(_ result: OpaquePointer?, sql: String) -> StoreError {
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let message =
            result.map { PGConnection.trimmed(PQresultErrorMessage($0)) }
            ?? PGConnection.trimmed(PQerrorMessage(handle))
        if PQstatus(handle) != CONNECTION_OK || state?.hasPrefix("08") == true || state == "57P01" || state == "57P02"
            || state == "57P03"
        {
            return StoreError(
                .connectionLost, path: url, sqlState: state,
                message: "the connection to PostgreSQL was lost: \(message)")
        }
        if state == "40001" || state == "40P01" || state == "55P03" {
            return StoreError(.busy, path: url, sqlState: state, message: message)
        }
        return StoreError(.postgres, path: url, sqlState: state, message: message)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN")
        do {
            let value = try body()
            try exec("COMMIT")
            return value
        } catch {
            if isOK { _ = try? exec("ROLLBACK") }
            throw error
        }
    }

    /// Streams rows into `COPY … FROM STDIN` (text format): `body` writes lines with `PGCopy.row`.
    /// A throw from `body` ends the COPY with an error, so the server keeps none of its rows.
    func copy(_ sql: String, _ body: (inout PGCopy) throws -> Void) throws {
        let r = try exec(sql)
        _ = r
        var copy = PGCopy(connection: self)
        do {
            try body(&copy)
            try copy.flush()
        } catch {
            _ = PQputCopyEnd(handle, "crmgate: the writer stopped")
            while let res = PQgetResult(handle) { PQclear(res) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            let e = failure(nil, sql: sql)
            while let res = PQgetResult(handle) { PQclear(res) }
            throw e
        }
        var firstError: StoreError?
        while let res = PQgetResult(handle) {
            if PQresultStatus(res) != PGRES_COMMAND_OK, firstError == nil { firstError = failure(res, sql: sql) }
            PQclear(res)
        }
        if let firstError { throw firstError }
    }

    /// A SQL string literal for values that are put into statement text (identifiers are never user input).
    static func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// A COPY in progress: rows as text-format lines, written field by field straight into a buffer that is sent in
/// 256 KiB pieces.
struct PGCopy {
    let connection: PGConnection
    private var buffer: [UInt8] = []
    /// True when the next field is the first of its row (no tab before it).
    private var atRowStart = true

    init(connection: PGConnection) {
        self.connection = connection
        buffer.reserveCapacity(1 << 18 + 4096)
    }

    private mutating func separator() {
        if atRowStart { atRowStart = false } else { buffer.append(9) }
    }

    /// Appends a text field (nil is NULL), escaping backslash, tab, newline and carriage return.
    /// - Throws: `StoreError(.postgres)` for a value holding U+0000, which PostgreSQL text cannot store.
    mutating func text(_ value: String?) throws {
        separator()
        guard var v = value else {
            buffer.append(contentsOf: [92, 78])  // \N
            return
        }
        var failed = false
        v.withUTF8 { u in
            var plain = true
            for b in u where b < 32 || b == 92 {
                if b == 9 || b == 10 || b == 13 || b == 92 || b == 0 {
                    plain = false
                    break
                }
            }
            if plain {
                buffer.append(contentsOf: u)
                return
            }
            for b in u {
                switch b {
                case 0: failed = true
                case 92: buffer.append(contentsOf: [92, 92])
                case 9: buffer.append(contentsOf: [92, 116])
                case 10: buffer.append(contentsOf: [92, 110])
                case 13: buffer.append(contentsOf: [92, 114])
                default: buffer.append(b)
                }
            }
        }
        if failed {
            throw StoreError(
                .postgres, path: connection.url,
                message: "a value holds the character U+0000, which PostgreSQL cannot store in text")
        }
    }

    /// Appends an integer field (nil is NULL).
    mutating func int(_ value: Int64?) {
        separator()
        guard let value else {
            buffer.append(contentsOf: [92, 78])
            return
        }
        if value == 0 {
            buffer.append(48)
            return
        }
        var n = value.magnitude
        if value < 0 { buffer.append(45) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }

    /// Appends a field value in its stored form (`StoreValues.prepare`): text, integer or NULL.
    mutating func value(_ v: FieldValue) throws {
        switch v {
        case .empty: try text(nil)
        case .text(let t): try text(t.isEmpty ? nil : t)
        case .integer(let n): int(Int64(n))
        case .bool(let b): int(b ? 1 : 0)
        default: try text(PostgresStore.text(v))
        }
    }

    /// Ends the row; sends the buffer when it is full.
    mutating func endRow() throws {
        buffer.append(10)
        atRowStart = true
        if buffer.count >= 1 << 18 { try flush() }
    }

    /// Appends one whole row of text fields (nil is NULL).
    mutating func row(_ values: [String?]) throws {
        for v in values { try text(v) }
        try endRow()
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let ok = buffer.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) {
                PQputCopyData(connection.handle, $0, Int32(b.count))
            }
        }
        guard ok == 1 else { throw connection.failure(nil, sql: "COPY") }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A statement's result (text format), freed with the value.
final class PGResult {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    var count: Int { Int(PQntuples(handle)) }
    var columns: Int { Int(PQnfields(handle)) }

    /// The value at a row and column, nil for NULL.
    func text(_ row: Int, _ col: Int) -> String? {
        if PQgetisnull(handle, Int32(row), Int32(col)) == 1 { return nil }
        guard let p = PQgetvalue(handle, Int32(row), Int32(col)) else { return nil }
        return String(cString: p)
    }

    func int64(_ row: Int, _ col: Int) -> Int64? { text(row, col).flatMap { Int64($0) } }

    func isNull(_ row: Int32, _ col: Int32) -> Bool { PQgetisnull(handle, row, col) == 1 }

    /// The value's bytes in place (empty for NULL), valid while the result lives.
    func withBytes<T>(_ row: Int32, _ col: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        guard PQgetisnull(handle, row, col) == 0, let p = PQgetvalue(handle, row, col) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let n = Int(PQgetlength(handle, row, col))
        return try p.withMemoryRebound(to: UInt8.self, capacity: max(n, 1)) {
            try body(UnsafeBufferPointer(start: $0, count: n))
        }
    }

    /// The cell's bytes in place (empty for NULL), valid while the result is: `withBytes` without a closure.
    func bytes(_ row: Int32, _ col: Int32) -> UnsafeBufferPointer<UInt8> {
        guard PQgetisnull(handle, row, col) == 0, let p = PQgetvalue(handle, row, col) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(
            start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: Int(PQgetlength(handle, row, col)))
    }

    /// The column's index by name.
    func column(_ name: String) -> Int { Int(PQfnumber(handle, name)) }

    /// The value of a named column.
    func text(_ row: Int, _ name: String) -> String? {
        let c = column(name)
        return c < 0 ? nil : text(row, c)
    }

    /// Rows affected by an INSERT, UPDATE or DELETE.
    var affected: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }
}
