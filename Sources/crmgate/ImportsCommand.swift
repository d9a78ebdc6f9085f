import ArgumentParser
import CRMStore
import Foundation

struct ImportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports", abstract: "Past imports and their ledgers.", subcommands: [List.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List past imports, newest first.")
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            for b in try store.imports() {
                let c = b.counts
                print(
                    "#\(b.id)  \(b.startedAt)  \(b.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(b.recordType) from \(b.source): read \(c.read), created \(c.created), updated \(c.updated), unchanged \(c.unchanged), merged \(c.merged), rejected \(c.rejected)"
                        + (b.error.map { "  error: \($0)" } ?? ""))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what happened to each row of an import.")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The import id (see `imports list`).")
        var id: Int64

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            guard try store.imports().contains(where: { $0.id == id }) else {
                throw CLIError.notFound("no import has the id \(id)", hint: "`crmgate imports list` shows the imports and their ids")
            }
            for e in try store.ledger(importID: id) {
                print("row \(e.row) (line \(e.line)): \(e.outcome)" + (e.reason.map { " — \($0)" } ?? ""))
            }
        }
    }
}
