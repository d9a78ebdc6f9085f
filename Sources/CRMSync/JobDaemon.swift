public import Foundation

/// The clock a scheduler reads and waits on: the system's, or a test's that moves only when told.
public protocol SchedulerClock: Sendable {
    /// The time now.
    func now() -> Date
    /// Waits `seconds` (a test clock moves its time on instead).
    func sleep(seconds: Double) async
}

/// The wall clock.
public struct SystemClock: SchedulerClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async { try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
}

/// When each job of a daemon is due: a value computed from the schedules and a time, with no effect.
public struct JobTimetable: Sendable {
    /// Each job's cron schedule (nil: never by schedule).
    let schedules: [CronSchedule?]
    /// Seconds between runs instead of the schedules.
    let every: Double?
    /// When each job is due next, by index.
    public private(set) var due: [Date]

    /// Every job due at its schedule's next time after `now`, or at once with `runAtStart` or an interval.
    public init(schedules: [CronSchedule?], every: Double?, runAtStart: Bool, now: Date) {
        self.schedules = schedules
        self.every = every
        due = schedules.map { s in runAtStart || every != nil ? now : s?.next(after: now) ?? .distantFuture }
    }

    /// The jobs due at `now`, in the folder's order.
    public func dueJobs(at now: Date) -> [Int] { due.indices.filter { due[$0] <= now } }

    /// Job `index` ran (it finished at `now`, failed or not): due next at its interval or its schedule's next time.
    public mutating func ran(_ index: Int, finishedAt now: Date) {
        due[index] = every.map { now + $0 } ?? schedules[index]?.next(after: now) ?? .distantFuture
    }
}

/// What a daemon reports as it goes.
public enum DaemonEvent: Sendable {
    case started(jobs: [String])
    case ran(job: String, report: SyncReport)
    /// The run failed; the job resumes from its checkpoint on its next run.
    case failed(job: String, error: String)
    case stopped
}

/// Runs every job of a folder on its schedule until asked to stop: a run in progress finishes first, a failed run
/// does not stop the others. The CLI's `jobs daemon` is this with the system clock and the sync engine.
public enum JobDaemon {
    /// Runs until `shouldStop` (asked between runs and at least every `tick` seconds) and returns the runs per job.
    /// Jobs due at the same time run one after another, in the folder's order.
    /// - Parameters:
    ///   - runJob: one run of a job (the sync engine); its error is reported, not thrown.
    ///   - report: what happened, as it happens (the CLI logs it).
    public static func run(
        jobs: [SyncJob], every: Double?, runAtStart: Bool, clock: some SchedulerClock = SystemClock(),
        tick: Double = 0.2,
        shouldStop: @Sendable () -> Bool, runJob: (SyncJob) async throws -> SyncReport, report: (DaemonEvent) -> Void
    ) async -> [String: Int] {
        var table = JobTimetable(
            schedules: jobs.map { $0.schedule.flatMap(CronSchedule.init) }, every: every, runAtStart: runAtStart,
            now: clock.now())
        var runs: [String: Int] = [:]
        report(.started(jobs: jobs.map(\.name)))
        while !shouldStop() {
            for i in table.dueJobs(at: clock.now()) where !shouldStop() {
                do {
                    report(.ran(job: jobs[i].name, report: try await runJob(jobs[i])))
                } catch {
                    report(.failed(job: jobs[i].name, error: "\(error)"))
                }
                runs[jobs[i].name, default: 0] += 1
                table.ran(i, finishedAt: clock.now())
            }
            // Until the next job is due, or `tick` (so that a stop is seen soon): a run starts on its time.
            let next = table.due.min() ?? .distantFuture
            await clock.sleep(seconds: min(tick, max(0, next.timeIntervalSince(clock.now()))))
        }
        report(.stopped)
        return runs
    }
}
