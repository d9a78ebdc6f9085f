import CRMMapping
import CRMModel
import Foundation

/// Converts between a remote's JSON records and snapshots, as the profile's field map says.
public struct RecordCodec: Sendable {
    public let resource: RemoteProfile.Resource
    /// The model kind of each field map's first field, looked up once.
    let kinds: [FieldKind]
    /// The model fields this resource syncs.
    public let fieldNames: Set<String>

    public init(_ resource: RemoteProfile.Resource) {
        self.resource = resource
        kinds = resource.fields.map { ModelFields.kind(resource.record, $0.fields[0]) }
        fieldNames = Set(resource.fields.flatMap(\.fields))
    }
    /// Whether whole custom objects sync.
    public var syncsCustom: Bool { resource.customPath != nil }

    public func remoteID(_ json: JSONValue) -> String? { resource.idPath.get(json)?.stringValue }
    public func modified(_ json: JSONValue) -> String? { resource.modifiedPath?.get(json)?.stringValue }
    public func version(_ json: JSONValue) -> String? { resource.versionPath?.get(json)?.stringValue }
    /// What identifies the record beyond its id, where the profile names it (`created:`).
    public func identity(_ json: JSONValue) -> String? { resource.identityPath?.get(json)?.stringValue }
    /// Whether an answer is the record itself (it carries the id), not a message about it.
    public func isRecord(_ json: JSONValue) -> Bool {
        guard case .object = json, remoteID(json) != nil else { return false }
        return resource.fields.isEmpty || resource.fields.contains { $0.path.get(json) != nil }
    }
    public func isDeleted(_ json: JSONValue) -> Bool {
        guard let flag = resource.list.deleted?.flag, let v = flag.get(json) else { return false }
        if case .bool(let b) = v { return b }
        return v.stringValue == "true"
    }

    /// Whether a listed record leaves out a field the profile reads (absent, not null): one to read whole.
    public func lacksFields(_ json: JSONValue) -> Bool {
        resource.fields.contains { $0.path.get(json) == nil }
    }

    /// The snapshot of a remote record.
    public func snapshot(_ json: JSONValue) -> Snapshot {
        var out: [String: String] = [:]
        out.reserveCapacity(resource.fields.count)
        // Each field map is borrowed where it lies (a copy of one costs a retain per dictionary and chain it holds).
        resource.fields.withUnsafeBufferPointer { fields in
            for i in fields.indices { snapshotField(json, fields[i], kinds[i], into: &out) }
        }
        if let cp = resource.customPath, case .object(let o)? = cp.get(json) {
            for (k, v) in o { if let s = v.stringValue { out["custom." + k] = s } }
        }
        return Snapshot(out)
    }

    /// One field of a remote record into the snapshot's values.
    private func snapshotField(
        _ json: JSONValue, _ f: borrowing RemoteProfile.FieldMap, _ kind: FieldKind, into out: inout [String: String]
    ) {
        guard let v = f.path.get(json), !v.isNull else { return }
        switch f.kind {
        case .nameParts:
            let full = (v.stringValue ?? "").split(separator: " ").map(String.init)
            if f.fields.count >= 2 {
                out[f.fields[0]] = full.dropLast().joined(separator: " ")
                out[f.fields[1]] = full.last ?? ""
                if full.count == 1 {
                    out[f.fields[0]] = full[0]
                    out[f.fields[1]] = ""
                }
            } else {
                out[f.fields[0]] = full.joined(separator: " ")
            }
        case .joinedList(let sep):
            let s = v.stringValue ?? ""
            out[f.fields[0]] = s.components(separatedBy: sep).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            .joined(separator: Snapshot.listSeparator)
        case .plain, .stringly:
            out[f.fields[0]] = read(v, f, kind: kind)
        }
    }

    /// A remote value as the model's text, through the field's value map, scale and format.
    func read(_ v: JSONValue, _ f: RemoteProfile.FieldMap, kind: FieldKind) -> String {
        if let chain = f.readTransform {
            // As an import reads a column; a value the steps cannot read is kept as the remote wrote it.
            let input: FieldValue
            switch v {
            case .array(let a): input = .list(a.compactMap(\.stringValue))
            case .null: input = .empty
            default: input = .text(v.stringValue ?? "")
            }
            switch chain.read(input, kind: kind) {
            case .value(.text(let s)): return Self.text(.string(s), kind: kind)
            case .value(let x): return Snapshot.canonical(x)
            case .failed: return Self.text(v, kind: kind)
            }
        }
        if !f.readValues.isEmpty || f.readOtherwise != nil {
            let key = v.stringValue ?? ""
            if let mapped = f.readValues[key] { return mapped }
            if let otherwise = f.readOtherwise { return otherwise }
        }
        if let scale = f.scale, let d = Double(v.stringValue ?? "") { return Snapshot.canonicalNumber(d / scale) }
        if f.format == .date, let s = v.stringValue, s.count >= 10 {
            return kind == .instant ? String(s.prefix(10)) + "T00:00:00Z" : String(s.prefix(10))
        }
        return Self.text(v, kind: kind)
    }

