import ArgumentParser
import CRMHTTP
import CRMModel
import CRMStore
import CRMSync
import Foundation
import Logging

/// `crmgate jobs`: sync jobs from a folder of job files, run once, on a schedule, or by workers sharing a
/// PostgreSQL store.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract:
            "Run sync jobs from cron or on their schedules, in one process or in workers sharing a PostgreSQL store.",
        subcommands: [Run.self, Daemon.self, Worker.self, Status.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one job now (the cron entry). Exit codes as `sync apply`.")
        @Argument(
            help: "A job under mappings/jobs or a path.",
            completion: .custom { _, _, _ in
                ((try? FileManager.default.contentsOfDirectory(atPath: "mappings/jobs")) ?? []).filter {
                    $0.hasSuffix(".yaml")
                }.map { String($0.dropLast(5)) }
            }) var job: String
        @Option(
            name: .long,
            help:
                "The folder of job files a job name is looked up in, as the workers were given it (default mappings/jobs)."
        )
        var jobs: String = SyncJob.folder
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            let report: SyncReport
            do {
                // A name `jobs status` lists is found in the folder the workers read (it was only looked up in
                // mappings/jobs: "no such job file").
                let inFolder = "\(jobs)/\(job).yaml"
                let job = try SyncJob.load(
                    !FileManager.default.fileExists(atPath: job) && FileManager.default.fileExists(atPath: inFolder)
                        ? inFolder : job)
                if case .postgres(let url) = try StoreLocation(storeOptions.store) {
                    // On a shared store the run goes through the job board's claim, as a worker's would.
                    let worker = JobWorker(
                        url: url, jobs: [job], options: JobWorker.Options(), logger: logger,
                        makeClient: clientMaker(remote, logger: logger), shouldStop: { false })
                    report = try await worker.runNow(job)
                } else {
                    report = try await runJob(
                        job, store: storeOptions.store, remote: remote, dryRun: false, logger: logger)
                }
            } catch let e as SyncError { throw fail(e) }
            printReport(report, plan: false)
            if report.counts.refused > 0 { throw ExitCode(SyncExit.someRefused) }
        }
    }

    struct Daemon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run every job of a folder on its schedule until SIGTERM or SIGINT (a run in progress finishes first).")
        @Option(name: .long, help: "The folder of job files.") var jobs: String = SyncJob.folder
        @Flag(name: .long, help: "Run every job once at start, then follow the schedules.") var runAtStart = false
        @Option(
            name: .long, parsing: .unconditional,
            help: "Seconds between runs instead of the cron schedules (for tests and soak runs).")
        var every: Double?
        func validate() throws { if let every, !(every > 0) { throw ValidationError("--every must be above 0") } }
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            let list: [SyncJob]
            do { list = try loadJobs(folder: jobs) } catch let e as SyncError { throw fail(e) }
            installStopHandlers()
            // The scheduler is the library's (JobDaemon, tested with a clock it controls); here it gets the wall clock,
            // the sync engine and the log.
            let store = storeOptions.store
            let baseURL = remote.baseURL
            let insecure = remote.insecure
            let caBundle = remote.caBundle
            let every = self.every
            let runAtStart = self.runAtStart
            _ = await JobDaemon.run(
                jobs: list, every: every, runAtStart: runAtStart, shouldStop: { StopFlag().isSet },
                runJob: { job in
                    try await makeEngine(
                        job, store: store, baseURL: baseURL, insecure: insecure, caBundle: caBundle, dryRun: false,
                        logger: logger
                    ).run()
                },
                report: { event in
                    switch event {
                    case .started(let names):
                        logger.notice("jobs daemon: \(names.count) job(s): \(names.joined(separator: ", "))")
                    case .ran(let job, let r): logger.notice("job \(job): run \(r.runID ?? 0) done: \(r.counts.json)")
                    case .failed(let job, let error):
                        logger.error("job \(job) failed: \(error); it resumes from its checkpoint on the next run")
                    case .stopped: logger.notice("jobs daemon: stopped")
                    }
                })
        }
    }
}

