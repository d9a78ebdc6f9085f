import CRMMapping
public import CRMModel
public import Foundation
import Yams

/// What a sync run does: which remote, which record types, which way, how conflicts are settled, when.
/// Read from `mappings/jobs/*.yaml` or built from command-line flags.
public struct SyncJob: Sendable {
    public enum Direction: String, Sendable, CaseIterable { case pull, push, both }

    public var name: String
    /// A profile name under `mappings/remotes/` or a path.
    public var profile: String
    public var baseURL: String?
    public var types: [RecordType]
    public var direction: Direction
    public var policy: ConflictPolicy
    public var fieldRules: [String: FieldRule]
    /// A five-field cron expression (minute hour day-of-month month day-of-week), for `jobs daemon`.
    public var schedule: String?
    /// Records per checkpoint.
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// Local deletions are sent to the remote only when this is set (`--allow-delete`).
    public var allowDelete: Bool
    /// What a record deleted at the remote does here.
    public var onRemoteDelete: RemoteDeletePolicy = .tombstone
    /// The share of a type's linked records that one run may find gone before it stops and asks for
    /// `allowMassDelete` (a listing that silently lost records must not empty the store).
    public var massDeleteShare: Double = 0.1
    /// Lets a run tombstone more than `massDeleteShare` (`--allow-mass-delete`).
    public var allowMassDelete = false
    /// Pull reads the whole listing, not just what changed since the cursor (`--full`): the way to notice remote
    /// deletions on a remote whose listing is filtered by a "changed since" parameter.
    public var fullListing = false

    /// What a record that the remote no longer has becomes locally.
    public enum RemoteDeletePolicy: String, Sendable, CaseIterable {
        /// Deleted here too (a tombstone: kept, marked deleted, restorable by `undo`).
        case tombstone
        /// Kept here, no longer linked.
        case keep
        /// Kept here and created again at the remote by the next push.
        case recreate
    }

    public init(
        name: String, profile: String, baseURL: String? = nil, types: [RecordType] = [.lead],
        direction: Direction = .both,
        policy: ConflictPolicy = .newestWins, fieldRules: [String: FieldRule] = [:], schedule: String? = nil,
        batchSize: Int = 200, concurrency: Int = 8, allowDelete: Bool = false
    ) {
        self.name = name
        self.profile = profile
        self.baseURL = baseURL
        self.types = types
        self.direction = direction
        self.policy = policy
        self.fieldRules = fieldRules
        self.schedule = schedule
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.allowDelete = allowDelete
    }

    public static let folder = "mappings/jobs"