    /// A model value as the remote's JSON, through the field's transforms, or its value map, scale and format.
    /// - Throws: `SyncError(.unsendable)` when a write transform cannot write the value.
    func write(_ text: String?, _ f: RemoteProfile.FieldMap, kind: FieldKind) throws -> JSONValue {
        if let chain = f.writeTransform {
            switch chain.write(Snapshot.fieldValue(text, kind: kind), kind: kind) {
            case .value(.empty) where kind == .list: return chain.joinsLists ? .null : .array([])
            case .value(let x): return Self.json(x, as: f.writeAs)
            case .failed(let why):
                throw SyncError(
                    .unsendable, context: "field '\(f.fields[0])'",
                    message: why + "; the profile's write_transform cannot send it")
            }
        }
        if let text, !f.writeValues.isEmpty || f.writeOtherwise != nil {
            if let mapped = f.writeValues[text] { return mapped }
            if let otherwise = f.writeOtherwise { return otherwise }
        }
        guard let text, !text.isEmpty else { return Self.json(nil, kind: kind) }
        if let scale = f.scale, let d = Double(text) { return .number((d * scale).rounded()) }
        switch f.format {
        case .date: return .string(String(text.prefix(10)))
        case .integer: return Double(text).map { .number($0.rounded()) } ?? .string(text)
        case nil: return Self.json(text, kind: kind)
        }
    }

    /// A transformed value as JSON: text as a string unless `as` names another type, numbers as numbers.
    static func json(_ v: FieldValue, as type: RemoteProfile.FieldMap.WriteType?) -> JSONValue {
        switch v {
        case .empty: return .null
        case .list(let l): return .array(l.map { .string($0) })
        case .bool(let b): return type == .string ? .string(String(b)) : .bool(b)
        case .number(let d) where type == .integer:
            // Half a cent is sent as a whole cent (rounded half away from zero), as an integer field needs.
            return .number(NSDecimalNumber(decimal: d.rounded0).doubleValue)
        case .number, .integer:
            let text = Snapshot.canonical(v)
            return type == .string ? .string(text) : .number(Double(text) ?? 0)
        default:
            let text = Snapshot.canonical(v)
            switch type {
            case .number: return Double(text).map { .number($0) } ?? .string(text)
            case .integer: return Double(text).map { .number($0.rounded()) } ?? .string(text)
            case .boolean: return ["true", "1", "yes"].contains(text.lowercased()) ? .bool(true) : .bool(false)
            case .string, nil: return .string(text)
            }
        }
    }

    /// The snapshot of a local record as the remote would hold it once written (a timestamp sent as a day reads back
    /// as that day), so that a value the remote cannot hold more precisely is not taken for a change.
    public func asStored(_ local: Snapshot) -> Snapshot {
        var out = local.values
        for (i, f) in resource.fields.enumerated() where f.kind == .plain && !f.readOnly {
            let name = f.fields[0]
            if f.writeTransform != nil {
                // What the remote holds once written, read back through the read transforms; kept only where it writes
                // to the same remote value again (a read that is no inverse of the write leaves the local value).
                guard let sent = try? write(local[name], f, kind: kinds[i]) else { continue }
                let back: String? = sent.isNull ? nil : read(sent, f, kind: kinds[i])
                if (try? write(back, f, kind: kinds[i])) == sent { out[name] = back }
                continue
            }
            if !f.writeValues.isEmpty || f.writeOtherwise != nil {
                // Local values that the remote holds as one (two stages sent as one stage name) read back as the one
                // the read map gives.
                guard let x = local[name] else { continue }
                let sent = f.writeValues[x] ?? f.writeOtherwise
                let readable = Set(f.readValues.values)
                guard let sent, !readable.contains(x) else { continue }
                if let k = f.writeValues.keys.sorted().first(where: {
                    f.writeValues[$0] == sent && readable.contains($0)
                }) {
                    out[name] = k
                } else if f.writePath == f.path {
                    out[name] = read(sent, f, kind: kinds[i])  // a value sent as `write_otherwise` reads back as the map says
                }
                continue
            }
            guard f.scale != nil || f.format != nil else { continue }
            guard let sent = try? write(local[name], f, kind: kinds[i]) else { continue }
            if sent.isNull { out[name] = nil } else { out[name] = read(sent, f, kind: kinds[i]) }
        }
        return Snapshot(out)
    }

