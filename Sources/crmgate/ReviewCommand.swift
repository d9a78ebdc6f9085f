import ArgumentParser
import CRMDedupe
import CRMImport
import CRMModel
import CRMStore
import Foundation

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Pairs of leads the fuzzy matcher was unsure about (from `import --fuzzy`).",
        discussion: """
            Examples:
              crmgate review list        (open pairs: what is alike, what differs)
              crmgate review show 12     (both leads, every comparison's weight)
              crmgate review accept 12   (merge them)
              crmgate review reject 12   (keep them apart for good)
            """,
        subcommands: [List.self, Show.self, Accept.self, Reject.self])

    /// Prints `text` within 80 columns, its first line after `head`, the rest indented by `indent`.
    static func printWrapped(_ text: String, head: String, indent: Int) {
        for line in FuzzyDeduplicator.wrapped(text, head: head, indent: indent) { print(line) }
    }

    /// A lead as one line of a pair, or what became of it.
    static func describe(_ l: Lead?) -> String {
        l.map { "\($0.firstName) \($0.lastName) <\($0.email)> \($0.company) \($0.phone)" } ?? "(gone)"
    }

    /// What a pair's status means, for people.
    static func meaning(_ s: ReviewStatus) -> String {
        switch s {
        case .open: "waiting for a decision"
        case .accepted: "accepted: the two were merged"
        case .rejected: "rejected: different people, never proposed again"
        case .merged:
            "closed: another pair's acceptance merged one of its leads; its question was asked again about the survivor"
        }
    }

    /// The open pair with this number.
    /// - Throws: `CLIError.notFound` (64) when there is none, or it was decided already.
    static func openPair(_ store: any ReviewStore, id: Int64) throws -> ReviewPair {
        guard let p = try store.reviewPair(id: id) else {
            throw CLIError.notFound(
                "no review pair has the id \(id)", hint: "`crmgate review list` shows the open pairs")
        }
        guard p.status == .open else {
            throw CLIError.usage(
                "review pair \(id) was \(p.status.rawValue) already",
                hint: "`crmgate review list --all` shows decided pairs")
        }
        return p
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open pairs, most likely first.")
        @Flag(name: .long, help: "Include decided pairs.") var all = false
        @Flag(
            name: .long,
            help: "Print a JSON array, an object per pair: id, status, weight, a and b (full lead ids), explanation.")
        var json = false
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openReview(.readOnly)
            let pairs = try store.reviewPairs(status: all ? nil : .open)
            if json {
                var list = JSONListPrinter()
                defer { list.finish() }
                for p in pairs {
                    let why = p.explanation.map(jsonString) ?? "null"
                    list.add(
                        "{\"id\":\(p.id),\"status\":\(jsonString(p.status.rawValue)),\"weight\":\(String(format: "%.3f", p.weight)),\"a\":\(jsonString(p.a)),\"b\":\(jsonString(p.b)),\"explanation\":\(why)}"
                    )
                }
                return
            }
            if pairs.isEmpty {
                print("no \(all ? "" : "open ")pairs to review")
                return
            }
            for p in pairs {
                let a = try? store.record(Lead.self, id: p.a)
                let b = try? store.record(Lead.self, id: p.b)
                let status = p.status == .merged ? "closed (a lead merged)" : p.status.rawValue
                print(
                    "\(p.id)\t\(status)\tweight \(String(format: "%.1f", p.weight))\n    \(RecordID.short(p.a)) \(ReviewCommand.describe(a))\n    \(RecordID.short(p.b)) \(ReviewCommand.describe(b))"
                )
                if let line = p.explanation.flatMap(ReviewExplanation.agreement) {
                    ReviewCommand.printWrapped(line, head: "    ", indent: 6)
                }
                if let held = p.explanation.flatMap(ReviewExplanation.heldBack) {
                    ReviewCommand.printWrapped(held, head: "    ", indent: 6)
                }
            }
            ReviewCommand.printWrapped(
                "`crmgate review show ID` gives each comparison's weight; `accept ID` merges, `reject ID` keeps apart",
                head: "", indent: 0)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One pair: both leads, and why the matcher was unsure (each field's comparison and weight).",
            discussion: "Example: crmgate review show 12   (exit 64 when no pair has that number)")
        @Argument(help: "The pair's number, as `review list` shows it.") var number: Number
        var id: Int64 { number.value }
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openReview(.readOnly)
            guard let p = try store.reviewPair(id: id) else {
                throw CLIError.notFound(
                    "no review pair has the id \(id)", hint: "`crmgate review list --all` shows every pair")
            }
            print("pair \(p.id): \(ReviewCommand.meaning(p.status)); weight \(String(format: "%.1f", p.weight))")
            for x in [p.a, p.b] {
                print("  \(RecordID.short(x)) \(ReviewCommand.describe(try? store.record(Lead.self, id: x)))")
            }
            print(p.explanation ?? "(no explanation was kept for this pair: it was queued by an older crmgate)")
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "They are the same: merge the newer into the older.")
        @Argument(help: "The pair's number, as `review list` shows it.") var number: Number
        var id: Int64 { number.value }
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openReview(.update)
            let p = try ReviewCommand.openPair(store, id: id)
            let (survivor, closed) = try FuzzyImportPass.acceptClosing(store: store, pair: p)
            print("pair \(id) merged into \(survivor)")
            if !closed.isEmpty {
                // A trial read "merged" on a pair whose other lead still existed as a merge of that pair.
                ReviewCommand.printWrapped(
                    "closed the merged lead's other pair\(closed.count == 1 ? "" : "s")"
                        + " (\(closed.map(String.init).joined(separator: ", "))): asked again about the survivor unless"
                        + " decided already (`crmgate review list`)", head: "", indent: 2)
            }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "They are different: never propose or merge this pair again.")
        @Argument(help: "The pair's number, as `review list` shows it.") var number: Number
        var id: Int64 { number.value }
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openReview(.update)
            _ = try ReviewCommand.openPair(store, id: id)
            try store.decideReview(id: id, status: .rejected)
            print("pair \(id) rejected; it will not be proposed again")
        }
    }
}
