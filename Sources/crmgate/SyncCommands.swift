import ArgumentParser
import CRMHTTP
import CRMModel
import CRMStore
import CRMSync
import Foundation
import Logging

/// Logging to standard error; debug when `--verbose` or `CRMGATE_LOG=debug`.
func setUpLogging(verbose: Bool) -> Logger {
    let level: Logger.Level =
        verbose || ProcessInfo.processInfo.environment["CRMGATE_LOG"] == "debug" ? .debug : .notice
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = level
        return h
    }
    var l = Logger(label: "crmgate")
    l.logLevel = level
    return l
}

/// Options of every command that talks to a remote.
struct RemoteOptions: ParsableArguments {
    @Option(name: .long, help: "Point the profile at another host (a sandbox, a server on 127.0.0.1).")
    var baseURL: String?
    @Flag(name: .long, help: "Turn TLS certificate verification OFF (insecure; for test servers only).")
    var insecure = false
    @Option(name: .long, help: "A CA bundle (PEM) to trust instead of the system's.")
    var caBundle: String?
    @Flag(name: .long, help: "Log every request and response (without secrets) to standard error.")
    var verbose = false
}

/// Exit codes of the remote commands.
enum SyncExit {
    static let remoteFailed: Int32 = 69
    static let storeFailed: Int32 = 74
    static let leaseHeld: Int32 = 75
    static let config: Int32 = 78

    static func code(_ e: SyncError) -> Int32 {
        switch e.code {
        case .invalidProfile: config
        case .leaseHeld: leaseHeld
        case .store: storeFailed
        case .notFound: 64
        case .badResponse, .rejected, .transport, .refusedConflict: remoteFailed
        case .massDelete: massDeleteStopped
        case .unsendable, .badValue: 65  // EX_DATAERR: a value the profile cannot write, or not of its field's kind
        case .interrupted: 130
        }
    }
    /// Done, but the remote refused some records (set aside: `crmgate sync errors list`).
    static let someRefused: Int32 = 3
    /// A complete listing lacked more linked records than a run may delete; nothing was deleted.
    static let massDeleteStopped: Int32 = 65
}

/// Prints a sync error the way every command reports errors (`printError`) and returns its exit code (`SyncExit`).
func fail(_ e: SyncError) -> ExitCode {
    printError("\(e)", code: SyncExit.code(e))
}

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote", abstract: "Check remote profiles; move a remote's sync state to its new address.",
        subcommands: [Check.self, Move.self])

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep syncing with a CRM that moved: its links, journals and conflicts go to the new address.",
            discussion: """
                The store keeps sync state per profile and base URL, so that a sandbox and production never share it; \
                the same CRM at another address (a new port, host or proxy) is another remote until its state is moved. \
                Job cursors are per job and stay. Refused when the store has no links for the old address, or some for \
                the new one already (a run against it made them). Exit codes: 0 moved; 64 no links at --from; 78 links \
                at --to already.

                Example:
                  crmgate remote move amagi-crm --from http://127.0.0.1:52337/api --to http://127.0.0.1:41000/api
                """)
        @Argument(help: "The profile name or file (its name is what the store keys the remote by).") var profile: String
        @Option(name: .long, help: "The base URL syncs used until now.") var from: String
        @Option(name: .long, help: "The base URL to use from now on.") var to: String
        @OptionGroup var storeOptions: StoreOptions
        @Flag(name: .long, help: "Say what would move; change nothing.") var dryRun = false

        func run() throws {
            do {
                let p = try RemoteProfile.load(profile)
                let r = try RemoteMove.move(
                    store: try storeOptions.openSync(.update), profile: p.name, from: from, to: to, dryRun: dryRun)
                if r.from == r.to {
                    print("\(r.from) is already at that address; nothing to move")
                } else if dryRun {
                    print(
                        "would move \(r.links) links and the rest of the sync state of \(r.from) to \(r.to) (dry run)")
                } else {
                    print("moved \(r.links) links of \(r.from) to \(r.to) (\(r.rows) rows of sync state in all)")
                }
            } catch let e as SyncError { throw fail(e) }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect, authenticate and read one page of each record type of a profile.",
            discussion:
                "Exit codes: 0 every type answered; 69 a type failed; 78 the profile is wrong or a secret is missing.")
        @Argument(
            help: "A profile name under mappings/remotes (generic-rest, cin7-core, hubspot) or a path.",
            completion: .custom { _, _, _ in
                ((try? FileManager.default.contentsOfDirectory(atPath: "mappings/remotes")) ?? []).filter {
                    $0.hasSuffix(".yaml")
                }.map { String($0.dropLast(5)) }
            })
        var profile: String
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            do {
                let p = try RemoteProfile.load(profile)
                let client = try RemoteClient(
                    profile: p, baseURL: remote.baseURL, insecure: remote.insecure, caBundle: remote.caBundle,
                    logger: logger)
                print("profile \(p.name) at \(client.http.redactor.redactURL(client.baseURL))")
                var failed = false
                for type in RecordType.allCases {
                    guard let r = p.resources[type] else { continue }
                    let started = Date()
                    do {
                        let page = try await client.listPage(type, since: nil, token: nil)
                        let codec = RecordCodec(r)
                        let fields = Set(page.records.flatMap { codec.snapshot($0).values.keys })
                        print(
                            "  \(type.plural): \(page.records.count) record(s) on the first page\(page.next != nil ? ", more pages" : ""), \(Int(Date().timeIntervalSince(started) * 1000)) ms; fields seen: \(fields.isEmpty ? "-" : fields.sorted().joined(separator: ", "))"
                        )
                    } catch let e as SyncError {
                        failed = true
                        print("  \(type.plural): FAILED: \(e)")
                    }
                }
                if failed { throw ExitCode(SyncExit.remoteFailed) }
            } catch let e as SyncError { throw fail(e) }
        }
    }
}

