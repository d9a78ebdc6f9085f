import ArgumentParser
import CRMCSV
import CRMDedupe
import CRMImport
import CRMMapping
import CRMStore
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a CSV or XML file into the store through a mapping file.",
        discussion: """
            Every row ends up created, updated, unchanged, merged (a duplicate folded into a record this import \
            created) or rejected (written to the reject file with its line and reason). The import is one \
            transaction: if it fails, the store is as it was before.

            Exit codes: 0 the import ran; 3 rows were rejected and --fail-on-reject was given; 64 usage error; \
            65 the input or the mapping is malformed (nothing imported); 66 the input or the mapping file cannot \
            be read; 74 the store or the reject file cannot be written; 130 interrupted (Ctrl-C, SIGTERM): nothing \
            imported.

            Examples:
              crmgate import leads.csv --mapping mappings/sources/hubspot-contacts.yaml --store crm.sqlite
              crmgate import leads.csv --mapping m.yaml --dry-run --json
              crmgate import export.csv --mapping m.yaml --encoding windows-1252 --delimiter ';'
              crmgate import leads.csv --mapping m.yaml --fuzzy && crmgate review list
            """)

    @Argument(
        help: "The CSV or XML file to import (the mapping says which).",
        completion: .file(extensions: ["csv", "tsv", "txt", "xml"]))
    var file: String

    @Option(
        name: .long, help: "The mapping file (see mappings/sources/).", completion: .file(extensions: ["yaml", "yml"]))
    var mapping: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(
        name: .long, help: "The file's encoding: utf-8, utf-16le, utf-16be, windows-1252, latin-1 (default: detect).",
        completion: .list(["utf-8", "utf-16le", "utf-16be", "windows-1252", "latin-1"]))
    var encoding: String?

    @Option(name: .long, help: "The delimiter: , ; | or \\t (default: sniff).")
    var delimiter: String?

    @Option(name: .long, help: "Where to write rejected rows (default: <file name>.rejects.csv here).")
    var rejects: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Reject rows with a field longer than this many bytes.",
            discussion:
                "A quoted field over it across lines is taken for an unclosed quote: its row is rejected and reading goes on at the next line (see README, Reading CSV)."
        ))
    var maxFieldBytes: Int = 1 << 20

    @Flag(
        name: .long,
        help:
            "After the import, match its leads fuzzily against each other and the store: merge sure matches, queue unsure ones for `crmgate review`."
    )
    var fuzzy = false

    @OptionGroup(title: "Fuzzy matching (with --fuzzy)") var matching: MatchOptions

    @Flag(name: .long, help: "Do everything but commit.")
    var dryRun = false

    @Flag(
        name: .long,
        help: "XML: if the document breaks half-way, keep the records before the fault (default: import nothing).")
    var keepGoing = false

    @Flag(name: .long, help: "Exit with code 3 when any row was rejected.")
    var failOnReject = false

    @Flag(name: .long, help: "Print the summary as one JSON object.")
    var json = false

    @Flag(name: .long, help: "No progress bar.")
    var quiet = false

    func validate() throws {
        if let e = encoding, TextEncoding(name: e) == nil {
            throw ValidationError("unknown encoding '\(e)'; use utf-8, utf-16le, utf-16be, windows-1252 or latin-1")
        }
        if let d = delimiter, CSVDialect.delimiter(named: d) == nil {
            throw ValidationError("the delimiter must be one character, or \\t for tab")
        }
        if maxFieldBytes < 1 { throw ValidationError("--max-field-bytes must be positive") }
        if matching.isSet && !fuzzy {
            throw ValidationError("--households, --gmail-dots and the probabilities are options of --fuzzy")
        }
    }

    func run() throws {
        var options = ImportOptions(source: file, mapping: mapping)
        // SQLite or PostgreSQL (a URL with a password is refused here, before anything is read).
        _ = try StoreLocation(storeOptions.store)
        options.store = storeOptions.store
        options.encoding = encoding.flatMap(TextEncoding.init(name:))
        options.delimiter = delimiter.flatMap(CSVDialect.delimiter(named:))
        options.rejectsPath = rejects
        options.maxFieldBytes = maxFieldBytes
        options.dryRun = dryRun
        options.keepGoing = keepGoing
        let bar = !quiet && isatty(2) == 1 ? ProgressBar() : nil
        if let bar { options.progress = { bar.update(bytes: $0, total: $1, rows: $2) } }
        // Ctrl-C (or SIGTERM) stops the import after the batch in hand: it rolls back, is recorded as failed, and
        // the command says so (130). A second Ctrl-C quits at once; the store is still as it was (the transaction
        // never committed).
        let stop = InterruptFlag.install()
        options.isInterrupted = { stop.isSet }
        defer { InterruptFlag.uninstall() }
        var summary: ImportSummary
        var fuzzyNote: String?
        do {
            summary = try Importer.run(options)
            // Committed: from here Ctrl-C is Ctrl-C again (the import's flag no longer means "nothing was imported").
            InterruptFlag.uninstall()
            if fuzzy, !dryRun, let id = summary.importID, summary.recordType == "leads" {
                // After the bar reaches 100%, each phase of the matching says what it is doing (on a terminal).
                var settings = DedupeSettings()
                matching.apply(to: &settings)
                let pass = try FuzzyImportPass.run(
                    store: try storeOptions.openReview(.update), importID: id, settings: settings,
                    mapping: try? MappingFile.load(path: self.mapping),
                    progress: bar.map { b in { b.phase("fuzzy matching: \($0)…") } })
                // The rows' outcomes move as the ledger's do: a created or updated record merged away is `merged`.
                summary.created -= pass.ledger.created
                summary.updated -= pass.ledger.updated
                summary.merged += pass.ledger.created + pass.ledger.updated
                fuzzyNote = String(
                    format:
                        "fuzzy matching: %d merged into existing records, %d pairs queued for review (`crmgate review list`), %d pairs compared, %.2f s",
                    pass.merged, pass.queuedForReview, pass.candidatePairs, pass.seconds)
            }
        } catch let e as StoreError {
            bar?.clear()
            throw CLIError("\(e)", code: 74)
        } catch let e as ImportError {
            bar?.clear()
            throw CLIError(e.message, hint: ImportCommand.hint(e), code: e.exitCode)
        }
        bar?.clear()
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(summary), as: UTF8.self))
        } else {
            print(SummaryText.render(summary))
            if let fuzzyNote { print(fuzzyNote) }
        }
        if failOnReject && summary.rejected > 0 { throw ExitCode(3) }
    }
}

