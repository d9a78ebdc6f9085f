import CRMModel
import CRMStore
import Foundation
public import Logging

/// A worker of a shared (PostgreSQL) store: it puts its jobs on the store's job board, then in each of its slots
/// claims a due job (no other worker can hold it at the same time), runs it with a lease that a heartbeat renews,
/// and records how it ended and when it is due next. A worker that dies (SIGKILL, a lost machine) stops renewing;
/// once its lease runs out another worker claims the job and the run resumes from the job's last checkpoint.
///
/// Decisions (which job, when next) are the board's; this type only runs them.
public final class JobWorker: @unchecked Sendable {
    /// How a worker runs.
    public struct Options: Sendable {
        /// Jobs run at once by this worker.
        public var slots = 1
        /// How long a claim lasts without a heartbeat (heartbeats come every third of it).
        public var leaseSeconds: Double = 30
        /// Seconds between looks at the board when nothing is due (there is no wake-up signal: polling is the rule).
        public var pollSeconds: Double = 1
        /// Seconds between runs of every job instead of their cron schedules.
        public var every: Double?
        /// New jobs are due at once instead of at their schedules' next time.
        public var runAtStart = false
        /// Stop when no job is due or held (batches and tests); otherwise run until stopped.
        public var exitWhenIdle = false
        /// Seconds after a failed run before the job is due again (unless its schedule comes sooner).
        public var retryAfter: Double = 10

        public init() {}
    }

    /// What a worker did.
    public struct Summary: Sendable, Equatable {
        /// Runs per job, by name.
        public var runs: [String: Int] = [:]
        public var failed = 0
    }

    let url: String
    let jobs: [SyncJob]
    let options: Options
    let makeClient: @Sendable (SyncJob) throws -> RemoteClient
    let logger: Logger
    let shouldStop: @Sendable () -> Bool
    /// `host:pid`: with the slot number, the holder name on the board.
    public let workerID = "\(ProcessInfo.processInfo.hostName):\(getpid())"
    private let held = HeldJobs()

    /// - Parameters:
    ///   - url: the store's `postgresql://` URL.
    ///   - makeClient: the remote client for a job (secrets come from the environment there).
    ///   - shouldStop: polled between runs; a run in progress finishes first.
    public init(
        url: String, jobs: [SyncJob], options: Options, logger: Logger,
        makeClient: @escaping @Sendable (SyncJob) throws -> RemoteClient, shouldStop: @escaping @Sendable () -> Bool
    ) {
        self.url = url
        self.jobs = jobs
        self.options = options
        self.makeClient = makeClient
        self.logger = logger
        self.shouldStop = shouldStop
    }

    /// Runs until stopped (or, with `exitWhenIdle`, until no job is due or held).
    /// - Throws: `StoreError` when the store cannot be opened at the start.
    public func run() async throws -> Summary {
        let board = try PostgresStore(url: url)
        let now = Date()
        try board.registerJobs(
            jobs.map { j in
                let schedule = j.schedule.flatMap(CronSchedule.init)
                let first: Date? = options.runAtStart || options.every != nil ? now : schedule?.next(after: now) ?? now
                return (j.name, j.schedule, options.every, first)
            })
        logger.notice(
            "jobs worker \(workerID): \(jobs.count) job(s), \(options.slots) slot(s), lease \(options.leaseSeconds) s")
        let heartbeat = Heartbeat(url: url, held: held, leaseSeconds: options.leaseSeconds, logger: logger)
        heartbeat.start()
        defer { heartbeat.stop() }
        var summary = Summary()
        try await withThrowingTaskGroup(of: Summary.self) { group in
            for slot in 0..<max(1, options.slots) {
                group.addTask { try await self.slotLoop(slot) }
            }
            for try await s in group {
                summary.runs.merge(s.runs, uniquingKeysWith: +)
                summary.failed += s.failed
            }
        }
        logger.notice("jobs worker \(workerID): stopped")
        return summary
    }

