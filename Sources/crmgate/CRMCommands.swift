import ArgumentParser
import CRMMapping
import CRMModel
import CRMStore
import Foundation

/// Who is acting, and the team file that says what they may do.
struct ActorOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "Act as this user (default: $CRMGATE_USER).")
    var user: String?

    @Option(name: .long, help: "The users file.")
    var users: String = "mappings/users.yaml"

    func actor() throws -> (User, [User]) {
        let all: [User]
        do { all = try UsersFile.load(path: users) } catch let e as MappingError {
            throw ValidationError("\(e)")
        }
        guard let name = user ?? ProcessInfo.processInfo.environment["CRMGATE_USER"], !name.isEmpty else {
            throw ValidationError("say who is acting: --as USER or CRMGATE_USER")
        }
        guard let me = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw ValidationError("no user '\(name)' in \(users); users are: " + all.map(\.name).joined(separator: ", "))
        }
        return (me, all)
    }
}

/// `--where field=value` filters (repeatable; same field twice means either value).
func query(_ wheres: [String]) throws -> RecordQuery {
    var q = RecordQuery()
    for w in wheres {
        guard let eq = w.firstIndex(of: "=") else { throw ValidationError("--where takes field=value, e.g. status=Qualified") }
        let field = String(w[..<eq]).trimmingCharacters(in: .whitespaces)
        let value = String(w[w.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        if let i = q.anyOf.firstIndex(where: { $0.0 == field }) { q.anyOf[i].1.append(value) } else { q.anyOf.append((field, [value])) }
    }
    return q
}

/// Terminal width, or a default when the output is not a terminal.
func terminalWidth() -> Int {
    var w = winsize()
    if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 20 { return Int(w.ws_col) }
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 20 { return n }
    return 100
}

func clip(_ s: String, _ n: Int) -> String {
    if s.count <= n { return s + String(repeating: " ", count: n - s.count) }
    return String(s.prefix(max(0, n - 1))) + "…"
}

func money(_ totals: [String: Decimal]) -> String {
    totals.keys.sorted().map { k in
        let v = NSDecimalNumber(decimal: totals[k]!).doubleValue
        return String(format: "%.0f", v) + (k.isEmpty ? "" : " \(k)")
    }.joined(separator: " + ")
}

func printJSON(_ obj: Any) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
}

func renderBoard(_ board: Board, json: Bool) throws {
    if json {
        try printJSON(board.columns.map { c -> [String: Any] in
            [
                "name": c.name, "count": c.count,
                "totals": c.totals.mapValues { NSDecimalNumber(decimal: $0).doubleValue },
                "cards": c.cards.map { ["id": $0.id.description, "title": $0.title] },
            ]
        })
        return
    }
    let cols = board.columns
    let width = max(12, (terminalWidth() - (cols.count - 1) * 3) / max(1, cols.count))
    print(cols.map { clip("\($0.name) (\($0.count))", width) }.joined(separator: " │ "))
    print(cols.map { clip(money($0.totals), width) }.joined(separator: " │ "))
    print(cols.map { _ in String(repeating: "─", count: width) }.joined(separator: "─┼─"))
    let depth = min(cols.map(\.count).max() ?? 0, 40)
    for i in 0..<depth {
        print(cols.map { i < $0.cards.count ? clip($0.cards[i].title, width) : String(repeating: " ", count: width) }.joined(separator: " │ "))
    }
}

struct LeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leads", abstract: "Work with leads: list, kanban board, convert into customers.",
        subcommands: [List.self, Kanban.self, Convert.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads (with their ids).")
        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .customLong("where"), help: "field=value filters, e.g. status=Qualified (repeatable).")
        var wheres: [String] = []
        @Flag(name: .long, help: "Print the records as JSON, with their id.")
        var json = false

        func run() throws {
            let store = try storeOptions.openForReading()
            var rows: [[String: Any]] = []
            try store.forEach(Lead.self, where: try query(wheres)) { l, _ in
                if json {
                    var o: [String: Any] = ["id": l.id.description]
                    for (i, f) in Lead.fields.enumerated() {
                        let v = l.fieldValue(i)
                        if !v.isEmpty { o[f.name] = FieldText.text(of: v) }
                    }
                    rows.append(o)
                } else {
                    print("\(l.id.short)  \(clip("\(l.firstName) \(l.lastName)", 24))  \(clip(l.company, 24))  \(clip(l.email, 30))  \(l.status)")
                }
            }
            if json { try printJSON(rows) }
        }
    }

    struct Kanban: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leads as a board: a column per status, with counts and amounts.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .long, help: "The pipelines file.") var pipelines = "mappings/pipelines.yaml"
        @Flag(name: .long) var json = false

        func run() throws {
            let store = try storeOptions.openForReading()
            var items: [(String, Board.Card)] = []
            try store.forEach(Lead.self, where: RecordQuery()) { l, _ in
                let title = [l.firstName, l.lastName].filter { !$0.isEmpty }.joined(separator: " ") + (l.company.isEmpty ? "" : ", \(l.company)")
                items.append((l.status, Board.Card(id: l.id, title: title, amount: l.amount, currency: l.currency)))
            }
            try renderBoard(Board(order: try Pipelines.load(path: pipelines).leadStatuses, items: items), json: json)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert leads into customers (the customer inherits the lead's information).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The lead's id: the short id `leads list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where"), help: "Convert every lead matching field=value (e.g. status=Qualified).")
        var wheres: [String] = []
        @Option(name: .long, help: "Also create an opportunity with this name for the new customer.") var withOpportunity: String?
        @Option(name: .long, help: "The opportunity's amount.") var amount: String?
        @Option(name: .long, help: "The opportunity's currency.") var currency: String = ""

        func run() throws {
            guard (id == nil) != wheres.isEmpty else { throw ValidationError("give a lead id or --where, not both") }
            let store = try storeOptions.openForUpdate()
            var leads: [Lead] = []
            if let id { leads = [try store.record(Lead.self, id: id)] } else {
                try store.forEach(Lead.self, where: try query(wheres)) { l, _ in leads.append(l) }
            }
            let amountValue = try amount.map { a -> Decimal in
                guard let d = Decimal(string: a, locale: Locale(identifier: "en_US_POSIX")) else { throw ValidationError("--amount must be a number") }
                return d
            }
            let now = Date()
            var customers: [Customer] = [], updated: [Lead] = [], opps: [Opportunity] = []
            var refused = 0
            for l in leads {
                do {
                    let (c, l2) = try Conversion.leadToCustomer(l, customerID: RecordID.make(), at: now)
                    customers.append(c)
                    updated.append(l2)
                    if let name = withOpportunity {
                        opps.append(Conversion.opportunity(for: c, id: RecordID.make(), name: name, amount: amountValue, currency: currency, at: now))
                    }
                    print("converted lead \(l.id) into customer \(c.id) (\(c.name))")
                } catch let e as ConversionError {
                    refused += 1
                    print("refused: \(e.message)")
                }
            }
            try store.save(customers)
            try store.save(updated)
            try store.save(opps)
            for o in opps { print("created opportunity \(o.id) (\(o.name))") }
            if refused > 0 { throw ExitCode(3) }
        }
    }
}

struct OpportunitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunities", abstract: "Work with opportunities: kanban board, convert into a sale quote or order.",
        subcommands: [Kanban.self, Convert.self])

    struct Kanban: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Opportunities as a board: a column per stage, with counts and totals.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .long, help: "The pipelines file.") var pipelines = "mappings/pipelines.yaml"
        @Flag(name: .long) var json = false

        func run() throws {
            let store = try storeOptions.openForReading()
            var items: [(String, Board.Card)] = []
            try store.forEach(Opportunity.self, where: RecordQuery()) { o, _ in
                items.append((o.stage, Board.Card(id: o.id, title: o.name, amount: o.amount, currency: o.currency)))
            }
            try renderBoard(Board(order: try Pipelines.load(path: pipelines).opportunityStages, items: items), json: json)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert an opportunity into a sale quote or a sale order (recorded; created remotely by a sync job).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The opportunity's id (full, or its last 12 characters).") var id: String
        @Option(name: .long, help: "quote or order.") var to: String
        @Option(name: .long, help: "When the opportunity has no customer yet: convert this lead first and use its customer.")
        var convertLead: String?

        func run() throws {
            guard let kind = Conversion.SaleKind(rawValue: to) else { throw ValidationError("--to must be quote or order") }
            let store = try storeOptions.openForUpdate()
            let opp = try store.record(Opportunity.self, id: id)
            var customerName = opp.customerName
            let now = Date()
            if customerName.isEmpty, let leadID = convertLead {
                let lead = try store.record(Lead.self, id: leadID)
                if !lead.convertedCustomerID.isEmpty {
                    customerName = try store.record(Customer.self, id: lead.convertedCustomerID).name
                } else {
                    let (c, l2) = try Conversion.leadToCustomer(lead, customerID: RecordID.make(), at: now)
                    try store.save([c])
                    try store.save([l2])
                    customerName = c.name
                    print("converted lead \(lead.id) into customer \(c.id) (\(c.name))")
                }
            }
            do {
                let converted = try Conversion.opportunityToSale(opp, kind: kind, customerName: customerName, at: now)
                try store.save([converted])
                print("opportunity \(opp.id) converted to a sale \(kind.rawValue) for \(customerName) (\(converted.custom["sale_total"] ?? ""))")
            } catch let e as ConversionError {
                FileHandle.standardError.write(Data("crmgate opportunities convert: \(e.message)\n".utf8))
                throw ExitCode(3)
            }
        }
    }
}
