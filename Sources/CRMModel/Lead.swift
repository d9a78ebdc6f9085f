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

    /// The value of the standard field at `index` in `fields`, read directly (no closure, no copy of the record).
    public func fieldValue(_ index: Int) -> FieldValue {
        switch index {
        case 0: return .textField(firstName)
        case 1: return .textField(lastName)
        case 2: return .textField(company)
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
        case 18: return .textField(status)
        case 19: return .textField(source)
        case 20: return .textField(owner)
        case 21: return .optional(amount)
        case 22: return .textField(currency)
        case 23: return .optional(closeChance)
        case 24: return .optional(closeDate)
        case 25: return .listField(tags)
        case 26: return .textField(notes)
        case 27: return .optional(createdAt)
        case 28: return .textField(convertedCustomerID)
        default: return .empty
        }
    }

    /// Every standard field's value, in the order of `fields` (one call for a whole row).
    public func fieldValues() -> [FieldValue] {
        [
            .textField(firstName),
            .textField(lastName),
            .textField(company),
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
            .textField(status),
            .textField(source),
            .textField(owner),
            .optional(amount),
            .textField(currency),
            .optional(closeChance),
            .optional(closeDate),
            .listField(tags),
            .textField(notes),
            .optional(createdAt),
            .textField(convertedCustomerID),
        ]
    }

    /// A record from field values in the order of `fields` (missing trailing values stay empty).
    public init(id: RecordID, fieldValues values: [FieldValue], custom: [String: String]) {
        self.init(id: id)
        guard values.count == Self.fields.count else {
            self.setFields(values, custom: custom)
            return
        }
        self.firstName = values[0].text
        self.lastName = values[1].text
        self.company = values[2].text
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
        self.status = values[18].text
        self.source = values[19].text
        self.owner = values[20].text
        self.amount = values[21].decimal
        self.currency = values[22].text
        self.closeChance = values[23].int
        self.closeDate = values[24].day
        self.tags = values[25].list
        self.notes = values[26].text
        self.createdAt = values[27].instant
        self.convertedCustomerID = values[28].text
        self.custom = custom
    }

    public static let fields: [FieldDescriptor<Lead>] =
        [
            FieldDescriptor<Lead>(
                "first_name", .text, get: { .textField($0.firstName) }, set: { $0.firstName = $1.text }),
            FieldDescriptor<Lead>("last_name", .text, get: { .textField($0.lastName) }, set: { $0.lastName = $1.text }),
            FieldDescriptor<Lead>("company", .text, get: { .textField($0.company) }, set: { $0.company = $1.text }),
            FieldDescriptor<Lead>("job_title", .text, get: { .textField($0.jobTitle) }, set: { $0.jobTitle = $1.text }),
            FieldDescriptor<Lead>("email", .email, get: { .textField($0.email) }, set: { $0.email = $1.text }),
            FieldDescriptor<Lead>("phone", .phone, get: { .textField($0.phone) }, set: { $0.phone = $1.text }),
            FieldDescriptor<Lead>("mobile", .phone, get: { .textField($0.mobile) }, set: { $0.mobile = $1.text }),
            FieldDescriptor<Lead>("website", .text, get: { .textField($0.website) }, set: { $0.website = $1.text }),
            FieldDescriptor<Lead>(
                "address.street", .text, get: { .textField($0.address.street) }, set: { $0.address.street = $1.text }),
            FieldDescriptor<Lead>(
                "address.city", .text, get: { .textField($0.address.city) }, set: { $0.address.city = $1.text }),
            FieldDescriptor<Lead>(
                "address.state", .text, get: { .textField($0.address.state) }, set: { $0.address.state = $1.text }),
            FieldDescriptor<Lead>(
                "address.postcode", .text, get: { .textField($0.address.postcode) },
                set: { $0.address.postcode = $1.text }),
            FieldDescriptor<Lead>(
                "address.country", .text, get: { .textField($0.address.country) }, set: { $0.address.country = $1.text }
            ),
            FieldDescriptor<Lead>(
                "shipping.street", .text, get: { .textField($0.shipping.street) }, set: { $0.shipping.street = $1.text }
            ),
            FieldDescriptor<Lead>(
                "shipping.city", .text, get: { .textField($0.shipping.city) }, set: { $0.shipping.city = $1.text }),
            FieldDescriptor<Lead>(
                "shipping.state", .text, get: { .textField($0.shipping.state) }, set: { $0.shipping.state = $1.text }),
            FieldDescriptor<Lead>(
                "shipping.postcode", .text, get: { .textField($0.shipping.postcode) },
                set: { $0.shipping.postcode = $1.text }),
            FieldDescriptor<Lead>(
                "shipping.country", .text, get: { .textField($0.shipping.country) },
                set: { $0.shipping.country = $1.text }),
            FieldDescriptor<Lead>("status", .text, get: { .textField($0.status) }, set: { $0.status = $1.text }),
            FieldDescriptor<Lead>("source", .text, get: { .textField($0.source) }, set: { $0.source = $1.text }),
            FieldDescriptor<Lead>("owner", .text, get: { .textField($0.owner) }, set: { $0.owner = $1.text }),
            FieldDescriptor<Lead>("amount", .number, get: { .optional($0.amount) }, set: { $0.amount = $1.decimal }),
            FieldDescriptor<Lead>("currency", .text, get: { .textField($0.currency) }, set: { $0.currency = $1.text }),
            FieldDescriptor<Lead>(
                "close_chance", .integer, range: 0...100, get: { .optional($0.closeChance) },
                set: { $0.closeChance = $1.int }),
            FieldDescriptor<Lead>("close_date", .day, get: { .optional($0.closeDate) }, set: { $0.closeDate = $1.day }),
            FieldDescriptor<Lead>("tags", .list, get: { .listField($0.tags) }, set: { $0.tags = $1.list }),
            FieldDescriptor<Lead>("notes", .text, get: { .textField($0.notes) }, set: { $0.notes = $1.text }),
            FieldDescriptor<Lead>(
                "created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
            FieldDescriptor<Lead>(
                "converted_customer_id", .text, get: { .textField($0.convertedCustomerID) },
                set: { $0.convertedCustomerID = $1.text }),
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

extension Lead {
    /// How a board or a list names the lead: the name and the company, whichever it has (`Ann Lee, Acme`, `Acme`),
    /// else its e-mail, else `(no name)`.
    public var displayTitle: String {
        let name = [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
        let parts = [name, company].filter { !$0.isEmpty }
        if !parts.isEmpty { return parts.joined(separator: ", ") }
        return email.isEmpty ? "(no name)" : email
    }
}
