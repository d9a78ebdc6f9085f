public import Foundation

/// How a field changed on both sides to different values is settled.
public enum ConflictPolicy: String, Sendable, CaseIterable {
    case remoteWins = "remote-wins"
    case localWins = "local-wins"
    /// The side modified last wins; on equal times, or when a side's time is unknown, the remote wins.
    case newestWins = "newest-wins"
    /// The record waits in the conflict queue and is not pushed until a person resolves it.
    case manual
}

/// A per-field rule that settles a conflict on that field whatever the policy.
public enum FieldRule: String, Sendable, CaseIterable {
    /// Both sides' list items, local order first, without repeats (tags).
    case union
    /// Local text, then the remote's text on a new line (notes).
    case append
    case max, min
    case local, remote
}

/// The outcome of a three-way merge of one record.
public struct MergeResult: Sendable, Equatable {
    public var merged: Snapshot
    /// Fields changed on both sides to different values that no rule settled (only under `manual`).
    public var conflicts: [String]
    /// Fields changed on both sides that a rule or the policy settled.
    public var settled: [String]
}

/// Three-way, field-by-field merge against the base snapshot.
public enum ThreeWayMerge {
    /// - Parameters: `localTime` and `remoteTime`, the sides' last modification (for `newest-wins`).
    public static func merge(
        base: Snapshot, local: Snapshot, remote: Snapshot, policy: ConflictPolicy, rules: [String: FieldRule] = [:],
        localTime: Date? = nil, remoteTime: Date? = nil
    ) -> MergeResult {
        var out = Snapshot()
        var conflicts: [String] = []
        var settled: [String] = []
        let keys = Set(base.values.keys).union(local.values.keys).union(remote.values.keys)
        for k in keys.sorted() {
            let b = base[k]
            let l = local[k]
            let r = remote[k]
            if l == r {
                out[k] = l
                continue
            }
            if l == b {
                out[k] = r
                continue
            }
            if r == b {
                out[k] = l
                continue
            }
            if let rule = rules[k] {
                out[k] = apply(rule, l, r)
                settled.append(k)
                continue
            }
            switch policy {
            case .remoteWins: out[k] = r
            case .localWins: out[k] = l
            case .newestWins:
                if let lt = localTime, let rt = remoteTime, lt > rt { out[k] = l } else { out[k] = r }
            case .manual:
                out[k] = l
                conflicts.append(k)
                continue
            }
            settled.append(k)
        }
        return MergeResult(merged: out, conflicts: conflicts, settled: settled)
    }

    static func apply(_ rule: FieldRule, _ l: String?, _ r: String?) -> String? {
        switch rule {
        case .local: return l
        case .remote: return r
        case .union:
            var seen = Set<String>()
            let items =
                (l ?? "").components(separatedBy: Snapshot.listSeparator)
                + (r ?? "").components(separatedBy: Snapshot.listSeparator)
            return items.filter { !$0.isEmpty && seen.insert($0).inserted }.joined(separator: Snapshot.listSeparator)
        case .append:
            guard let l, !l.isEmpty else { return r }
            guard let r, !r.isEmpty, !l.contains(r) else { return l }
            if r.contains(l) { return r }
            return l + "\n" + r
        case .max, .min:
            guard let lv = l.flatMap(Double.init) else { return r }
            guard let rv = r.flatMap(Double.init) else { return l }
            return (rule == .max ? lv >= rv : lv <= rv) ? l : r
        }
    }
}
