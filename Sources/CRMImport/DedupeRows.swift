import CRMDedupe
import CRMMapping
import CRMModel
import Foundation

/// What the fuzzy matcher compares of a mapped row or a stored lead: the fields a mapping's `dedupe:` section
/// names (custom fields included), or the lead model's own fields.
struct DedupeRowBuilder: Sendable {
    /// Each compared field: its index among the lead's field values (nil for a custom field), the custom key, the kind.
    let slots: [(index: Int?, custom: String?, kind: MappingFile.DedupeKind)]

    static let defaultFields: [(String, MappingFile.DedupeKind)] = [
        ("first_name", .firstName), ("last_name", .lastName), ("email", .email), ("phone", .phone),
        // The mobile: a person's own number, compared with the other row's mobile, else with its phone, and the
        // phone where a row has none (a trial's duplicates with one number in common were never compared on it).
        ("mobile", .phone), ("company", .company),
        ("job_title", .text), ("address.street", .address), ("address.city", .city), ("address.postcode", .postcode),
        ("address.country", .country),
    ]

    init(mapping: MappingFile?) {
        let fields = mapping?.dedupe?.map { ($0.field, $0.kind) } ?? Self.defaultFields
        slots = fields.map { field, kind in
            field.hasPrefix("custom.")
                ? (nil, String(field.dropFirst(7)), kind) : (Lead.fieldIndex(named: field), nil, kind)
        }
    }

    /// The matcher's row for mapped values and custom fields.
    func row(values: [FieldValue], custom: [String: String], externalID: String = "") -> DedupeRow {
        var r = DedupeRow()
        r.externalID = externalID
        var addressLines = 0
        var phones = 0
        for s in slots {
            let text: String
            if let key = s.custom {
                text = custom[key] ?? ""
            } else if let i = s.index, i < values.count {
                text = Self.text(values[i])
            } else {
                continue
            }
            switch s.kind {
            case .firstName: r.firstName = text
            case .lastName: r.lastName = text
            case .email: r.email = text
            case .phone:
                // The first field named is the phone, a second a person's own number (`DedupeRow.mobile`).
                if phones == 0 { r.phone = text } else if r.mobile.isEmpty { r.mobile = text }
                phones += 1
            case .company: r.company = text
            case .address:
                if addressLines == 0 { r.street = text } else { r.street2 = text }
                addressLines += 1
            case .city: r.city = text
            case .postcode: r.postcode = text
            case .country: r.country = text
            case .date: r.birthDate = text
            case .identifier: r.identifier = text
            case .middleName: r.middleName = text
            case .age: r.age = text
            case .gender: r.gender = text
            case .text: r.jobTitle = text
            }
        }
        return r
    }

    /// The matcher's row for a stored lead.
    func row(lead: Lead) -> DedupeRow { row(values: lead.fieldValues(), custom: lead.custom) }

    static func text(_ v: FieldValue) -> String {
        switch v {
        case .empty: ""
        case .text(let s): s
        case .number(let d): NSDecimalNumber(decimal: d).stringValue
        case .integer(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .day(let d): d.description
        case .instant(let t): t.iso8601UTC
        case .list(let l): l.joined(separator: " ")
        }
    }
}
