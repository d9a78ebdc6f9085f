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

    /// The value of the standard field at `index` in `fields`, read directly (no closure, no copy of the record).
    public func fieldValue(_ index: Int) -> FieldValue {
        switch index {
        case 0: return .textField(name)
        case 1: return .textField(contactFirstName)
        case 2: return .textField(contactLastName)
        case 3: return .textField(jobTitle)
        case 4: return .textField(email)
        case 5: return .textField(phone)
        case 6: return .textField(mobile)
        case 7: return .textField(website)
        case 8: return .textField(address.street)
        case 9: return .textField(address.city)
        case 10: return .textField(address.state)
        case 11: return .textField(address.postcode)
        case 12: return .textField(address.country)
        case 13: return .textField(shipping.street)
        case 14: return .textField(shipping.city)
        case 15: return .textField(shipping.state)
        case 16: return .textField(shipping.postcode)
        case 17: return .textField(shipping.country)
        case 18: return .textField(owner)
        case 19: return .listField(tags)
        case 20: return .textField(notes)
        case 21: return .optional(createdAt)
        case 22: return .textField(fromLeadID)
        default: return .empty
        }
    }

    /// Every standard field's value, in the order of `fields` (one call for a whole row).
    public func fieldValues() -> [FieldValue] {
        [
            .textField(name),
            .textField(contactFirstName),
            .textField(contactLastName),
            .textField(jobTitle),
            .textField(email),
            .textField(phone),
            .textField(mobile),
            .textField(website),
            .textField(address.street),
            .textField(address.city),
            .textField(address.state),
            .textField(address.postcode),
            .textField(address.country),
            .textField(shipping.street),
            .textField(shipping.city),
            .textField(shipping.state),
            .textField(shipping.postcode),
            .textField(shipping.country),
            .textField(owner),
            .listField(tags),
            .textField(notes),
            .optional(createdAt),
            .textField(fromLeadID),
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
        self.contactFirstName = values[1].text
        self.contactLastName = values[2].text
        self.jobTitle = values[3].text
        self.email = values[4].text
        self.phone = values[5].text
        self.mobile = values[6].text
        self.website = values[7].text
        self.address.street = values[8].text
        self.address.city = values[9].text
        self.address.state = values[10].text
        self.address.postcode = values[11].text
        self.address.country = values[12].text
        self.shipping.street = values[13].text
        self.shipping.city = values[14].text
        self.shipping.state = values[15].text
        self.shipping.postcode = values[16].text
        self.shipping.country = values[17].text
        self.owner = values[18].text
        self.tags = values[19].list
        self.notes = values[20].text
        self.createdAt = values[21].instant
        self.fromLeadID = values[22].text
        self.custom = custom
    }

    public static let fields: [FieldDescriptor<Customer>] =
        [
            FieldDescriptor<Customer>("name", .text, get: { .textField($0.name) }, set: { $0.name = $1.text }),
            FieldDescriptor<Customer>(
                "first_name", .text, get: { .textField($0.contactFirstName) }, set: { $0.contactFirstName = $1.text }),
            FieldDescriptor<Customer>(
                "last_name", .text, get: { .textField($0.contactLastName) }, set: { $0.contactLastName = $1.text }),
            FieldDescriptor<Customer>(
                "job_title", .text, get: { .textField($0.jobTitle) }, set: { $0.jobTitle = $1.text }),
            FieldDescriptor<Customer>("email", .email, get: { .textField($0.email) }, set: { $0.email = $1.text }),
            FieldDescriptor<Customer>("phone", .phone, get: { .textField($0.phone) }, set: { $0.phone = $1.text }),
            FieldDescriptor<Customer>("mobile", .phone, get: { .textField($0.mobile) }, set: { $0.mobile = $1.text }),
            FieldDescriptor<Customer>("website", .text, get: { .textField($0.website) }, set: { $0.website = $1.text }),
            FieldDescriptor<Customer>(
                "address.street", .text, get: { .textField($0.address.street) }, set: { $0.address.street = $1.text }),
            FieldDescriptor<Customer>(
                "address.city", .text, get: { .textField($0.address.city) }, set: { $0.address.city = $1.text }),
            FieldDescriptor<Customer>(
                "address.state", .text, get: { .textField($0.address.state) }, set: { $0.address.state = $1.text }),
            FieldDescriptor<Customer>(
                "address.postcode", .text, get: { .textField($0.address.postcode) },
                set: { $0.address.postcode = $1.text }),
            FieldDescriptor<Customer>(
                "address.country", .text, get: { .textField($0.address.country) }, set: { $0.address.country = $1.text }
            ),
            FieldDescriptor<Customer>(
                "shipping.street", .text, get: { .textField($0.shipping.street) }, set: { $0.shipping.street = $1.text }
            ),
            FieldDescriptor<Customer>(
                "shipping.city", .text, get: { .textField($0.shipping.city) }, set: { $0.shipping.city = $1.text }),
            FieldDescriptor<Customer>(
                "shipping.state", .text, get: { .textField($0.shipping.state) }, set: { $0.shipping.state = $1.text }),
            FieldDescriptor<Customer>(
                "shipping.postcode", .text, get: { .textField($0.shipping.postcode) },
                set: { $0.shipping.postcode = $1.text }),
            FieldDescriptor<Customer>(
                "shipping.country", .text, get: { .textField($0.shipping.country) },
                set: { $0.shipping.country = $1.text }),
            FieldDescriptor<Customer>("owner", .text, get: { .textField($0.owner) }, set: { $0.owner = $1.text }),
            FieldDescriptor<Customer>("tags", .list, get: { .listField($0.tags) }, set: { $0.tags = $1.list }),
            FieldDescriptor<Customer>("notes", .text, get: { .textField($0.notes) }, set: { $0.notes = $1.text }),
            FieldDescriptor<Customer>(
                "created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
            FieldDescriptor<Customer>(
                "from_lead_id", .text, get: { .textField($0.fromLeadID) }, set: { $0.fromLeadID = $1.text }),
        ]
}
