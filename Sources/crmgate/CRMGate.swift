import ArgumentParser
import CRMStore
import Foundation

@main
struct CRMGate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmgate",
        abstract: "Import, deduplicate, sync and export CRM records (leads, customers, opportunities, tasks).",
        discussion: """
            Exit codes: 0 success; 3 rows were rejected and --fail-on-reject was given; 64 usage error, including \
            a record id that matches no record (tagged [not-found]) or, given short, more than one (the candidates \
            are listed); 65 the input or mapping is malformed (nothing imported); 66 the input cannot be read, or \
            there is no store at --store for a command that reads or changes records (only import, sync and \
            tasks create make a new store); 74 the store or an output file failed, or a command that only reads \
            found a store made by an older crmgate (it does not upgrade it); 69 a remote failed after retries; \
            75 a sync job's lease is held; 78 a remote profile or job file is wrong, or a secret it names is missing.

            Lists print short record ids: the last 12 hex digits of the id. Every command that takes a record id \
            accepts the short id, the full id, or at least 8 characters of either end of it.
            """,
        subcommands: [ImportCommand.self, DedupeCommand.self, ReviewCommand.self, ExportCommand.self, MappingCommand.self, CSVCommand.self, XMLCommand.self, ImportsCommand.self, LeadsCommand.self, OpportunitiesCommand.self, TasksCommand.self, RemoteCommand.self, SyncCommand.self, JobsCommand.self, ConflictsCommand.self, RunsCommand.self, UndoCommand.self])

    /// Parses and runs the command; a store error the command did not handle itself is reported here,
    /// the same way for every command (`storeFailure`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as StoreError {
            Self.exit(withError: storeFailure(e))
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store file (SQLite).")
    var store: String = "crmgate.sqlite"

    /// The store, for a command that only reads it: it must exist and is neither migrated nor written.
    func openForReading() throws -> CRMStore { try CRMStore(path: store, mode: .readOnly) }

    /// The store, for a command that changes records already in it: it must exist; it is migrated.
    func openForUpdate() throws -> CRMStore { try CRMStore(path: store, mode: .update) }

    /// The store, for a command that may add the first records: created when missing, and migrated.
    func openForCreating() throws -> CRMStore { try CRMStore(path: store, mode: .create) }
}

/// Prints a store error on standard error and returns its exit code: 66 no store, 64 an unknown,
/// ambiguous or malformed record id (or an unknown field), 74 anything else.
func storeFailure(_ e: StoreError) -> ExitCode {
    let text: String
    let code: Int32
    switch e.code {
    case .missing:
        let path = e.path ?? "the --store path"
        text = "no store at \(path)\n"
            + "hint: run `crmgate import FILE --mapping MAPPING --store \(path)` to create one, or check --store"
        code = 66
    case .ambiguous, .invalidID:
        text = e.message
        code = 64
    case .notFound:
        text = "\(e.message) [\(e.code)]"
        code = 64
    default:
        text = "\(e)"
        code = 74
    }
    FileHandle.standardError.write(Data("crmgate: error: \(text)\n".utf8))
    return ExitCode(code)
}
