import ArgumentParser
import CRMImport
import CRMModel
import CRMStore
import Foundation

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Pairs of leads the fuzzy matcher was unsure about (from `import --fuzzy`).",
        subcommands: [List.self, Accept.self, Reject.self])

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
        @Flag(name: .long, help: "Print a JSON array, an object per pair: id, status, weight, a and b (full lead ids).")
        var json =
            false
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openReview(.readOnly)
            let pairs = try store.reviewPairs(status: all ? nil : .open)
            if json {
                var list = JSONListPrinter()
                defer { list.finish() }
                for p in pairs {
                    list.add(
                        "{\"id\":\(p.id),\"status\":\(jsonString(p.status.rawValue)),\"weight\":\(String(format: "%.3f", p.weight)),\"a\":\(jsonString(p.a)),\"b\":\(jsonString(p.b))}"
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
                func show(_ l: Lead?) -> String {
                    l.map { "\($0.firstName) \($0.lastName) <\($0.email)> \($0.company) \($0.phone)" } ?? "(gone)"
                }
                print(
                    "\(p.id)\t\(p.status.rawValue)\tweight \(String(format: "%.1f", p.weight))\n    \(RecordID.short(p.a)) \(show(a))\n    \(RecordID.short(p.b)) \(show(b))"
                )
            }
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
            let survivor = try FuzzyImportPass.accept(store: store, pair: p)
            print("pair \(id) merged into \(survivor)")
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
