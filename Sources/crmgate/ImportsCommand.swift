import ArgumentParser
import CRMModel
import CRMStore
import Foundation

struct ImportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports", abstract: "Past imports and their ledgers.", subcommands: [List.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "List past imports, newest first: committed, failed (with the error) or running (a dry run is not one).",
            discussion:
                "An import that failed before its first row (a binary file, a mapping that does not fit the header) or was stopped with Ctrl-C is listed as failed, when the store already existed."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Flag(
            name: .long,
            help:
                "Print a JSON array, an object per import: id, status, record_type, source, mapping, started_at, finished_at, counts, error."
        )
        var json = false

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            let batches = try store.imports()
            var list = JSONListPrinter()
            defer { if json { list.finish() } }
            for b in batches {
                let c = b.counts
                if json {
                    let counts =
                        "{\"read\":\(c.read),\"created\":\(c.created),\"updated\":\(c.updated),\"unchanged\":\(c.unchanged),"
                        + "\"merged\":\(c.merged),\"rejected\":\(c.rejected)}"
                    list.add(
                        "{\"id\":\(b.id),\"status\":\(jsonString(b.status)),\"record_type\":\(jsonString(b.recordType)),"
                            + "\"source\":\(jsonString(b.source)),\"mapping\":\(jsonString(b.mapping)),\"started_at\":\(jsonString(b.startedAt)),"
                            + "\"finished_at\":\(b.finishedAt.map(jsonString) ?? "null"),\"counts\":\(counts),"
                            + "\"error\":\(b.error.map(jsonString) ?? "null")}")
                    continue
                }
                print(
                    "#\(b.id)  \(b.startedAt)  \(b.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(b.recordType) from \(b.source): read \(c.read), created \(c.created), updated \(c.updated), unchanged \(c.unchanged), merged \(c.merged), rejected \(c.rejected)"
                        + (b.error.map { "  error: \($0)" } ?? ""))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what happened to each row of an import, with the record it made or changed.",
            discussion: """
                One line per row: its line in the file, the outcome, and the record's short id (a merged row names the \
                record it was merged into; a rejected row, the reason). The ids are accepted by every command, e.g. \
                `crmgate leads show ID`.
                """)
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The import id (see `imports list`): 12 or #12.")
        var number: Number
        var id: Int64 { number.value }
        @Flag(
            name: .long, help: "Print a JSON array, an object per row: row, line, outcome, record_id (full id), reason."
        )
        var json = false

        func run() throws {
            let store = try storeOptions.openRecords(.readOnly)
            guard let batch = try store.imports().first(where: { $0.id == id }) else {
                throw CLIError.notFound(
                    "no import has the id \(id)", hint: "`crmgate imports list` shows the imports and their ids")
            }
            let entries = try store.ledger(importID: id)
            if entries.isEmpty && !json {
                print("import #\(id) (\(batch.status)) has no rows" + (batch.error.map { ": \($0)" } ?? ""))
            }
            let singular = RecordType.allCases.first { $0.plural == batch.recordType }?.rawValue ?? "record"
            var list = JSONListPrinter()
            defer { if json { list.finish() } }
            for e in entries {
                if json {
                    list.add(
                        "{\"row\":\(e.row),\"line\":\(e.line),\"outcome\":\(jsonString(e.outcome)),"
                            + "\"record_id\":\(e.recordID.map(jsonString) ?? "null"),\"reason\":\(e.reason.map(jsonString) ?? "null")}"
                    )
                    continue
                }
                var text = "row \(e.row) (line \(e.line)): \(e.outcome)"
                if let rid = e.recordID {
                    text +=
                        e.outcome == "merged"
                        ? " into \(singular) \(RecordID.short(rid))" : " \(singular) \(RecordID.short(rid))"
                } else if e.recordRowID != nil {
                    text += " (the record was deleted since)"
                }
                if let reason = e.reason { text += " — \(reason)" }
                print(text)
            }
        }
    }
}
