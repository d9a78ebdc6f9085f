import Foundation

/// Where a job's pull and push stand for one record type (kept in the store after every page and batch).
struct CursorState: Sendable {
    /// The highest modified stamp pulled, and the ids seen at exactly that stamp (tie-safe cursor).
    var mark: String?
    var idsAtMark: [String] = []
    /// A listing in progress: the page to read next and the filter it was started with.
    var page: String?
    var pageSince: String?
    /// Start of the last complete pull (the cursor for remotes whose records carry no stamp).
    var lastPullStart: String?
    /// The local change counter up to which every change has been pushed.
    var pushSeq: Int64 = 0
    /// The remote (`profile@base URL`) the positions are of; nil in a state saved before it was kept.
    var remote: String?

    init() {}

    init(json: String?) {
        guard let json, let v = try? JSONValue.parse(Array(json.utf8)) else { return }
        mark = v["mark"]?.stringValue
        idsAtMark = v["ids_at_mark"]?.arrayValue?.compactMap(\.stringValue) ?? []
        page = v["page"]?.stringValue
        pageSince = v["page_since"]?.stringValue
        lastPullStart = v["last_pull_start"]?.stringValue
        pushSeq = v["push_seq"]?.stringValue.flatMap { Int64($0) } ?? 0
        remote = v["remote"]?.stringValue
    }

    var json: String {
        JSONValue.object([
            ("mark", mark.map { .string($0) } ?? .null), ("ids_at_mark", .array(idsAtMark.map { .string($0) })),
            ("page", page.map { .string($0) } ?? .null), ("page_since", pageSince.map { .string($0) } ?? .null),
            ("last_pull_start", lastPullStart.map { .string($0) } ?? .null), ("push_seq", .number(Double(pushSeq))),
            ("remote", remote.map { .string($0) } ?? .null),
        ]).text
    }
}
