import ArgumentParser
import CRMModel
import CRMStore
import Foundation

/// The version `crmgate --version` prints.
let crmgateVersion = "0.9.0"

@main
struct CRMGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmgate",
        abstract: "Import, deduplicate, sync and export CRM records (leads, customers, opportunities, tasks).",
        discussion: """
            Examples:
              crmgate import leads.csv --mapping mappings/sources/generic-leads.yaml --store crm.sqlite
              crmgate leads kanban --store crm.sqlite
              crmgate export opportunities --format xlsx --out pipeline.xlsx --store crm.sqlite
              crmgate tasks create --title "Call Acme" --due "2026-12-11 15:00" --as "Grace Kim"
              crmgate sync apply leads-generic

            Exit codes:
              0   success
              3   done, but something was refused or rejected (rows with --fail-on-reject, tasks, records)
              64  usage error, including a record id that matches no record (tagged [not-found]) or, given \
            short, more than one (the candidates are listed)
              65  the input, mapping or a value given is malformed (nothing imported)
              66  the input or mapping file cannot be read, or there is no store at --store for a command \
            that reads or changes records (only import, sync and tasks create make a new store)
              69  a remote failed after retries
              74  the store or an output file failed, or a command that only reads found a store made by an \
            older crmgate (it does not upgrade it)
              75  try again: a sync job's lease is held, or a record changed while `set` edited it (nothing saved)
              78  a remote profile or job file is wrong, or a secret it names is missing
              130 interrupted (Ctrl-C or SIGTERM): an import stopped this way rolled back and is listed as failed

            Errors while a command runs are printed on standard error as one `crmgate: error: …` line, often \
            followed by a `hint: …` line. A mistyped command, option or option value is reported before anything runs \
            as `Error: …` with the command's usage (exit 64).

            Lists print short record ids: the last 12 hex digits of the id. Every command that takes a record id \
            accepts the short id, the full id, or at least 8 characters of either end of it.
            """,
        version: crmgateVersion,
        subcommands: [
            ImportCommand.self, DedupeCommand.self, ReviewCommand.self, ExportCommand.self, MappingCommand.self,
            CSVCommand.self,
            XMLCommand.self, ImportsCommand.self, LeadsCommand.self, OpportunitiesCommand.self, CustomersCommand.self,
            TasksCommand.self, RemoteCommand.self,
            SyncCommand.self, JobsCommand.self, ConflictsCommand.self, RunsCommand.self, UndoCommand.self,
            StatusCommand.self, ServeCommand.self,
        ])

    /// Parses and runs the command. A parse error (unknown option, missing argument) is reported by the argument
    /// parser with the usage; anything `run()` throws is reported the same way for every command, by `failure`,
    /// without the usage.
    /// Commands that talk to a remote or serve the web page are `AsyncParsableCommand`s and are awaited here (no
    /// semaphore bridge); the others run synchronously.
    static func main() async {
        let parsed: any ParsableCommand
        do { parsed = try parseAsRoot() } catch { Self.exit(withError: error) }
        do {
            if var command = parsed as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = parsed
                try command.run()
            }
        } catch  where Self.exitCode(for: error) == .success {
            Self.exit(withError: error)  // --help, --version: the argument parser prints them (its help command throws)
        } catch {
            Self.exit(withError: failure(error))
        }
    }
}

/// An error a command reports to the user: one message, an optional hint, and the exit code it documents.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var hint: String?
    var code: Int32

    init(_ message: String, hint: String? = nil, code: Int32) {
        self.message = message
        self.hint = hint
        self.code = code
    }

    /// A usage error (64): a value given that the command cannot use.
    static func usage(_ message: String, hint: String? = nil) -> CLIError { CLIError(message, hint: hint, code: 64) }

    /// A record, import, pair… that the given id names none of (64, tagged `[not-found]` as the store does).
    static func notFound(_ message: String, hint: String? = nil) -> CLIError {
        CLIError("\(message) [not-found]", hint: hint, code: 64)
    }

    var description: String { message }
}

/// Prints an error on standard error in the one format every command uses, `crmgate: error: MESSAGE` and
/// optionally `hint: HINT` on the next line, and returns the exit code to leave with.
func printError(_ message: String, hint: String? = nil, code: Int32) -> ExitCode {
    var text = "crmgate: error: \(message)\n"
    if let hint { text += "hint: \(hint)\n" }
    // A message may quote a value from a file (a rejected e-mail): its control characters go as escapes (`print`).
    FileHandle.standardError.write(Data(text.terminalSafe.utf8))
    return ExitCode(code)
}

