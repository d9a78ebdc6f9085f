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

    public static let fields: [FieldDescriptor<CRMTask>] = [
        Field.text("title", .text, \CRMTask.title),
        Field.text("description", .text, \CRMTask.description),
        Field.text("category", .text, \CRMTask.category),
        Field.text("assignee", .text, \CRMTask.assignee),
        Field.text("creator", .text, \CRMTask.creator),
        Field.instant("start", \CRMTask.start),
        Field.instant("due", \CRMTask.due),
        Field.text("status", .text, \CRMTask.status),
        Field.bool("all_day", \CRMTask.allDay),
        Field.bool("important", \CRMTask.important),
        Field.bool("requires_approval", \CRMTask.requiresApproval),
        Field.text("approved_by", .text, \CRMTask.approvedBy),
        Field.text("related_to", .text, \CRMTask.relatedTo),
        Field.instant("created_at", \CRMTask.createdAt),
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