/// A job named by file or given entirely by flags.
struct JobOptions: ParsableArguments {
    @Argument(
        help: "A job under mappings/jobs or a path; or give --profile and the flags below instead.",
        completion: .custom { _, _, _ in
            ((try? FileManager.default.contentsOfDirectory(atPath: "mappings/jobs")) ?? []).filter {
                $0.hasSuffix(".yaml")
            }.map { String($0.dropLast(5)) }
        })
    var job: String?
    @Option(name: .long, help: "The remote profile (when no job file is given).")
    var profile: String?
    @Option(
        name: .long,
        help: "Record types, comma-separated: leads,opportunities,tasks (default: the job file's, else leads).")
    var types: String?
    @Option(name: .long, help: "pull, push or both (default: the job file's, else both).")
    var direction: String?
    @Option(
        name: .long,
        help: """
            How a field changed on both sides is settled: remote-wins, local-wins, newest-wins or manual (default: the job \
            file's, else newest-wins).
            """)
    var policy: String?
    @Option(name: .long, parsing: .unconditional, help: "Records per checkpoint (default: the job file's, else 200).")
    var batchSize: Int?
    @Option(name: .long, parsing: .unconditional, help: "Requests in flight at once (default: the job file's, else 8).")
    var concurrency: Int?

    /// Numbers a job cannot run with are usage errors, before anything runs.
    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }
    @Flag(name: .long, help: "Send local deletions to the remote.")
    var allowDelete = false
    @Option(name: .long, help: "What a record deleted at the remote does here: tombstone (default), keep or recreate.")
    var onRemoteDelete: String?
    @Flag(name: .long, help: "Let one run delete more than the job's share (default 10%) of a type's linked records.")
    var allowMassDelete = false
    @Flag(
        name: .long,
        help: "Read the remote's whole listing, not only what changed since the last run (notices remote deletions).")
    var full = false

    func resolve(baseURL: String?) throws -> SyncJob {
        var job: SyncJob
        if let name = self.job {
            job = try SyncJob.load(name)
        } else {
            guard let profile else {
                throw CLIError.usage(
                    "give a job file or --profile",
                    hint:
                        "e.g. crmgate sync plan mappings/jobs/leads-generic.yaml, or --profile generic-rest --types leads"
                )
            }
            job = SyncJob(
                name: "\(URL(fileURLWithPath: profile).deletingPathExtension().lastPathComponent)-flags",
                profile: profile)
        }
        if let profile, self.job != nil { job.profile = profile }
        if let types { job.types = try types.split(separator: ",").map { try SyncJob.recordType(String($0)) } }
        if let direction {
            guard let d = SyncJob.Direction(rawValue: direction) else {
                throw SyncError(.invalidProfile, message: "--direction must be pull, push or both")
            }
            job.direction = d
        }
        if let policy { job.policy = try SyncJob.policy(policy) }
        if let batchSize { job.batchSize = batchSize }
        if let concurrency { job.concurrency = concurrency }
        if allowDelete { job.allowDelete = true }
        if let onRemoteDelete { job.onRemoteDelete = try SyncJob.remoteDeletePolicy(onRemoteDelete) }
        if allowMassDelete { job.allowMassDelete = true }
        if full { job.fullListing = true }
        if let baseURL { job.baseURL = baseURL }
        return job
    }
}

