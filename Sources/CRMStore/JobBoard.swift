public import Foundation

/// One job as the shared job board of a PostgreSQL store knows it: its schedule, when it is due next, who holds it
/// and until when, and how its last run ended.
public struct JobEntry: Sendable, Equatable {
    public var name: String
    /// The job's cron schedule, when it has one.
    public var schedule: String?
    /// Seconds between runs, when the workers run it on an interval instead of a schedule.
    public var everySeconds: Double?
    /// When the job is due next; nil: it runs only when asked (`jobs run`).
    public var nextDue: Date?
    /// The worker that holds the job (`host:pid:slot`), while a run is in progress.
    public var holder: String?
    /// When the holder's lease runs out unless its heartbeat renews it.
    public var leaseUntil: Date?
    public var heartbeatAt: Date?
    public var lastStarted: Date?
    public var lastFinished: Date?
    /// How the last run ended.
    public var lastStatus: JobRunStatus?
    public var lastMessage: String?
    /// How many runs were started.
    public var runs: Int
}

/// How a job's run ended, as the job board records it.
public enum JobRunStatus: String, Sendable, CaseIterable {
    case ok, failed, refused
}

/// What the next due time of a job becomes when a run ends.
public enum JobNextDue: Sendable, Equatable {
    /// Unchanged (`jobs run` of a scheduled job: the schedule goes on as it was).
    case keep
    case at(Date)
    /// Not due again until someone asks (a job without a schedule).
    case never
}

/// The answer to a claim of one named job.
public enum JobClaim: Sendable, Equatable {
    case claimed
    /// Another worker holds it, until its lease ends.
    case held(by: String, until: Date?)
}

/// The job board: due jobs are claimed with `SELECT … FOR UPDATE SKIP LOCKED` (no two workers take the same one,
/// none waits for another), held by a lease that the holder's heartbeat renews, and taken over by any worker once a
/// lease runs out (its holder died). Times are the server's clock.
extension PostgresStore {
    /// Puts jobs on the board. A new job is due at `firstDue` (nil: only when asked); a known job keeps its due time
    /// and takes the new schedule, and one that was not due (run once, or only by `jobs run`) becomes due at `firstDue`
    /// when its schedule or interval changed.
    public func registerJobs(_ jobs: [(name: String, schedule: String?, every: Double?, firstDue: Date?)]) throws {
        try transaction { c in
            for j in jobs {
                try c.exec(
                    """
                    INSERT INTO job_board (job, schedule, every_seconds, next_due) VALUES ($1, $2, $3, $4::timestamptz)
                    ON CONFLICT (job) DO UPDATE SET schedule = excluded.schedule, every_seconds =
                        excluded.every_seconds,
                    next_due = CASE WHEN (job_board.next_due IS NULL AND job_board.last_started IS NULL)
                        OR excluded.schedule IS DISTINCT FROM job_board.schedule OR excluded.every_seconds IS DISTINCT
                            FROM job_board.every_seconds
                        THEN excluded.next_due ELSE job_board.next_due END
                    """,
                    [j.name, j.schedule, j.every.map { String($0) }, j.firstDue.map(Self.stamp)])
            }
        }
    }

    static func stamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    /// Claims the job that has been due longest and is not held (or whose holder's lease ran out), among `names`.
    /// - Returns: the job's name, or nil when none is due.
    public func claimDueJob(holder: String, leaseSeconds: Double, among names: [String]) throws -> String? {
        try withConnection { c in
            let r = try c.exec(
                """
                WITH due AS (
                    SELECT job FROM job_board
                    WHERE next_due IS NOT NULL AND next_due <= clock_timestamp() AND job = ANY($3::text[])
                      AND (holder IS NULL OR lease_until < clock_timestamp())
                    ORDER BY next_due, job LIMIT 1 FOR UPDATE SKIP LOCKED)
                UPDATE job_board b SET holder = $1, lease_until = clock_timestamp() + make_interval(secs => $2::double
                    precision),
                    heartbeat_at = clock_timestamp(), last_started = clock_timestamp(), runs = b.runs + 1
                FROM due WHERE b.job = due.job RETURNING b.job
                """,
                [holder, String(leaseSeconds), Self.array(names)])
            return r.count > 0 ? r.text(0, 0) : nil
        }
    }

