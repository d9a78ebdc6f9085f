public import CRMStore

/// Moves a remote's sync state to the same remote at another address (a new port, host or proxy): its links, journals,
/// conflicts and set-aside records are kept per `profile@base URL`, so without this the store would take the moved CRM
/// for another one, match its records again and pull in duplicates of those it cannot match (a trial restarted
/// amagi-crm on a new port and saw its deals planned as new records). Job cursors are per job and stay as they are.
public enum RemoteMove {
    /// What a move did (or, for a dry run, would do).
    public struct Result: Sendable, Equatable {
        /// The remote names, `profile@base URL`.
        public var from: String
        public var to: String
        /// Links of the old name, and rows renamed in all (links, journals, conflicts, set-aside records).
        public var links: Int
        public var rows: Int
    }

    /// The name the sync engine gives a remote: the profile's name at the base URL without a trailing slash.
    public static func remoteName(profile: String, baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return profile + "@" + base
    }

    /// Renames `profile@from` to `profile@to` in the store.
    /// - Throws: `SyncError(.notFound)` when the store has no links for the old address (naming the remotes it has),
    ///   or `.invalidProfile` when the new address has links already (two remotes' state would mix); `.store`.
    public static func move(
        store: any SyncStore, profile: String, from: String, to: String, dryRun: Bool
    ) throws -> Result {
        let old = remoteName(profile: profile, baseURL: from)
        let new = remoteName(profile: profile, baseURL: to)
        let known: [(name: String, links: Int)]
        do { known = try store.remotes() } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
        guard let links = known.first(where: { $0.name == old })?.links else {
            throw SyncError(
                .notFound, context: old,
                message: "the store keeps no links for \(old); it knows "
                    + (known.isEmpty
                        ? "no remote" : known.map { "\($0.name) (\($0.links) links)" }.joined(separator: ", ")))
        }
        guard old != new else { return Result(from: old, to: new, links: links, rows: 0) }
        if let there = known.first(where: { $0.name == new }) {
            throw SyncError(
                .invalidProfile, context: new,
                message:
                    "the store already keeps \(there.links) links for \(new): a run against the new address made them; moving \(old) there would mix two remotes' state"
            )
        }
        if dryRun { return Result(from: old, to: new, links: links, rows: 0) }
        do {
            return Result(from: old, to: new, links: links, rows: try store.renameRemote(from: old, to: new))
        } catch let e as StoreError { throw SyncError(.store, message: "\(e)") }
    }
}
