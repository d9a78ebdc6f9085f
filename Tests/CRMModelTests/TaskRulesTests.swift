import CRMModel
import Foundation
import Testing

@Suite("Task rules: every permission × action")
struct TaskRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func task(
        assignee: String = "Ann", creator: String = "Boss", status: String = "Open", approval: Bool = false
    ) -> CRMTask {
        var t = CRMTask(id: RecordID.make())
        t.title = "Call"
        t.assignee = assignee
        t.creator = creator
        t.status = status
        t.requiresApproval = approval
        t.start = now
        t.due = now.addingTimeInterval(3600)
        return t
    }

    static let assignable = User(name: "Target", permissions: [.beAssigned])
    static let notAssignable = User(name: "Nobody", permissions: [])

    /// For each action, the permission it needs (nil: none, being involved is enough).
    static let needs: [TaskAction: Permission?] = [
        .see: nil, .create: .create, .assign: .assign, .reassign: .reassign, .reschedule: .reschedule, .complete: nil,
        .approve: .approve,
    ]

    @Test("an outsider with exactly one permission may do only what it allows", arguments: Permission.allCases)
    func singlePermission(p: Permission) {
        let actor = User(name: "Actor", permissions: [p])
        let seesAll = p == .seeAllTasks
        for action in TaskAction.allCases {
            var t = TaskRulesTests.task(
                assignee: action == .assign ? "" : "Ann",
                status: action == .approve ? TaskRules.awaitingApproval : "Open")
            if action == .create { t.assignee = "Actor" }
            let d = TaskRules.decide(action, by: actor, on: t, newAssignee: TaskRulesTests.assignable)
            let expected: Bool
            switch action {
            case .create: expected = p == .create
            case .see: expected = seesAll
            case .complete: expected = false  // not the assignee or creator
            default: expected = false  // an outsider without see_all_tasks sees nothing; with it, lacks the action's permission
            }
            #expect(d.isAllowed == expected, "\(p) → \(action): \(d)")
        }
    }

    @Test("with see_all_tasks and the action's permission, the action is allowed", arguments: TaskAction.allCases)
    func permissionPlusSeeAll(action: TaskAction) {
        var perms: Set<Permission> = [.seeAllTasks]
        if let needed = TaskRulesTests.needs[action], let n = needed { perms.insert(n) }
        if action == .create { perms.insert(.assign) }
        let actor = User(name: "Actor", permissions: perms)
        var t = TaskRulesTests.task(
            assignee: action == .assign ? "" : "Ann", status: action == .approve ? TaskRules.awaitingApproval : "Open")
        if action == .complete { t.assignee = "Actor" }
        let d = TaskRules.decide(action, by: actor, on: t, newAssignee: TaskRulesTests.assignable)
        #expect(d.isAllowed, "\(action): \(d)")
        // Without the permission it is refused (complete and see need none).
        if let needed = TaskRulesTests.needs[action], let n = needed {
            let without = User(name: "Actor", permissions: perms.subtracting([n]))
            #expect(!TaskRules.decide(action, by: without, on: t, newAssignee: TaskRulesTests.assignable).isAllowed)
        }
    }

    @Test("the new assignee must be allowed to be assigned", arguments: [TaskAction.assign, .reassign])
    func assigneeMustBeAssignable(action: TaskAction) {
        let actor = User(name: "Lead", permissions: [.seeAllTasks, .assign, .reassign])
        let t = TaskRulesTests.task(assignee: action == .assign ? "" : "Ann")
        #expect(TaskRules.decide(action, by: actor, on: t, newAssignee: TaskRulesTests.assignable).isAllowed)
        #expect(
            TaskRules.decide(action, by: actor, on: t, newAssignee: TaskRulesTests.notAssignable)
                == .refused("Nobody cannot be assigned tasks"))
    }

    @Test("tasks requiring approval wait for it; the assignee cannot approve their own")
    func approval() {
        let ann = User(name: "Ann", permissions: [.beAssigned, .approve])
        let boss = User(name: "Boss", permissions: [.approve])
        var t = TaskRulesTests.task(approval: true)
        #expect(TaskRules.decide(.complete, by: ann, on: t).isAllowed)
        t = TaskRules.apply(.complete, by: ann, to: t, at: TaskRulesTests.now)
        #expect(t.status == TaskRules.awaitingApproval)
        #expect(!TaskRules.decide(.approve, by: ann, on: t).isAllowed)
        #expect(TaskRules.decide(.approve, by: boss, on: t).isAllowed)
        t = TaskRules.apply(.approve, by: boss, to: t, at: TaskRulesTests.now)
        #expect(t.status == TaskRules.done)
        #expect(t.approvedBy == "Boss")
        let plain = TaskRules.apply(.complete, by: ann, to: TaskRulesTests.task(), at: TaskRulesTests.now)
        #expect(plain.status == TaskRules.done)
    }

    @Test("bulk changes report per task and leave refused tasks exactly as they were")
    func bulk() {
        let actor = User(name: "Lead", permissions: [.reschedule])
        let own = TaskRulesTests.task(assignee: "Lead")
        let others = TaskRulesTests.task()
        let results = TaskRules.bulk(
            .reschedule, by: actor, on: [own, others], shift: 3 * 86400, at: TaskRulesTests.now)
        #expect(results[0].decision.isAllowed)
        #expect(results[0].after.due == own.due!.addingTimeInterval(3 * 86400))
        #expect(results[0].after.start == own.start!.addingTimeInterval(3 * 86400))
        #expect(results[1].decision == .refused("Lead cannot see this task (not assigned to or created by them)"))
        #expect(results[1].after == others)
    }

    @Test("a done task can be rescheduled (its dates corrected) by a user who may reschedule; its status stays done")
    func rescheduleDone() {
        let actor = User(name: "Lead", permissions: [.seeAllTasks, .reschedule])
        let done = TaskRulesTests.task(status: TaskRules.done)
        #expect(TaskRules.decide(.reschedule, by: actor, on: done).isAllowed)
        let moved = TaskRules.bulk(.reschedule, by: actor, on: [done], shift: 86400, at: TaskRulesTests.now)[0]
        #expect(moved.decision.isAllowed)
        #expect(moved.after.due == done.due!.addingTimeInterval(86400))
        #expect(moved.after.status == TaskRules.done)
    }

    @Test("a task is never created for someone who may not be assigned tasks, the creator included")
    func createForUnassignable() {
        let noah = User(name: "Noah", permissions: [.create])
        var own = TaskRulesTests.task(assignee: "Noah", creator: "Noah")
        #expect(TaskRules.decide(.create, by: noah, on: own) == .refused("Noah cannot be assigned tasks"))
        #expect(
            TaskRules.decide(.create, by: noah, on: own, newAssignee: noah) == .refused("Noah cannot be assigned tasks")
        )
        let maya = User(name: "Maya", permissions: [.create, .beAssigned])
        own.assignee = "Maya"
        #expect(TaskRules.decide(.create, by: maya, on: own).isAllowed)
        let boss = User(name: "Boss", permissions: [.create, .assign, .beAssigned])
        var forNobody = TaskRulesTests.task(assignee: "Nobody", creator: "Boss")
        #expect(
            TaskRules.decide(.create, by: boss, on: forNobody, newAssignee: TaskRulesTests.notAssignable)
                == .refused("Nobody cannot be assigned tasks"))
        forNobody.assignee = "Target"
        #expect(TaskRules.decide(.create, by: boss, on: forNobody, newAssignee: TaskRulesTests.assignable).isAllowed)
    }

    @Test("rescheduling to a date keeps the task's length")
    func rescheduleTo() {
        let t = TaskRulesTests.task()
        let to = TaskRulesTests.now.addingTimeInterval(86400)
        let r = TaskRules.apply(.reschedule, by: User(name: "x"), to: t, newDue: to, at: TaskRulesTests.now)
        #expect(r.due == to)
        #expect(r.start == to.addingTimeInterval(-3600))
    }
}

