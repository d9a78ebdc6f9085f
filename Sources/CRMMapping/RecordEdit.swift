public import CRMModel
public import Foundation

/// Changes a person asks for on the command line (`field=value`), checked as an import checks values and applied to a
/// record as a plan that says what changes: the command shows the plan (`--dry-run`) or saves the record, which then
/// syncs like any other change.
///
/// Values: text as typed (spaces at the ends removed); an e-mail must be one (stored lower-case); numbers with a `.`
/// decimal point; whole numbers; `true`/`false` (or yes/no); days as `YYYY-MM-DD`; times as ISO 8601 (a day alone is
/// midnight UTC); lists separated by `;` (or by `,` when there is no `;`). An empty value clears the field;
/// `custom.NAME=` removes a custom field.
public enum RecordEdit {
    /// One field's change.
    public struct Change: Sendable, Equatable {
        /// The field's name, as mapping files and `--where` name it (`custom.NAME` for a custom field).
        public let field: String
        /// The value before, as lists show it (empty when there was none).
        public let before: String
        /// The value after.
        public let after: String
    }

    /// A change that cannot be made: an unknown field, a value of the wrong kind, a field only a command sets.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// Which kind of mistake.
        public enum Code: Sendable, Equatable {
            /// Not `field=value`, an unknown field, or a field only a command sets: a usage error.
            case usage
            /// A value that is not of the field's kind (not an e-mail, a number, a day…).
            case badValue
        }
        public var code: Code = .usage
        /// What is wrong, naming the field and the value.
        public let message: String
        /// What to type instead.
        public let hint: String?
        public var description: String { message }
    }

    /// Fields that a command owns: set by a conversion, never by hand.
    public static let protectedFields: Set<String> = ["converted_customer_id", "from_lead_id"]

    /// `field=value` texts as pairs (the first `=` splits; the value may hold more).
    /// - Throws: `Refusal` for a text without `=` or with an empty field name.
    public static func assignments(_ texts: [String]) throws -> [(field: String, value: String)] {
        try texts.map { t in
            guard let eq = t.firstIndex(of: "="), eq != t.startIndex else {
                throw Refusal(message: "'\(t)' is not field=value", hint: "e.g. status=Qualified or custom.region=EMEA")
            }
            return (String(t[..<eq]).trimmingCharacters(in: .whitespaces), String(t[t.index(after: eq)...]))
        }
    }

    /// Applies the assignments to `record` (all or none) and returns the fields that changed, in the order given;
    /// when something changed, the record's `updatedAt` becomes `now` (incremental exports and syncs select on it).
    ///
    /// `allowed` names fields whose value must be one of a list (a lead's status, an opportunity's stage: the
    /// pipeline's and those the store holds), compared without case and stored as the list spells it; a typo would
    /// otherwise open a column of its own on the boards.
    /// - Throws: `Refusal` naming the first field that cannot be set or value that cannot be read.
    public static func apply<R: CRMRecord>(
        _ assignments: [(field: String, value: String)], to record: inout R, allowed: [String: [String]] = [:],
        at now: Date = Date()
    ) throws -> [Change] {
        var edited = record
        var changes: [Change] = []
        for (field, raw) in assignments {
            var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if field.hasPrefix("custom.") {
                let name = String(field.dropFirst(7))
                guard !name.isEmpty else {
                    throw Refusal(message: "custom. needs a name", hint: "e.g. custom.region=EMEA")
                }
                let before = edited.custom[name] ?? ""
                edited.custom[name] = text.isEmpty ? nil : text
                if before != text { changes.append(Change(field: field, before: before, after: text)) }
                continue
            }
            guard let f = R.fields.first(where: { $0.name == field }) else {
                throw Refusal(
                    message: "\(R.recordType.plural) have no field '\(field)'",
                    hint: "fields are: "
                        + R.fields.map(\.name).filter { !protectedFields.contains($0) }.joined(separator: ", ")
                        + ", custom.NAME")
            }
            guard !protectedFields.contains(field) else {
                throw Refusal(
                    message: "\(field) is set by a conversion, not by hand", hint: "`crmgate leads convert` sets it")
            }
            // A lead is Converted by its conversion (which creates the customer), never by hand: one set so could
            // never be converted.
            if R.recordType == .lead, field == "status",
                text.caseInsensitiveCompare(LeadStatus.converted) == .orderedSame
            {
                throw Refusal(
                    message: "a lead becomes Converted by its conversion, not by hand",
                    hint: "`crmgate leads convert ID` converts it into a customer")
            }
            if R.recordType == .lead, field == "status", let lead = edited as? Lead, !lead.convertedCustomerID.isEmpty {
                throw Refusal(
                    message:
                        "lead \(lead.id.short) was converted into customer \(RecordID.short(lead.convertedCustomerID)); its status stays Converted",
                    hint:
                        "change the customer instead: crmgate customers set \(RecordID.short(lead.convertedCustomerID)) …"
                )
            }
            if let list = allowed[field], !text.isEmpty {
                guard let known = list.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                    throw Refusal(
                        code: .badValue,
                        message: "\(field): '\(text)' is neither in the pipeline nor a value the store holds",
                        hint: "\(field) is one of: " + list.joined(separator: ", ")
                            + " (add a new one to the pipelines file)")
                }
                text = known
            }
            let before = f.get(edited)
            let value = try Self.value(text, kind: f.kind, field: field)
            if let range = f.range, case .integer(let i) = value, !range.contains(i) {
                throw Refusal(
                    code: .badValue,
                    message: "\(field): \(i) is not between \(range.lowerBound) and \(range.upperBound)",
                    hint: "e.g. \(field)=40, or \(field)= to clear it")
            }
            f.set(&edited, value)
            let after = f.get(edited)
            if after != before {
                changes.append(
                    Change(field: field, before: FieldText.text(of: before), after: FieldText.text(of: after)))
            }
        }
        if !changes.isEmpty { edited.updatedAt = now }
        record = edited
        return changes
    }

    /// The values a lead's status or an opportunity's stage may take: the pipeline's, in its order, then any other
    /// the store holds (an import may bring its own), each once whatever its case. `set`, the web page's board move
    /// and its filter offer the same list.
    public static func knownValues(pipeline: [String], stored: some Sequence<String>) -> [String] {
        var known = pipeline
        for v in stored where !v.isEmpty && !known.contains(where: { $0.caseInsensitiveCompare(v) == .orderedSame }) {
            known.append(v)
        }
        return known
    }

    /// A typed text as a value of `kind`.
    /// - Throws: `Refusal` when the text is not a value of that kind.
    public static func value(_ text: String, kind: FieldKind, field: String) throws -> FieldValue {
        if text.isEmpty { return .empty }
        func refuse(_ what: String, _ example: String) -> Refusal {
            Refusal(
                code: .badValue, message: "\(field): '\(text)' is not \(what)",
                hint: "e.g. \(field)=\(example), or \(field)= to clear it")
        }
        switch kind {
        case .text: return .text(text)
        case .phone:
            // A number with its country code is stored as an import's phone transform stores it (E.164), so that a
            // remote does not hold one contact's numbers in two forms (a trial: `+81 3 4360 887` beside
            // `+8134360887`); a national number is kept as typed (no region says whose it is).
            let t = text.trimmingSpaces
            if t.hasPrefix("+"), let e = PhoneNumber.normalized(t, region: "US") { return .text(e) }
            return .text(text)
        case .email:
            guard let e = EmailAddress.normalize(text) else { throw refuse("an e-mail address", "ann@example.com") }
            return .text(e)
        case .number:
            // The import's number reader: the whole text, one sign first, one `.` (Decimal(string:) would take "1.2.3"
            // as 1.2).
            guard let d = NumberText.parse(text, decimal: UInt8(ascii: "."), thousands: nil) else {
                throw refuse("a number (with a . decimal point)", "1250.50")
            }
            return .number(d)
        case .integer:
            guard let i = WholeNumber.parse(text) else { throw refuse("a whole number", "40") }
            return .integer(i)
        case .bool:
            guard let b = YesNo.parse(text) else { throw refuse("true or false", "true") }
            return .bool(b)
        case .day:
            guard let d = CalendarDay(iso: text) else { throw refuse("a day (YYYY-MM-DD)", "2026-12-31") }
            return .day(d)
        case .instant:
            if let d = CalendarDay(iso: text) {
                return .instant(Date(timeIntervalSince1970: Double(d.daysSinceEpoch) * 86400))
            }
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let g = ISO8601DateFormatter()
            guard let d = f.date(from: text) ?? g.date(from: text) else {
                throw refuse("a time (ISO 8601)", "2026-12-31T15:00:00Z")
            }
            return .instant(d)
        case .list:
            let separator: Character = text.contains(";") ? ";" : ","
            let items = text.split(separator: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return .list(items)
        }
    }
}
