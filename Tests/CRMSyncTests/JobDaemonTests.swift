import CRMSync
import Foundation
import Testing

/// A clock that moves only when the daemon sleeps (or the test says so).
final class ManualClock: SchedulerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date
    init(_ time: Date) { self.time = time }
    func now() -> Date { lock.withLock { time } }
    func sleep(seconds: Double) async { lock.withLock { time += seconds } }
    func advance(_ seconds: Double) { lock.withLock { time += seconds } }
}

/// The jobs scheduler of `crmgate jobs daemon`, in the library, driven by a clock the test moves: no waiting, no
/// timing in the assertions.
@Suite("Jobs daemon scheduling")
struct JobDaemonTests {
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    func job(_ name: String, _ cron: String?) -> SyncJob {
        var j = SyncJob(name: name, profile: "generic-rest")
        j.schedule = cron
        return j
    }

    @Test("jobs run at their cron minutes (every 5 minutes; on the hour), each time once")
    func cronMinutes() async {
        let clock = ManualClock(Self.at("2026-12-02T10:01:30Z"))
        let stopAt = Self.at("2026-12-02T11:01:00Z")
        var ran: [(String, Date)] = []
        let runs = await JobDaemon.run(
            jobs: [job("five", "*/5 * * * *"), job("hourly", "0 * * * *"), job("never", nil)], every: nil,
            runAtStart: false, clock: clock, tick: 30,
            shouldStop: { clock.now() >= stopAt },
            runJob: { j in
                ran.append((j.name, clock.now()))
                clock.advance(7)  // a run takes time; the next is still on its minute
                return SyncReport()
            }, report: { _ in })
        let five = ran.filter { $0.0 == "five" }.map(\.1)
        #expect(five == (1...12).map { Self.at("2026-12-02T10:00:00Z") + Double($0 * 300) })
        // At 11:00 both are due: "five" runs first (folder order) and takes 7 s, then "hourly".
        #expect(ran.filter { $0.0 == "hourly" }.map(\.1) == [Self.at("2026-12-02T11:00:07Z")])
        #expect(runs == ["five": 12, "hourly": 1])
    }

    @Test(
        "a failed run is reported and the others go on; with an interval, every job runs at once and then every N seconds"
    )
    func failuresAndIntervals() async {
        let start = Self.at("2026-12-02T10:00:00Z")
        let clock = ManualClock(start)
        var events: [String] = []
        var times: [String: [Double]] = [:]
        let runs = await JobDaemon.run(
            jobs: [job("bad", "0 0 1 1 *"), job("good", nil)], every: 60, runAtStart: false, clock: clock, tick: 10,
            shouldStop: { clock.now() >= start + 185 },
            runJob: { j in
                times[j.name, default: []].append(clock.now().timeIntervalSince(start))
                if j.name == "bad" { throw SyncError(.transport, message: "connection refused") }
                return SyncReport()
            },
            report: { e in
                switch e {
                case .started(let jobs): events.append("started \(jobs.joined(separator: ","))")
                case .ran(let job, _): events.append("ran \(job)")
                case .failed(let job, let error):
                    events.append("failed \(job): \(error.contains("connection refused"))")
                case .stopped: events.append("stopped")
                }
            })
        #expect(times["bad"] == [0, 60, 120, 180] && times["good"] == [0, 60, 120, 180])
        #expect(runs == ["bad": 4, "good": 4])
        #expect(events.first == "started bad,good" && events.last == "stopped")
        #expect(events.filter { $0 == "failed bad: true" }.count == 4 && events.filter { $0 == "ran good" }.count == 4)
    }

    @Test("the timetable: at once with --run-at-start; a job without a schedule never; a run moves only its own job")
    func timetable() throws {
        let now = Self.at("2026-12-02T10:00:30Z")
        var t = JobTimetable(schedules: [CronSchedule("*/15 * * * *"), nil], every: nil, runAtStart: false, now: now)
        #expect(t.due == [Self.at("2026-12-02T10:15:00Z"), .distantFuture])
        #expect(t.dueJobs(at: Self.at("2026-12-02T10:15:00Z")) == [0])
        t.ran(0, finishedAt: Self.at("2026-12-02T10:15:20Z"))
        #expect(t.due[0] == Self.at("2026-12-02T10:30:00Z"))
        let atStart = JobTimetable(
            schedules: [CronSchedule("*/15 * * * *"), nil], every: nil, runAtStart: true, now: now)
        #expect(atStart.dueJobs(at: now) == [0, 1])
    }
}