@Suite("Conversions")
struct ConversionTests {
    static func lead() -> Lead {
        var l = Lead(id: RecordID.make())
        l.firstName = "Zoë"
        l.lastName = "Müller"
        l.company = "Keller AG"
        l.jobTitle = "COO"
        l.email = "zoe@keller.ch"
        l.phone = "+41446203770"
        l.mobile = "+41791234567"
        l.website = "keller.ch"
        l.address.city = "Zürich"
        l.address.country = "Switzerland"
        l.shipping.city = "Basel"
        l.owner = "Grace Kim"
        l.tags = ["vip"]
        l.notes = "met at booth"
        l.custom = ["industry": "retail"]
        l.status = LeadStatus.qualified
        return l
    }

    @Test("the customer inherits the lead's information field by field; the lead remembers its customer")
    func inheritance() throws {
        let l = ConversionTests.lead()
        let cid = RecordID.make()
        let (c, l2) = try Conversion.leadToCustomer(l, customerID: cid, at: Date())
        #expect(c.name == "Keller AG")
        #expect(c.contactFirstName == l.firstName && c.contactLastName == l.lastName)
        #expect(
            c.jobTitle == l.jobTitle && c.email == l.email && c.phone == l.phone && c.mobile == l.mobile
                && c.website == l.website)
        #expect(c.address == l.address && c.shipping == l.shipping)
        #expect(c.owner == l.owner && c.tags == l.tags && c.notes == l.notes && c.custom == l.custom)
        #expect(c.fromLeadID == l.id.description)
        #expect(l2.status == LeadStatus.converted)
        #expect(l2.convertedCustomerID == cid.description)
        #expect(throws: ConversionError.self) {
            try Conversion.leadToCustomer(l2, customerID: RecordID.make(), at: Date())
        }
    }

    @Test(
        "an opportunity converts once into a quote or an order; an order wins it; no customer or a lost deal is refused"
    )
    func opportunities() throws {
        var o = Opportunity(id: RecordID.make())
        o.name = "Renewal"
        o.amount = 1000
        o.currency = "EUR"
        o.lines = [OpportunityLine(product: "Seats", quantity: 10, unitPrice: 120)]
        #expect(throws: ConversionError.self) {
            try Conversion.opportunityToSale(o, kind: .order, customerName: "", at: Date())
        }
        let order = try Conversion.opportunityToSale(o, kind: .order, customerName: "Keller AG", at: Date())
        #expect(order.stage == "Won")
        #expect(order.custom["converted_to"] == "order")
        #expect(order.custom["sale_total"] == "1200 EUR")
        #expect(throws: ConversionError.self) {
            try Conversion.opportunityToSale(order, kind: .quote, customerName: "Keller AG", at: Date())
        }
        let quote = try Conversion.opportunityToSale(o, kind: .quote, customerName: "Keller AG", at: Date())
        #expect(quote.stage == o.stage)
        // A lost deal is reopened before it is sold (an order used to turn it Won without a word).
        var lost = o
        lost.stage = "lost"
        #expect(throws: ConversionError.self) {
            try Conversion.opportunityToSale(lost, kind: .order, customerName: "Keller AG", at: Date())
        }
    }
}

