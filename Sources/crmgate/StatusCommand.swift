import ArgumentParser
import CRMModel
import CRMStore
import CRMSync
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "What the store holds and what waits for a person: counts, the last import and sync run, open conflicts, set-aside records, review pairs, size.",
        discussion: "Exit codes: 0 printed; 66 there is no store at --store; 74 the store cannot be read.")
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func run() throws {
        let s = try StoreStatus.read(try storeOptions.openRecords(.readOnly))
        if json {
            var o: [(String, JSONValue)] = s.counts.map { ($0.type.plural, .number(Double($0.count))) }
            o += [
                ("open_conflicts", .number(Double(s.openConflicts))), ("set_aside", .number(Double(s.setAside))),
                ("review_pairs", .number(Double(s.openReviewPairs))), ("bytes", .number(Double(s.bytes))),
                (
                    "last_import",
                    s.lastImport.map { i in
                        .object([
                            ("id", .number(Double(i.id))), ("status", .string(i.status)), ("source", .string(i.source)),
                            ("started_at", .string(i.startedAt)),
                        ])
                    } ?? .null
                ),
                (
                    "last_sync_run",
                    s.lastRun.map { r in
                        .object([
                            ("id", .number(Double(r.id))), ("job", .string(r.job)),
                            ("status", .string(r.status.rawValue)), ("started_at", .string(r.startedAt)),
                        ])
                    } ?? .null
                ),
            ]
            print(JSONValue.object(o).text)
            return
        }
        print(
            "store      \(storeOptions.store) (\(ByteCountFormatter.string(fromByteCount: s.bytes, countStyle: .file)))"
        )
        print("records    " + s.counts.map { "\($0.count) \($0.type.plural)" }.joined(separator: ", "))
        if let i = s.lastImport {
            print(
                "last import  #\(i.id) \(i.status) \(i.startedAt): \(i.source) (\(i.counts.read) read, \(i.counts.created) created, \(i.counts.rejected) rejected)"
            )
        } else {
            print("last import  none")
        }
        if let r = s.lastRun {
            print("last sync    run \(r.id) of \(r.job) \(r.status) \(r.startedAt)")
        } else {
            print("last sync    none")
        }
        print(
            "waiting    \(s.openConflicts) conflict(s) (crmgate conflicts list), \(s.setAside) set-aside record(s) (crmgate sync errors list), "
                + "\(s.openReviewPairs) review pair(s) (crmgate review list)")
    }
}
