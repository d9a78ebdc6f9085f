import ArgumentParser
import CRMMapping
import CRMModel
import CRMStore
import CRMSync
import Foundation

/// Who is acting, and the team file that says what they may do.
struct ActorOptions: ParsableArguments {
    @Option(
        name: .customLong("as"), help: "Act as this user, a name in the users file (default: $CRMGATE_USER).",
        completion: .custom { _, _, _ in (try? UsersFile.load(path: "mappings/users.yaml").map(\.name)) ?? [] })
    var user: String?

    @Option(
        name: .long, help: "The users file: who may do what with tasks.",
        completion: .file(extensions: ["yaml", "yml"]))
    var users: String = "mappings/users.yaml"

    /// All users of the users file.
    /// - Throws: `CLIError` (66 unreadable, 65 malformed) when the users file cannot be used.
    func allUsers() throws -> [User] {
        do { return try UsersFile.load(path: users) } catch let e as MappingError {
            throw CLIError(
                "\(e)", hint: "check --users (default mappings/users.yaml)", code: e.code == .cannotRead ? 66 : 65)
        }
    }

    /// The acting user, and all users.
    /// - Throws: `CLIError.usage` when no user is named or the name is not in the users file.
    func actor() throws -> (User, [User]) {
        let all = try allUsers()
        let names = all.map(\.name).joined(separator: ", ")
        guard let name = user ?? ProcessInfo.processInfo.environment["CRMGATE_USER"], !name.isEmpty else {
            throw CLIError.usage(
                "say who is acting: task commands act as a user of \(users)",
                hint: "give --as USER or set CRMGATE_USER; users are: \(names)")
        }
        return (try ActorOptions.user(named: name, in: all, file: users), all)
    }

    /// The user of that name (any case).
    /// - Throws: `CLIError.usage` naming the users there are.
    static func user(named name: String, in all: [User], file: String) throws -> User {
        guard let u = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw CLIError.usage(
                "no user '\(name)' in \(file)", hint: "users are: " + all.map(\.name).joined(separator: ", "))
        }
        return u
    }
}

/// The width text output fits: boards, lists, the calendar.
struct WidthOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: "Fit the output to this many columns (default: $COLUMNS, else the terminal's width, else 80).")
    var width: Int?

    func validate() throws {
        if let width, width < 20 { throw ValidationError("--width must be at least 20") }
    }

    /// The columns to fit.
    var columns: Int { width ?? terminalWidth() }
}

/// `--where field=value` filters (repeatable; same field twice means either value).
func query(_ wheres: [String]) throws -> RecordQuery {
    var q = RecordQuery()
    for w in wheres {
        guard let eq = w.firstIndex(of: "=") else {
            throw CLIError.usage("--where takes field=value, not '\(w)'", hint: "e.g. --where status=Qualified")
        }
        let field = String(w[..<eq]).trimmingCharacters(in: .whitespaces)
        let value = String(w[w.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        if let i = q.anyOf.firstIndex(where: { $0.0 == field }) {
            q.anyOf[i].1.append(value)
        } else {
            q.anyOf.append((field, [value]))
        }
    }
    return q
}

/// The terminal width: `$COLUMNS` when set, else the width of the terminal standard output is, else 80.
func terminalWidth() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c.trimmingCharacters(in: .whitespaces)),
        n > 0
    {
        return max(20, n)
    }
    var w = winsize()
    if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return max(20, Int(w.ws_col)) }
    return 80
}

func printJSON(_ obj: Any) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
}

/// A JSON string literal (the sync module's JSON writer, so that every JSON crmgate prints escapes alike).
func jsonString(_ s: String) -> String { JSONValue.string(s).text }

/// The board as JSON, one array of columns in pipeline order: `name`, `count`, `totals` (per currency, summed as
/// decimals and written with two decimals: `{"EUR": 1200.00}`) and `cards` (`id`, `title`, `amount`, `currency`).
func boardJSON(_ board: Board) -> String {
    let columns = board.columns.map { c -> String in
        let totals = c.totals.keys.sorted().map { "\(jsonString($0)):\(MoneyText.plain(c.totals[$0] ?? 0))" }
        let cards = c.cards.map { card in
            "{\"amount\":\(card.amount.map(MoneyText.plain) ?? "null"),\"currency\":\(jsonString(card.currency)),"
                + "\"id\":\(jsonString(card.id.description)),\"title\":\(jsonString(card.title))}"
        }
        return "{\"cards\":[\(cards.joined(separator: ","))],\"count\":\(c.count),\"name\":\(jsonString(c.name)),"
            + "\"totals\":{\(totals.joined(separator: ","))}}"
    }
    return "[" + columns.joined(separator: ",") + "]"
}