@Suite("Views")
struct ViewTests {
    @Test("a board keeps the pipeline's order, empty columns too, and totals per currency")
    func board() {
        let card = { (t: String, a: Decimal, c: String) in
            Board.Card(id: RecordID.make(), title: t, amount: a, currency: c)
        }
        let b = Board(
            order: ["New", "Won"],
            items: [("Won", card("a", 10, "EUR")), ("won", card("b", 5, "eur")), ("Custom", card("c", 1, "USD"))])
        #expect(b.columns.map(\.name) == ["New", "Won", "Custom"])
        #expect(b.columns[0].count == 0)
        #expect(b.columns[1].totals == ["EUR": 15])
    }

    @Test("a month grid starts on Monday and marks overdue tasks")
    func calendar() {
        var late = CRMTask(id: RecordID.make())
        late.title = "late"
        late.due = Date(
            timeIntervalSince1970: Double(CalendarDay(year: 2026, month: 12, day: 3)!.daysSinceEpoch * 86400 + 3600))
        var fine = late
        fine.title = "fine"
        fine.status = TaskRules.done
        let now = Date(
            timeIntervalSince1970: Double(CalendarDay(year: 2026, month: 12, day: 10)!.daysSinceEpoch * 86400))
        let g = MonthGrid(year: 2026, month: 12, tasks: [late, fine], now: now)
        #expect(g.weeks[0][0].inMonth == false)  // Monday 30 November
        #expect(g.weeks[0][1].day.description == "2026-12-01")  // a Tuesday
        let dec3 = g.weeks[0][3]
        #expect(dec3.tasks.map(\.task.title) == ["late", "fine"])
        #expect(dec3.tasks.map(\.overdue) == [true, false])
    }

