public import Foundation

/// A task: assigned to a user, with dates, status, flags and an optional approval step.
///
/// Named `CRMTask` so it never shadows Swift's concurrency `Task`.
public struct CRMTask: CRMRecord, Hashable {
    public static let recordType = RecordType.task
    public var id: RecordID
    public var title = ""
    public var description = ""
    public var category = ""
    public var assignee = ""
    public var creator = ""
    public var start: Date?
    public var due: Date?
    public var status = "Open"
    public var allDay = false
    public var important = false
    public var requiresApproval = false
    /// Who approved the task, once approved.
    public var approvedBy = ""
    /// The record the task belongs to (`lead:<id>`, `opportunity:<id>`, …).
    public var relatedTo = ""
    public var custom: [String: String] = [:]
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(id: RecordID) { self.id = id }

    /// The value of the standard field at `index` in `fields`, read directly (no closure, no copy of the record).
    public func fieldValue(_ index: Int) -> FieldValue {
        switch index {
        case 0: return .textField(title)
        case 1: return .textField(description)
        case 2: return .textField(category)
        case 3: return .textField(assignee)
        case 4: return .textField(creator)
        case 5: return .optional(start)
        case 6: return .optional(due)
        case 7: return .textField(status)
        case 8: return .bool(allDay)
        case 9: return .bool(important)
        case 10: return .bool(requiresApproval)
        case 11: return .textField(approvedBy)
        case 12: return .textField(relatedTo)
        case 13: return .optional(createdAt)
        default: return .empty
        }
    }

    /// Every standard field's value, in the order of `fields` (one call for a whole row).
    public func fieldValues() -> [FieldValue] {
        [
            .textField(title),
            .textField(description),
            .textField(category),
            .textField(assignee),
            .textField(creator),
            .optional(start),
            .optional(due),
            .textField(status),
            .bool(allDay),
            .bool(important),
            .bool(requiresApproval),
            .textField(approvedBy),
            .textField(relatedTo),
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
        self.title = values[0].text
        self.description = values[1].text
        self.category = values[2].text
        self.assignee = values[3].text
        self.creator = values[4].text
        self.start = values[5].instant
        self.due = values[6].instant
        self.status = values[7].text
        self.allDay = values[8].bool
        self.important = values[9].bool
        self.requiresApproval = values[10].bool
        self.approvedBy = values[11].text
        self.relatedTo = values[12].text
        self.createdAt = values[13].instant
        self.custom = custom
    }

    public static let fields: [FieldDescriptor<CRMTask>] = [
        FieldDescriptor<CRMTask>("title", .text, get: { .textField($0.title) }, set: { $0.title = $1.text }),
        FieldDescriptor<CRMTask>(
            "description", .text, get: { .textField($0.description) }, set: { $0.description = $1.text }),
        FieldDescriptor<CRMTask>("category", .text, get: { .textField($0.category) }, set: { $0.category = $1.text }),
        FieldDescriptor<CRMTask>("assignee", .text, get: { .textField($0.assignee) }, set: { $0.assignee = $1.text }),
        FieldDescriptor<CRMTask>("creator", .text, get: { .textField($0.creator) }, set: { $0.creator = $1.text }),
        FieldDescriptor<CRMTask>("start", .instant, get: { .optional($0.start) }, set: { $0.start = $1.instant }),
        FieldDescriptor<CRMTask>("due", .instant, get: { .optional($0.due) }, set: { $0.due = $1.instant }),
        FieldDescriptor<CRMTask>("status", .text, get: { .textField($0.status) }, set: { $0.status = $1.text }),
        FieldDescriptor<CRMTask>("all_day", .bool, get: { .bool($0.allDay) }, set: { $0.allDay = $1.bool }),
        FieldDescriptor<CRMTask>("important", .bool, get: { .bool($0.important) }, set: { $0.important = $1.bool }),
        FieldDescriptor<CRMTask>(
            "requires_approval", .bool, get: { .bool($0.requiresApproval) }, set: { $0.requiresApproval = $1.bool }),
        FieldDescriptor<CRMTask>(
            "approved_by", .text, get: { .textField($0.approvedBy) }, set: { $0.approvedBy = $1.text }),
        FieldDescriptor<CRMTask>(
            "related_to", .text, get: { .textField($0.relatedTo) }, set: { $0.relatedTo = $1.text }),
        FieldDescriptor<CRMTask>(
            "created_at", .instant, get: { .optional($0.createdAt) }, set: { $0.createdAt = $1.instant }),
    ]
}

/// A user of the CRM and what they may do with tasks.
public struct User: Sendable, Hashable {
    public var name: String
    public var email: String
    public var permissions: Set<Permission>
    public init(name: String, email: String = "", permissions: Set<Permission> = []) {
        self.name = name
        self.email = email
        self.permissions = permissions
    }
}

/// Task permissions of the seed.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    case seeAllTasks = "see_all_tasks"
    case assign
    case beAssigned = "be_assigned"
    case create
    case reschedule
    case reassign
    case approve
}