    /// Claims one job now, due or not (`jobs run`), unless a live lease holds it.
    public func claimJob(_ name: String, holder: String, leaseSeconds: Double) throws -> JobClaim {
        try withConnection { c in
            let r = try c.exec(
                """
                UPDATE job_board SET holder = $2, lease_until = clock_timestamp() + make_interval(secs => $3::double
                    precision),
                    heartbeat_at = clock_timestamp(), last_started = clock_timestamp(), runs = runs + 1
                WHERE job = $1 AND (holder IS NULL OR lease_until < clock_timestamp()) RETURNING job
                """,
                [name, holder, String(leaseSeconds)])
            if r.count > 0 { return .claimed }
            let h = try c.exec("SELECT holder, extract(epoch from lease_until) FROM job_board WHERE job = $1", [name])
            guard h.count > 0 else {
                throw StoreError(.notFound, path: url, message: "no job '\(name)' on the job board")
            }
            return .held(
                by: h.text(0, 0) ?? "?",
                until: h.text(0, 1).flatMap(Double.init).map { Date(timeIntervalSince1970: $0) })
        }
    }

    /// Renews the holder's lease of a job (the heartbeat). - Returns: false when the job is no longer its.
    public func heartbeat(job: String, holder: String, leaseSeconds: Double) throws -> Bool {
        try withConnection { c in
            try c.exec(
                """
                UPDATE job_board SET lease_until = clock_timestamp() + make_interval(secs => $3::double precision),
                    heartbeat_at = clock_timestamp()
                WHERE job = $1 AND holder = $2
                """,
                [job, holder, String(leaseSeconds)]
            ).affected == 1
        }
    }

    /// Ends the holder's run of a job: the lease is released, the outcome recorded, the next due time set.
    /// - Returns: false when the job was no longer the holder's (its lease ran out and another worker took it).
    @discardableResult
    public func finishJob(
        _ name: String, holder: String, status: JobRunStatus, message: String?, next: JobNextDue
    ) throws -> Bool {
        try withConnection { c in
            let nextSQL: String
            var params: [String?] = [name, holder, status.rawValue, message]
            switch next {
            case .keep: nextSQL = "next_due"
            case .never: nextSQL = "NULL"
            case .at(let d):
                nextSQL = "$5::timestamptz"
                params.append(Self.stamp(d))
            }
            return try c.exec(
                """
                UPDATE job_board SET holder = NULL, lease_until = NULL, last_finished = clock_timestamp(), last_status =
                    $3,
                    last_message = $4, next_due = \(nextSQL)
                WHERE job = $1 AND holder = $2
                """,
                params
            ).affected == 1
        }
    }

    /// True while some job of `names` is due or held: an idle worker told to stop when there is no work waits for it.
    public func hasPendingJobs(among names: [String]) throws -> Bool {
        try withConnection { c in
            try c.exec(
                """
                SELECT EXISTS (SELECT 1 FROM job_board WHERE job = ANY($1::text[])
                    AND (holder IS NOT NULL OR (next_due IS NOT NULL AND next_due <= clock_timestamp())))
                """,
                [Self.array(names)]
            ).text(0, 0) == "t"
        }
    }

    /// Every job on the board, by name.
    public func jobEntries() throws -> [JobEntry] {
        try withConnection { c in
            let r = try c.exec(
                """
                SELECT job, schedule, every_seconds, extract(epoch from next_due), holder, extract(epoch from
                    lease_until),
                    extract(epoch from heartbeat_at), extract(epoch from last_started), extract(epoch from
                        last_finished), last_status,
                    last_message, runs
                FROM job_board ORDER BY job
                """)
            func date(_ i: Int, _ col: Int) -> Date? {
                r.text(i, col).flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
            }
            return (0..<r.count).map { i in
                JobEntry(
                    name: r.text(i, 0) ?? "", schedule: r.text(i, 1), everySeconds: r.text(i, 2).flatMap(Double.init),
                    nextDue: date(i, 3),
                    holder: r.text(i, 4), leaseUntil: date(i, 5), heartbeatAt: date(i, 6), lastStarted: date(i, 7),
                    lastFinished: date(i, 8),
                    lastStatus: r.text(i, 9).flatMap(JobRunStatus.init(rawValue:)), lastMessage: r.text(i, 10),
                    runs: Int(r.text(i, 11) ?? "0") ?? 0)
            }
        }
    }
}
