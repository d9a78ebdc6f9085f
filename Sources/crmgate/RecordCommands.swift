import ArgumentParser
import CRMMapping
import CRMModel
import CRMStore
import Foundation

/// A record type the generic `list`, `show` and `set` commands work on: what a list line shows.
protocol ListedRecord: CRMRecord {
    /// The columns of a list line after the short id (the widest give way first on a narrow terminal).
    static func listColumns(_ r: Self) -> [String]
    /// An example `--where` filter for help.
    static var whereExample: String { get }
    /// The list columns never cut on a narrow terminal (the short id, and amounts).
    static var keptColumns: Set<Int> { get }
}

extension ListedRecord {
    static var keptColumns: Set<Int> { [0] }
}

extension Lead: ListedRecord {
    static func listColumns(_ l: Lead) -> [String] {
        [[l.firstName, l.lastName].filter { !$0.isEmpty }.joined(separator: " "), l.company, l.email, l.status]
    }
    static var whereExample: String { "status=Qualified" }
}

extension Opportunity: ListedRecord {
    static func listColumns(_ o: Opportunity) -> [String] {
        let amount = o.amount.map { MoneyText.plain($0) + (o.currency.isEmpty ? "" : " " + o.currency) } ?? ""
        return [o.name, o.stage, amount, o.owner, o.expectedClose?.description ?? ""]
    }
    static var whereExample: String { "stage=Proposal" }
    /// The short id and the amount with its currency: a cut amount reads as another number.
    static var keptColumns: Set<Int> { [0, 3] }
}

extension Customer: ListedRecord {
    static func listColumns(_ c: Customer) -> [String] { [c.name, c.email, c.phone, c.address.city] }
    static var whereExample: String { "owner=Grace Kim" }
}

/// A record as a JSON object: its id, its external id when it has one, and every field that has a value (custom
/// fields as `custom.NAME`).
func recordJSON<R: CRMRecord>(_ r: R, externalID: String?) -> [String: Any] {
    var o: [String: Any] = ["id": r.id.description]
    if let e = externalID { o["external_id"] = e }
    for (i, f) in R.fields.enumerated() {
        let v = r.fieldValue(i)
        if !v.isEmpty { o[f.name] = FieldText.text(of: v) }
    }
    for (k, v) in r.custom { o["custom." + k] = v }
    if let u = r.updatedAt { o["updated_at"] = u.iso8601UTC }
    return o
}

/// `TYPE list`: one line per record with its short id, or JSON.
struct ListRecords<R: ListedRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "list", abstract: "List \(R.recordType.plural) with their short ids.",
            discussion:
                "Each line starts with the record's short id, which every command accepts (`crmgate \(R.recordType.plural) show ID`)."
        )
    }
    @OptionGroup var storeOptions: StoreOptions
    @Option(
        name: .customLong("where"),
        help:
            "field=value filters, e.g. \(R.whereExample), custom.NAME=value or external_id=VALUE (repeatable; the same field twice means either value)."
    )
    var wheres: [String] = []
    @Flag(name: .long, help: "Print the records as a JSON array of objects (full id and every field that has a value).")
    var json = false
    @OptionGroup var widthOptions: WidthOptions

    func run() throws {
        let store = try storeOptions.openRecords(.readOnly)
        var list = JSONListPrinter()
        var lines: [[String]] = []
        try store.forEach(R.self, where: try query(wheres)) { r, ext in
            if json {
                try list.add(object: recordJSON(r, externalID: ext))
            } else {
                lines.append([r.id.short] + R.listColumns(r))
            }
        }
        if json {
            list.finish()
            return
        }
        // The id column is never cut; the widest text columns give way first.
        for line in TextTable.render(lines, width: widthOptions.columns, keep: R.keptColumns) { print(line) }
    }
}

/// The help of a command's record id argument: what may be typed (`CRMStore.record(_:id:)`).
func recordIDHelp<R: CRMRecord>(_ type: R.Type) -> ArgumentHelp {
    ArgumentHelp(
        "The \(R.recordType.rawValue)'s id: the short id lists print or its start, the full id, "
            + "or 8+ characters of either end.")
}

/// `TYPE show ID`: every field of one record.
struct ShowRecord<R: CRMRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "show",
            abstract: "Show one \(R.recordType.rawValue): its id and every field that has a value.",
            discussion: """
                Examples:
                  crmgate \(R.recordType.plural) show 3f9c2a1b7e40   # a short id from a list
                  crmgate \(R.recordType.plural) show 3f9c2a1b --json  # its start
                """)
    }
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: recordIDHelp(R.self))
    var id: String
    @Flag(name: .long, help: "Print the record as one JSON object.")
    var json = false

    func run() throws {
        let store = try storeOptions.openRecords(.readOnly)
        try showRecord(try store.record(R.self, id: id), store: store, json: json)
    }
}

/// Prints one record as `show` does: every field that has a value, one per line, or one JSON object.
func showRecord<R: CRMRecord>(_ r: R, store: any RecordStore, json: Bool) throws {
    // The external id is not part of the record value: read with the record's row, by its full id.
    var byID = RecordQuery()
    byID.anyOf = [("id", [r.id.description])]
    var externalID: String?
    try store.forEach(R.self, where: byID) { _, ext in externalID = ext }
    if json {
        try printJSON(recordJSON(r, externalID: externalID))
        return
    }
    var pairs: [(String, String)] = [("id", r.id.description)]
    if let e = externalID { pairs.append(("external_id", e)) }
    for (i, f) in R.fields.enumerated() {
        let v = r.fieldValue(i)
        if !v.isEmpty { pairs.append((f.name, FieldText.text(of: v))) }
    }
    for k in r.custom.keys.sorted() { pairs.append(("custom." + k, r.custom[k]!)) }
    if let u = r.updatedAt { pairs.append(("updated_at", u.iso8601UTC)) }
    let width = pairs.map(\.0.count).max() ?? 0
    for (k, v) in pairs {
        // A value's own line breaks are indented under it.
        let shown = v.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 2))
        print(k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown)
    }
}