func runJob(
    _ job: SyncJob, store path: String, remote: RemoteOptions, dryRun: Bool, logger: Logger
) async throws -> SyncReport {
    let engine = try makeEngine(
        job, store: path, baseURL: remote.baseURL, insecure: remote.insecure, caBundle: remote.caBundle, dryRun: dryRun,
        logger: logger)
    // SIGTERM or Ctrl-C: the run stops at its next checkpoint, recorded as interrupted, its leases released (a trial's
    // SIGTERM ended it at once: left "running", its leases held for ten minutes against other machines); a second one
    // quits at once.
    let stop = InterruptFlag.install()
    defer { InterruptFlag.uninstall() }
    engine.stopRequested = { stop.isSet }
    return try await engine.run()
}

/// The sync engine for one run of a job: its profile, remote client (secrets from the environment) and store.
func makeEngine(
    _ job: SyncJob, store path: String, baseURL: String?, insecure: Bool, caBundle: String?, dryRun: Bool,
    logger: Logger
) throws -> SyncEngine {
    let profile = try RemoteProfile.load(job.profile)
    let client = try RemoteClient(
        profile: profile, baseURL: job.baseURL ?? baseURL, insecure: insecure, caBundle: caBundle,
        connections: job.concurrency, logger: logger)
    let store: any SyncStore
    do { store = try StoreLocation(path).openSyncStore(mode: .create) } catch let e as StoreError
        where e.code == .invalidLocation
    {
        throw e
    } catch {
        throw SyncError(.store, message: "\(error)")
    }
    return SyncEngine(store: store, job: job, client: client, dryRun: dryRun, logger: logger)
}

