import ArgumentParser
import CRMModel
import CRMStore
import Foundation

/// The time zone dates with a time are read in (`--tz`).
struct ZoneOptions: ParsableArguments {
    @Option(
        name: .long,
        help: """
            The time zone of dates given with a time, an IANA name such as Europe/Berlin (default: $TZ when it names one, \
            else UTC).
            """)
    var tz: String?

    /// The zone: `--tz`, else `$TZ` when it is an IANA name, else UTC.
    /// - Throws: `CLIError.usage` for a `--tz` that names no zone.
    func zone() throws -> TimeZone {
        if let tz {
            guard let zone = TimeZone(identifier: tz) else {
                throw CLIError.usage(
                    "--tz '\(tz)' is not a time zone",
                    hint: "use an IANA name such as Europe/Berlin, America/New_York or UTC")
            }
            return zone
        }
        if let env = ProcessInfo.processInfo.environment["TZ"], !env.isEmpty,
            let zone = TimeZone(identifier: env.hasPrefix(":") ? String(env.dropFirst()) : env)
        {
            return zone
        }
        return TimeZone(identifier: "UTC")!
    }
}

/// A date given to `option`: `2026-12-01` (all day), `2026-12-01T15:30` or `2026-12-01 15:30` in `zone`, or with
/// `Z` or an offset.
/// - Throws: `CLIError.usage` naming the forms.
func parseWhen(_ s: String, option: String, zone: TimeZone) throws -> TaskDate.Parsed {
    guard let parsed = TaskDate.parse(s, zone: zone) else {
        if TaskDate.isSkipped(s, zone: zone) {
            throw CLIError.usage(
                "\(option) '\(s)' is a time the clocks skip in \(zone.identifier) (they move forward an hour that day)",
                hint: "give a time an hour later or earlier, or one with its offset (e.g. +02:00)")
        }
        throw CLIError.usage(
            "\(option) '\(s)' is not a date",
            hint: "use \(TaskDate.forms); times are in --tz (default $TZ, else UTC), or end in Z or +HH:MM")
    }
    return parsed
}

