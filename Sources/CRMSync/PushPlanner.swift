/// What the push knows about one changed local record before it sends anything.
public struct PushInput: Sendable {
    /// The record's change counter, and the counter its link was last agreed at (nil: not linked to the remote).
    public var changeSeq: Int64
    public var syncedSeq: Int64?
    /// The record is deleted locally (a tombstone).
    public var deleted: Bool
    /// A conflict of this record waits for a person.
    public var conflictWaiting: Bool
    /// A create of it was sent by an earlier run whose answer never came (its idempotency key is journaled).
    public var createSentBefore: Bool
    /// The job may delete remote records.
    public var allowDelete: Bool
    /// The snapshot last agreed with the remote, and the local record in the remote's terms (for an update).
    public var base: Snapshot?
    public var local: Snapshot

    public init(
        changeSeq: Int64, syncedSeq: Int64?, deleted: Bool = false, conflictWaiting: Bool = false,
        createSentBefore: Bool = false,
        allowDelete: Bool = false, base: Snapshot? = nil, local: Snapshot
    ) {
        self.changeSeq = changeSeq
        self.syncedSeq = syncedSeq
        self.deleted = deleted
        self.conflictWaiting = conflictWaiting
        self.createSentBefore = createSentBefore
        self.allowDelete = allowDelete
        self.base = base
        self.local = local
    }
}

/// What the push does with one changed record: a value the engine carries out (with requests, and re-reads where the
/// remote may have moved).
public enum PushDecision: Sendable, Equatable {
    /// The link was agreed at this change or later: nothing to send.
    case alreadySynced
    /// A conflict of the record waits for a person: nothing is sent until it is resolved.
    case waitForConflict
    /// Deleted locally and never linked: the remote never had it.
    case nothingToDelete
    /// Deleted locally, but the job may not delete remotely: kept there, counted.
    case keepRemote
    /// Deleted locally: delete the linked remote record.
    case delete
    /// Not linked: create it remotely; `recover` first looks for a create an earlier run sent whose answer was lost.
    case create(recover: Bool)
    /// Linked and changed in these fields since the base: send them.
    case update(fields: Set<String>)
    /// Linked, the counter moved but the values are the base's: only the link's counter moves.
    case advance
}

/// Decides the push of one record from what the store knows, before any request.
public enum PushPlanner {
    /// The decision for `input`.
    public static func plan(_ input: PushInput) -> PushDecision {
        if let synced = input.syncedSeq, input.changeSeq <= synced { return .alreadySynced }
        if input.conflictWaiting { return .waitForConflict }
        if input.deleted {
            guard input.syncedSeq != nil else { return .nothingToDelete }
            return input.allowDelete ? .delete : .keepRemote
        }
        guard input.syncedSeq != nil else { return .create(recover: input.createSentBefore) }
        let base = input.base ?? Snapshot([:])
        let changed = Set(base.values.keys).union(input.local.values.keys).filter { base[$0] != input.local[$0] }
        return changed.isEmpty ? .advance : .update(fields: changed)
    }
}
