public import Foundation

/// What a user does to a task.
public enum TaskAction: String, Sendable, CaseIterable {
    case see, create, assign, reschedule, reassign, complete, approve
}

/// Whether an action is allowed, and if not, why (in words for the user).
public enum TaskDecision: Sendable, Equatable {
    case allowed
    case refused(String)

    public var isAllowed: Bool { self == .allowed }
}

/// The task rules of the CRM: who may do what, as pure functions of the user, the task and the target.
///
/// - see: the assignee, the creator, or anyone who can see all tasks;
/// - create: needs `create`; creating it for someone else also needs `assign`; whoever the task is for
///   (the creator too, when it is for them) must be allowed to be assigned;
/// - assign (an unassigned task) needs `assign`; reassign (to another user) needs `reassign`;
///   either way the new assignee must be allowed to be assigned;
/// - reschedule needs `reschedule`, whatever the task's status (a done task's dates can be corrected);
/// - complete: the assignee (or the creator); a task that requires approval then waits for it;
/// - approve needs `approve`, a task waiting for approval, and an approver who is not its assignee.
public enum TaskRules {
    /// The status of a task that is done and approved (or needed no approval).
    public static let done = "Done"
    /// The status of a task that is done but waits for a user who may approve.
    public static let awaitingApproval = "Awaiting approval"

    /// Whether `actor` may do `action` to `task`.
    /// - Parameter newAssignee: for assign and reassign, the user to give the task to; for create, the user
    ///   the task is for (when nil and the task is the actor's own, the actor).
    public static func decide(
        _ action: TaskAction, by actor: User, on task: CRMTask, newAssignee: User? = nil
    ) -> TaskDecision {
        let p = actor.permissions
        let involved = task.assignee == actor.name || task.creator == actor.name
        if action != .create, !involved, !p.contains(.seeAllTasks) {
            return .refused("\(actor.name) cannot see this task (not assigned to or created by them)")
        }
        switch action {
        case .see:
            return .allowed
        case .create:
            guard p.contains(.create) else { return .refused("\(actor.name) may not create tasks") }
            if !task.assignee.isEmpty, task.assignee != actor.name {
                guard p.contains(.assign) else { return .refused("\(actor.name) may not assign tasks to others") }
            }
            // A task is never created for someone who may not hold it, the creator included.
            let holder = newAssignee ?? (task.assignee == actor.name ? actor : nil)
            if let a = holder, !a.permissions.contains(.beAssigned) {
                return .refused("\(a.name) cannot be assigned tasks")
            }
            return .allowed
        case .assign, .reassign:
            guard let target = newAssignee else { return .refused("no user to assign the task to") }
            let needed: Permission = task.assignee.isEmpty ? .assign : .reassign
            guard p.contains(needed) else {
                return .refused("\(actor.name) may not \(needed == .assign ? "assign" : "reassign") tasks")
            }
            guard target.permissions.contains(.beAssigned) else {
                return .refused("\(target.name) cannot be assigned tasks")
            }
            if target.name == task.assignee { return .refused("the task is already assigned to \(target.name)") }
            return .allowed
        case .reschedule:
            guard p.contains(.reschedule) else { return .refused("\(actor.name) may not reschedule tasks") }
            return .allowed
        case .complete:
            guard involved else {
                // A task from another system may have neither (a pulled task): say how it gets someone who can.
                return .refused(
                    task.assignee.isEmpty
                        ? "only the assignee or the creator completes a task, and this one has no assignee: assign it first (tasks assign)"
                        : "only the assignee or the creator completes a task")
            }
            if task.status == done || task.status == awaitingApproval {
                return .refused("the task is already \(task.status.lowercased())")
            }
            return .allowed
        case .approve:
            guard p.contains(.approve) else { return .refused("\(actor.name) may not approve tasks") }
            guard task.status == awaitingApproval else { return .refused("the task is not waiting for approval") }
            if task.assignee == actor.name { return .refused("\(actor.name) cannot approve their own task") }
            return .allowed
        }
    }

    /// The task after a decided action (call only when `decide` allowed it).
    public static func apply(
        _ action: TaskAction, by actor: User, to task: CRMTask, newAssignee: User? = nil, shift: TimeInterval? = nil,
        newDue: Date? = nil, at now: Date
    ) -> CRMTask {
        var t = task
        switch action {
        case .see, .create:
            break
        case .assign, .reassign:
            t.assignee = newAssignee?.name ?? t.assignee
        case .reschedule:
            if let shift {
                t.start = t.start.map { $0.addingTimeInterval(shift) }
                t.due = t.due.map { $0.addingTimeInterval(shift) }
            } else if let newDue {
                let length = t.start.flatMap { s in t.due.map { $0.timeIntervalSince(s) } }
                t.due = newDue
                if let length, t.start != nil { t.start = newDue.addingTimeInterval(-length) }
            }
        case .complete:
            t.status = t.requiresApproval ? awaitingApproval : done
        case .approve:
            t.status = done
            t.approvedBy = actor.name
        }
        t.updatedAt = now
        return t
    }

    /// A bulk change: every task gets its own decision; refused tasks are left exactly as they were.
    public static func bulk(
        _ action: TaskAction, by actor: User, on tasks: [CRMTask], newAssignee: User? = nil, shift: TimeInterval? = nil,
        newDue: Date? = nil, at now: Date
    ) -> [(before: CRMTask, after: CRMTask, decision: TaskDecision)] {
        tasks.map { task in
            let d = decide(action, by: actor, on: task, newAssignee: newAssignee)
            let after =
                d.isAllowed
                ? apply(action, by: actor, to: task, newAssignee: newAssignee, shift: shift, newDue: newDue, at: now)
                : task
            return (task, after, d)
        }
    }
}

/// A task as `tasks create` is asked for it, before the rules decide whether it may be created.
public struct TaskDraft: Sendable {
    public var title: String
    public var description = ""
    public var category = ""
    public var relatedTo = ""
    public var due: TaskDate.Parsed?
    public var start: TaskDate.Parsed?
    /// All-day even when its dates have times.
    public var allDay = false
    public var important = false
    public var requiresApproval = false

    public init(title: String) { self.title = title }

    /// Why a draft makes no task.
    public enum Problem: Error, Sendable, Equatable {
        /// The title is empty or only spaces.
        case emptyTitle
        /// It starts after it is due.
        case startsAfterDue
    }

    /// The task for `assignee` (the creator's own when nil), created by `creator` at `now`: all-day when asked, or when
    /// every date it was given is a day without a time. The rules (`TaskRules.decide(.create…)`) are the caller's to
    /// ask: this only makes the record.
    /// - Throws: `Problem` for an empty title or a start after the due time.
    public func task(id: RecordID, creator: User, assignee: User?, at now: Date) throws(Problem) -> CRMTask {
        guard !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .emptyTitle }
        let dates = [due, start].compactMap { $0 }
        var t = CRMTask(id: id)
        t.title = title
        t.description = description
        t.category = category
        t.creator = creator.name
        t.assignee = assignee?.name ?? creator.name
        t.due = due?.instant
        t.start = start?.instant
        t.allDay = allDay || (!dates.isEmpty && dates.allSatisfy(\.allDay))
        t.important = important
        t.requiresApproval = requiresApproval
        t.relatedTo = relatedTo
        t.createdAt = now
        t.updatedAt = now
        if let s = t.start, let d = t.due, s > d { throw .startsAfterDue }
        return t
    }
}
