public import CRMModel

/// How an incoming row's values combine with a record that already exists.
public enum MergeMode: Sendable {
    /// Non-empty incoming values replace stored ones (a newer list updates the store).
    case update
    /// Incoming values only fill fields that are empty (a later duplicate in the same file).
    case fill
}

/// Field-by-field combination of two versions of a record (survivorship for exact matches).
///
/// Tags are always unioned; notes are appended when the incoming text is not already there;
/// `created_at` keeps the earliest. Applying the same row twice changes nothing the second time.
public enum RecordMerge {
    /// Merges `incoming` into `existing`; returns true when `existing` changed.
    @discardableResult
    @_specialize(exported: true, where R == Lead)
    @_specialize(exported: true, where R == Opportunity)
    @_specialize(exported: true, where R == Customer)
    @_specialize(exported: true, where R == CRMTask)
    public static func absorb<R: CRMRecord>(_ incoming: R, into existing: inout R, mode: MergeMode) -> Bool {
        var changed = false
        for (k, f) in R.fields.enumerated() {
            let new = incoming.fieldValue(k)
            if new.isEmpty { continue }
            let old = existing.fieldValue(k)
            if old == new { continue }
            let merged: FieldValue
            switch (f.name, old, new) {
            case ("tags", _, .list(let add)):
                var list: [String] = []
                if case .list(let l) = old { list = l }
                let folded = Set(list.map { $0.lowercased() })
                let extra = add.filter { !folded.contains($0.lowercased()) }
                if extra.isEmpty { continue }
                merged = .list(list + extra)
            case ("notes", .text(let a), .text(let b)):
                if a.contains(b) { continue }
                merged = .text(a + "\n" + b)
            case ("created_at", .instant(let a), .instant(let b)):
                if b >= a { continue }
                merged = .instant(b)
            default:
                if mode == .fill && !old.isEmpty { continue }
                merged = new
            }
            f.set(&existing, merged)
            changed = true
        }
        for (k, v) in incoming.custom where !v.isEmpty {
            let old = existing.custom[k] ?? ""
            if old == v || (mode == .fill && !old.isEmpty) { continue }
            existing.custom[k] = v
            changed = true
        }
        return changed
    }
}
