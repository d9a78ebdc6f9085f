public import CRMModel
import Foundation

/// Exports from PostgreSQL: the same filters as on SQLite (values compared case-insensitively, ranges as text in
/// binary order), rows streamed through a cursor in one read-only transaction.
extension PostgresStore: ExportSource {
    func column<R: CRMRecord>(_ type: R.Type, _ field: String) throws -> String {
        if let meta = RecordTable<R>.metaColumn(field) { return meta }
        guard R.fieldIndex(named: field) != nil else {
            throw StoreError(.notFound, path: url, message: "\(R.recordType.plural) have no field '\(field)'")
        }
        return RecordTable<R>.column(field)
    }

    func whereClause<R: CRMRecord>(_ type: R.Type, _ query: RecordQuery) throws -> (String, [String]) {
        var clauses = ["deleted_at IS NULL"]
        var args: [String] = []
        /// A field's column, or a custom field's value out of the JSON text (its key a parameter).
        func filtered(_ f: String) throws -> String {
            guard let key = RecordQuery.customKey(f) else { return try column(R.self, f) }
            args.append(key)
            return "(custom::jsonb ->> $\(args.count))"
        }
        for (f, values) in query.anyOf where !values.isEmpty {
            if f == "id" {
                // Compared as stored (lower-case hex), so that the key's index finds them.
                var marks: [String] = []
                for v in values {
                    args.append(v.lowercased())
                    marks.append("$\(args.count)")
                }
                clauses.append("id IN (" + marks.joined(separator: ", ") + ")")
                continue
            }
            let c = try filtered(f)
            var marks: [String] = []
            for v in values {
                args.append(RecordQuery.storedForm(R.self, field: f, v))
                marks.append("lower($\(args.count))")
            }
            clauses.append("lower(\(c)::text) IN (" + marks.joined(separator: ", ") + ")")
        }
        for r in query.ranges {
            let c = try filtered(r.field)
            if let from = r.from {
                args.append(from)
                clauses.append("\(c)::text COLLATE \"C\" >= $\(args.count)")
            }
            if let to = r.to {
                args.append(to)
                clauses.append("\(c)::text COLLATE \"C\" <= $\(args.count)")
            }
        }
        return (clauses.joined(separator: " AND "), args)
    }

    /// Runs `select` through a cursor in pages of 5,000 rows, in one read-only transaction.
    private func stream(_ select: String, _ args: [String], _ body: (PGResult, Int) throws -> Void) throws {
        try withConnection { c in
            try c.exec("BEGIN READ ONLY")
            do {
                try c.exec("DECLARE crmgate_export NO SCROLL CURSOR FOR " + select, args)
                while true {
                    let r = try c.exec("FETCH 5000 FROM crmgate_export")
                    if r.count == 0 { break }
                    for i in 0..<r.count { try body(r, i) }
                }
                try c.exec("COMMIT")
            } catch {
                if c.isOK { _ = try? c.exec("ROLLBACK") }
                throw error
            }
        }
    }

    public func forEach<R: CRMRecord>(
        _ type: R.Type, where query: RecordQuery, _ body: (R, _ externalID: String?) throws -> Void
    ) throws {
        let (clauses, args) = try whereClause(R.self, query)
        try stream(
            "SELECT \(RecordTable<R>.selectColumns) FROM \(RecordTable<R>.name) WHERE \(clauses) ORDER BY rowid", args
        ) { r, i in
            let (rec, ext): (R, String?) = Self.decode(r, i)
            try body(rec, ext)
        }
    }

    public func forEachRow<R: CRMRecord>(
        _ type: R.Type, columns: [String], where query: RecordQuery, _ body: (StoredRow) throws -> Void
    ) throws {
        let exprs = try columns.map { c -> String in
            if c.hasPrefix("custom.") {
                return "(custom::jsonb ->> " + PGConnection.literal(String(c.dropFirst(7))) + ")"
            }
            return try column(R.self, c)
        }
        let (clauses, args) = try whereClause(R.self, query)
        try stream(
            "SELECT \(exprs.joined(separator: ", ")) FROM \(RecordTable<R>.name) WHERE \(clauses) ORDER BY rowid", args
        ) { r, i in
            try body(StoredRow(result: r, row: i))
        }
    }

    public func pipelineTotals(
        where query: RecordQuery
    ) throws -> [(stage: String, currency: String, count: Int, total: Double, weighted: Double)] {
        let (clauses, args) = try whereClause(Opportunity.self, query)
        return try withConnection { c in
            let r = try c.exec(
                """
                SELECT COALESCE(stage, ''), UPPER(COALESCE(currency, '')), COUNT(*), COALESCE(SUM(CAST(amount AS double
                    precision)), 0),
                       COALESCE(SUM(CAST(amount AS double precision) * COALESCE(probability, 0) / 100.0), 0)
                FROM opportunities WHERE \(clauses) GROUP BY 1, 2
                """, args)
            return (0..<r.count).map { i in
                (
                    r.text(i, 0) ?? "", r.text(i, 1) ?? "", Int(r.int64(i, 2) ?? 0), Double(r.text(i, 3) ?? "0") ?? 0,
                    Double(r.text(i, 4) ?? "0") ?? 0
                )
            }
        }
    }

    public func distinctValues<R: CRMRecord>(_ type: R.Type, field: String) throws -> [String] {
        let c = try column(R.self, field)
        return try withConnection { conn in
            let r = try conn.exec(
                "SELECT DISTINCT \(c) FROM \(RecordTable<R>.name) WHERE deleted_at IS NULL AND \(c) IS NOT NULL AND \(c)::text <> '' ORDER BY 1"
            )
            return (0..<r.count).compactMap { r.text($0, 0) }
        }
    }
}
