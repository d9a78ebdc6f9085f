import CRMModel

/// One column of an export: a field of the record (or its id, external id, update time, a custom field).
struct ExportColumn: Sendable {
    enum Source: Sendable {
        case id, externalID, updatedAt
        case field(Int)
        case custom(String)
    }

    let name: String
    let source: Source
    let kind: FieldKind

    /// The column's value for a record whose external id (kept beside the record, not in it) is `externalID`.
    func value<R: CRMRecord>(_ r: R, externalID: String?) -> FieldValue {
        switch source {
        case .id: return .text(r.id.description)
        case .externalID: return externalID.map { .text($0) } ?? .empty
        case .updatedAt: return r.updatedAt.map { .instant($0) } ?? .empty
        case .field(let i): return r.fieldValue(i)
        case .custom(let k): return r.custom[k].map { .text($0) } ?? .empty
        }
    }
}

enum Columns {
    /// The columns an export of each record type shows by default.
    static func defaults(_ type: RecordType) -> [String] {
        switch type {
        case .opportunity:
            return [
                "id", "name", "stage", "amount", "currency", "probability", "expected_close", "owner", "customer_name",
                "contact_name", "contact_email", "source", "created_at", "updated_at",
            ]
        case .lead:
            return [
                "id", "first_name", "last_name", "company", "job_title", "email", "phone", "status", "source", "owner",
                "address.city", "address.country", "tags", "created_at", "updated_at",
            ]
        case .customer:
            return [
                "id", "name", "first_name", "last_name", "email", "phone", "owner", "address.city", "address.country",
                "created_at", "updated_at",
            ]
        case .task:
            return [
                "id", "title", "category", "assignee", "creator", "start", "due", "status", "all_day", "important",
                "requires_approval", "related_to", "updated_at",
            ]
        }
    }

    /// Resolves column names for a record type.
    /// - Throws: `ExportError.unknownColumn` naming the columns there are.
    static func resolve<R: CRMRecord>(_ names: [String]?, for type: R.Type) throws -> [ExportColumn] {
        try (names ?? defaults(R.recordType)).map { name in
            switch name {
            case "id": return ExportColumn(name: name, source: .id, kind: .text)
            case "external_id": return ExportColumn(name: name, source: .externalID, kind: .text)
            case "updated_at": return ExportColumn(name: name, source: .updatedAt, kind: .instant)
            default:
                if name.hasPrefix("custom."), name.count > 7 {
                    return ExportColumn(name: name, source: .custom(String(name.dropFirst(7))), kind: .text)
                }
                guard let i = R.fieldIndex(named: name) else {
                    throw ExportError(
                        .unknownColumn,
                        "\(R.recordType.plural) have no column '\(name)'; columns are: id, external_id, "
                            + R.fields.map(\.name).joined(separator: ", ") + ", updated_at, custom.<name>")
                }
                return ExportColumn(name: name, source: .field(i), kind: R.fields[i].kind)
            }
        }
    }
}
