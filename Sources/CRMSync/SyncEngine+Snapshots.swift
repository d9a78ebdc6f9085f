import CRMModel
public import CRMStore
import Foundation

/// The engine's helpers for matching local records, making links and describing snapshots in report lines.
extension SyncEngine {
    func unlinkedEmails<R: CRMRecord>(_ type: R.Type) throws -> [String: String] {
        guard R.fieldIndex(named: "email") != nil else { return [:] }
        let linked = Set(try storeCall { try store.linkIDs(remote: remoteName, type: R.recordType) }.map(\.localID))
        var out: [String: String] = [:]
        try storeCall {
            try store.forEach(R.self) { r, _ in
                let id = r.id.description
                if !linked.contains(id), let e = EmailAddress.normalize(r.value(of: "email").text) {
                    out[e] = out[e] ?? id
                }
            }
        }
        return out
    }

    /// `baseJSON`, when given, is `base.json` computed before.
    func link(
        _ rid: String, _ localID: String, _ json: JSONValue, _ codec: RecordCodec, base: Snapshot, stamp: String,
        dirty: Bool, etag: String? = nil,
        keep identity: String? = nil, baseJSON: String? = nil
    ) -> SyncLink {
        SyncLink(
            remote: remoteName, recordType: codec.resource.record, localID: localID, remoteID: rid, etag: etag,
            version: codec.version(json),
            base: baseJSON ?? base.json, syncedSeq: dirty ? -1 : 0, remoteStamp: stamp,
            identity: codec.identity(json) ?? identity)
    }

    /// A record's first fields for a plan line (lists with `|`), and how many more there are.
    func summary(_ s: Snapshot) -> String {
        let keys = s.values.keys.sorted()
        let shown = keys.prefix(4).map { "\($0)=\(s[$0]!.replacingOccurrences(of: Snapshot.listSeparator, with: "|"))" }
            .joined(separator: ", ")
        return keys.count > 4 ? shown + ", … (\(keys.count - 4) more)" : shown
    }

    func diff(_ a: Snapshot, _ b: Snapshot) -> String {
        let keys = Set(a.values.keys).union(b.values.keys).filter { a[$0] != b[$0] }.sorted()
        if keys.isEmpty { return "no change" }
        func shown(_ v: String?) -> String {
            (v ?? "").replacingOccurrences(of: Snapshot.listSeparator, with: "|").debugDescription
        }
        return keys.map { "\($0): \(shown(a[$0])) → \(shown(b[$0]))" }.joined(separator: "; ")
    }
}