/// `TYPE set ID field=value…`: edits one record; the change syncs like any other.
struct SetRecord<R: CRMRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "set",
            abstract: "Change fields of one \(R.recordType.rawValue) (the change is pushed by the next sync).",
            discussion: """
                Values are checked as an import checks them: an e-mail must be one, numbers use a . decimal point, days \
                are YYYY-MM-DD, times ISO 8601, lists are separated by ; (or , when there is no ;). An empty value \
                clears a field; custom.NAME= removes a custom field. Prints each change as field: before -> after.

                Examples:
                  crmgate \(R.recordType.plural) set 3f9c2a1b7e40 owner="Grace Kim" custom.region=EMEA
                  crmgate \(R.recordType.plural) set 3f9c2a1b7e40 notes= --dry-run
                """)
    }
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: recordIDHelp(R.self))
    var id: String
    @Argument(help: "field=value (field names as in mapping files; custom.NAME for a custom field).")
    var assignments: [String] = []
    @Flag(name: .long, help: "Say what would change; save nothing.")
    var dryRun = false
    @Option(
        name: .long,
        help:
            "The pipelines file: a lead's status or an opportunity's stage is one of its values or one the store holds."
    )
    var pipelines = "mappings/pipelines.yaml"

    func validate() throws {
        if assignments.isEmpty { throw ValidationError("give at least one field=value") }
    }

    /// The fields whose values are checked against the pipeline and the store: a lead's status, an opportunity's stage.
    func allowedValues(_ store: any RecordStore, _ pairs: [(field: String, value: String)]) throws -> [String: [String]]
    {
        // A task's status follows its own rules (`TaskRules`), not a pipeline's.
        guard R.recordType != .task, let field = R.recordType.pipelineField else { return [:] }
        guard pairs.contains(where: { $0.field == field }) else { return [:] }
        let pipeline = try loadPipelines(pipelines)
        return [field: try knownValues(field: field, type: R.recordType, pipeline: pipeline, store: store)]
    }

    func run() throws {
        let store = try storeOptions.openRecords(dryRun ? .readOnly : .update)
        var r = try store.record(R.self, id: id)
        // The counter the edit is made against: a write in between (a sync, another command) is not overwritten.
        let readAt = try store.recordForSync(R.self, id: r.id.description)?.changeSeq ?? 0
        let changes: [RecordEdit.Change]
        do {
            let pairs = try RecordEdit.assignments(assignments)
            changes = try RecordEdit.apply(pairs, to: &r, allowed: try allowedValues(store, pairs), at: Date())
        } catch let e as RecordEdit.Refusal {
            throw CLIError(e.message, hint: e.hint, code: e.code == .badValue ? 65 : 64)
        }
        for c in changes {
            print(
                "\(c.field): \(c.before.isEmpty ? "(empty)" : jsonString(c.before)) -> \(c.after.isEmpty ? "(empty)" : jsonString(c.after))"
            )
        }
        if changes.isEmpty {
            print("nothing to change: \(R.recordType.rawValue) \(r.id.short) already has these values")
        } else if dryRun {
            print("dry run: \(R.recordType.rawValue) \(r.id.short) not saved")
        } else {
            guard try store.saveEdit(r, ifUnchangedSince: readAt) else {
                throw CLIError(
                    "\(R.recordType.rawValue) \(r.id.short) changed while it was being edited (a sync or another command wrote it); nothing was saved",
                    hint: "run the command again: it edits the record as it is now", code: 75)
            }
            print("saved \(R.recordType.rawValue) \(r.id.short)")
        }
    }
}

struct DeleteRecord<R: CRMRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "delete",
            abstract:
                "Delete \(R.recordType.plural) (kept as deleted: a sync allowed to delete removes them at the remote).",
            discussion: """
                The record is marked deleted, not removed: lists and exports leave it out, and a sync that pushes with \
                --allow-delete (or a job with allow_delete: true) deletes it at the remote too; without, the remote \
                keeps it. Prints each record deleted.

                Examples:
                  crmgate \(R.recordType.plural) delete 3f9c2a1b7e40
                  crmgate \(R.recordType.plural) delete 3f9c2a1b7e40 8d01be6f2a33 --dry-run
                """)
    }
    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: recordIDHelp(R.self))
    var ids: [String] = []
    @Flag(name: .long, help: "Say what would be deleted; delete nothing.")
    var dryRun = false

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one id") }
    }

    func run() throws {
        let store = try storeOptions.openRecords(dryRun ? .readOnly : .update)
        // Every id resolved first: one that matches nothing (or several) deletes none.
        let records: [R] = try ids.map { try store.record(R.self, id: $0) }
        var seen = Set<String>()
        let unique = records.filter { seen.insert($0.id.description).inserted }
        if !dryRun { try storeOptions.openSync(.update).tombstone(R.self, ids: unique.map { $0.id.description }) }
        for r in unique {
            print("\(dryRun ? "would delete" : "deleted") \(R.recordType.rawValue) \(r.id.short)")
        }
    }
}

struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "Work with customers: list, show, set.",
        subcommands: [
            ListRecords<Customer>.self, ShowRecord<Customer>.self, SetRecord<Customer>.self,
            DeleteRecord<Customer>.self,
        ])
}