    private func slotLoop(_ slot: Int) async throws -> Summary {
        let store = try PostgresStore(url: url)
        let holder = "\(workerID):\(slot)"
        let names = jobs.map(\.name)
        let byName = Dictionary(jobs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var summary = Summary()
        while !shouldStop() {
            let claimed: String?
            do {
                claimed = try store.claimDueJob(holder: holder, leaseSeconds: options.leaseSeconds, among: names)
            } catch {
                logger.warning("jobs worker \(holder): cannot read the job board (\(error)); trying again")
                try? await Task.sleep(nanoseconds: UInt64(options.pollSeconds * 1e9))
                continue
            }
            guard let name = claimed, let job = byName[name] else {
                if options.exitWhenIdle, (try? store.hasPendingJobs(among: names)) == false { break }
                try? await Task.sleep(nanoseconds: UInt64(options.pollSeconds * 1e9))
                continue
            }
            held.add(job: name, holder: holder)
            let (status, message) = await runClaimed(job, store: store, holder: holder)
            held.remove(job: name)
            summary.runs[name, default: 0] += 1
            if status == .failed { summary.failed += 1 }
            let next = nextDue(job, after: status)
            // The outcome must reach the board, or the job would wait for its lease to run out: keep trying through a
            // database restart (the store reconnects with backoff).
            var recorded = false
            for attempt in 0..<20 where !recorded {
                do {
                    try store.finishJob(name, holder: holder, status: status, message: message, next: next)
                    recorded = true
                } catch {
                    logger.warning(
                        "jobs worker \(holder): cannot record the end of job \(name) (\(error)); attempt \(attempt + 1)"
                    )
                    try? await Task.sleep(nanoseconds: 500_000_000)
                }
            }
        }
        return summary
    }

    /// Runs one claimed job with the worker's lease; never throws (the outcome is the answer).
    func runClaimed(_ job: SyncJob, store: PostgresStore, holder: String) async -> (JobRunStatus, String?) {
        do {
            let engine = SyncEngine(store: store, job: job, client: try makeClient(job), dryRun: false, logger: logger)
            engine.leaseOwner = holder
            engine.leaseSeconds = options.leaseSeconds
            engine.leaseRenewalInterval = options.leaseSeconds / 3
            let r = try await engine.run()
            logger.notice("job \(job.name): run \(r.runID ?? 0) done by \(holder): \(r.counts.json)")
            return r.counts.refused > 0 ? (.refused, "\(r.counts.refused) record(s) refused and set aside") : (.ok, nil)
        } catch {
            logger.error(
                "job \(job.name) failed on \(holder): \(error); it resumes from its checkpoint on the next run")
            return (.failed, "\(error)")
        }
    }

    func nextDue(_ job: SyncJob, after status: JobRunStatus) -> JobNextDue {
        let now = Date()
        let regular: Date? = options.every.map { now + $0 } ?? job.schedule.flatMap(CronSchedule.init)?.next(after: now)
        if status == .failed {
            let retry = now + options.retryAfter
            return .at(min(retry, regular ?? retry))
        }
        return regular.map { .at($0) } ?? .never
    }

    /// `jobs run JOB` on a PostgreSQL store: the job is claimed through the board as a worker would (so it never runs
    /// twice at once), run now, and its schedule left as it was.
    /// - Throws: `SyncError(.leaseHeld)` when a worker holds it; `.store`.
    public func runNow(_ job: SyncJob) async throws -> SyncReport {
        let board: PostgresStore
        do { board = try PostgresStore(url: url) } catch { throw SyncError(.store, message: "\(error)") }
        let holder = "\(workerID):now"
        do {
            let schedule = job.schedule.flatMap(CronSchedule.init)
            try board.registerJobs([(job.name, job.schedule, nil, schedule?.next(after: Date()))])
            if case .held(let by, let until) = try board.claimJob(
                job.name, holder: holder, leaseSeconds: options.leaseSeconds)
            {
                throw SyncError(
                    .leaseHeld, context: job.name,
                    message:
                        "a worker holds this job (\(by)\(until.map { " until \($0.iso8601UTC)" } ?? "")); try again when it ends"
                )
            }
        } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
        let client: RemoteClient
        do { client = try makeClient(job) } catch {
            // Nothing ran: the claim goes back at once rather than when its lease runs out.
            _ = try? board.finishJob(job.name, holder: holder, status: .failed, message: "\(error)", next: .keep)
            throw error
        }
        held.add(job: job.name, holder: holder)
        let heartbeat = Heartbeat(url: url, held: held, leaseSeconds: options.leaseSeconds, logger: logger)
        heartbeat.start()
        defer { heartbeat.stop() }
        let engine = SyncEngine(store: board, job: job, client: client, dryRun: false, logger: logger)
        engine.leaseOwner = holder
        engine.leaseSeconds = options.leaseSeconds
        engine.leaseRenewalInterval = options.leaseSeconds / 3
        do {
            let r = try await engine.run()
            held.remove(job: job.name)
            _ = try? board.finishJob(
                job.name, holder: holder, status: r.counts.refused > 0 ? .refused : .ok, message: nil, next: .keep)
            return r
        } catch {
            held.remove(job: job.name)
            _ = try? board.finishJob(job.name, holder: holder, status: .failed, message: "\(error)", next: .keep)
            throw error
        }
    }
}

/// The jobs this worker holds now (its heartbeat renews their leases).
final class HeldJobs: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String: String] = [:]
    func add(job: String, holder: String) { lock.withLock { jobs[job] = holder } }
    func remove(job: String) { _ = lock.withLock { jobs.removeValue(forKey: job) } }
    var all: [(job: String, holder: String)] { lock.withLock { jobs.map { ($0.key, $0.value) } } }
    /// Whether `job` is still held by `holder` (not released since a heartbeat listed it).
    func holds(job: String, holder: String) -> Bool { lock.withLock { jobs[job] == holder } }
}

