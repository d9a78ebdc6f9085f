public import Foundation

/// Why a conversion is refused.
public struct ConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Conversions of the seed: a lead into a customer (and maybe an opportunity), an opportunity into a
/// sale quote or a sale order.
public enum Conversion {
    /// The customer a lead becomes, inheriting its information, and the lead marked converted.
    /// - Throws: `ConversionError` when the lead was converted already.
    public static func leadToCustomer(
        _ lead: Lead, customerID: RecordID, at now: Date
    ) throws(ConversionError) -> (customer: Customer, lead: Lead) {
        guard lead.convertedCustomerID.isEmpty, lead.status != LeadStatus.converted else {
            throw ConversionError(
                "lead \(lead.id) was converted already"
                    + (lead.convertedCustomerID.isEmpty ? "" : " (into customer \(lead.convertedCustomerID))"))
        }
        var c = Customer(id: customerID)
        let person = [lead.firstName, lead.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        c.name = lead.company.isEmpty ? person : lead.company
        c.contactFirstName = lead.firstName
        c.contactLastName = lead.lastName
        c.jobTitle = lead.jobTitle
        c.email = lead.email
        c.phone = lead.phone
        c.mobile = lead.mobile
        c.website = lead.website
        c.address = lead.address
        c.shipping = lead.shipping
        c.owner = lead.owner
        c.tags = lead.tags
        c.notes = lead.notes
        c.custom = lead.custom
        c.createdAt = now
        c.updatedAt = now
        c.fromLeadID = lead.id.description
        var l = lead
        l.status = LeadStatus.converted
        l.convertedCustomerID = customerID.description
        l.updatedAt = now
        return (c, l)
    }

    /// What converting `leads` makes, decided before anything is saved (a store that cannot be written converts
    /// nothing): a customer per lead not converted before, the leads marked converted, an opportunity per customer
    /// when `opportunityName` is given, a line per lead saying what became of it, and how many were refused.
    public struct LeadsPlan: Sendable {
        public var customers: [Customer] = []
        public var leads: [Lead] = []
        public var opportunities: [Opportunity] = []
        /// One line per lead, in order: `converted lead ID into customer ID (NAME)` or `refused: REASON`.
        public var lines: [String] = []
        public var refused = 0
    }

    /// Plans the conversion of `leads` (`LeadsPlan`); `makeID` gives each new record its id.
    public static func leadsToCustomers(
        _ leads: [Lead], opportunityName: String?, amount: Decimal?, currency: String, at now: Date,
        makeID: () -> RecordID = { RecordID.make() }
    ) -> LeadsPlan {
        var plan = LeadsPlan()
        for l in leads {
            do {
                let (c, l2) = try leadToCustomer(l, customerID: makeID(), at: now)
                plan.customers.append(c)
                plan.leads.append(l2)
                if let opportunityName {
                    plan.opportunities.append(
                        opportunity(
                            for: c, id: makeID(), name: opportunityName, amount: amount, currency: currency, at: now))
                }
                plan.lines.append("converted lead \(l.id) into customer \(c.id) (\(c.name))")
            } catch {
                plan.refused += 1
                plan.lines.append("refused: \(error.message)")
            }
        }
        return plan
    }

    /// An opportunity for a (new) customer.
    public static func opportunity(
        for customer: Customer, id: RecordID, name: String, amount: Decimal?, currency: String, at now: Date
    )
        -> Opportunity
    {
        var o = Opportunity(id: id)
        o.name = name
        o.amount = amount
        o.currency = currency
        o.owner = customer.owner
        o.customerName = customer.name
        o.contactName = [customer.contactFirstName, customer.contactLastName].filter { !$0.isEmpty }.joined(
            separator: " ")
        o.contactEmail = customer.email
        o.stage = OpportunityStage.defaults[0]
        o.createdAt = now
        o.updatedAt = now
        return o
    }

    /// Refuses a Lost opportunity (the default pipeline's stage, in any case): a lost deal is not sold, and an order
    /// would have marked it Won without anyone saying it was reopened. Checked before anything else of a conversion is
    /// done (a lead converted first for its customer included).
    /// - Throws: `ConversionError` naming the command that reopens it.
    public static func checkSellable(_ opp: Opportunity) throws {
        guard opp.stage.caseInsensitiveCompare("Lost") != .orderedSame else {
            throw ConversionError(
                "opportunity \(opp.id) is Lost; reopen it first (crmgate opportunities set \(opp.id.short) stage=…)")
        }
    }

    /// The kinds of sale document an opportunity converts into.
    public enum SaleKind: String, Sendable, CaseIterable { case quote, order }

    /// Records the conversion of an opportunity into a sale quote or order: the opportunity remembers
    /// what it became (kind, time, customer, its lines and total), and a won order closes it.
    /// - Throws: `ConversionError` when it was converted already, has no customer, or is Lost.
    public static func opportunityToSale(
        _ opp: Opportunity, kind: SaleKind, customerName: String, at now: Date
    ) throws -> Opportunity {
        if let done = opp.custom["converted_to"], !done.isEmpty {
            throw ConversionError("opportunity \(opp.id) was converted to a sale \(done) already")
        }
        guard !customerName.isEmpty else {
            throw ConversionError("opportunity \(opp.id) has no customer; convert its lead first (--convert-lead)")
        }
        try checkSellable(opp)
        var o = opp
        o.customerName = customerName
        o.custom["converted_to"] = kind.rawValue
        o.custom["converted_at"] = now.iso8601UTC
        let total =
            opp.lines.isEmpty ? (opp.amount ?? 0) : opp.lines.reduce(Decimal(0)) { $0 + $1.quantity * $1.unitPrice }
        o.custom["sale_total"] =
            NSDecimalNumber(decimal: total).stringValue + (opp.currency.isEmpty ? "" : " " + opp.currency)
        if !opp.lines.isEmpty { o.custom["sale_lines"] = saleLinesText(opp.lines) }
        if kind == .order { o.stage = "Won" }
        o.updatedAt = now
        return o
    }

    /// The lines as the opportunity keeps them once converted (`sale_lines`, a custom field, so they reach the store):
    /// a JSON array of `{"product", "quantity", "unit_price"}`, numbers as decimal text.
    public static func saleLinesText(_ lines: [OpportunityLine]) -> String {
        let items: [[String: String]] = lines.map {
            [
                "product": $0.product, "quantity": NSDecimalNumber(decimal: $0.quantity).stringValue,
                "unit_price": NSDecimalNumber(decimal: $0.unitPrice).stringValue,
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: items, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The lines a converted opportunity kept (`saleLinesText`); empty when it kept none or they cannot be read.
    public static func saleLines(_ text: String?) -> [OpportunityLine] {
        guard let text, let items = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: String]]
        else { return [] }
        return items.compactMap { item in
            guard let p = item["product"],
                let q = item["quantity"].flatMap({ Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }),
                let u = item["unit_price"].flatMap({ Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) })
            else { return nil }
            return OpportunityLine(product: p, quantity: q, unitPrice: u)
        }
    }
}