    @Test("a task due at a time falls on its day in the user's zone; an all-day task stays on its day")
    func calendarZone() throws {
        let dec3 = Double(CalendarDay(year: 2026, month: 12, day: 3)!.daysSinceEpoch * 86400)
        var night = CRMTask(id: RecordID.make())
        night.title = "night"
        night.due = Date(timeIntervalSince1970: dec3 + 23.5 * 3600)  // 23:30 UTC: 00:30 on the 4th in Berlin
        var allDay = CRMTask(id: RecordID.make())
        allDay.title = "all day"
        allDay.allDay = true
        allDay.due = Date(timeIntervalSince1970: dec3)
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let now = Date(timeIntervalSince1970: 0)
        func days(_ zone: TimeZone) -> [String: [String]] {
            let g = MonthGrid(year: 2026, month: 12, tasks: [night, allDay], now: now, zone: zone)
            var out: [String: [String]] = [:]
            for d in g.weeks.joined() where !d.tasks.isEmpty { out[d.day.description] = d.tasks.map(\.task.title) }
            return out
        }
        #expect(days(TimeZone(identifier: "UTC")!) == ["2026-12-03": ["night", "all day"]])
        #expect(days(berlin) == ["2026-12-03": ["all day"], "2026-12-04": ["night"]])
        #expect(days(newYork) == ["2026-12-03": ["night", "all day"]])
        #expect(TaskDate.shown(night.due!, allDay: false, zone: berlin) == "2026-12-04 00:30")
        #expect(TaskDate.shown(night.due!, allDay: false, zone: newYork) == "2026-12-03 18:30")
        #expect(TaskDate.shown(allDay.due!, allDay: true, zone: newYork) == "2026-12-03")
        // An all-day task is overdue once its day is over where the user is (it was from its midnight UTC: the evening
        // before, in New York).
        func overdue(at now: Date, _ zone: TimeZone) -> Bool {
            let g = MonthGrid(year: 2026, month: 12, tasks: [allDay], now: now, zone: zone)
            return g.weeks.joined().first { !$0.tasks.isEmpty }?.tasks.first?.overdue ?? false
        }
        #expect(!overdue(at: Date(timeIntervalSince1970: dec3 + 3600), newYork))  // 2 Dec, 20:00 in New York
        #expect(!overdue(at: Date(timeIntervalSince1970: dec3 + 20 * 3600), berlin))  // 3 Dec, 21:00 in Berlin
        #expect(overdue(at: Date(timeIntervalSince1970: dec3 + 23.5 * 3600), berlin))  // 4 Dec, 00:30 in Berlin
        #expect(!overdue(at: Date(timeIntervalSince1970: dec3 + 23.5 * 3600), newYork))  // 3 Dec, 18:30 there
    }
}