    /// Loads a job by path, or by name from `mappings/jobs/NAME.yaml`.
    /// - Throws: `SyncError(.invalidProfile)` with the file and line.
    public static func load(_ nameOrPath: String) throws -> SyncJob {
        var path = nameOrPath
        if !FileManager.default.fileExists(atPath: path),
            FileManager.default.fileExists(atPath: "\(folder)/\(nameOrPath).yaml")
        {
            path = "\(folder)/\(nameOrPath).yaml"
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SyncError(.invalidProfile, context: nameOrPath, message: "no such job file")
        }
        do {
            return try parse(
                yaml: String(decoding: data, as: UTF8.self),
                defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        } catch var e as SyncError {
            e.context = path + (e.context.map { ":\($0)" } ?? "")
            throw e
        }
    }

    public static func parse(yaml: String, defaultName: String) throws -> SyncJob {
        do {
            let m = try MappingFile.yamlTop(yaml, what: "the job file")
            try m.allow([
                "name", "description", "profile", "base_url", "types", "direction", "policy", "field_rules", "schedule",
                "batch_size", "concurrency",
                "allow_delete", "on_remote_delete", "mass_delete_share",
            ])
            var job = SyncJob(
                name: try m.string("name") ?? defaultName, profile: try m.requiredString("profile"),
                baseURL: try m.string("base_url"))
            if let t = try m.stringList("types") {
                job.types = try t.map { try recordType($0, line: m.line(of: "types")) }
            }
            if let d = try m.string("direction") {
                guard let v = Direction(rawValue: d) else {
                    throw MappingError(
                        .invalidValue, line: m.line(of: "direction"), message: "direction must be pull, push or both")
                }
                job.direction = v
            }
            if let p = try m.string("policy") { job.policy = try policy(p, line: m.line(of: "policy")) }
            if let r = m["field_rules"] {
                for (k, v) in try YAMLMap(r, what: "field_rules").pairs {
                    guard let s = v.scalar?.string, let rule = FieldRule(rawValue: s) else {
                        throw MappingError(
                            .invalidValue, line: v.mark?.line,
                            message: "field rule for '\(k)' must be one of "
                                + FieldRule.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    job.fieldRules[k] = rule
                }
            }
            if let s = try m.string("schedule") {
                guard CronSchedule(s) != nil else {
                    throw MappingError(
                        .invalidValue, line: m.line(of: "schedule"),
                        message: "schedule '\(s)' is not a five-field cron expression")
                }
                job.schedule = s
            }
            if let b = try m.string("batch_size") { job.batchSize = max(1, Int(b) ?? 200) }
            if let c = try m.string("concurrency") { job.concurrency = max(1, Int(c) ?? 8) }
            job.allowDelete = try m.bool("allow_delete") ?? false
            if let d = try m.string("on_remote_delete") {
                job.onRemoteDelete = try remoteDeletePolicy(d, line: m.line(of: "on_remote_delete"))
            }
            if let share = try m.string("mass_delete_share") {
                guard let v = Double(share), v >= 0, v <= 1 else {
                    throw MappingError(
                        .invalidValue, line: m.line(of: "mass_delete_share"),
                        message: "mass_delete_share must be a number from 0 to 1")
                }
                job.massDeleteShare = v
            }
            return job
        } catch let e as MappingError {
            throw SyncError(.invalidProfile, context: e.line.map { "line \($0)" }, message: e.message)
        }
    }

    /// `leads`, `lead`, `opportunities`… as a record type.
    public static func recordType(_ s: String, line: Int? = nil) throws -> RecordType {
        if let t = RecordType(rawValue: s) ?? RecordType.allCases.first(where: { $0.plural == s }) { return t }
        throw MappingError(
            .invalidValue, line: line, message: "unknown record type '\(s)'; use leads, opportunities or tasks")
    }

    /// `tombstone`, `keep` or `recreate`.
    public static func remoteDeletePolicy(_ s: String, line: Int? = nil) throws -> RemoteDeletePolicy {
        guard let p = RemoteDeletePolicy(rawValue: s) else {
            throw MappingError(
                .invalidValue, line: line,
                message: "on_remote_delete must be one of "
                    + RemoteDeletePolicy.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return p
    }

    public static func policy(_ s: String, line: Int? = nil) throws -> ConflictPolicy {
        guard let p = ConflictPolicy(rawValue: s) else {
            throw MappingError(
                .invalidValue, line: line,
                message: "policy must be one of " + ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return p
    }
}

/// A five-field cron expression: minute, hour, day of month, month, day of week (0 or 7 = Sunday);
/// `*`, lists, ranges and steps (`*/15`, `1-5`, `0,30`).
public struct CronSchedule: Sendable {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let anyDay: Bool, anyWeekday: Bool

    public init?(_ text: String) {
        let f = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard f.count == 5,
            let mi = Self.field(f[0], 0, 59), let h = Self.field(f[1], 0, 23), let d = Self.field(f[2], 1, 31),
            let mo = Self.field(f[3], 1, 12),
            let w = Self.field(f[4], 0, 7)
        else { return nil }
        minutes = mi
        hours = h
        days = d
        months = mo
        weekdays = Set(w.map { $0 == 7 ? 0 : $0 })
        anyDay = f[2] == "*"
        anyWeekday = f[4] == "*"
    }

    static func field(_ s: String, _ lo: Int, _ hi: Int) -> Set<Int>? {
        var out = Set<Int>()
        for part in s.split(separator: ",") {
            let stepParts = part.split(separator: "/")
            guard stepParts.count <= 2 else { return nil }
            let step = stepParts.count == 2 ? Int(stepParts[1]) : 1
            guard let step, step > 0 else { return nil }
            var a = lo
            var b = hi
            if stepParts[0] != "*" {
                let r = stepParts[0].split(separator: "-")
                guard let x = Int(r[0]) else { return nil }
                a = x
                b = r.count == 2 ? (Int(r[1]) ?? -1) : (stepParts.count == 2 ? hi : x)
            }
            guard a >= lo, b <= hi, a <= b else { return nil }
            for v in stride(from: a, through: b, by: step) { out.insert(v) }
        }
        return out.isEmpty ? nil : out
    }

    /// The first whole minute after `date` that matches (UTC).
    public func next(after date: Date) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        var t = Date(timeIntervalSince1970: (floor(date.timeIntervalSince1970 / 60) + 1) * 60)
        for _ in 0..<(366 * 24 * 60) {
            let c = cal.dateComponents([.minute, .hour, .day, .month, .weekday], from: t)
            let dayOK: Bool
            let dm = days.contains(c.day!)
            let wd = weekdays.contains(c.weekday! - 1)
            if anyDay && anyWeekday {
                dayOK = true
            } else if anyDay {
                dayOK = wd
            } else if anyWeekday {
                dayOK = dm
            } else {
                dayOK = dm || wd
            }
            if minutes.contains(c.minute!), hours.contains(c.hour!), months.contains(c.month!), dayOK { return t }
            t += 60
        }
        return t
    }
}
