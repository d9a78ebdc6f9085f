public import Foundation

/// A customer: what a lead converts into; it inherits the lead's information.
public struct Customer: CRMRecord, Hashable {
    public static let recordType = RecordType.customer
    public var id: RecordID
    /// The customer's (company or person) name.
    public var name = ""
    public var contactFirstName = ""
    public var contactLastName = ""
    public var jobTitle = ""
    public var email = ""
    public var phone = ""
    public var mobile = ""
    public var website = ""
    public var address = Address()
    public var shipping = Address()
    public var owner = ""
    public var tags: [String] = []
    public var notes = ""
    public var custom: [String: String] = [:]
    public var createdAt: Date?
    public var updatedAt: Date?
    /// The lead this customer was converted from, if any.
    public var fromLeadID = ""

    public init(id: RecordID) { self.id = id }

    public static let fields: [FieldDescriptor<Customer>] =
        [
            Field.text("name", .text, \Customer.name),
            Field.text("first_name", .text, \Customer.contactFirstName),
            Field.text("last_name", .text, \Customer.contactLastName),
            Field.text("job_title", .text, \Customer.jobTitle),
            Field.text("email", .email, \Customer.email),
            Field.text("phone", .phone, \Customer.phone),
            Field.text("mobile", .phone, \Customer.mobile),
            Field.text("website", .text, \Customer.website),
        ] + Field.address("address", \Customer.address) + Field.address("shipping", \Customer.shipping) + [
            Field.text("owner", .text, \Customer.owner),
            Field.list("tags", \Customer.tags),
            Field.text("notes", .text, \Customer.notes),
            Field.instant("created_at", \Customer.createdAt),
            Field.text("from_lead_id", .text, \Customer.fromLeadID),
        ]
}