/// Prints a board: JSON, or text that fits `width` (`Board.render`).
func renderBoard(_ board: Board, json: Bool, width: Int, maxCards: Int) {
    if json {
        print(boardJSON(board))
    } else {
        for line in board.render(width: width, maxCards: maxCards) { print(line) }
    }
}

/// The pipelines file, or a `CLIError` (65) saying what is wrong with it.
func loadPipelines(_ path: String) throws -> Pipelines {
    do { return try Pipelines.load(path: path) } catch let e as MappingError {
        throw CLIError("\(e)", hint: "check --pipelines (default mappings/pipelines.yaml)", code: 65)
    }
}

/// The values a status or stage field may take: the pipeline's, in its order, then any other the store holds (an
/// import may bring its own). Customers have none.
func knownValues(field: String, type: RecordType, pipeline: Pipelines, store: any ExportSource) throws -> [String] {
    let stored: [String]
    switch type {
    case .opportunity: stored = try store.distinctValues(Opportunity.self, field: field)
    case .lead: stored = try store.distinctValues(Lead.self, field: field)
    case .task: stored = try store.distinctValues(CRMTask.self, field: field)
    case .customer: return []
    }
    let known: [String]
    switch type {
    case .opportunity: known = pipeline.opportunityStages
    case .lead: known = pipeline.leadStatuses
    default: known = ["Open", TaskRules.awaitingApproval, TaskRules.done]  // a new task's status and the rules' ones
    }
    return RecordEdit.knownValues(pipeline: known, stored: stored)
}

struct LeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leads", abstract: "Work with leads: list, show, set, kanban board, convert into customers.",
        subcommands: [
            ListRecords<Lead>.self, ShowRecord<Lead>.self, SetRecord<Lead>.self, DeleteRecord<Lead>.self, Kanban.self,
            Convert.self,
        ])

    struct Kanban: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Leads as a board: a column per status, with counts and amounts.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .long, help: "The pipelines file (the order of the statuses).") var pipelines =
            "mappings/pipelines.yaml"
        @Flag(
            name: .long, help: "Print the board as JSON: columns with counts, totals per currency and cards with ids.")
        var json = false
        @Option(name: .long, parsing: .unconditional, help: "Cards shown per column; the rest are counted as +N more.")
        var maxCards = 40
        func validate() throws { if maxCards < 1 { throw ValidationError("--max-cards must be at least 1") } }
        @OptionGroup var widthOptions: WidthOptions

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            var items: [(String, Board.Card)] = []
            try store.forEach(Lead.self, where: RecordQuery()) { l, _ in
                items.append(
                    (l.status, Board.Card(id: l.id, title: l.displayTitle, amount: l.amount, currency: l.currency)))
            }
            let board = Board(order: try loadPipelines(pipelines).leadStatuses, items: items)
            renderBoard(board, json: json, width: widthOptions.columns, maxCards: maxCards)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert leads into customers (the customer inherits the lead's information).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The lead's id: the short id `leads list` prints, or the full id.") var id: String?
        @Option(name: .customLong("where"), help: "Convert every lead matching field=value (e.g. status=Qualified).")
        var wheres: [String] = []
        @Option(name: .long, help: "Also create an opportunity with this name for the new customer.")
        var withOpportunity: String?
        @Option(name: .long, help: "The opportunity's amount.") var amount: String?
        @Option(name: .long, help: "The opportunity's currency.") var currency: String = ""
        @Flag(name: .long, help: "Say which leads would be converted; change nothing.") var dryRun = false
        @Flag(name: .long, help: "Convert every lead --where matches without asking (needed when not at a terminal).")
        var yes = false

        func run() throws {
            guard (id == nil) != wheres.isEmpty else {
                throw ValidationError(id == nil ? "give a lead id or --where" : "give a lead id or --where, not both")
            }
            let store = try storeOptions.openRecords(.update)
            var leads: [Lead] = []
            if let id {
                leads = [try store.record(Lead.self, id: id)]
            } else {
                try store.forEach(Lead.self, where: try query(wheres)) { l, _ in leads.append(l) }
            }
            if dryRun {
                for l in leads {
                    print(
                        "would convert lead \(l.id.short) (\([l.firstName, l.lastName].joined(separator: " ")), \(l.company))"
                    )
                }
                print("\(leads.count) lead(s) would be converted (dry run: nothing changed)")
                return
            }
            if !wheres.isEmpty, leads.count > 1, !yes {
                // A bulk change is confirmed: at a terminal by answering, elsewhere by --yes.
                guard isatty(0) == 1 else {
                    throw CLIError.usage(
                        "\(leads.count) lead\(leads.count == 1 ? "" : "s") match\(leads.count == 1 ? "es" : "") --where; nothing was converted",
                        hint: "add --yes to convert them all, or --dry-run to see which")
                }
                print(
                    "convert \(leads.count) lead\(leads.count == 1 ? "" : "s") into customers? [y/N] ", terminator: "")
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    print("nothing converted")
                    return
                }
            }
            // Read as `set amount=…` reads it (`12abc` was taken as 12).
            let amountValue = try amount.map { a -> Decimal in
                guard case .number(let d) = try? RecordEdit.value(a, kind: .number, field: "amount") else {
                    throw ValidationError("--amount must be a number, e.g. 1250.50")
                }
                return d
            }
            if leads.isEmpty {
                print("no lead matched; nothing converted")
                return
            }
            let plan = Conversion.leadsToCustomers(
                leads, opportunityName: withOpportunity, amount: amountValue, currency: currency, at: Date())
            // What was done is printed once it is saved: a store that cannot be written converts nothing.
            try store.saveConversion(customers: plan.customers, leads: plan.leads, opportunities: plan.opportunities)
            for line in plan.lines { print(line) }
            for o in plan.opportunities { print("created opportunity \(o.id) (\(o.name))") }
            let refused = plan.refused
            if refused > 0 { throw ExitCode(3) }
        }
    }
}

