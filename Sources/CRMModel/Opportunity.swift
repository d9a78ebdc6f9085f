public import Foundation

/// A sales prospect for a lead or a customer; converts into a sale quote or a sale order.
public struct Opportunity: CRMRecord, Hashable {
    public static let recordType = RecordType.opportunity
    public var id: RecordID
    public var name = ""
    /// One of `OpportunityStage.defaults` or a custom stage.
    public var stage = OpportunityStage.defaults[0]
    public var amount: Decimal?
    public var currency = ""
    /// Probability of winning, in percent (0–100).
    public var probability: Int?
    public var expectedClose: CalendarDay?
    public var owner = ""
    public var customerName = ""
    public var contactName = ""
    public var contactEmail = ""
    /// The external id of the lead this opportunity belongs to, when imported.
    public var leadExternalID = ""
    public var source = ""
    public var tags: [String] = []
    public var notes = ""
    public var lines: [OpportunityLine] = []
    public var custom: [String: String] = [:]
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(id: RecordID) { self.id = id }

    /// The value of the standard field at `index` in `fields`, read directly (no closure, no copy of the record).
    public func fieldValue(_ index: Int) -> FieldValue {
        switch index {
        case 0: return .textField(name)
        case 1: return .textField(stage)
        case 2: return .optional(amount)
        case 3: return .textField(currency)
        case 4: return .optional(probability)
        case 5: return .optional(expectedClose)
        case 6: return .textField(owner)
        case 7: return .textField(customerName)
        case 8: return .textField(contactName)
        case 9: return .textField(contactEmail)
        case 10: return .textField(leadExternalID)
        case 11: return .textField(source)
        case 12: return .listField(tags)
        case 13: return .textField(notes)
        case 14: return .optional(createdAt)
        default: return .empty
        }
    }

    /// Every standard field's value, in the order of `fields` (one call for a whole row).
    public func fieldValues() -> [FieldValue] {
        [
            .textField(name),
            .textField(stage),
            .optional(amount),
            .textField(currency),
            .optional(probability),
            .optional(expectedClose),
            .textField(owner),
            .textField(customerName),
            .textField(contactName),
            .textField(contactEmail),
            .textField(leadExternalID),
            .textField(source),
            .listField(tags),
            .textField(notes),
            .optional(createdAt),
        ]
    }

    /// A record from field values in the order of `fields` (missing trailing values stay empty).
    public init(id: RecordID, fieldValues values: [FieldValue], custom: [String: String]) {
        self.init(id: id)
        guard values.count == Self.fields.count else {
            self.setFields(values, custom: custom)
            return
        }
        self.name = values[0].text
        self.stage = values[1].text
        self.amount = values[2].decimal
        self.currency = values[3].text
        self.probability = values[4].int
        self.expectedClose = values[5].day
        self.owner = values[6].text
        self.customerName = values[7].text
        self.contactName = values[8].text
        self.contactEmail = values[9].text
        self.leadExternalID = values[10].text
        self.source = values[11].text
        self.tags = values[12].list
        self.notes = values[13].text
        self.createdAt = values[14].instant
        self.custom = custom
    }

    public static let fields: [FieldDescriptor<Opportunity>] = [
        FieldDescriptor<Opportunity>("name", .text, get: { .textField($0.name) }, set: { $0.name = $1.text }),
        FieldDescriptor<Opportunity>("stage", .text, get: { .textField($0.stage) }, set: { $0.stage = $1.text }),
        FieldDescriptor<Opportunity>("amount", .number, get: { .optional($0.amount) }, set: { $0.amount = $1.decimal }),
        FieldDescriptor<Opportunity>(
            "currency", .text, get: { .textField($0.currency) }, set: { $0.currency = $1.text }),
        FieldDescriptor<Opportunity>(
            "probability", .integer, range: 0...100, get: { .optional($0.probability) },
            set: { $0.probability = $1.int }),
        FieldDescriptor<Opportunity>(
            "expected_close", .day, get: { .optional($0.expectedClose) }, set: { $0.expectedClose = $1.day }),
        FieldDescriptor<Opportunity>("owner", .text, get: { .textField($0.owner) }, set: { $0.owner = $1.text }),
        FieldDescriptor<Opportunity>(
            "customer_name", .text, get: { .textField($0.customerName) }, set: { $0.customerName = $1.text }),
        FieldDescriptor<Opportunity>(
            "contact_name", .text, get: { .textField($0.contactName) }, set: { $0.contactName = $1.text }),
        FieldDescriptor<Opportunity>(
            "contact_email", .email, get: { .textField($0.contactEmail) }, set: { $0.contactEmail = $1.text }),
        FieldDescriptor<Opportunity>(
            "lead_external_id", .text, get: { .textField($0.leadExternalID) }, set: { $0.leadExternalID = $1.text }),
        FieldDescriptor<Opportunity>("source", .text, get: { .textField($0.source) }, set: { $0.source = $1.text }),
        FieldDescriptor<Opportunity>("tags", .list, get: { .listField($0.tags) }, set: { $0.tags = $1.list }),
        FieldDescriptor<Opportunity>("notes", .text, get: { .textField($0.notes) }, set: { $0.notes = $1.text }),
        FieldDescriptor<Opportunity>(
            "created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
    ]
}

/// A product or service line of an opportunity.
public struct OpportunityLine: Sendable, Hashable {
    public var product: String
    public var quantity: Decimal
    public var unitPrice: Decimal
    public init(product: String, quantity: Decimal, unitPrice: Decimal) {
        self.product = product
        self.quantity = quantity
        self.unitPrice = unitPrice
    }
}

/// The default opportunity pipeline, ending in Won and Lost.
public enum OpportunityStage {
    public static let defaults = [
        "Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Won", "Lost",
    ]
}
