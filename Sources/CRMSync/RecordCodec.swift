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
    public func isDeleted(_ json: JSONValue) -> Bool {
        guard let flag = resource.list.deleted?.flag, let v = flag.get(json) else { return false }
        if case .bool(let b) = v { return b }
        return v.stringValue == "true"
    }

    /// The snapshot of a remote record.
    public func snapshot(_ json: JSONValue) -> Snapshot {
        var out: [String: String] = [:]
        for (i, f) in resource.fields.enumerated() {
            guard let v = f.path.get(json), !v.isNull else { continue }
            switch f.kind {
            case .nameParts:
                let full = (v.stringValue ?? "").split(separator: " ").map(String.init)
                if f.fields.count >= 2 {
                    out[f.fields[0]] = full.dropLast().joined(separator: " ")
                    out[f.fields[1]] = full.last ?? ""
                    if full.count == 1 { out[f.fields[0]] = full[0]; out[f.fields[1]] = "" }
                } else { out[f.fields[0]] = full.joined(separator: " ") }
            case .joinedList(let sep):
                let s = v.stringValue ?? ""
                out[f.fields[0]] = s.components(separatedBy: sep).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    .joined(separator: Snapshot.listSeparator)
            case .plain, .stringly:
                out[f.fields[0]] = Self.text(v, kind: kinds[i])
            }
        }
        if let cp = resource.customPath, case .object(let o)? = cp.get(json) {
            for (k, v) in o { if let s = v.stringValue { out["custom." + k] = s } }
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
    public func body(_ snapshot: Snapshot, only: Set<String>? = nil) -> JSONValue {
        var out = JSONValue.object([])
        for (i, f) in resource.fields.enumerated() {
            if let only, !f.fields.contains(where: only.contains) { continue }
            let value: JSONValue
            switch f.kind {
            case .nameParts:
                let s = f.fields.compactMap { snapshot[$0] }.joined(separator: " ")
                value = s.isEmpty ? .null : .string(s)
            case .joinedList(let sep):
                value = snapshot[f.fields[0]].map { .string($0.components(separatedBy: Snapshot.listSeparator).joined(separator: sep)) } ?? .null
            case .stringly:
                value = snapshot[f.fields[0]].map { .string($0.replacingOccurrences(of: Snapshot.listSeparator, with: ";")) } ?? .null
            case .plain:
                value = Self.json(snapshot[f.fields[0]], kind: kinds[i])
            }
            if only == nil, value.isNull { continue }
            f.path.set(&out, value)
        }
        if let cp = resource.customPath {
            let keys = snapshot.values.keys.filter { $0.hasPrefix("custom.") }.sorted()
            if only == nil || keys.contains(where: { only!.contains($0) }) || only!.contains(where: { $0.hasPrefix("custom.") }) {
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
