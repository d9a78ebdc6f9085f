public import Foundation

/// What the pull knows about one remote record that is linked to a local one.
public struct PullInput: Sendable {
    /// The snapshot last agreed with the remote.
    public var base: Snapshot
    /// What a dead run's update sent, where its answer never came (`sync_update_journal`).
    public var sentUpdate: Snapshot?
    /// The local record in the remote's terms, and whether it is deleted.
    public var local: Snapshot
    public var localDeleted: Bool
    /// The record's change counter moved past the one its link was agreed at.
    public var localEditedSinceSync: Bool
    public var remote: Snapshot
    /// A conflict of this record waits for a person.
    public var conflictWaiting: Bool
    public var policy: ConflictPolicy
    public var rules: [String: FieldRule]
    public var localTime: Date?
    public var remoteTime: Date?

    public init(
        base: Snapshot, sentUpdate: Snapshot? = nil, local: Snapshot, localDeleted: Bool = false,
        localEditedSinceSync: Bool,
        remote: Snapshot, conflictWaiting: Bool = false, policy: ConflictPolicy, rules: [String: FieldRule] = [:],
        localTime: Date? = nil, remoteTime: Date? = nil
    ) {
        self.base = base
        self.sentUpdate = sentUpdate
        self.local = local
        self.localDeleted = localDeleted
        self.localEditedSinceSync = localEditedSinceSync
        self.remote = remote
        self.conflictWaiting = conflictWaiting
        self.policy = policy
        self.rules = rules
        self.localTime = localTime
        self.remoteTime = remoteTime
    }
}

/// What the pull does with a linked record: a value the engine applies.
public enum PullDecision: Sendable, Equatable {
    /// The waiting conflict still conflicts on these fields: its remote side is brought up to date, nothing else.
    case stillConflicted(fields: [String])
    /// The remote agrees with the base: nothing is written locally.
    case unchanged
    /// The local record is deleted: the remote's change is not taken.
    case skipDeleted
    /// Only the remote changed: its values are taken; the remote becomes the base.
    case takeRemote
    /// Both changed the same fields differently, and the policy does not settle it: a conflict is queued.
    case conflict(fields: [String])
    /// Both changed and the merge settles it: `merged` is written locally (where it differs), the remote becomes the
    /// base, and the record is pushed next when `merged` differs from the remote.
    case merge(merged: Snapshot, settledByPolicy: Bool)
}

/// The plan for one linked record.
public struct PullPlan: Sendable, Equatable {
    /// The base the decision was made against (the agreed snapshot, with a dead run's sent update counted as ours).
    public var base: Snapshot
    /// The waiting conflict is closed: the remote no longer conflicts.
    public var closeConflict = false
    /// The record is marked unsent (written again), so that the push sends what the closed conflict held back.
    public var markUnsent = false
    public var decision: PullDecision
}

/// Decides what the pull does with a linked record: pure, tested by tables of cases (`PullPlannerTests`).
public enum PullPlanner {
    public static func plan(_ i: PullInput) -> PullPlan {
        var base = i.base
        if let sent = i.sentUpdate {
            // The remote applied (some of) an update whose answer never came: those fields were agreed.
            for (k, v) in sent.values where i.remote[k] == v { base[k] = v }
        }
        var plan = PullPlan(base: base, decision: .unchanged)
        if !i.localDeleted && i.conflictWaiting {
            // The record waits for a person, whatever the job's policy; it closes when the remote no longer conflicts.
            let m = ThreeWayMerge.merge(
                base: base, local: i.local, remote: i.remote, policy: .manual, rules: i.rules,
                localTime: i.localTime, remoteTime: i.remoteTime)
            if !m.conflicts.isEmpty {
                plan.decision = .stillConflicted(fields: m.conflicts)
                return plan
            }
            plan.closeConflict = true
            plan.markUnsent = i.local != base
        }
        if i.remote == base { return plan }
        if i.localDeleted {
            plan.decision = .skipDeleted
            return plan
        }
        guard i.localEditedSinceSync && i.local != base else {
            plan.decision = .takeRemote
            return plan
        }
        let m = ThreeWayMerge.merge(
            base: base, local: i.local, remote: i.remote, policy: i.policy, rules: i.rules,
            localTime: i.localTime, remoteTime: i.remoteTime)
        plan.decision =
            m.conflicts.isEmpty
            ? .merge(merged: m.merged, settledByPolicy: !m.settled.isEmpty) : .conflict(fields: m.conflicts)
        return plan
    }
}
