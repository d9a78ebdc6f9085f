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

    public static let fields: [FieldDescriptor<Opportunity>] = [
        Field.text("name", .text, \Opportunity.name),
        Field.text("stage", .text, \Opportunity.stage),
        Field.number("amount", \Opportunity.amount),
        Field.text("currency", .text, \Opportunity.currency),
        Field.integer("probability", \Opportunity.probability),
        Field.day("expected_close", \Opportunity.expectedClose),
        Field.text("owner", .text, \Opportunity.owner),
        Field.text("customer_name", .text, \Opportunity.customerName),
        Field.text("contact_name", .text, \Opportunity.contactName),
        Field.text("contact_email", .email, \Opportunity.contactEmail),
        Field.text("lead_external_id", .text, \Opportunity.leadExternalID),
        Field.text("source", .text, \Opportunity.source),
        Field.list("tags", \Opportunity.tags),
        Field.text("notes", .text, \Opportunity.notes),
        Field.instant("created_at", \Opportunity.createdAt),
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
    public static let defaults = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Won", "Lost"]
}
