import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// The command line as a new user meets it (issue 17): boards and lists that fit the terminal, help that reads
/// well, errors without the usage banner, task dates as people type them.
@Suite("The crmgate command line: fitting output, help, errors, task dates")
struct CLIOutputTests {
    var binary: String {
        get throws { try #require(TestSupport.crmgateBinary, "build crmgate first (swift build --build-tests)") }
    }

    /// Runs crmgate from the repository root (so that mappings/users.yaml and mappings/pipelines.yaml are found).
    func crmgate(
        _ args: [String], _ w: Workspace? = nil, environment: [String: String] = [:]
    ) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try TestSupport.run(
            try binary, args + (w.map { ["--store", $0.store] } ?? []), cwd: TestSupport.repoRoot,
            environment: environment)
    }

    func seeded() throws -> Workspace {
        let w = try Workspace()
        for (f, m) in [
            ("csv/generic-leads.csv", "sources/generic-leads.yaml"), ("csv/tasks.csv", "sources/tasks.yaml"),
            ("csv/opportunities.csv", "sources/opportunities.yaml"),
        ] {
            _ = try w.importFile(f, mapping: m)
        }
        return w
    }

    /// A store with a few opportunities named in CJK, Hangul and emoji, whose amounts do not add up exactly in binary.
    func wideNames() throws -> Workspace {
        let w = try Workspace()
        let csv = """
            Opportunity,Stage,Amount,Currency,Probability,Expected Close,Owner,Customer,Contact,Contact Email,Source,Created
            東京ロボティクス 導入プロジェクト 第二期,Proposal,1234.56,EUR,50,2026-12-31,,,,,,2026-01-02 10:00
            서울 물류 확장 프로젝트,Proposal,4199.50,EUR,50,2026-12-31,,,,,,2026-01-02 10:00
            Plain opportunity with a long English name,Qualification,300,USD,20,2026-12-31,,,,,,2026-01-02 10:00
            北京 데이터 😀 pilot,Negotiation,100,JPY,80,2026-12-31,,,,,,2026-01-02 10:00

            """
        let file = w.dir.appendingPathComponent("wide.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let s = try w.importFile(file.path, mapping: "sources/opportunities.yaml")
        #expect(s.created == 4, "\(s.rejectReasons)")
        return w
    }

    /// The display columns at which `│` stands on a line.
    static func bars(_ line: String) -> [Int] {
        var column = 0
        var out: [Int] = []
        for c in line {
            if c == "│" { out.append(column) }
            column += c.displayWidth
        }
        return out
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: - 1. The calendar

    @Test("tasks calendar --month 2026-11 shows no December tasks in the cells after 30 November")
    func calendarMonth() throws {
        let w = try seeded()
        let r = try crmgate(
            ["tasks", "calendar", "--month", "2026-11", "--as", "Grace Kim"], w, environment: ["COLUMNS": "120"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Follow up"), "the November task is shown: \(r.stdout)")
        for december in ["Call Acme", "Send propos", "Quarterly", "HYPERLINK", "agenda"] {
            #expect(!r.stdout.contains(december), "\(december) is due in December: \(r.stdout)")
        }
    }

    // MARK: - 2. Boards

    @Test(
        "opportunities kanban at 80 columns: one stage under another, every line fits, counts whole, totals per currency"
    )
    func kanbanFits() throws {
        let w = try seeded()
        let json = try crmgate(["opportunities", "kanban", "--json"], w)
        let columns = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let widths: [[String]] = [["--width", "80"], []]
        for args in widths {
            let r = try crmgate(["opportunities", "kanban"] + args, w, environment: ["COLUMNS": "80"])
            #expect(r.status == 0, "\(r.stderr)")
            let lines = CLIOutputTests.lines(r.stdout)
            for line in lines { #expect(line.displayWidth <= 80, "\(args): \(line.displayWidth): \(line)") }
            for c in columns {
                let name = try #require(c["name"] as? String)
                let count = try #require(c["count"] as? Int)
                #expect(lines.contains { $0.hasPrefix("\(name) (\(count))") }, "\(name) (\(count)) is cut: \(r.stdout)")
            }
            #expect(lines.contains("Prospecting (5) · AED 150,000.00 · MXN 350,000.00 · USD 6,000.00"), "\(r.stdout)")
            #expect(!r.stdout.contains(" + "), "amounts of different currencies are not shown as a sum")
        }
    }

    @Test("opportunities list at 60 columns fits, and cuts names, never an amount or its currency")
    func listKeepsAmounts() throws {
        let w = try seeded()
        let json = try crmgate(["opportunities", "list", "--json"], w)
        let all = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let r = try crmgate(["opportunities", "list", "--width", "60"], w)
        let lines = CLIOutputTests.lines(r.stdout)
        #expect(lines.allSatisfy { $0.displayWidth <= 60 }, "\(r.stdout)")
        var amounts = 0
        for o in all {
            guard let amount = o["amount"] as? String, let id = o["id"] as? String else { continue }
            let currency = o["currency"] as? String ?? ""
            let line = try #require(lines.first { $0.hasPrefix(String(id.suffix(12))) })
            // The amount as lists print it (two decimals), then its currency, whole.
            let words = line.split(separator: " ").map(String.init)
            let shown = words.firstIndex { Decimal(string: $0) == Decimal(string: amount) && $0.contains(".") }
            #expect(shown != nil, "\(amount) is cut: \(line)")
            if let shown, !currency.isEmpty { #expect(words[shown + 1] == currency, "\(line)") }
            amounts += 1
        }
        #expect(amounts > 5)
        #expect(r.stdout.contains("…"), "something is cut at 60 columns")
    }

    @Test("a capped column ends with +N more; leads kanban fits too")
    func kanbanCapped() throws {
        let w = try seeded()
        let json = try crmgate(["opportunities", "kanban", "--json"], w)
        let columns = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let r = try crmgate(["opportunities", "kanban", "--width", "80", "--max-cards", "2"], w)
        #expect(r.status == 0, "\(r.stderr)")
        let capped = columns.compactMap { $0["count"] as? Int }.filter { $0 > 2 }
        #expect(!capped.isEmpty)
        for n in capped { #expect(r.stdout.contains("  +\(n - 2) more"), "\(r.stdout)") }
        let leads = try crmgate(["leads", "kanban", "--width", "80"], w)
        #expect(leads.status == 0, "\(leads.stderr)")
        for line in CLIOutputTests.lines(leads.stdout) { #expect(line.displayWidth <= 80, "\(line)") }
        #expect(leads.stdout.contains("New ("))
    }

    @Test("side by side, CJK, Hangul and emoji titles keep every │ in its column")
    func kanbanWideCharacters() throws {
        let w = try wideNames()
        let r = try crmgate(["opportunities", "kanban", "--width", "200"], w)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = CLIOutputTests.lines(r.stdout)
        for line in lines { #expect(line.displayWidth <= 200, "\(line)") }
        let bars = lines.map(CLIOutputTests.bars).filter { !$0.isEmpty }
        #expect(bars.count >= 3)
        #expect(Set(bars.map(\.description)).count == 1, "misaligned:\n\(r.stdout)")
        #expect(r.stdout.contains("EUR 5,434.06"))
        let narrow = try crmgate(["opportunities", "kanban", "--width", "80"], w)
        for line in CLIOutputTests.lines(narrow.stdout) { #expect(line.displayWidth <= 80, "\(line)") }
        #expect(narrow.stdout.contains("Proposal (2) · EUR 5,434.06"), "\(narrow.stdout)")
    }

    @Test("kanban --json totals are decimal sums with two decimals, per currency")
    func kanbanJSONMoney() throws {
        let w = try wideNames()
        let r = try crmgate(["opportunities", "kanban", "--json"], w)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"totals\":{\"EUR\":5434.06}"), "\(r.stdout)")
        #expect(r.stdout.contains("\"totals\":{\"JPY\":100.00}"), "\(r.stdout)")
        #expect(!r.stdout.contains("5434.05999"))
        let columns = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(columns.compactMap { $0["count"] as? Int }.reduce(0, +) == 4)
    }

    // MARK: - 3. Lists

    @Test("leads list fits the terminal: long text cells are cut with …, the id never")
    func leadsListFits() throws {
        let w = try seeded()
        let json = try crmgate(["leads", "list", "--json"], w)
        let leads = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let ids = leads.compactMap { $0["id"] as? String }.map { String($0.suffix(12)) }
        let runs: [(args: [String], environment: [String: String])] = [
            (["--width", "80"], [:]), ([], ["COLUMNS": "80"]),
        ]
        for (args, env) in runs {
            let r = try crmgate(["leads", "list"] + args, w, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.map { String($0.prefix(12)) } == ids)
            for line in lines { #expect(line.displayWidth <= 80, "\(line.displayWidth): \(line)") }
            #expect(lines.contains { $0.contains("…") })
        }
    }

    // MARK: - 4. Help

    @Test(
        "completion scripts complete values: export formats and record types, encodings, files by extension, --as users"
    )
    func completions() throws {
        let bash = try crmgate(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        // Values are listed one per line in bash's script ('csv'$'\n''xlsx'…); files by extension.
        let list = { (values: [String]) in values.map { "'\($0)'" }.joined(separator: "$'\\n'") }
        #expect(bash.stdout.contains(list(["csv", "xlsx", "ics", "ndjson"])))
        #expect(bash.stdout.contains(list(["opportunities", "leads", "customers", "tasks"])))
        #expect(bash.stdout.contains(list(["utf-8", "utf-16le", "utf-16be", "windows-1252", "latin-1"])))
        #expect(
            bash.stdout.contains("*.@(csv|tsv|txt|xml)") && bash.stdout.contains("*.@(yaml|yml)")
                && bash.stdout.contains("*.@(sqlite|db)"))
        // --as asks crmgate itself for the names in mappings/users.yaml (as the script calls it: word index, cursor,
        // words).
        let users = try crmgate([
            "---completion", "tasks", "list", "--", "--as", "4", "1", "crmgate", "tasks", "list", "--as", "G",
        ])
        #expect(users.stdout.contains("Grace Kim"), "\(users.stdout)\(users.stderr)")
        for shell in ["zsh", "fish"] {
            #expect(try crmgate(["--generate-completion-script", shell]).stdout.contains("ndjson"))
        }
    }

    @Test("help: sentences are not broken by hard line breaks; examples; every option explained; defaults; --version")
    func help() throws {
        let version = try crmgate(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.9.0")

        let top80 = try crmgate(["--help"], environment: ["COLUMNS": "80"])
        #expect(!top80.stdout.contains("64\nusage error"), "\(top80.stdout)")

        for command in [[], ["import"], ["export"], ["sync", "apply"], ["dedupe"], ["tasks", "create"]] {
            let r = try crmgate(command + ["--help"], environment: ["COLUMNS": "4000"])
            #expect(r.status == 0, "\(command): \(r.stderr)")
            let lines = CLIOutputTests.lines(r.stdout)
            let usage = try #require(lines.firstIndex { $0.hasPrefix("USAGE:") })
            #expect(lines[..<usage].contains("Examples:"), "\(command) has no examples")
            // At 4,000 columns a paragraph is one line: a prose line followed by another prose line is a hard break.
            for (a, b) in zip(lines[..<usage], lines[..<usage].dropFirst()) where !a.isEmpty && !b.isEmpty {
                let indented = b.hasPrefix(" ")
                #expect(indented || a.hasSuffix(":"), "\(command): a sentence breaks between \"\(a)\" and \"\(b)\"")
            }
            // Every option has a help text: on its line after the name and value, or (a long name) on the next line.
            for i in usage..<lines.count where lines[i].hasPrefix("  -") {
                let words = lines[i].split(separator: " ", omittingEmptySubsequences: true)
                let onItsLine = words.contains { !$0.hasPrefix("-") && !$0.hasPrefix("<") && !$0.hasSuffix(",") }
                let next = i + 1 < lines.count ? lines[i + 1] : ""
                let onTheNext = next.hasPrefix("        ") && !next.trimmingCharacters(in: .whitespaces).isEmpty
                #expect(onItsLine || onTheNext, "\(command): no help for \(lines[i])")
            }
        }
        let create = try crmgate(["tasks", "create", "--help"], environment: ["COLUMNS": "400"])
        for option in ["--title", "--due", "--start", "--category", "--tz"] {
            #expect(create.stdout.contains(option), "\(option)")
        }
        let list = try crmgate(["tasks", "list", "--help"], environment: ["COLUMNS": "400"])
        #expect(list.stdout.contains("--json") && list.stdout.contains("--where"))
        let apply = try crmgate(["sync", "apply", "--help"], environment: ["COLUMNS": "400"])
        for d in ["else leads", "else both", "else newest-wins"] {
            #expect(apply.stdout.contains(d), "\(d): \(apply.stdout)")
        }
    }

    // MARK: - 5. Errors

    /// A runtime error: one `crmgate: error:` line, a hint, no usage banner.
    func expectCleanError(
        _ r: (status: Int32, stdout: String, stderr: String), _ code: Int32, _ message: String, hint: Bool = true
    ) {
        #expect(r.status == code, "\(r.status): \(r.stderr)")
        #expect(r.stderr.hasPrefix("crmgate: error: \(message)"), "\(r.stderr)")
        if hint { #expect(r.stderr.contains("\nhint: "), "\(r.stderr)") }
        #expect(
            !r.stderr.contains("Usage:") && !r.stderr.contains("USAGE:") && !r.stderr.contains("See 'crmgate"),
            "\(r.stderr)")
    }

    @Test("runtime errors print one error line and a hint, never the usage, with the documented exit code")
    func errors() throws {
        let w = try seeded()
        expectCleanError(try crmgate(["review", "accept", "999"], w), 64, "no review pair has the id 999")
        expectCleanError(
            try crmgate(["tasks", "create", "--title", "x", "--due", "11/12/2026", "--as", "Grace Kim"], w), 64,
            "--due '11/12/2026' is not a date")
        expectCleanError(try crmgate(["tasks", "list"], w, environment: ["CRMGATE_USER": ""]), 64, "say who is acting")
        expectCleanError(
            try crmgate(["tasks", "create", "--title", " ", "--as", "Grace Kim"], w), 64, "--title is empty")
        expectCleanError(try crmgate(["tasks", "list", "--as", "Nobody Here"], w), 64, "no user 'Nobody Here'")
        expectCleanError(try crmgate(["imports", "show", "99"], w), 64, "no import has the id 99")
        let shown = try crmgate(["imports", "show", "1"], w)
        #expect(shown.status == 0 && shown.stdout.contains("row 1"), "\(shown.stderr)")
        // A store path in a folder that does not exist, or a folder itself: said so, not SQLite's words.
        let nowhere = w.dir.appendingPathComponent("no/such/folder/s.sqlite").path
        let lost = try crmgate(
            [
                "import", "fixtures/csv/generic-leads.csv", "--mapping", "mappings/sources/generic-leads.yaml",
                "--store",
                nowhere,
            ])
        #expect(
            lost.status != 0 && lost.stderr.contains("the folder \(w.dir.path)/no/such/folder does not exist"),
            "\(lost.stderr)")
        #expect(!lost.stderr.contains("SQLite code"))
        let folder = try crmgate(["leads", "list", "--store", w.dir.path])
        #expect(folder.status != 0 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        #expect(!folder.stderr.contains("SQLite code"))

        let stage = try crmgate(["export", "opportunities", "--stage", "Propsal"], w)
        expectCleanError(stage, 64, "unknown stage 'Propsal'")
        #expect(
            stage.stderr.contains("Proposal") && stage.stderr.contains("Negotiation"), "the known stages are listed")
        #expect(stage.stdout.isEmpty)
        #expect(try crmgate(["export", "opportunities", "--stage", "proposal"], w).status == 0, "any case")
        // --where on the stage is checked the same way, and widens --stage (either value) rather than narrowing it.
        expectCleanError(try crmgate(["export", "opportunities", "--where", "stage=Propsal"], w), 64, "unknown stage")
        let both = try crmgate(
            ["export", "opportunities", "--stage", "Won", "--where", "stage=Lost", "--columns", "stage"], w)
        let stages = Set(both.stdout.split(separator: "\r\n").dropFirst().map(String.init))
        #expect(stages == ["Won", "Lost"], "\(both.stdout)")
        let reversed = try crmgate(["export", "opportunities", "--close-between", "2026-12-01..2026-01-01"], w)
        expectCleanError(reversed, 64, "--close-between 2026-12-01..2026-01-01: the end is before the start")
        #expect(reversed.stdout.isEmpty)

        let leads = TestSupport.fixture("csv/generic-leads.csv")
        let missing = try crmgate(["import", leads, "--mapping", "no-such-mapping.yaml"], w)
        expectCleanError(missing, 66, "no mapping file at no-such-mapping.yaml")
        let directory = try crmgate(["import", leads, "--mapping", "mappings"], w)
        expectCleanError(directory, 66, "mappings is a directory, not a mapping file")
        #expect(!directory.stderr.contains("NSCocoaErrorDomain"))
        // A command line that cannot be parsed is still a usage error with the usage.
        let usage = try crmgate(["import", leads])
        #expect(usage.status == 64 && usage.stderr.contains("Usage:"), "\(usage.stderr)")
        // A sync with neither a job nor a profile is a usage error too (it was 78, a wrong profile).
        let noJob = try crmgate(["sync", "plan"], w)
        expectCleanError(noJob, 64, "give a job file or --profile")
    }

    // MARK: - 6. Task dates

    @Test("tasks create takes a day (all day), a time with T or a space, in --tz; the task is stored so")
    func taskDates() throws {
        let w = try seeded()
        func created(_ r: (status: Int32, stdout: String, stderr: String)) throws -> CRMTask {
            #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
            let id = try #require(r.stdout.split(separator: " ").dropFirst(2).first.map(String.init), "\(r.stdout)")
            return try CRMStore(path: w.store).record(CRMTask.self, id: id)
        }
        let utc = ["TZ": ""]  // no $TZ: times without --tz are UTC
        let space = try created(
            try crmgate(
                ["tasks", "create", "--title", "space", "--due", "2026-12-11 15:00", "--as", "Grace Kim"], w,
                environment: utc))
        #expect(space.due?.iso8601UTC.hasPrefix("2026-12-11T15:00:00") == true && !space.allDay)
        let day = try created(
            try crmgate(
                ["tasks", "create", "--title", "day", "--due", "2026-12-11", "--as", "Grace Kim"], w, environment: utc))
        #expect(day.due?.iso8601UTC.hasPrefix("2026-12-11T00:00:00") == true && day.allDay)
        let berlin = try created(
            try crmgate(
                [
                    "tasks", "create", "--title", "berlin", "--start", "2026-12-11T15:00", "--due", "2026-12-11T16:30",
                    "--tz", "Europe/Berlin",
                    "--as", "Grace Kim",
                ], w))
        #expect(berlin.start?.iso8601UTC.hasPrefix("2026-12-11T14:00:00") == true)
        #expect(berlin.due?.iso8601UTC.hasPrefix("2026-12-11T15:30:00") == true && !berlin.allDay)
        // Lists show a time in the zone it is given in (it was shown in UTC, with nothing saying so).
        let inBerlin = try crmgate(
            ["tasks", "list", "--as", "Grace Kim", "--tz", "Europe/Berlin", "--width", "200"], w)
        #expect(
            inBerlin.stdout.split(separator: "\n").contains { $0.contains("berlin") && $0.contains("2026-12-11 16:30") }
        )
        let inUTC = try crmgate(["tasks", "list", "--as", "Grace Kim", "--width", "200"], w, environment: utc)
        #expect(
            inUTC.stdout.split(separator: "\n").contains { $0.contains("berlin") && $0.contains("2026-12-11 15:30") })
        let zone = try crmgate(
            [
                "tasks", "create", "--title", "x", "--due", "2026-12-11 15:00", "--tz", "Mars/Olympus", "--as",
                "Grace Kim",
            ], w)
        expectCleanError(zone, 64, "--tz 'Mars/Olympus' is not a time zone")
    }

    @Test("a done task can be rescheduled; a task cannot be created for someone who may not be assigned tasks")
    func taskRules() throws {
        let w = try seeded()
        let store = try CRMStore(path: w.store)
        let done = try #require(try store.all(CRMTask.self).first { $0.status == TaskRules.done })
        let moved = try crmgate(
            ["tasks", "reschedule", done.id.short, "--to", "2026-12-20 10:00", "--as", "Grace Kim"], w,
            environment: ["TZ": ""])
        #expect(moved.status == 0, "\(moved.stdout) \(moved.stderr)")
        let after = try CRMStore(path: w.store).record(CRMTask.self, id: done.id.description)
        #expect(after.due?.iso8601UTC.hasPrefix("2026-12-20T10:00:00") == true)
        #expect(after.status == TaskRules.done)

        let before = try CRMStore(path: w.store).count(.task)
        let own = try crmgate(["tasks", "create", "--title", "Noah's own", "--as", "Noah Fischer"], w)
        #expect(own.status == 3, "\(own.stdout)")
        #expect(own.stdout.contains("Noah Fischer cannot be assigned tasks"), "\(own.stdout)")
        #expect(!own.stdout.contains("created task"))
        let other = try crmgate(
            ["tasks", "create", "--title", "for the form", "--assignee", "Web form", "--as", "Grace Kim"], w)
        #expect(other.status == 3 && other.stdout.contains("Web form cannot be assigned tasks"), "\(other.stdout)")
        #expect(try CRMStore(path: w.store).count(.task) == before)
    }
}

/// The views in a real pseudo-terminal (util-linux `script`), sized with `stty` and no `COLUMNS`, so that crmgate
/// finds the width as it does for a person: from the terminal.
@Suite(
    "Views in a real terminal at 80 and 120 columns",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is needed"))
struct TerminalViewTests {
    /// Runs crmgate in a pseudo-terminal of `columns` columns; the screen's lines (CR removed).
    func onTerminal(_ args: [String], columns: Int, _ w: Workspace) throws -> (status: Int32, lines: [String]) {
        let bin = try #require(TestSupport.crmgateBinary)
        let command =
            "stty cols \(columns) rows 50; "
            + ([bin] + args + ["--store", w.store]).map { "'\($0)'" }.joined(separator: " ")
        let r = try TestSupport.run(
            "/usr/bin/script", ["-qec", command, "/dev/null"], cwd: TestSupport.repoRoot, environment: ["COLUMNS": ""])
        let text = r.stdout.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "")
        return (r.status, text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    @Test(
        "stored values cannot send the terminal escape sequences: on a terminal they are shown as escapes, to a pipe kept"
    )
    func hostileValuesOnATerminal() throws {
        let w = try Workspace()
        let csv = """
            First Name,Last Name,Email,Phone,Company,Job Title,Street,City,State,Postcode,Country,Lead Source,Status,Owner,Created At,Notes
            "esc\u{1B}[31mred",bell\u{07}ring,hostile@example.com,,"Acme\u{202E}gnp.exe",,,,,,,,New,,,

            """
        let file = w.dir.appendingPathComponent("hostile.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let s = try w.importFile(file.path, mapping: "sources/generic-leads.yaml")
        try #require(s.created == 1, "\(s.rejectReasons)")
        let id = try #require(try CRMStore(path: w.store).all(Lead.self).first?.id.description)
        for view in [["leads", "list"], ["leads", "show", id]] {
            let (status, lines) = try onTerminal(view, columns: 200, w)
            #expect(status == 0)
            let text = lines.joined(separator: "\n")
            #expect(!text.contains("\u{1B}[31m") && !text.contains("\u{07}") && !text.contains("\u{202E}"), "\(text)")
            #expect(text.contains("esc\\u001B[31mred") && text.contains("\\u202E"), "\(text)")
        }
        // Into a pipe as well (`| grep` ends on a terminal too); `--json` gives the value exactly, in JSON's escapes.
        let piped = try CLIOutputTests().crmgate(["leads", "list"], w)
        #expect(piped.stdout.contains("esc\\u001B[31mred") && !piped.stdout.contains("\u{1B}"), "\(piped.stdout)")
        let json = try CLIOutputTests().crmgate(["leads", "list", "--json"], w)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["first_name"] as? String == "esc\u{1B}[31mred", "\(json.stdout)")
    }

    @Test("boards, lists and the calendar fit the terminal's width, and use it", arguments: [80, 120])
    func viewsFit(columns: Int) throws {
        let w = try CLIOutputTests().seeded()
        let views: [[String]] = [
            ["opportunities", "kanban"], ["leads", "kanban"], ["leads", "list"], ["opportunities", "list"],
            ["tasks", "list", "--as", "Grace Kim"], ["tasks", "calendar", "--month", "2026-12", "--as", "Grace Kim"],
        ]
        for view in views {
            let (status, lines) = try onTerminal(view, columns: columns, w)
            #expect(status == 0, "\(view): \(lines.suffix(3))")
            let widest = lines.map(\.displayWidth).max() ?? 0
            #expect(widest <= columns, "\(view.joined(separator: " ")) at \(columns) columns has a line of \(widest)")
            #expect(lines.filter { !$0.isEmpty }.count >= 3, "\(view): \(lines)")
            // A view with more to show than fits uses most of the width (it was not laid out for 80 regardless).
            if view == ["leads", "list"] || view == ["opportunities", "kanban"] {
                #expect(
                    widest >= columns - 10, "\(view.joined(separator: " ")) at \(columns) columns uses only \(widest)")
            }
        }
        // Every stage of the board is there, with its count whole, at either width.
        let (_, board) = try onTerminal(["opportunities", "kanban"], columns: columns, w)
        for stage in ["Prospecting", "Qualification", "Proposal", "Negotiation"] {
            #expect(board.contains { $0.contains(stage) }, "\(stage) missing at \(columns) columns")
        }
    }
}
