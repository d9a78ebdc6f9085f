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
            FieldDescriptor<Customer>("name", .text, get: { .textField($0.name) }, set: { $0.name = $1.text }),
            FieldDescriptor<Customer>("first_name", .text, get: { .textField($0.contactFirstName) }, set: { $0.contactFirstName = $1.text }),
            FieldDescriptor<Customer>("last_name", .text, get: { .textField($0.contactLastName) }, set: { $0.contactLastName = $1.text }),
            FieldDescriptor<Customer>("job_title", .text, get: { .textField($0.jobTitle) }, set: { $0.jobTitle = $1.text }),
            FieldDescriptor<Customer>("email", .email, get: { .textField($0.email) }, set: { $0.email = $1.text }),
            FieldDescriptor<Customer>("phone", .phone, get: { .textField($0.phone) }, set: { $0.phone = $1.text }),
            FieldDescriptor<Customer>("mobile", .phone, get: { .textField($0.mobile) }, set: { $0.mobile = $1.text }),
            FieldDescriptor<Customer>("website", .text, get: { .textField($0.website) }, set: { $0.website = $1.text }),
            FieldDescriptor<Customer>("address.street", .text, get: { .textField($0.address.street) }, set: { $0.address.street = $1.text }),
            FieldDescriptor<Customer>("address.city", .text, get: { .textField($0.address.city) }, set: { $0.address.city = $1.text }),
            FieldDescriptor<Customer>("address.state", .text, get: { .textField($0.address.state) }, set: { $0.address.state = $1.text }),
            FieldDescriptor<Customer>("address.postcode", .text, get: { .textField($0.address.postcode) }, set: { $0.address.postcode = $1.text }),
            FieldDescriptor<Customer>("address.country", .text, get: { .textField($0.address.country) }, set: { $0.address.country = $1.text }),
            FieldDescriptor<Customer>("shipping.street", .text, get: { .textField($0.shipping.street) }, set: { $0.shipping.street = $1.text }),
            FieldDescriptor<Customer>("shipping.city", .text, get: { .textField($0.shipping.city) }, set: { $0.shipping.city = $1.text }),
            FieldDescriptor<Customer>("shipping.state", .text, get: { .textField($0.shipping.state) }, set: { $0.shipping.state = $1.text }),
            FieldDescriptor<Customer>("shipping.postcode", .text, get: { .textField($0.shipping.postcode) }, set: { $0.shipping.postcode = $1.text }),
            FieldDescriptor<Customer>("shipping.country", .text, get: { .textField($0.shipping.country) }, set: { $0.shipping.country = $1.text }),
            FieldDescriptor<Customer>("owner", .text, get: { .textField($0.owner) }, set: { $0.owner = $1.text }),
            FieldDescriptor<Customer>("tags", .list, get: { .listField($0.tags) }, set: { $0.tags = $1.list }),
            FieldDescriptor<Customer>("notes", .text, get: { .textField($0.notes) }, set: { $0.notes = $1.text }),
            FieldDescriptor<Customer>("created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
            FieldDescriptor<Customer>("from_lead_id", .text, get: { .textField($0.fromLeadID) }, set: { $0.fromLeadID = $1.text }),
        ]
}
