import ArgumentParser
import CRMModel
import CRMStore
import Foundation

/// `2026-12-01` (midnight UTC) or `2026-12-01T15:30` (UTC) or a full RFC 3339 stamp.
func parseWhen(_ s: String) throws -> Date {
    if let d = CalendarDay(iso: s) { return Date(timeIntervalSince1970: Double(d.daysSinceEpoch * 86400)) }
    let f = ISO8601DateFormatter()
    if let d = f.date(from: s) ?? f.date(from: s + ":00Z") ?? f.date(from: s + "Z") { return d }
    throw ValidationError("'\(s)' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)")
}

/// `+3d`, `-2h`, `+1w`, `+30m` as seconds.
func parseShift(_ s: String) throws -> TimeInterval {
    guard let unit = s.last, let n = Double(s.dropLast()) else { throw ValidationError("'\(s)' is not a shift like +3d, -2h, +1w") }
    switch unit {
    case "m": return n * 60
    case "h": return n * 3600
    case "d": return n * 86400
    case "w": return n * 7 * 86400
    default: throw ValidationError("'\(s)': the unit must be m, h, d or w")
    }
}

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Work with tasks as a user, under the permissions of mappings/users.yaml.",
        discussion: "Changes print one line per task: what was done, or what was refused and why. Exit code 3 when any task was refused.",
        subcommands: [List.self, Create.self, Assign.self, Reassign.self, Reschedule.self, Complete.self, Approve.self, Calendar.self])

    /// Loads the tasks a command acts on: one id, or every task matching --where.
    static func select(_ store: CRMStore, id: String?, wheres: [String]) throws -> [CRMTask] {
        guard (id == nil) != wheres.isEmpty else { throw ValidationError("give a task id or --where, not both") }
        if let id { return [try store.record(CRMTask.self, id: id)] }
        var out: [CRMTask] = []
        try store.forEach(CRMTask.self, where: try query(wheres)) { t, _ in out.append(t) }
        return out
    }

    /// Applies a change to tasks under the rules, saves what was allowed, and reports per task.
    static func change(
        _ action: TaskAction, store: CRMStore, actor: User, tasks: [CRMTask], newAssignee: User? = nil, shift: TimeInterval? = nil,
        newDue: Date? = nil
    ) throws {
        let results = TaskRules.bulk(action, by: actor, on: tasks, newAssignee: newAssignee, shift: shift, newDue: newDue, at: Date())
        try store.save(results.filter { $0.decision.isAllowed }.map(\.after))
        var refused = 0
        for r in results {
            switch r.decision {
            case .allowed:
                print("done     \(r.before.id.short)  \(r.before.title): \(describe(action, r.after))")
            case .refused(let why):
                refused += 1
                print("refused  \(r.before.id.short)  \(r.before.title): \(why)")
            }
        }
        if results.isEmpty { print("no task matched") }
        if refused > 0 { throw ExitCode(3) }
    }

    static func describe(_ action: TaskAction, _ t: CRMTask) -> String {
        switch action {
        case .assign, .reassign: return "assigned to \(t.assignee)"
        case .reschedule: return "due \(t.due?.iso8601UTC ?? "-")"
        case .complete, .approve: return "status \(t.status)"
        default: return action.rawValue
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tasks you may see (all of them with see_all_tasks).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .customLong("where"), help: "field=value filters (repeatable).") var wheres: [String] = []
        @Flag(name: .long) var json = false

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openForReading()
            var rows: [[String: Any]] = []
            try store.forEach(CRMTask.self, where: try query(wheres)) { t, _ in
                guard TaskRules.decide(.see, by: me, on: t).isAllowed else { return }
                if json {
                    rows.append([
                        "id": t.id.description, "title": t.title, "assignee": t.assignee, "status": t.status,
                        "due": t.due?.iso8601UTC ?? NSNull(), "requires_approval": t.requiresApproval,
                    ])
                } else {
                    print("\(t.id.short)  \(clip(t.title, 40))  \(clip(t.assignee, 14))  \(clip(t.due.map { String($0.iso8601UTC.prefix(16)) } ?? "-", 16))  \(t.status)")
                }
            }
            if json { try printJSON(rows) }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a task.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long) var title: String
        @Option(name: .long) var due: String?
        @Option(name: .long) var start: String?
        @Option(name: .long, help: "Who does it (default: you).") var assignee: String?
        @Option(name: .long) var category: String = ""
        @Option(name: .long) var description: String = ""
        @Option(name: .long, help: "The record it belongs to, e.g. lead:<id>.") var relatedTo: String = ""
        @Flag(name: .long) var allDay = false
        @Flag(name: .long) var important = false
        @Flag(name: .long) var requiresApproval = false

        func run() throws {
            let (me, all) = try actor.actor()
            let store = try storeOptions.openForCreating()
            var t = CRMTask(id: RecordID.make())
            t.title = title
            t.description = description
            t.category = category
            t.creator = me.name
            let target = try assignee.map { name in
                guard let u = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw ValidationError("no user '\(name)'")
                }
                return u
            }
            t.assignee = target?.name ?? me.name
            t.due = try due.map(parseWhen)
            t.start = try start.map(parseWhen)
            t.allDay = allDay
            t.important = important
            t.requiresApproval = requiresApproval
            t.relatedTo = relatedTo
            t.createdAt = Date()
            t.updatedAt = t.createdAt
            switch TaskRules.decide(.create, by: me, on: t, newAssignee: target) {
            case .allowed:
                try store.save([t])
                print("created task \(t.id) (\(t.title)) for \(t.assignee)")
            case .refused(let why):
                print("refused: \(why)")
                throw ExitCode(3)
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign an unassigned task.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where")) var wheres: [String] = []
        @Option(name: .long, help: "The user to assign to.") var to: String

        func run() throws {
            let (me, all) = try actor.actor()
            guard let target = all.first(where: { $0.name.caseInsensitiveCompare(to) == .orderedSame }) else { throw ValidationError("no user '\(to)'") }
            let store = try storeOptions.openForUpdate()
            try TasksCommand.change(.assign, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres), newAssignee: target)
        }
    }

    struct Reassign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reassign tasks to another user (one id, or many with --where).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where"), help: "field=value, e.g. assignee=Maya Cohen (repeatable).") var wheres: [String] = []
        @Option(name: .long, help: "The user to reassign to.") var to: String

        func run() throws {
            let (me, all) = try actor.actor()
            guard let target = all.first(where: { $0.name.caseInsensitiveCompare(to) == .orderedSame }) else { throw ValidationError("no user '\(to)'") }
            let store = try storeOptions.openForUpdate()
            let tasks = try TasksCommand.select(store, id: id, wheres: wheres)
            let action: TaskAction = tasks.count == 1 && tasks[0].assignee.isEmpty ? .assign : .reassign
            try TasksCommand.change(action, store: store, actor: me, tasks: tasks, newAssignee: target)
        }
    }

    struct Reschedule: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move deadlines: --by +3d (start and due move together) or --to DATE.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where")) var wheres: [String] = []
        @Option(name: .long, help: "Shift by +Nd, -Nh, +Nw, +Nm.") var by: String?
        @Option(name: .customLong("to"), help: "New due date (the start keeps its distance to it).") var toDate: String?

        func run() throws {
            guard (by == nil) != (toDate == nil) else { throw ValidationError("give --by or --to") }
            let (me, _) = try actor.actor()
            let store = try storeOptions.openForUpdate()
            try TasksCommand.change(
                .reschedule, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres), shift: try by.map(parseShift),
                newDue: try toDate.map(parseWhen))
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark tasks done (a task that requires approval then waits for it).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where")) var wheres: [String] = []

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openForUpdate()
            try TasksCommand.change(.complete, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres))
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve tasks that wait for approval.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where")) var wheres: [String] = []

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openForUpdate()
            try TasksCommand.change(.approve, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres))
        }
    }

    struct Calendar: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A month of your tasks on their due days; overdue ones marked with !.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long, help: "The month, YYYY-MM (default: this month).") var month: String?

        func run() throws {
            let (me, _) = try actor.actor()
            let now = Date()
            let ym = month ?? String(now.iso8601UTC.prefix(7))
            let parts = ym.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else {
                throw ValidationError("--month takes YYYY-MM")
            }
            let store = try storeOptions.openForReading()
            var tasks: [CRMTask] = []
            try store.forEach(CRMTask.self, where: RecordQuery()) { t, _ in
                if TaskRules.decide(.see, by: me, on: t).isAllowed { tasks.append(t) }
            }
            let grid = MonthGrid(year: y, month: m, tasks: tasks, now: now)
            let w = max(10, (terminalWidth() - 8) / 7)
            print(clip("\(ym) — tasks of \(me.name)", w * 7 + 6))
            print(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { clip($0, w) }.joined(separator: "|"))
            for week in grid.weeks {
                let lines = max(1, week.map { $0.tasks.count }.max() ?? 0)
                print(week.map { clip($0.inMonth ? String($0.day.day) : "", w) }.joined(separator: "|"))
                for i in 0..<min(lines, 4) {
                    print(week.map { d in
                        i < d.tasks.count ? clip((d.tasks[i].overdue ? "!" : "·") + d.tasks[i].task.title, w) : String(repeating: " ", count: w)
                    }.joined(separator: "|"))
                }
                print(String(repeating: "-", count: w * 7 + 6))
            }
        }
    }
}