/// The remote client of a job, from the command's remote options (secrets from the environment).
func clientMaker(_ remote: RemoteOptions, logger: Logger) -> @Sendable (SyncJob) throws -> RemoteClient {
    let baseURL = remote.baseURL
    let insecure = remote.insecure
    let caBundle = remote.caBundle
    return { job in
        try RemoteClient(
            profile: try RemoteProfile.load(job.profile), baseURL: job.baseURL ?? baseURL, insecure: insecure,
            caBundle: caBundle,
            connections: job.concurrency, logger: logger)
    }
}

/// Lets SIGTERM and SIGINT only set the stop flag (a run in progress finishes first).
func installStopHandlers() {
    // A parent may have left SIGTERM/SIGINT blocked (Foundation's Process does): unblock them, then only set a flag.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGTERM) { _ in daemonStopRequested = 1 }
    signal(SIGINT) { _ in daemonStopRequested = 1 }
}

extension JobsCommand {
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the jobs of a folder as one of any number of workers sharing a PostgreSQL store.",
            discussion: """
                Every worker puts the folder's jobs on the store's job board and claims due ones (SELECT … FOR UPDATE SKIP \
                LOCKED): no job runs twice at once, whichever machines the workers are on. A claim is a lease that the \
                worker's heartbeat renews every third of --lease; a worker that dies stops renewing, and once its lease \
                runs out another worker takes the job, which resumes from its last checkpoint. SIGTERM or SIGINT: the runs \
                in progress finish, then the worker exits 0. A lost database connection is retried with backoff.

                Examples:
                  crmgate jobs worker --store postgresql://crmgate@db.internal/crm --slots 4
                  PGPASSFILE=/etc/crmgate/pgpass crmgate jobs worker --store postgresql://crmgate@db/crm --jobs /etc/crmgate/jobs
                """)
        @Option(name: .long, help: "The folder of job files.") var jobs: String = SyncJob.folder
        @Option(name: .long, parsing: .unconditional, help: "Jobs this worker runs at once.") var slots: Int = 1
        @Option(name: .long, parsing: .unconditional, help: "Seconds a claim lasts without a heartbeat.") var lease:
            Double = 30
        @Option(
            name: .long, parsing: .unconditional, help: "Seconds between looks at the job board when nothing is due.")
        var poll: Double = 1
        @Option(
            name: .long, parsing: .unconditional,
            help: "Seconds between runs of every job instead of their cron schedules (tests, soak runs).")
        var every: Double?
        @Flag(name: .long, help: "New jobs are due at once, not at their schedules' next time.") var runAtStart = false
        @Flag(name: .long, help: "Exit when no job is due or held (a batch); otherwise run until SIGTERM.")
        var exitWhenIdle = false
        @Option(
            name: .long, parsing: .unconditional,
            help: "Seconds after a failed run before its job is due again (unless its schedule comes sooner).")
        var retryAfter: Double = 10
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard slots >= 1, slots <= 64 else { throw ValidationError("--slots must be from 1 to 64") }
            guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
            guard poll > 0 else { throw ValidationError("--poll must be above 0") }
            guard retryAfter >= 0 else { throw ValidationError("--retry-after must be 0 or more") }
            if let every, !(every > 0) { throw ValidationError("--every must be above 0") }
        }

        func run() async throws {
            let logger = setUpLogging(verbose: remote.verbose)
            guard case .postgres(let url) = try StoreLocation(storeOptions.store) else {
                throw CLIError(
                    "jobs worker needs a PostgreSQL store (--store postgresql://…)",
                    hint: "on one machine with SQLite, use `crmgate jobs daemon`", code: 64)
            }
            let list: [SyncJob]
            do { list = try loadJobs(folder: jobs) } catch let e as SyncError { throw fail(e) }
            installStopHandlers()
            var options = JobWorker.Options()
            options.slots = slots
            options.leaseSeconds = lease
            options.pollSeconds = poll
            options.every = every
            options.runAtStart = runAtStart
            options.exitWhenIdle = exitWhenIdle
            options.retryAfter = retryAfter
            let worker = JobWorker(
                url: url, jobs: list, options: options, logger: logger, makeClient: clientMaker(remote, logger: logger),
                shouldStop: { StopFlag().isSet })
            let summary = try await worker.run()
            let total = summary.runs.values.reduce(0, +)
            print("jobs worker: \(total) run(s) of \(summary.runs.count) job(s), \(summary.failed) failed")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each job on a PostgreSQL store's job board: schedule, next due, last run, holder and lease.",
            discussion: """
                Exit codes: 0 printed; 64 the store is not a PostgreSQL URL; 66 the database holds no crmgate store; 69 the \
                server cannot be reached.

                Examples:
                  crmgate jobs status --store postgresql://crmgate@db.internal/crm
                  crmgate jobs status --store postgresql://crmgate@db.internal/crm --json
                """)
        @Flag(name: .long, help: "Print a JSON array, an object per job.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            guard case .postgres(let url) = try StoreLocation(storeOptions.store) else {
                throw CLIError(
                    "jobs status reads the job board of a PostgreSQL store (--store postgresql://…)",
                    hint: "on SQLite, `crmgate runs list` shows the runs", code: 64)
            }
            let entries = try PostgresStore(url: url, mode: .readOnly).jobEntries()
            var list = JSONListPrinter()
            defer { if json { list.finish() } }
            if entries.isEmpty && !json {
                print("no jobs on the board (a worker or `jobs run` puts them there)")
                return
            }
            func t(_ d: Date?) -> String { d.map { $0.iso8601UTC } ?? "-" }
            for e in entries {
                if json {
                    list.add(
                        JSONValue.object([
                            ("job", .string(e.name)), ("schedule", e.schedule.map { .string($0) } ?? .null),
                            ("every_seconds", e.everySeconds.map { .number($0) } ?? .null),
                            ("next_due", e.nextDue.map { .string($0.iso8601UTC) } ?? .null),
                            ("holder", e.holder.map { .string($0) } ?? .null),
                            ("lease_until", e.leaseUntil.map { .string($0.iso8601UTC) } ?? .null),
                            ("last_started", e.lastStarted.map { .string($0.iso8601UTC) } ?? .null),
                            ("last_finished", e.lastFinished.map { .string($0.iso8601UTC) } ?? .null),
                            ("last_status", e.lastStatus.map { .string($0.rawValue) } ?? .null),
                            ("last_message", e.lastMessage.map { .string($0) } ?? .null),
                            ("runs", .number(Double(e.runs))),
                        ]).text)
                } else {
                    let when = e.schedule ?? e.everySeconds.map { "every \($0) s" } ?? "on demand"
                    print(
                        "\(e.name)\t\(when)\tnext \(t(e.nextDue))\tlast \(e.lastStatus?.rawValue ?? "-") \(t(e.lastFinished))\t"
                            + (e.holder.map { "held by \($0) until \(t(e.leaseUntil))" } ?? "free")
                            + "\t\(e.runs) run(s)")
                }
            }
        }
    }
}

/// The jobs of a folder (every `*.yaml`), in name order.
func loadJobs(folder: String) throws -> [SyncJob] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }
        .sorted()
    let list = try files.map { try SyncJob.load("\(folder)/\($0)") }
    guard !list.isEmpty else { throw SyncError(.invalidProfile, context: folder, message: "no job files") }
    // Two files of one name would share a board entry, a cursor and a lease, and take turns setting its schedule (a
    // trial): refused, naming both.
    var seen: [String: String] = [:]
    for (job, file) in zip(list, files) {
        if let first = seen[job.name] {
            throw SyncError(
                .invalidProfile, context: folder,
                message: "\(first) and \(file) both name the job '\(job.name)': give each job a name of its own")
        }
        seen[job.name] = file
    }
    return list
}

/// Set by the daemon's signal handler (a plain store of a word, safe in a handler).
nonisolated(unsafe) var daemonStopRequested: sig_atomic_t = 0

struct StopFlag {
    var isSet: Bool { daemonStopRequested != 0 }
}