/// `+3d`, `-2h`, `+1w`, `+30m` as seconds.
func parseShift(_ s: String) throws -> TimeInterval {
    let hint = "shift by a signed number and a unit: m, h, d or w (+3d, -2h, +1w, +30m)"
    guard let unit = s.last, let n = Double(s.dropLast()) else {
        throw CLIError.usage("--by '\(s)' is not a shift", hint: hint)
    }
    switch unit {
    case "m": return n * 60
    case "h": return n * 3600
    case "d": return n * 86400
    case "w": return n * 7 * 86400
    default: throw CLIError.usage("--by '\(s)': the unit must be m, h, d or w", hint: hint)
    }
}

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Work with tasks as a user, under the permissions of mappings/users.yaml.",
        discussion: """
            Changes print one line per task: what was done, or what was refused and why. Exit code 3 when any task was refused.

            Dates: YYYY-MM-DD (an all-day task), YYYY-MM-DDTHH:MM or "YYYY-MM-DD HH:MM" (in --tz, default $TZ, else UTC), or with Z \
            or an offset (+01:00).
            """,
        subcommands: [
            List.self, Show.self, Create.self, Assign.self, Reassign.self, Reschedule.self, Complete.self, Approve.self,
            Calendar.self,
        ])

    /// Loads the tasks a command acts on: one id, or every task matching --where.
    static func select(_ store: any RecordStore, id: String?, wheres: [String]) throws -> [CRMTask] {
        guard (id == nil) != wheres.isEmpty else {
            throw CLIError.usage(id == nil ? "give a task id or --where" : "give a task id or --where, not both")
        }
        if let id { return [try store.record(CRMTask.self, id: id)] }
        var out: [CRMTask] = []
        try store.forEach(CRMTask.self, where: try query(wheres)) { t, _ in out.append(t) }
        return out
    }

    /// Applies a change to tasks under the rules, saves what was allowed, and reports per task.
    static func change(
        _ action: TaskAction, store: any RecordStore, actor: User, tasks: [CRMTask], newAssignee: User? = nil,
        shift: TimeInterval? = nil,
        newDue: Date? = nil
    ) throws {
        let results = TaskRules.bulk(
            action, by: actor, on: tasks, newAssignee: newAssignee, shift: shift, newDue: newDue, at: Date())
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
        static let configuration = CommandConfiguration(
            abstract: "The tasks you may see (all of them with see_all_tasks).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .customLong("where"), help: "field=value filters, e.g. status=Open (repeatable).") var wheres:
            [String] = []
        @Flag(name: .long, help: "Print a JSON array, an object per task, with its full id.") var json = false
        @OptionGroup var widthOptions: WidthOptions
        @OptionGroup var zoneOptions: ZoneOptions

        func run() throws {
            let (me, _) = try actor.actor()
            let zone = try zoneOptions.zone()
            let store = try storeOptions.openRecords(.readOnly)
            var list = JSONListPrinter()
            var lines: [[String]] = []
            try store.forEach(CRMTask.self, where: try query(wheres)) { t, _ in
                guard TaskRules.decide(.see, by: me, on: t).isAllowed else { return }
                if json {
                    try list.add(object: [
                        "id": t.id.description, "title": t.title, "assignee": t.assignee, "status": t.status,
                        "due": t.due?.iso8601UTC ?? NSNull(), "requires_approval": t.requiresApproval,
                        "all_day": t.allDay,
                    ])
                } else {
                    let due = t.due.map { TaskDate.shown($0, allDay: t.allDay, zone: zone) } ?? "-"
                    lines.append([t.id.short, t.title, t.assignee.isEmpty ? "(unassigned)" : t.assignee, due, t.status])
                }
            }
            if json {
                list.finish()
                return
            }
            for line in TextTable.render(lines, width: widthOptions.columns, keep: [0, 3]) { print(line) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one task you may see: its id and every field that has a value.",
            discussion: """
                Examples:
                  crmgate tasks show 3f9c2a1b7e40 --as grace   # a short id from tasks list
                  crmgate tasks show 3f9c2a1b --json
                """)
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: recordIDHelp(CRMTask.self)) var id: String
        @Flag(name: .long, help: "Print the task as one JSON object.") var json = false

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openRecords(.readOnly)
            // A task the user may not see is, to them, a task that does not exist (lists leave it out): the same
            // message as for no task at all, and an id that fits several tasks is resolved among theirs only, so
            // that neither the message nor a list of candidates tells of the others.
            let hidden = CLIError.notFound("no task has the id \(id)")
            let t: CRMTask
            do {
                t = try store.record(CRMTask.self, id: id)
            } catch let e as StoreError where e.code == .ambiguous {
                let key = RecordID.typedKey(id) ?? ""
                var mine: [CRMTask] = []
                try store.forEach(CRMTask.self, where: RecordQuery()) { t, _ in
                    guard RecordID.matches(key: key, id: t.id.description) else { return }
                    if TaskRules.decide(.see, by: me, on: t).isAllowed { mine.append(t) }
                }
                guard mine.count < 2 else {
                    throw CLIError.usage(
                        "'\(id)' matches \(mine.count) of your tasks: "
                            + mine.prefix(5).map { "\($0.id.short) (\($0.title))" }.joined(separator: ", "),
                        hint: "give more of the id")
                }
                guard let only = mine.first else { throw hidden }
                t = only
            }
            guard TaskRules.decide(.see, by: me, on: t).isAllowed else { throw hidden }
            try showRecord(t, store: store, json: json)
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a task, for yourself or (with the assign permission) for someone else.",
            discussion: """
                The task is for --assignee, or for you; either way that user must be allowed to be assigned tasks \
                (be_assigned), or nothing is created (exit 3). A --due or --start without a time makes an all-day task.

                Examples:
                  crmgate tasks create --title "Call Acme" --due 2026-12-11 --as "Maya Cohen"
                  crmgate tasks create --title "Demo" --start "2026-12-11 15:00" --due "2026-12-11 16:00" --tz Europe/Berlin \
                --assignee "Pablo Ruiz" --as "Grace Kim"
                  crmgate tasks create --title "Approve budget" --due 2026-12-20T09:00 --requires-approval --as "Victor Chen"
                """)
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long, help: "What is to be done.") var title: String
        @Option(name: .long, help: "When it is due: YYYY-MM-DD (all day), YYYY-MM-DDTHH:MM or \"YYYY-MM-DD HH:MM\".")
        var due: String?
        @Option(name: .long, help: "When it starts (same forms as --due).") var start: String?
        @OptionGroup var zoneOptions: ZoneOptions
        @Option(name: .long, help: "Who does it (default: you).") var assignee: String?
        @Option(name: .long, help: "A category, e.g. Call, Email, Meeting.") var category: String = ""
        @Option(name: .long, help: "A longer description.") var description: String = ""
        @Option(name: .long, help: "The record it belongs to, e.g. lead:<id>.") var relatedTo: String = ""
        @Flag(name: .long, help: "An all-day task (also implied by dates without a time).") var allDay = false
        @Flag(name: .long, help: "Mark the task important.") var important = false
        @Flag(name: .long, help: "When done, the task waits for a user with the approve permission.")
        var requiresApproval = false

        func run() throws {
            let (me, all) = try actor.actor()
            let target = try assignee.map { try ActorOptions.user(named: $0, in: all, file: actor.users) }
            let zone = try zoneOptions.zone()
            var draft = TaskDraft(title: title)
            draft.due = try due.map { try parseWhen($0, option: "--due", zone: zone) }
            draft.start = try start.map { try parseWhen($0, option: "--start", zone: zone) }
            draft.description = description
            draft.category = category
            draft.relatedTo = relatedTo
            draft.allDay = allDay
            draft.important = important
            draft.requiresApproval = requiresApproval
            let t: CRMTask
            do {
                t = try draft.task(id: RecordID.make(), creator: me, assignee: target, at: Date())
            } catch .emptyTitle {
                throw CLIError.usage("--title is empty", hint: "say what is to be done, e.g. --title \"Call Acme\"")
            } catch .startsAfterDue {
                throw CLIError.usage("--start is after --due", hint: "a task starts before it is due")
            }
            // Decided for the user the task is for, the creator included: nobody holds a task they may not hold.
            switch TaskRules.decide(.create, by: me, on: t, newAssignee: target ?? me) {
            case .allowed:
                let store = try storeOptions.openRecords(.create)
                try store.save([t])
                print("created task \(t.id) (\(t.title)) for \(t.assignee)")
            case .refused(let why):
                print("refused: \(why); nothing was created")
                if !(target ?? me).permissions.contains(.beAssigned) {
                    print("hint: give --assignee USER, someone with the be_assigned permission in \(actor.users)")
                }
                throw ExitCode(3)
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a task to a user (an unassigned one needs assign, an assigned one reassign).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(
            name: .customLong("where"), help: "Every task matching field=value, e.g. assignee=Maya Cohen (repeatable).")
        var wheres: [String] = []
        @Option(name: .long, help: "The user to assign to.") var to: String

        func run() throws {
            let (me, all) = try actor.actor()
            let target = try ActorOptions.user(named: to, in: all, file: actor.users)
            let store = try storeOptions.openRecords(.update)
            try TasksCommand.change(
                .assign, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres),
                newAssignee: target)
        }
    }

    struct Reassign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reassign tasks to another user (one id, or many with --where).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where"), help: "field=value, e.g. assignee=Maya Cohen (repeatable).") var wheres:
            [String] = []
        @Option(name: .long, help: "The user to reassign to.") var to: String

        func run() throws {
            let (me, all) = try actor.actor()
            let target = try ActorOptions.user(named: to, in: all, file: actor.users)
            let store = try storeOptions.openRecords(.update)
            let tasks = try TasksCommand.select(store, id: id, wheres: wheres)
            let action: TaskAction = tasks.count == 1 && tasks[0].assignee.isEmpty ? .assign : .reassign
            try TasksCommand.change(action, store: store, actor: me, tasks: tasks, newAssignee: target)
        }
    }

    struct Reschedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move deadlines: --by +3d (start and due move together) or --to DATE.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(
            name: .customLong("where"), help: "Every task matching field=value, e.g. assignee=Maya Cohen (repeatable).")
        var wheres: [String] = []
        @Option(name: .long, parsing: .unconditional, help: "Shift start and due by +Nd, -Nh, +Nw or +Nm.") var by:
            String?
        @Option(
            name: .customLong("to"),
            help: "The new due date (same forms as tasks create --due); the start keeps its distance to it.")
        var toDate: String?
        @OptionGroup var zoneOptions: ZoneOptions

        func run() throws {
            guard (by == nil) != (toDate == nil) else {
                throw CLIError.usage(
                    by == nil ? "say where to move the tasks: --by or --to" : "give --by or --to, not both")
            }
            let (me, _) = try actor.actor()
            let shift = try by.map(parseShift)
            let zone = try zoneOptions.zone()
            let newDue = try toDate.map { try parseWhen($0, option: "--to", zone: zone).instant }
            let store = try storeOptions.openRecords(.update)
            try TasksCommand.change(
                .reschedule, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres),
                shift: shift,
                newDue: newDue)
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark tasks done (a task that requires approval then waits for it).")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(
            name: .customLong("where"), help: "Every task matching field=value, e.g. assignee=Maya Cohen (repeatable).")
        var wheres: [String] = []

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openRecords(.update)
            try TasksCommand.change(
                .complete, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres))
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve tasks that wait for approval.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The task's id: the short id `tasks list` prints, or the full id.") var id: String?
        @Option(
            name: .customLong("where"), help: "Every task matching field=value, e.g. assignee=Maya Cohen (repeatable).")
        var wheres: [String] = []

        func run() throws {
            let (me, _) = try actor.actor()
            let store = try storeOptions.openRecords(.update)
            try TasksCommand.change(
                .approve, store: store, actor: me, tasks: try TasksCommand.select(store, id: id, wheres: wheres))
        }
    }

    struct Calendar: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A month of your tasks on their due days; overdue ones marked with !.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var actor: ActorOptions
        @Option(name: .long, help: "The month, YYYY-MM (default: this month).") var month: String?
        @OptionGroup var widthOptions: WidthOptions
        @OptionGroup var zoneOptions: ZoneOptions

        func run() throws {
            let (me, _) = try actor.actor()
            let zone = try zoneOptions.zone()
            let now = Date()
            let ym = month ?? String(TaskDate.shown(now, allDay: false, zone: zone).prefix(7))  // this month, here
            let parts = ym.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m),
                (1...9999).contains(y)
            else {
                throw CLIError.usage("--month '\(ym)' is not a month", hint: "use YYYY-MM, e.g. --month 2026-12")
            }
            let store = try storeOptions.openRecords(.readOnly)
            var tasks: [CRMTask] = []
            try store.forEach(CRMTask.self, where: RecordQuery()) { t, _ in
                if TaskRules.decide(.see, by: me, on: t).isAllowed { tasks.append(t) }
            }
            let grid = MonthGrid(year: y, month: m, tasks: tasks, now: now, zone: zone)
            for line in grid.render(title: "\(ym) — tasks of \(me.name)", width: widthOptions.columns) { print(line) }
        }
    }
}