struct OpportunitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunities",
        abstract: "Work with opportunities: list, show, set, kanban board, convert into a sale quote or order.",
        subcommands: [
            ListRecords<Opportunity>.self, ShowRecord<Opportunity>.self, SetRecord<Opportunity>.self,
            DeleteRecord<Opportunity>.self, Kanban.self,
            Convert.self,
        ])

    struct Kanban: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Opportunities as a board: a column per stage, with counts and totals.")
        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .long, help: "The pipelines file (the order of the stages).") var pipelines =
            "mappings/pipelines.yaml"
        @Flag(
            name: .long, help: "Print the board as JSON: columns with counts, totals per currency and cards with ids.")
        var json = false
        @Option(name: .long, parsing: .unconditional, help: "Cards shown per column; the rest are counted as +N more.")
        var maxCards = 40
        func validate() throws { if maxCards < 1 { throw ValidationError("--max-cards must be at least 1") } }
        @OptionGroup var widthOptions: WidthOptions

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            var items: [(String, Board.Card)] = []
            try store.forEach(Opportunity.self, where: RecordQuery()) { o, _ in
                items.append((o.stage, Board.Card(id: o.id, title: o.name, amount: o.amount, currency: o.currency)))
            }
            let board = Board(order: try loadPipelines(pipelines).opportunityStages, items: items)
            renderBoard(board, json: json, width: widthOptions.columns, maxCards: maxCards)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Convert an opportunity into a sale quote or a sale order; the next sync run with opportunities creates it on a remote whose profile has a sales section (Cin7 Core)."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The opportunity's id (full, or its last 12 characters).") var id: String
        @Option(name: .long, help: "quote or order.") var to: String
        @Option(
            name: .long, help: "When the opportunity has no customer yet: convert this lead first and use its customer."
        )
        var convertLead: String?

        func run() throws {
            guard let kind = Conversion.SaleKind(rawValue: to) else {
                throw ValidationError("--to must be quote or order")
            }
            let store = try storeOptions.openRecords(.update)
            let opp = try store.record(Opportunity.self, id: id)
            var customerName = opp.customerName
            let now = Date()
            do { try Conversion.checkSellable(opp) } catch let e as ConversionError {
                throw CLIError(e.message, code: 3)
            }
            if customerName.isEmpty, let leadID = convertLead {
                let lead = try store.record(Lead.self, id: leadID)
                if !lead.convertedCustomerID.isEmpty {
                    customerName = try store.record(Customer.self, id: lead.convertedCustomerID).name
                } else {
                    let (c, l2) = try Conversion.leadToCustomer(lead, customerID: RecordID.make(), at: now)
                    try store.saveConversion(customers: [c], leads: [l2], opportunities: [])
                    customerName = c.name
                    print("converted lead \(lead.id) into customer \(c.id) (\(c.name))")
                }
            }
            do {
                let converted = try Conversion.opportunityToSale(opp, kind: kind, customerName: customerName, at: now)
                try store.save([converted])
                print(
                    "opportunity \(opp.id) converted to a sale \(kind.rawValue) for \(customerName) (\(converted.custom["sale_total"] ?? ""))"
                )
            } catch let e as ConversionError {
                throw CLIError(
                    e.message, hint: customerName.isEmpty ? "give --convert-lead LEAD to convert its lead first" : nil,
                    code: 3)
            }
        }
    }
}
