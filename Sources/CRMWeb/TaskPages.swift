import CRMModel
import CRMStore
import Foundation
import Hummingbird

extension WebApp {
    /// The tasks the acting user may see, with a form to reschedule or reassign many at once; `result` lists what the
    /// last bulk change did to each task (done, or refused and why).
    func tasksPage(_ s: WebSession, result: [(CRMTask, TaskDecision)]?) throws -> String {
        let me = user(s)
        var tasks: [CRMTask] = []
        try store.forEach(CRMTask.self) { t, _ in if TaskRules.decide(.see, by: me, on: t).isAllowed { tasks.append(t) }
        }
        tasks.sort { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) }
        var body = ""
        if let result {
            body +=
                "<section id=\"results\"><h2>What was done</h2>"
                + HTML.table(
                    ["task", "outcome"],
                    result.map { t, d in
                        switch d {
                        case .allowed: return [HTML.text(t.title), "<span class=\"done\">done</span>"]
                        case .refused(let why):
                            return [HTML.text(t.title), "<span class=\"refused\">refused: \(HTML.text(why))</span>"]
                        }
                    }) + "</section>"
        }
        if !config.readOnly { body += "<form method=\"post\" action=\"/tasks/bulk\" id=\"bulk\">\(HTML.csrfField(s))" }
        body += HTML.table(
            ["", "title", "assignee", "due", "status"],
            tasks.map { t in
                [
                    config.readOnly
                        ? "" : "<input type=\"checkbox\" name=\"task\" value=\"\(t.id)\" aria-label=\"select\">",
                    HTML.text(t.title),
                    HTML.text(t.assignee.isEmpty ? "(unassigned)" : t.assignee),
                    HTML.escape(t.due.map { TaskDate.shown($0, allDay: t.allDay, zone: config.zone) } ?? "-"),
                    HTML.text(t.status),
                ]
            }, id: "tasks")
        // A read-only page offers no change it would refuse (a trial found the bulk form answering 403).
        if config.readOnly {
            return HTML.page(title: "Tasks", session: s, users: users.map(\.name), body: body + Self.readOnlyNote)
        }
        var options = ""
        for u in users { options += "<option value=\"\(HTML.attr(u.name))\">\(HTML.escape(u.name))</option>" }
        body += """
            <p><label><input type="radio" name="op" value="reschedule" checked> move by <input type="number" name="days" value="1" min="-3650" max="3650" aria-label="days"> day(s)</label>
            <label><input type="radio" name="op" value="reassign"> reassign to <select name="to" aria-label="assignee">\(options)</select></label>
            <button type="submit">Apply to the selected tasks</button></p></form>
            """
        return HTML.page(title: "Tasks", session: s, users: users.map(\.name), body: body)
    }

    func bulkTasks(_ s: WebSession, form: Form) throws -> Response {
        let me = user(s)
        let ids = form.all("task")
        var tasks: [CRMTask] = []
        for id in ids {
            // Full ids only (the page sends them): a prefix must not select another task.
            guard RecordID(id) != nil else { throw PageError(.badRequest, "not a task id") }
            let task: CRMTask
            do { task = try store.record(CRMTask.self, id: id) } catch { throw PageError(.notFound, "no such task") }
            // A task the acting user may not see is, to them, no task: its title is not in the refusal (a trial's
            // forged id showed another user's task title).
            guard TaskRules.decide(.see, by: me, on: task).isAllowed else { throw PageError(.notFound, "no such task") }
            tasks.append(task)
        }
        let results: [(before: CRMTask, after: CRMTask, decision: TaskDecision)]
        switch form["op"] ?? "" {
        case "reschedule":
            guard let days = Int(form["days"] ?? ""), (-3650...3650).contains(days) else {
                throw PageError(.badRequest, "days must be a whole number from -3650 to 3650")
            }
            results = TaskRules.bulk(.reschedule, by: me, on: tasks, shift: Double(days) * 86400, at: Date())
        case "reassign":
            guard let to = users.first(where: { $0.name == form["to"] }) else {
                throw PageError(.badRequest, "no such user")
            }
            results = TaskRules.bulk(.reassign, by: me, on: tasks, newAssignee: to, at: Date())
        default: throw PageError(.badRequest, "choose reschedule or reassign")
        }
        try store.save(results.filter { $0.decision.isAllowed }.map(\.after))
        return Self.html(try tasksPage(s, result: results.map { ($0.before, $0.decision) }))
    }

    /// A month of the tasks the acting user may see.
    func calendarPage(_ s: WebSession, month: String?) throws -> String {
        let me = user(s)
        let now = Date()
        var year = 0
        var m = 0
        if let month, month.count == 7, let y = Int(month.prefix(4)), (1...9998).contains(y),
            let mm = Int(month.suffix(2)), (1...12).contains(mm)
        {
            year = y
            m = mm
        } else {
            // This month where the page's zone is (a trial saw next month's page at 23:30 the last day, in UTC-5).
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = config.zone
            let today = calendar.dateComponents([.year, .month], from: now)
            year = today.year ?? 2026
            m = today.month ?? 1
        }
        var tasks: [CRMTask] = []
        try store.forEach(CRMTask.self) { t, _ in if TaskRules.decide(.see, by: me, on: t).isAllowed { tasks.append(t) }
        }
        let grid = MonthGrid(year: year, month: m, tasks: tasks, now: now, zone: config.zone)
        let prev = m == 1 ? String(format: "%04d-12", year - 1) : String(format: "%04d-%02d", year, m - 1)
        let next = m == 12 ? String(format: "%04d-01", year + 1) : String(format: "%04d-%02d", year, m + 1)
        var body =
            "<p><a href=\"/tasks/calendar?month=\(prev)\">previous</a> <a href=\"/tasks/calendar?month=\(next)\">next</a></p>"
        body +=
            "<table class=\"calendar\" id=\"calendar\"><thead><tr>"
            + ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { "<th>\($0)</th>" }.joined()
            + "</tr></thead><tbody>"
        for week in grid.weeks {
            body += "<tr>"
            for d in week {
                body += "<td class=\"\(d.inMonth ? "" : "out")\"><span class=\"day\">\(d.day.day)</span>"
                if d.inMonth {
                    for (t, overdue) in d.tasks {
                        body += "<p class=\"task\(overdue ? " overdue" : "")\">\(HTML.text(t.title))</p>"
                    }
                }
                body += "</td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table>"
        return HTML.page(
            title: String(format: "Tasks in %04d-%02d", year, m), session: s, users: users.map(\.name), body: body)
    }
}