    static func text(_ v: JSONValue, kind: FieldKind) -> String {
        switch v {
        case .array(let a): return a.compactMap(\.stringValue).joined(separator: Snapshot.listSeparator)
        case .number(let d): return Snapshot.canonicalNumber(d)
        case .string(let s):
            switch kind {
            case .number: return Double(s).map(Snapshot.canonicalNumber) ?? s
            case .day: return String(s.prefix(10))
            case .instant: return RemoteTime.parse(s)?.iso8601UTC ?? s
            case .bool: return s.lowercased() == "true" ? "true" : "false"
            default: return s
            }
        default: return v.stringValue ?? ""
        }
    }

    /// The JSON body for `snapshot`'s values. With `only`, just those fields (a cleared one becomes null).
    /// - Throws: `SyncError(.unsendable)` when a field's write transform cannot write its value.
    public func body(_ snapshot: Snapshot, only: Set<String>? = nil) throws -> JSONValue {
        var out = JSONValue.object([])
        if only == nil {
            for (path, value) in resource.createDefaults { path.set(&out, value) }
        }
        for (i, f) in resource.fields.enumerated() {
            if let only, !f.fields.contains(where: only.contains) { continue }
            guard let writePath = f.writePath, !f.readOnly else { continue }
            let value: JSONValue
            switch f.kind {
            case .nameParts:
                let s = f.fields.compactMap { snapshot[$0] }.joined(separator: " ")
                value = s.isEmpty ? .null : .string(s)
            case .joinedList(let sep):
                value =
                    snapshot[f.fields[0]].map {
                        .string($0.components(separatedBy: Snapshot.listSeparator).joined(separator: sep))
                    } ?? .null
            case .stringly:
                value =
                    snapshot[f.fields[0]].map {
                        .string($0.replacingOccurrences(of: Snapshot.listSeparator, with: ";"))
                    } ?? .null
            case .plain:
                let v = try write(snapshot[f.fields[0]], f, kind: kinds[i])
                value = v.isNull && only == nil ? (f.defaultValue ?? v) : v
            }
            if only == nil, value.isNull { continue }
            writePath.set(&out, value)
        }
        if let cp = resource.customPath {
            let keys = snapshot.values.keys.filter { $0.hasPrefix("custom.") }.sorted()
            if only == nil || keys.contains(where: { only!.contains($0) })
                || only!.contains(where: { $0.hasPrefix("custom.") })
            {
                cp.set(&out, .object(keys.map { (String($0.dropFirst(7)), .string(snapshot[$0]!)) }))
            }
        }
        return out
    }

    static func json(_ text: String?, kind: FieldKind) -> JSONValue {
        guard let text, !text.isEmpty else { return kind == .list ? .array([]) : .null }
        switch kind {
        case .number, .integer: return Double(text).map { .number($0) } ?? .string(text)
        case .bool: return .bool(text == "true")
        case .list: return .array(text.components(separatedBy: Snapshot.listSeparator).map { .string($0) })
        default: return .string(text)
        }
    }
}

/// A remote record as a pull reads it: its id, snapshot, stamp and deletion flag, read once (on the task that
/// fetched its page) rather than where the page is merged and written.
struct PulledRecord: Sendable {
    let json: JSONValue
    let remoteID: String?
    let snapshot: Snapshot
    /// `snapshot.json`: the base a link keeps and the after-image of an undo line.
    let snapshotJSON: String
    /// The remote's modified stamp, or the snapshot's digest where records carry none.
    let stamp: String
    let deleted: Bool

    init(_ json: JSONValue, _ codec: RecordCodec) {
        self.json = json
        remoteID = codec.remoteID(json)
        snapshot = codec.snapshot(json)
        snapshotJSON = snapshot.json
        stamp = codec.modified(json) ?? Snapshot.digest(ofJSON: snapshotJSON)
        deleted = codec.isDeleted(json)
    }
}
