public import CRMModel
import Foundation

/// How an incoming row's values combine with a record that already exists.
public enum MergeMode: Sendable {
    /// Non-empty incoming values replace stored ones (a newer list updates the store).
    case update
    /// Incoming values only fill fields that are empty (a later duplicate in the same file).
    case fill
    /// The row is the record's new version (it names the record by its crmgate id: an export edited and imported
    /// back): non-empty values replace stored ones, notes and tags too (appended, an edited note was kept twice).
    case replace
}

/// Field-by-field combination of two versions of a record (survivorship for exact matches).
///
/// Tags are always unioned; notes are appended when the incoming text is not already there;
/// `created_at` keeps the earliest. Applying the same row twice changes nothing the second time.
public enum RecordMerge {
    /// Merges `incoming` into `existing`; returns true when `existing` changed.
    @discardableResult
    @_specialize(exported:true,where R == Lead)
    @_specialize(exported:true,where R == Opportunity)
    @_specialize(exported:true,where R == Customer)
    @_specialize(exported:true,where R == CRMTask)
    public static func absorb<R: CRMRecord>(_ incoming: R, into existing: inout R, mode: MergeMode) -> Bool {
        var changed = false
        for (k, f) in R.fields.enumerated() {
            let new = incoming.fieldValue(k)
            if new.isEmpty { continue }
            let old = existing.fieldValue(k)
            if old == new { continue }
            let merged: FieldValue
            switch (f.name, old, new) {
            case ("tags", _, _) where mode == .replace, ("notes", _, _) where mode == .replace,
                ("created_at", _, _) where mode == .replace:
                merged = new
            case ("tags", _, .list(let add)):
                var list: [String] = []
                if case .list(let l) = old { list = l }
                let folded = Set(list.map { $0.lowercased() })
                let extra = add.filter { !folded.contains($0.lowercased()) }
                if extra.isEmpty { continue }
                merged = .list(list + extra)
            case ("notes", .text(let a), .text(let b)):
                if holds(a, b) { continue }
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

    /// True when `text` already holds `part`. Both ASCII (bytes and characters agree): a byte search (memchr for
    /// the first byte, memcmp for the rest). Otherwise String's own search, by characters (`é` composed or decomposed
    /// is one character), as
    /// before: it cost ~70k instructions a call on short notes, a twentieth of the import's writer at 100k leads.
    static func holds(_ text: String, _ part: String) -> Bool {
        var text = text
        var part = part
        let bytes: Bool? = text.withUTF8 { t -> Bool? in
            part.withUTF8 { p -> Bool? in
                guard isASCII(t), isASCII(p) else { return nil }
                if p.isEmpty { return true }
                guard let tb = t.baseAddress, let pb = p.baseAddress, p.count <= t.count else { return false }
                // Each place the first byte occurs (memchr), compared whole (memcmp).
                var at = tb
                let last = tb + (t.count - p.count)
                while at <= last {
                    guard let hit = memchr(at, Int32(pb.pointee), last - at + 1) else { return false }
                    let h = hit.assumingMemoryBound(to: UInt8.self)
                    if memcmp(h, pb, p.count) == 0 { return true }
                    at = UnsafePointer(h) + 1
                }
                return false
            }
        }
        return bytes ?? text.contains(part)
    }

    private static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var or: UInt8 = 0
        for x in b { or |= x }
        return or < 0x80
    }
}
