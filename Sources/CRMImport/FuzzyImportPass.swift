public import CRMDedupe
public import CRMMapping
import CRMModel
public import CRMStore
import Foundation

/// After an import commits, matches its new leads against each other and against the whole store with the
/// fuzzy matcher: sure matches are merged into the older record (ledger rows become `merged`), unsure pairs go
/// to the review queue (`crmgate review`). A pair a person rejected is never merged or proposed again.
public enum FuzzyImportPass {
    public struct Summary: Sendable {
        public var merged = 0
        /// Of `merged`, the records the import had created and those it had updated (their rows are `merged` now).
        public var ledger = FuzzyMergeCounts()
        public var queuedForReview = 0
        public var candidatePairs = 0
        public var seconds = 0.0
    }

    /// - Throws: `ImportError(.store)`.
    /// - Parameter mapping: the import's mapping, whose `dedupe:` section names the fields compared (nil: the lead
    ///   model's own fields).
    /// - Parameter progress: told each phase as it begins (reading the store, the matcher's phases, merging).
    public static func run(
        store: any ReviewStore, importID: Int64, settings: DedupeSettings = DedupeSettings(),
        mapping: MappingFile? = nil,
        progress: ((String) -> Void)? = nil
    ) throws -> Summary {
        let builder = DedupeRowBuilder(mapping: mapping)
        let started = ProcessInfo.processInfo.systemUptime
        do {
            let fresh = try store.importRecordIDs(Lead.self, importID: importID)
            guard !fresh.isEmpty else { return Summary() }
            let rejected = try store.rejectedPairs(type: .lead)
            var settings = settings
            settings.explainReview = true  // the review page shows why the matcher was unsure
            let d = FuzzyDeduplicator(settings: settings)
            d.onPhase = progress
            progress?("reading the store's leads")
            var ids: [String] = []
            try store.forEachWithRowID(Lead.self) { _, l in
                ids.append(l.id.description)
                let r = builder.row(lead: l)
                d.add(r)
            }
            let result = d.run()
            var summary = Summary(candidatePairs: result.candidatePairs)
            var groups: [Int32: [Int]] = [:]
            for (row, root) in result.cluster.enumerated() { groups[root, default: []].append(row) }
            func key(_ a: String, _ b: String) -> String { a < b ? a + "|" + b : b + "|" + a }
            var merges: [FuzzyMerge<Lead>] = []
            // A row merged away is represented by the record it was folded into.
            var survivorOf: [Int: Int] = [:]
            for members in groups.values where members.count > 1 && members.contains(where: { fresh.contains(ids[$0]) })
            {
                // The survivor is the oldest record that was already in the store, else the oldest new one.
                let survivorRow = members.first { !fresh.contains(ids[$0]) } ?? members[0]
                var survivor = try store.record(Lead.self, id: ids[survivorRow])
                var folded: [String] = []
                for m in members
                where m != survivorRow && fresh.contains(ids[m]) && !rejected.contains(key(ids[m], ids[survivorRow])) {
                    let incoming = try store.record(Lead.self, id: ids[m])
                    RecordMerge.absorb(incoming, into: &survivor, mode: .fill)
                    folded.append(ids[m])
                    survivorOf[m] = survivorRow
                }
                if !folded.isEmpty {
                    merges.append(
                        FuzzyMerge(
                            survivor: survivor, merged: folded,
                            reason: "fuzzy match: same person as \(ids[survivorRow])"))
                    summary.merged += folded.count
                }
            }
            progress?("merging \(summary.merged) leads into their survivors")
            summary.ledger = try store.applyFuzzyMerges(merges, importID: importID)
            // Review pairs name the records as they are after the merges: a pair whose lead was merged away names its
            // survivor instead, and a pair that the merges made one record is no question any more.
            var proposed = Set<String>()
            var review: [(String, String, Double)] = []
            var explanations: [String?] = []
            for (i, (x, y, w)) in result.review.enumerated() {
                let a = survivorOf[Int(x)] ?? Int(x)
                let b = survivorOf[Int(y)] ?? Int(y)
                guard a != b, fresh.contains(ids[a]) || fresh.contains(ids[b]),
                    proposed.insert(key(ids[a], ids[b])).inserted
                else { continue }
                review.append((ids[a], ids[b], w))
                // Rows numbered as the matcher saw them; a pair that names a survivor says so.
                let merged =
                    a != Int(x) || b != Int(y)
                    ? "\n  (one of the two was merged since; the pair names its survivor)" : ""
                // The matcher numbers the store's leads as it read them, no file's rows: a trial's `review show` named
                // rows 228 and 3907 of the file it had imported, other people. The pair names its leads instead.
                let named =
                    i < result.reviewExplanations.count
                    ? result.reviewExplanations[i].replacingOccurrences(
                        of: "rows \(x + 1) and \(y + 1): ",
                        with: "leads \(RecordID.short(ids[Int(x)])) and \(RecordID.short(ids[Int(y)])): ") : nil
                explanations.append(named.map { $0 + merged })
            }
            summary.queuedForReview = try store.proposeReview(
                type: .lead, pairs: review, importID: importID, explanations: explanations)
            summary.seconds = ProcessInfo.processInfo.systemUptime - started
            return summary
        } catch let e as StoreError {
            throw ImportError(.store, e.description, underlying: e)
        }
    }

    /// Merges a reviewed pair: the older record survives, the other is folded into it and tombstoned.
    /// - Returns: the survivor's id.
    public static func accept(store: any ReviewStore, pair: ReviewPair) throws -> String {
        try acceptClosing(store: store, pair: pair).survivor
    }

    /// `accept`, saying also which open pairs of the merged lead it closed (each asked again about the survivor,
    /// unless that pair was proposed or decided already).
    public static func acceptClosing(
        store: any ReviewStore, pair: ReviewPair
    ) throws -> (survivor: String, closed: [Int64]) {
        do {
            var a = try store.record(Lead.self, id: pair.a)
            let b = try store.record(Lead.self, id: pair.b)
            // The record stored first survives.
            let survivorIsA =
                (try store.rowID(Lead.self, id: pair.a) ?? 0) <= (try store.rowID(Lead.self, id: pair.b) ?? 0)
            var survivor = survivorIsA ? a : b
            let other = survivorIsA ? b : a
            RecordMerge.absorb(other, into: &survivor, mode: .fill)
            a = survivor
            try store.applyFuzzyMerges(
                [FuzzyMerge(survivor: a, merged: [other.id.description], reason: "merged after review \(pair.id)")],
                importID: pair.importID)
            try store.decideReview(id: pair.id, status: .accepted)
            // The merged lead's other open pairs ask about the survivor now (a trial's list kept them with the lead
            // "(gone)", and accepting one failed): each is closed as merged and proposed again with the survivor,
            // unless that pair was proposed or decided already, or is the survivor itself.
            let gone = other.id.description
            let kept = survivor.id.description
            var closed: [Int64] = []
            for q in try store.reviewPairs(status: .open) where q.a == gone || q.b == gone {
                try store.decideReview(id: q.id, status: .merged)
                closed.append(q.id)
                let x = q.a == gone ? q.b : q.a
                if x != kept {
                    try store.proposeReview(
                        type: q.recordType, pairs: [(kept, x, q.weight)], importID: q.importID, explanations: [nil])
                }
            }
            return (kept, closed)
        } catch let e as StoreError {
            throw ImportError(.store, e.description, underlying: e)
        }
    }
}
