public import Foundation

/// A lead: a person or organisation interested but not yet committed; converts into a Customer.
public struct Lead: CRMRecord, Hashable {
    public static let recordType = RecordType.lead
    public var id: RecordID
    public var firstName = ""
    public var lastName = ""
    public var company = ""
    public var jobTitle = ""
    public var email = ""
    public var phone = ""
    public var mobile = ""
    public var website = ""
    public var address = Address()
    public var shipping = Address()
    /// One of `LeadStatus.defaults` or a custom status.
    public var status = LeadStatus.new
    public var source = ""
    /// The sales representative who owns the lead.
    public var owner = ""
    public var amount: Decimal?
    public var currency = ""
    /// Close chance in percent, 0–100.
    public var closeChance: Int?
    public var closeDate: CalendarDay?
    public var tags: [String] = []
    public var notes = ""
    public var custom: [String: String] = [:]
    public var createdAt: Date?
    public var updatedAt: Date?
    /// The customer this lead became, once converted.
    public var convertedCustomerID = ""

    public init(id: RecordID) { self.id = id }

    public static let fields: [FieldDescriptor<Lead>] =
        [
            Field.text("first_name", .text, \Lead.firstName),
            Field.text("last_name", .text, \Lead.lastName),
            Field.text("company", .text, \Lead.company),
            Field.text("job_title", .text, \Lead.jobTitle),
            Field.text("email", .email, \Lead.email),
            Field.text("phone", .phone, \Lead.phone),
            Field.text("mobile", .phone, \Lead.mobile),
            Field.text("website", .text, \Lead.website),
        ] + Field.address("address", \Lead.address) + Field.address("shipping", \Lead.shipping) + [
            Field.text("status", .text, \Lead.status),
            Field.text("source", .text, \Lead.source),
            Field.text("owner", .text, \Lead.owner),
            Field.number("amount", \Lead.amount),
            Field.text("currency", .text, \Lead.currency),
            Field.integer("close_chance", \Lead.closeChance),
            Field.day("close_date", \Lead.closeDate),
            Field.list("tags", \Lead.tags),
            Field.text("notes", .text, \Lead.notes),
            Field.instant("created_at", \Lead.createdAt),
            Field.text("converted_customer_id", .text, \Lead.convertedCustomerID),
        ]
}

/// Lead statuses of the seed; a CRM may add its own.
public enum LeadStatus {
    public static let new = "New"
    public static let attemptingToContact = "Attempting to Contact"
    public static let qualified = "Qualified"
    public static let disqualified = "Disqualified"
    public static let converted = "Converted"
    /// The default pipeline, in order.
    public static let defaults = [new, attemptingToContact, qualified, disqualified, converted]
}
