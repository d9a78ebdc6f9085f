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
            FieldDescriptor<Lead>("first_name", .text, get: { .textField($0.firstName) }, set: { $0.firstName = $1.text }),
            FieldDescriptor<Lead>("last_name", .text, get: { .textField($0.lastName) }, set: { $0.lastName = $1.text }),
            FieldDescriptor<Lead>("company", .text, get: { .textField($0.company) }, set: { $0.company = $1.text }),
            FieldDescriptor<Lead>("job_title", .text, get: { .textField($0.jobTitle) }, set: { $0.jobTitle = $1.text }),
            FieldDescriptor<Lead>("email", .email, get: { .textField($0.email) }, set: { $0.email = $1.text }),
            FieldDescriptor<Lead>("phone", .phone, get: { .textField($0.phone) }, set: { $0.phone = $1.text }),
            FieldDescriptor<Lead>("mobile", .phone, get: { .textField($0.mobile) }, set: { $0.mobile = $1.text }),
            FieldDescriptor<Lead>("website", .text, get: { .textField($0.website) }, set: { $0.website = $1.text }),
            FieldDescriptor<Lead>("address.street", .text, get: { .textField($0.address.street) }, set: { $0.address.street = $1.text }),
            FieldDescriptor<Lead>("address.city", .text, get: { .textField($0.address.city) }, set: { $0.address.city = $1.text }),
            FieldDescriptor<Lead>("address.state", .text, get: { .textField($0.address.state) }, set: { $0.address.state = $1.text }),
            FieldDescriptor<Lead>("address.postcode", .text, get: { .textField($0.address.postcode) }, set: { $0.address.postcode = $1.text }),
            FieldDescriptor<Lead>("address.country", .text, get: { .textField($0.address.country) }, set: { $0.address.country = $1.text }),
            FieldDescriptor<Lead>("shipping.street", .text, get: { .textField($0.shipping.street) }, set: { $0.shipping.street = $1.text }),
            FieldDescriptor<Lead>("shipping.city", .text, get: { .textField($0.shipping.city) }, set: { $0.shipping.city = $1.text }),
            FieldDescriptor<Lead>("shipping.state", .text, get: { .textField($0.shipping.state) }, set: { $0.shipping.state = $1.text }),
            FieldDescriptor<Lead>("shipping.postcode", .text, get: { .textField($0.shipping.postcode) }, set: { $0.shipping.postcode = $1.text }),
            FieldDescriptor<Lead>("shipping.country", .text, get: { .textField($0.shipping.country) }, set: { $0.shipping.country = $1.text }),
            FieldDescriptor<Lead>("status", .text, get: { .textField($0.status) }, set: { $0.status = $1.text }),
            FieldDescriptor<Lead>("source", .text, get: { .textField($0.source) }, set: { $0.source = $1.text }),
            FieldDescriptor<Lead>("owner", .text, get: { .textField($0.owner) }, set: { $0.owner = $1.text }),
            FieldDescriptor<Lead>("amount", .number, get: { .optional($0.amount) }, set: { $0.amount = $1.decimal }),
            FieldDescriptor<Lead>("currency", .text, get: { .textField($0.currency) }, set: { $0.currency = $1.text }),
            FieldDescriptor<Lead>("close_chance", .integer, get: { .optional($0.closeChance) }, set: { $0.closeChance = $1.int }),
            FieldDescriptor<Lead>("close_date", .day, get: { .optional($0.closeDate) }, set: { $0.closeDate = $1.day }),
            FieldDescriptor<Lead>("tags", .list, get: { .listField($0.tags) }, set: { $0.tags = $1.list }),
            FieldDescriptor<Lead>("notes", .text, get: { .textField($0.notes) }, set: { $0.notes = $1.text }),
            FieldDescriptor<Lead>("created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
            FieldDescriptor<Lead>("converted_customer_id", .text, get: { .textField($0.convertedCustomerID) }, set: { $0.convertedCustomerID = $1.text }),
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