/// A task's date as a person types it (`tasks create --due`, `tasks reschedule --to`).
public enum TaskDate {
    /// A typed date: the instant, and whether it was a day without a time (an all-day date).
    public struct Parsed: Sendable, Equatable {
        public var instant: Date
        /// The text named a day without a time: the task is all-day and `instant` is that day's midnight, UTC
        /// (as imports and the ICS export keep all-day dates).
        public var allDay: Bool
        public init(instant: Date, allDay: Bool) {
            self.instant = instant
            self.allDay = allDay
        }
    }

    /// A due or start date as lists show it: an all-day date as `YYYY-MM-DD` (its own day wherever one is), a time as
    /// `YYYY-MM-DD HH:MM` in `zone`, the form `parse` reads back in that zone.
    public static func shown(_ date: Date, allDay: Bool, zone: TimeZone) -> String {
        if allDay { return String(date.iso8601UTC.prefix(10)) }
        let local = date.addingTimeInterval(Double(zone.secondsFromGMT(for: date)))
        return String(local.iso8601UTC.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// The forms `parse` reads, for messages.
    public static let forms = "YYYY-MM-DD (all day), YYYY-MM-DDTHH:MM or \"YYYY-MM-DD HH:MM\""

    /// Parses `YYYY-MM-DD` (a whole day), or `YYYY-MM-DDTHH:MM` / `YYYY-MM-DD HH:MM` (seconds optional) as a
    /// local time in `zone`; a time may end in `Z` or an offset (`+02:00`, `-0500`), which then replaces `zone`.
    /// - Returns: nil when the text is none of these forms or names no real day or time.
    public static func parse(_ text: String, zone: TimeZone) -> Parsed? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let day = CalendarDay(iso: t) {
            return Parsed(instant: Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86400), allDay: true)
        }
        let chars = Array(t)
        guard chars.count >= 16, "Tt ".contains(chars[10]), let day = CalendarDay(iso: String(chars[0..<10])) else {
            return nil
        }
        var rest = String(chars[11...])
        var offset: Int?
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0
            rest.removeLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let digits = rest[rest.index(after: sign)...].filter { $0 != ":" }
            guard digits.count == 4, digits.allSatisfy(\.isASCII), let hh = Int(digits.prefix(2)),
                let mm = Int(digits.suffix(2)), hh < 24, mm < 60
            else { return nil }
            offset = (hh * 3600 + mm * 60) * (rest[sign] == "-" ? -1 : 1)
            rest = String(rest[..<sign])
        }
        let hms = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3,
            hms.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let h = Int(hms[0]), let m = Int(hms[1]), let s = hms.count == 3 ? Int(hms[2]) : 0, h < 24, m < 60, s < 60
        else { return nil }
        if let offset {
            let seconds = day.daysSinceEpoch * 86400 + h * 3600 + m * 60 + s - offset
            return Parsed(instant: Date(timeIntervalSince1970: Double(seconds)), allDay: false)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = DateComponents(year: day.year, month: day.month, day: day.day, hour: h, minute: m, second: s)
        guard let instant = calendar.date(from: parts) else { return nil }
        // A time the clocks skip (the hour a zone moves forward) is no time there: Foundation moved it an hour on in
        // silence (02:30 on Berlin's spring day became 03:30). A time that occurs twice is its first occurrence.
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        guard back.year == day.year, back.month == day.month, back.day == day.day, back.hour == h, back.minute == m,
            back.second == s
        else { return nil }
        return Parsed(instant: instant, allDay: false)
    }

    /// Whether `text` names a local time the clocks skip in `zone` (in the hour a zone moves forward), which `parse`
    /// refuses: for an error that says so.
    public static func isSkipped(_ text: String, zone: TimeZone) -> Bool {
        guard parse(text, zone: zone) == nil, let utc = TimeZone(identifier: "UTC") else { return false }
        // As a time of a zone without daylight saving time it is a time, so it is only the zone that skips it.
        return parse(text, zone: utc) != nil && !text.hasSuffix("Z") && !text.contains("+")
    }
}