extension ImportCommand {
    /// What to try next after an import that could not run.
    static func hint(_ e: ImportError) -> String? {
        switch e.code {
        case .unreadableMapping: return "--mapping names a mapping file, e.g. mappings/sources/generic-leads.yaml"
        case .unreadableSource: return "check the path of the file to import"
        case .interrupted:
            return "`crmgate imports list` shows it as failed; run the same command again to import the file"
        default: return nil
        }
    }
}

/// The human-readable import summary.
enum SummaryText {
    static func render(_ s: ImportSummary) -> String {
        var out = s.dryRun ? "Dry run (nothing committed): " : "Imported "
        out += "\(s.source) into \(s.store)" + (s.importID.map { " (import #\($0))" } ?? "") + "\n"
        let rows: [(String, Int)] = [
            ("read", s.read), ("created", s.created), ("updated", s.updated), ("unchanged", s.unchanged),
            ("merged", s.merged), ("rejected", s.rejected),
        ]
        let width = String(rows.map(\.1).max() ?? 0).count
        for (name, n) in rows {
            out +=
                "  " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: width - String(n).count) + "\(n)\n"
        }
        if s.blank > 0 { out += "  (\(s.blank) blank line\(s.blank == 1 ? "" : "s") skipped)\n" }
        for r in s.rejectReasons.prefix(5) { out += "    \(r.count) × \(r.reason)\n" }
        if let f = s.rejectsFile { out += "  rejected rows written to \(f)\n" }
        out += String(
            format: "  %d %@ in %.2f s (%.0f rows/s); encoding %@", s.read, s.read == 1 ? "row" : "rows", s.seconds,
            s.rowsPerSecond, s.encoding)
        // XML has no delimiter.
        if !s.delimiter.isEmpty { out += ", delimiter '\(s.delimiter)'" }
        return out
    }
}

/// A one-line progress bar on standard error, redrawn at most five times a second.
final class ProgressBar: @unchecked Sendable {
    // @unchecked: called from one thread (the import's writer) at a time.
    private var last = Date.distantPast
    private let start = Date()

    func update(bytes: Int, total: Int?, rows: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        let mb = Double(bytes) / 1e6 / max(0.001, now.timeIntervalSince(start))
        var line = "\r"
        if let total, total > 0 {
            let frac = min(1, Double(bytes) / Double(total))
            let filled = Int(frac * 30)
            line += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
            line += String(format: "%3.0f%% ", frac * 100)
        }
        line += String(format: "%d rows, %.1f MB/s ", rows, mb)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 70) + "\r").utf8))
    }

    /// Replaces the bar with a phase's name (a later phase, or `clear`, replaces it in turn).
    func phase(_ text: String) {
        clear()
        FileHandle.standardError.write(Data(("\r" + String(text.prefix(70))).utf8))
    }
}

/// Ctrl-C and SIGTERM during an import: the first sets a flag the import checks after each batch (it then rolls
/// back and reports); a second Ctrl-C quits at once with 130 (the transaction never committed, so the store is as
/// it was).
struct InterruptFlag: Sendable {
    /// True once a stop was asked for.
    var isSet: Bool { importStopRequested != 0 }

    /// Installs the handlers (unblocking the signals a parent process may have blocked).
    static func install() -> InterruptFlag {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let handler: @convention(c) (Int32) -> Void = { _ in
            if importStopRequested != 0 { _exit(130) }
            importStopRequested = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        return InterruptFlag()
    }

    /// Gives SIGINT and SIGTERM their default action back.
    static func uninstall() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

nonisolated(unsafe) var importStopRequested: sig_atomic_t = 0