/// Renews the leases of held jobs every third of the lease time, on its own thread and its own connection (a run
/// busy with a long request or a long write does not delay it).
final class Heartbeat: @unchecked Sendable {
    let url: String
    let held: HeldJobs
    let leaseSeconds: Double
    let logger: Logger
    private let lock = NSLock()
    private var stopped = false
    private var thread: Thread?

    init(url: String, held: HeldJobs, leaseSeconds: Double, logger: Logger) {
        self.url = url
        self.held = held
        self.leaseSeconds = leaseSeconds
        self.logger = logger
    }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "crmgate-heartbeat"
        thread = t
        t.start()
    }

    func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func loop() {
        var store: PostgresStore?
        while !isStopped {
            let interval = max(0.05, leaseSeconds / 3)
            var slept = 0.0
            while slept < interval, !isStopped {
                Thread.sleep(forTimeInterval: 0.05)
                slept += 0.05
            }
            if isStopped { break }
            let jobs = held.all
            if jobs.isEmpty { continue }
            do {
                if store == nil { store = try PostgresStore(url: url) }
                for j in jobs {
                    // A job released since it was listed (its run just ended) has no lease to lose: no warning (a
                    // trial's run of 6 ms was followed by "the lease … was lost").
                    if try !store!.heartbeat(job: j.job, holder: j.holder, leaseSeconds: leaseSeconds),
                        held.holds(job: j.job, holder: j.holder)
                    {
                        logger.warning(
                            "job \(j.job): the lease of \(j.holder) was lost (it ran out); another worker may have taken the job"
                        )
                    }
                    // Every lease the run holds: the job's, and those of the remote's record types (renewed only at
                    // checkpoints otherwise, so a page request longer than the lease let another machine's run of
                    // the same types start beside this one).
                    _ = try store!.renewLeases(owner: j.holder, seconds: leaseSeconds)
                }
            } catch {
                logger.warning("heartbeat: \(error); trying again")
            }
        }
    }
}