/// Reports what a command's `run()` threw and returns the exit code: a `CLIError` with its code, a store error
/// by `storeFailure`, a `ValidationError` as a usage error (64), anything else with the argument parser's code.
/// An `ExitCode` the command chose (it printed its own report) passes through.
func failure(_ error: any Error) -> ExitCode {
    switch error {
    case let e as ExitCode: return e
    case let e as CLIError: return printError(e.message, hint: e.hint, code: e.code)
    case let e as StoreError: return storeFailure(e)
    case let e as ValidationError: return printError(e.message, code: ExitCode.validationFailure.rawValue)
    default: return printError(CRMGate.message(for: error), code: CRMGate.exitCode(for: error).rawValue)
    }
}

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: an SQLite file, or a PostgreSQL database, postgresql://USER@HOST:PORT/DB. Default: $CRMGATE_STORE, else crmgate.sqlite.",
            discussion:
                "A PostgreSQL password never goes in the URL: PGPASSWORD, ~/.pgpass, PGPASSFILE or ?passfile=FILE."),
        completion: .file(extensions: ["sqlite", "db"]))
    var store: String = ProcessInfo.processInfo.environment["CRMGATE_STORE"] ?? "crmgate.sqlite"

    /// The SQLite file, for the commands that work on SQLite only so far.
    /// - Throws: `StoreError(.unsupported)` for a PostgreSQL URL, `.invalidLocation` for a URL with a password.
    func sqlitePath() throws -> String {
        switch try StoreLocation(store) {
        case .sqlite(let path): return path
        case .postgres(let url):
            throw StoreError(
                .unsupported, path: url,
                message: "this command works on an SQLite store only so far (on PostgreSQL: every command but serve)")
        }
    }

    /// The store, for a command that only reads it: it must exist and is neither migrated nor written.
    func openForReading() throws -> CRMStore { try CRMStore(path: try sqlitePath(), mode: .readOnly) }

    /// The store, for a command that changes records already in it: it must exist; it is migrated.
    func openForUpdate() throws -> CRMStore { try CRMStore(path: try sqlitePath(), mode: .update) }

    /// The store, for a command that may add the first records: created when missing, and migrated.
    func openForCreating() throws -> CRMStore { try CRMStore(path: try sqlitePath(), mode: .create) }

    /// The store as the record commands (lists, boards, tasks, conversions, imports) use it, on SQLite or PostgreSQL.
    func openRecords(_ mode: CRMStore.OpenMode) throws -> any RecordStore {
        try StoreLocation(store).openRecordStore(mode: mode)
    }

    /// The store as `review` and `import --fuzzy` use it, on SQLite or PostgreSQL.
    func openReview(_ mode: CRMStore.OpenMode) throws -> any ReviewStore {
        try StoreLocation(store).openReviewStore(mode: mode)
    }

    /// The store as the sync commands use it, on SQLite or PostgreSQL.
    func openSync(_ mode: CRMStore.OpenMode) throws -> any SyncStore {
        try StoreLocation(store).openSyncStore(mode: mode)
    }
}

/// Prints a store error on standard error (`printError`) and returns its exit code: 66 no store, 64 an unknown,
/// ambiguous or malformed record id (or an unknown field), 74 anything else.
func storeFailure(_ e: StoreError) -> ExitCode {
    switch e.code {
    case .missing where e.path?.hasPrefix("postgres") == true:
        return printError(
            "no crmgate store in the database \(e.path ?? "")",
            hint:
                "a command that writes makes it: `crmgate sync apply`, `crmgate jobs run` or `crmgate jobs worker` with this --store",
            code: 66)
    case .missing:
        let path = e.path ?? "the --store path"
        return printError(
            "no store at \(path)",
            hint: "run `crmgate import FILE --mapping MAPPING --store \(path)` to create one, or check --store",
            code: 66)
    case .ambiguous, .invalidID:
        return printError(e.message, code: 64)
    case .invalidLocation, .unsupported:
        return printError("\(e)", code: 64)
    case .cannotOpen where e.path?.hasPrefix("postgres") == true, .connectionLost:
        return printError(
            "\(e)", hint: "check that the server runs and the URL, user and password (PGPASSWORD, ~/.pgpass) are right",
            code: 69)
    case .notFound:
        return printError("\(e.message) [\(e.code)]", code: 64)
    default:
        return printError("\(e)", code: 74)
    }
}
