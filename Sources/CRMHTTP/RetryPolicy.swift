public import Foundation

/// When and how long to wait before repeating a request.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The first backoff; each retry doubles it, with full jitter, up to `maxDelay`.
    public var baseDelay: Double
    public var maxDelay: Double
    /// A `Retry-After` longer than this is not waited for: the request fails instead.
    public var maxRetryAfter: Double
    /// Statuses worth repeating (the throttled ones are always included).
    public var retryStatuses: Set<Int>
    /// Statuses that mean "slow down" for this remote (429 for most; Cin7 Core answers 503).
    public var throttleStatuses: Set<Int>

    public init(
        maxAttempts: Int = 6, baseDelay: Double = 0.2, maxDelay: Double = 20, maxRetryAfter: Double = 300,
        retryStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504], throttleStatuses: Set<Int> = [429]
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryStatuses = retryStatuses
        self.throttleStatuses = throttleStatuses
    }

    /// Exponential backoff with full jitter for the given retry (1 = first retry).
    public func backoff(retry: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let cap = min(maxDelay, baseDelay * pow(2, Double(max(0, retry - 1))))
        return cap / 2 + random * cap / 2
    }

    /// The delay a `Retry-After` value asks for: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String, now: Date = Date()) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let s = Double(v), s >= 0 { return s }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = format
            if let d = f.date(from: v) { return max(0, d.timeIntervalSince(now)) }
        }
        return nil
    }
}

/// A budget of requests shared by every concurrent request to one remote: at most `limit` sends in any
/// `window` seconds, and at most `perDay` per UTC day. It also pauses everyone when the remote says "throttled".
public final class RateGovernor: @unchecked Sendable {
    private let lock = NSLock()
    private var limit: Int?
    private let window: Double
    private let perDay: Int?
    private var sends: [Double] = []  // scheduled send times, ascending
    private var actual: [Double] = []  // times requests were really handed to the transport, ascending
    private var pausedUntil: Double = 0
    private var day: Int = -1
    private var sentToday = 0
    private(set) var throttles = 0
    /// Extra spacing so that arrival jitter cannot squeeze `limit + 1` requests into the server's window.
    private let margin: Double

    /// - Parameters: `limit` requests per `window` seconds (nil: no window limit); `perDay` per UTC day.
    public init(limit: Int? = nil, window: Double = 60, perDay: Int? = nil) {
        self.limit = limit.map { max(1, $0) }
        self.window = window
        self.perDay = perDay
        self.margin = max(0.2, window * 0.1)
    }

    /// Reserves a send slot and returns how long to wait before sending; nil when the daily budget is spent.
    public func reserve(now: Double = ProcessInfo.processInfo.systemUptime, wallClock: Date = Date()) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        let today = Int(wallClock.timeIntervalSince1970 / 86_400)
        if today != day {
            day = today
            sentToday = 0
        }
        if let perDay, sentToday >= perDay { return nil }
        sentToday += 1
        var t = max(now, pausedUntil)
        if let limit {
            if sends.count >= limit { t = max(t, sends[sends.count - limit] + window + margin) }
            if let last = sends.last { t = max(t, last) }
            sends.append(t)
            let keepFrom = sends.count - limit
            if keepFrom > 64 { sends.removeFirst(keepFrom) }
        }
        return t - now
    }

    /// Called just before a request goes out (after the wait `reserve` asked for): returns a further wait when
    /// the requests really sent in the last window already reach the limit (a late wake-up of an earlier request
    /// can bunch sends together), or nil and records this send.
    public func confirm(now: Double = ProcessInfo.processInfo.systemUptime) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard let limit else { return nil }
        if actual.count >= limit {
            let boundary = actual[actual.count - limit] + window + margin
            if now < boundary { return boundary - now }
        }
        actual.append(now)
        if actual.count > limit + 64 { actual.removeFirst(actual.count - limit) }
        return nil
    }

    /// The remote answered "throttled": nobody sends before `retryAfter` (or a share of the window) has passed,
    /// and a configured limit is lowered by a tenth so that the next window stays under the remote's.
    public func throttled(retryAfter: Double?, now: Double = ProcessInfo.processInfo.systemUptime) {
        lock.lock()
        defer { lock.unlock() }
        throttles += 1
        let pause = retryAfter ?? (limit.map { window / Double($0) * 2 } ?? 1)
        pausedUntil = max(pausedUntil, now + pause)
        if let l = limit, retryAfter == nil { limit = max(1, l - max(1, l / 10)) }
    }
}