func printReport(_ r: SyncReport, plan: Bool, json: Bool = false) {
    if json {
        // One object: the run, every count, the change lines, the time.
        print(
            "{\"plan\":\(plan),\"run_id\":\(r.runID.map(String.init) ?? "null"),\"counts\":\(r.counts.json),"
                + "\"lines\":[\(r.lines.map(jsonString).joined(separator: ","))],\"seconds\":\(String(format: "%.3f", r.seconds))}"
        )
        return
    }
    for line in r.lines { print(line) }
    let c = r.counts
    print(
        (plan ? "plan: " : "sync: ")
            + "pull \(c.pulledCreated) created, \(c.pulledUpdated) updated, \(c.pulledDeleted) deleted, \(c.pulledUnchanged) unchanged, \(c.matched) matched; "
            + "push \(c.pushedCreated) created, \(c.pushedUpdated) updated, \(c.pushedDeleted) deleted\(c.recoveredCreates > 0 ? ", \(c.recoveredCreates) interrupted creates recovered" : ""); "
            + "\(c.conflictsOpened) conflict(s) queued, \(c.conflictsSettled) settled by policy, \(c.blocked) waiting"
            + (c.remoteGone > 0 ? "; \(c.remoteGone) gone at the remote" : "")
            + (c.reusedIDs > 0 ? " (\(c.reusedIDs) reused id(s))" : "")
            + (c.refused > 0 ? "; \(c.refused) refused and set aside (`crmgate sync errors list`)" : "")
            + (r.runID.map { "; run \($0)" } ?? "") + String(format: "; %.2f s", r.seconds))
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Plan or apply a sync between the store and a remote.",
        discussion: """
            Exit codes: 0 done (queued conflicts are listed, not errors); 3 done, but the remote refused some records \
            (set aside with its answer: `crmgate sync errors list`); 64 usage; 65 a complete listing lacked more linked \
            records than a run may delete (nothing deleted; --allow-mass-delete); 69 the remote failed after retries \
            (the run stopped at its last checkpoint; run it again to resume); 74 the store failed; 75 another run of the \
            job holds its lease; 78 the job or profile is wrong, or a secret is missing; 130 stopped by SIGTERM or Ctrl-C \
            at a checkpoint (recorded as interrupted; run it again to resume; a second signal quits at once).
            """,
        subcommands: [Plan.self, Apply.self, Errors.self])

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what would change on each side, changing nothing.")
        @OptionGroup var jobOptions: JobOptions
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var storeOptions: StoreOptions
        @Flag(name: .long, help: "Print the plan as one JSON object: counts, one line per change, seconds.") var json =
            false
        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            do {
                printReport(
                    try await runJob(
                        try jobOptions.resolve(baseURL: remote.baseURL), store: storeOptions.store, remote: remote,
                        dryRun: true, logger: logger), plan: true, json: json)
            } catch let e as SyncError { throw fail(e) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull, merge and push; checkpointed and resumable.",
            discussion: """
                Give a job (a file under mappings/jobs, or a path), or --profile and the flags; flags override the \
                job file. Exit codes as `crmgate sync --help` lists them.

                Examples:
                  crmgate sync apply leads-generic
                  crmgate sync apply --profile cin7-core --types leads,opportunities --direction pull --policy remote-wins
                  crmgate sync apply leads-generic --full --base-url http://127.0.0.1:8080
                  crmgate sync apply --profile my-crm.yaml --types leads --dry-run
                """)
        @OptionGroup var jobOptions: JobOptions
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var storeOptions: StoreOptions
        @Flag(
            name: .long, help: "Print the run as one JSON object: run id, counts, conflict and refusal lines, seconds.")
        var json = false
        @Flag(
            name: .long,
            help: "Change nothing on either side and print what would change: the same as `crmgate sync plan`.")
        var dryRun = false
        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            let report: SyncReport
            do {
                report = try await runJob(
                    try jobOptions.resolve(baseURL: remote.baseURL), store: storeOptions.store, remote: remote,
                    dryRun: dryRun, logger: logger)
            } catch let e as SyncError { throw fail(e) }
            printReport(report, plan: dryRun, json: json)
            if report.counts.refused > 0 { throw ExitCode(SyncExit.someRefused) }
        }
    }

    struct Errors: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Records a remote refused (set aside while the rest synced).",
            discussion: """
                A record the remote refuses with an answer that repeating cannot change (a 4xx such as 400 or 422) is set \
                aside with that answer; the run goes on and exits 3. It is tried again when it changes locally, or after \
                `retry`.

                Examples:
                  crmgate sync errors list --store crm.sqlite
                  crmgate sync errors show 3f9c0a1b2d4e --store crm.sqlite
                  crmgate sync errors retry --store crm.sqlite && crmgate sync apply leads-generic --store crm.sqlite
                """,
            subcommands: [List.self, Show.self, Retry.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Every set-aside record with the remote's answer.")
            @Flag(name: .long, help: "Print a JSON array, an object per record set aside.") var json = false
            @OptionGroup var storeOptions: StoreOptions
            func run() throws {
                do {
                    let store = try storeOptions.openSync(.readOnly)
                    let all = try store.setAsideRecords()
                    if json {
                        var list = JSONListPrinter()
                        for a in all { list.add(setAsideJSON(a)) }
                        list.finish()
                        return
                    }
                    if all.isEmpty {
                        print("no records set aside")
                        return
                    }
                    for a in all {
                        // Short ids, as every list shows them (`sync errors show ID` takes one); a long answer is cut
                        // with "…".
                        let message = a.message.count > 100 ? a.message.prefix(99) + "…" : a.message
                        print(
                            "\(RecordID.short(a.localID))\t\(a.recordType.rawValue)\t\(a.operation)\t\(a.status.map(String.init) ?? "-")\t\(a.attempts)x\t\(message)"
                        )
                    }
                } catch let e as StoreError { throw storeFailure(e) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "One set-aside record: the remote's whole answer.")
            @Argument(help: "The local record id, or its short id as lists show it.") var id: String
            @Flag(name: .long, help: "Print one JSON object, as `sync errors list --json` prints each.") var json =
                false
            @OptionGroup var storeOptions: StoreOptions
            func run() throws {
                do {
                    let key = try typedRecordKey(id)
                    let store = try storeOptions.openSync(.readOnly)
                    let found = try store.setAsideRecords().filter { RecordID.matches(key: key, id: $0.localID) }
                    guard found.count == 1, let a = found.first else {
                        throw fail(
                            SyncError(
                                .notFound,
                                message: found.isEmpty
                                    ? "no set-aside record has the id \(id)"
                                    : "\(found.count) set-aside records start with \(id)"))
                    }
                    if json {
                        print(setAsideJSON(a))
                        return
                    }
                    print("\(a.recordType.rawValue) \(a.localID) at \(a.remote)")
                    print(
                        "  \(a.operation) refused \(a.attempts) time(s), first \(a.firstAt), last \(a.lastAt), HTTP \(a.status.map(String.init) ?? "-")"
                    )
                    print("  \(a.message)")
                } catch let e as StoreError { throw storeFailure(e) }
            }
        }

        struct Retry: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Mark set-aside records changed, so that the next push tries them again.")
            @Argument(help: "Local record ids or short ids; none for all.") var ids: [String] = []
            @OptionGroup var storeOptions: StoreOptions
            func run() throws {
                do {
                    let keys = try ids.map(typedRecordKey)
                    let store = try storeOptions.openSync(.update)
                    let all = try store.setAsideRecords()
                    let chosen =
                        ids.isEmpty
                        ? all : all.filter { a in keys.contains { RecordID.matches(key: $0, id: a.localID) } }
                    // An id that names no set-aside record is an error, as an unknown conflict or run is ("0 records"
                    // and exit 0 hid a typo).
                    let unmatched = zip(ids, keys).filter { _, key in
                        !all.contains { RecordID.matches(key: key, id: $0.localID) }
                    }
                    if let first = unmatched.first {
                        throw CLIError.notFound(
                            "no set-aside record has the id \(first.0)"
                                + (unmatched.count > 1
                                    ? " (nor \(unmatched.dropFirst().map(\.0).joined(separator: ", ")))" : ""),
                            hint: "`crmgate sync errors list` shows them; nothing was marked")
                    }
                    var n = 0
                    for type in RecordType.allCases {
                        let these = chosen.filter { $0.recordType == type }.map(\.localID)
                        guard !these.isEmpty else { continue }
                        switch type {
                        case .lead: n += try store.retrySetAside(Lead.self, localIDs: these)
                        case .opportunity: n += try store.retrySetAside(Opportunity.self, localIDs: these)
                        case .task: n += try store.retrySetAside(CRMTask.self, localIDs: these)
                        case .customer: n += try store.retrySetAside(Customer.self, localIDs: these)
                        }
                    }
                    print("\(n) record(s) will be tried again by the next push")
                } catch let e as StoreError { throw storeFailure(e) }
            }
        }
    }
}

/// A record id as typed (`RecordID.typedKey`), or a usage error that says what an id is (a one-character id retried
/// every set-aside record that began with it).
func typedRecordKey(_ text: String) throws -> String {
    guard let key = RecordID.typedKey(text) else {
        throw CLIError.usage(
            "'\(text)' is not a record id",
            hint: "give the full id, the short id a list prints or its start, or at least 8 characters of either end")
    }
    return key
}

func setAsideJSON(_ a: SetAsideRecord) -> String {
    JSONValue.object([
        ("local_id", .string(a.localID)), ("record_type", .string(a.recordType.rawValue)),
        ("remote", .string(a.remote)),
        ("operation", .string(a.operation)), ("status", a.status.map { .number(Double($0)) } ?? .null),
        ("message", .string(a.message)),
        ("attempts", .number(Double(a.attempts))), ("first_at", .string(a.firstAt)), ("last_at", .string(a.lastAt)),
    ]).text
}
