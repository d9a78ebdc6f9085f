import CRMModel
import Foundation
import GRDB

/// Numbers are stored and read with "." as the decimal point whatever the user's locale (made once: a Locale is
/// costly).
let posixLocale = Locale(identifier: "en_US_POSIX")

/// How records of one type are laid out in their table: one column per field, named after it
/// (`address.city` → `address_city`), plus id, external id, custom fields and stamps.
enum RecordTable<R: CRMRecord> {
    static var name: String { R.recordType.plural }

    static func column(_ field: String) -> String { field.replacingOccurrences(of: ".", with: "_") }

    /// The tables of all record types.
    static var allNames: [String] {
        [RecordTable<Lead>.name, RecordTable<Customer>.name, RecordTable<Opportunity>.name, RecordTable<CRMTask>.name]
    }

    /// `merged_into` (the row id of the record a fuzzy merge folded this one into) as long as the record is deleted;
    /// NULL for a live one. A sync that brings a merged record back clears it: deleted again later, the record is
    /// gone, not merged.
    static var mergedIntoColumn: String { "CASE WHEN deleted_at IS NULL THEN NULL ELSE merged_into END" }

    /// The column of a name that filters and exports take besides fields and custom fields: `id`, `updated_at`, and
    /// `external_id` (the id the record has in the file or system it was imported from).
    static func metaColumn(_ name: String) -> String? {
        switch name {
        case "id", "updated_at": return name
        case "external_id": return "ext_id"
        default: return nil
        }
    }

    static func sqlType(_ k: FieldKind) -> String {
        switch k {
        case .integer, .bool: return "INTEGER"
        default: return "TEXT"
        }
    }

    /// Creates the table, or adds the columns of fields added since it was created.
    static func ensure(_ db: Database) throws {
        if try !db.tableExists(name) {
            var cols = [
                "rowid INTEGER PRIMARY KEY", "id TEXT NOT NULL UNIQUE", "ext_system TEXT", "ext_id TEXT",
            ]
            cols += R.fields.map { "\(column($0.name)) \(sqlType($0.kind))" }
            cols += [
                "custom TEXT", "updated_at TEXT NOT NULL", "change_seq INTEGER NOT NULL", "import_batch INTEGER",
                "deleted_at TEXT", "row_hash INTEGER",
            ]
            try db.execute(sql: "CREATE TABLE \(name) (\(cols.joined(separator: ", ")))")
            try db.execute(sql: extIndexSQL)
            try db.execute(sql: "CREATE INDEX \(name)_change ON \(name)(change_seq)")
        } else {
            let existing = Set(try db.columns(in: name).map(\.name))
            for f in R.fields where !existing.contains(column(f.name)) {
                try db.execute(sql: "ALTER TABLE \(name) ADD COLUMN \(column(f.name)) \(sqlType(f.kind))")
            }
            if !existing.contains("row_hash") { try db.execute(sql: "ALTER TABLE \(name) ADD COLUMN row_hash INTEGER") }
        }
    }

    /// The index of external ids (partial: only records that have one).
    static var extIndexSQL: String {
        "CREATE INDEX \(name)_ext ON \(name)(ext_system, ext_id) WHERE ext_id IS NOT NULL"
    }

    static var fieldColumns: String { R.fields.map { column($0.name) }.joined(separator: ", ") }

    /// An insert of `rows` rows with their row ids given; of the fields, only those at `fields` (all by default).
    static func insertSQL(rows: Int, fields: [Int]? = nil) -> String {
        let columns = (fields ?? Array(R.fields.indices)).map { column(R.fields[$0].name) }
        let one = "(" + Array(repeating: "?", count: columns.count + 9).joined(separator: ",") + ")"
        return
            "INSERT INTO \(name) (rowid, id, ext_system, ext_id, \(columns.joined(separator: ", ")), custom, updated_at, change_seq, import_batch, row_hash) VALUES "
            + Array(repeating: one, count: rows).joined(separator: ",")
    }

    static var updateSQL: String {
        "UPDATE \(name) SET ext_id = COALESCE(ext_id, ?), ext_system = COALESCE(ext_system, ?), "
            + R.fields.map { "\(column($0.name)) = ?" }.joined(separator: ", ")
            + ", custom = ?, updated_at = ?, change_seq = ? WHERE rowid = ?"
    }

    /// `updateSQL` for a record the same import created: its change number stays (no `change_seq` parameter).
    static var updateCreatedSQL: String {
        "UPDATE \(name) SET ext_id = COALESCE(ext_id, ?), ext_system = COALESCE(ext_system, ?), "
            + R.fields.map { "\(column($0.name)) = ?" }.joined(separator: ", ")
            + ", custom = ?, updated_at = ? WHERE rowid = ?"
    }

    static var selectColumns: String { "rowid, id, ext_system, ext_id, \(fieldColumns), custom, updated_at" }

    /// Reads a record from a row laid out as `selectColumns`.
    static func decode(_ s: RawStatement) -> (rowid: Int64, record: R, externalID: String?) {
        decode(s, kinds: R.fields.map(\.kind))
    }

    /// `decode` given the fields' kinds (`R.fields.map(\.kind)`, which a caller reading many rows makes once). The
    /// values are read into an array and the record made by `init(id:fieldValues:custom:)`, not set one by one
    /// through the fields' descriptors: in a generic context each descriptor was read through the generic array
    /// subscript and set through a closure, ~24k instructions a record of 30 fields (callgrind, the import's merges).
    static func decode(_ s: RawStatement, kinds: [FieldKind]) -> (rowid: Int64, record: R, externalID: String?) {
        let rowid = s.int64(0) ?? 0
        let ext = s.text(3)
        var values: [FieldValue] = []
        values.reserveCapacity(kinds.count)
        for i in 0..<kinds.count { values.append(value(s, Int32(4 + i), kinds[i])) }
        let base = Int32(4 + kinds.count)
        var r = R(
            id: RecordID(s.text(1) ?? "") ?? RecordID.make(), fieldValues: values,
            custom: JSONText.decodeObject(s.text(base)))
        if let u = s.text(base + 1), let p = ISOStamp.parse(u) { r.updatedAt = p }
        return (rowid, r, ext)
    }

    static func value(_ s: RawStatement, _ col: Int32, _ kind: FieldKind) -> FieldValue {
        switch kind {
        case .integer: return s.int64(col).map { .integer(Int($0)) } ?? .empty
        case .bool: return s.int64(col).map { .bool($0 != 0) } ?? .empty
        case .text, .email, .phone: return s.text(col).map { .text($0) } ?? .empty
        case .number:
            guard let t = s.text(col), let d = Decimal(string: t, locale: posixLocale) else { return .empty }
            return .number(d)
        case .day: return s.text(col).flatMap { CalendarDay(iso: $0) }.map { .day($0) } ?? .empty
        case .instant: return s.text(col).flatMap(ISOStamp.parse).map { .instant($0) } ?? .empty
        case .list:
            let l = JSONText.decodeArray(s.text(col))
            return l.isEmpty ? .empty : .list(l)
        }
    }
}

/// The store's timestamp text (`Date.iso8601UTC`) read back.
enum ISOStamp {
    static func parse(_ s: String) -> Date? {
        let b = Array(s.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
            let se = num(17..<19), let day = CalendarDay(year: y, month: mo, day: d)
        else { return nil }
        var ms = 0
        if b[19] == UInt8(ascii: "."), b.count >= 24, let f = num(20..<23) { ms = f }
        return Date(
            timeIntervalSince1970: Double(day.daysSinceEpoch * 86400 + h * 3600 + mi * 60 + se) + Double(ms) / 1000)
    }
}
