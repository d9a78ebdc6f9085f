import CRMMapping
import CRMModel
import Foundation
import Yams

/// A remote profile's field options (value maps, scales, formats, transforms) and literal JSON values, read from YAML.
extension RemoteProfile {
    /// The options of a field given as a map, applied to its `FieldMap` once its paths are known.
    static func decodeFieldOptions(_ fm: YAMLMap, _ name: String) throws -> (inout FieldMap) -> Void {
        var write: JSONPath?? = nil
        if let w = try fm.string("write") {
            do { write = .some(try JSONPath(w)) } catch let e as SyncError {
                throw MappingError(.invalidValue, line: fm.line(of: "write"), message: e.message)
            }
        }
        let readOnly = try fm.bool("read_only") ?? false
        var writeValues: [String: JSONValue] = [:]
        if let v = fm["values"] {
            for (k, node) in try YAMLMap(v, what: "values of '\(name)'").pairs { writeValues[k] = jsonValue(node) }
        }
        var readValues: [String: String] = [:]
        if let v = fm["read_values"] {
            for (k, node) in try YAMLMap(v, what: "read_values of '\(name)'").pairs {
                guard let s = node.scalar?.string else {
                    throw MappingError(
                        .invalidValue, line: node.mark?.line,
                        message: "read_values of '\(name)' map remote values to text")
                }
                readValues[k] = s
            }
        }
        let otherwise = try fm.string("otherwise")
        let writeOtherwise = fm["write_otherwise"].map(jsonValue)
        var scale: Double?
        if let s = try fm.string("scale") {
            guard let d = Double(s), d > 0 else {
                throw MappingError(
                    .invalidValue, line: fm.line(of: "scale"), message: "scale must be a positive number")
            }
            scale = d
        }
        var format: FieldMap.Format?
        if let f = try fm.string("format") {
            guard let v = FieldMap.Format(rawValue: f) else {
                throw MappingError(
                    .invalidValue, line: fm.line(of: "format"), message: "format '\(f)' is not one of date, integer")
            }
            format = v
        }
        let defaultValue = fm["default"].map(jsonValue)
        let readTransform = try fm["read_transform"].map { try TransformChain(yaml: $0) }
        let writeTransform = try fm["write_transform"].map { try TransformChain(yaml: $0) }
        var writeAs: FieldMap.WriteType?
        if let w = try fm.string("write_as") {
            guard let t = FieldMap.WriteType(rawValue: w) else {
                throw MappingError(
                    .invalidValue, line: fm.line(of: "write_as"),
                    message: "write_as '\(w)' is not one of string, number, integer, boolean")
            }
            writeAs = t
        }
        if writeAs != nil, writeTransform == nil {
            throw MappingError(
                .invalidValue, line: fm.line(of: "write_as"),
                message: "field '\(name)': write_as applies to what write_transform writes; add one")
        }
        if readTransform != nil || writeTransform != nil {
            // One language per field: the transforms say everything the shorthand keys would.
            for k in [
                "values", "read_values", "otherwise", "write_otherwise", "scale", "format", "list_separator",
                "name_parts", "stringly",
            ]
            where fm[k] != nil {
                throw MappingError(
                    .invalidValue, line: fm.line(of: k),
                    message:
                        "field '\(name)': '\(k)' cannot be combined with read_transform/write_transform; write it as a transform step"
                )
            }
        }
        if writeTransform != nil, readTransform == nil {
            // A value written in another form must be read back into the model's, or every pull would see a change.
            throw MappingError(
                .missingKey, line: fm.line(of: "write_transform"),
                message:
                    "field '\(name)' has write_transform but no read_transform: say how the remote's form reads back "
                    + "(`read_transform: []` if it reads back as it is)")
        }
        return { f in
            if let write { f.writePath = write }
            if readOnly {
                f.readOnly = true
                f.writePath = nil
            }
            f.writeValues = writeValues
            f.readValues = readValues
            // Reading reverses `values` only where `read_values` is not given (in a fixed order: the first local value
            // in sorted order wins where two local values are sent as one).
            if readValues.isEmpty {
                for local in writeValues.keys.sorted() {
                    if let r = writeValues[local]?.stringValue, f.readValues[r] == nil { f.readValues[r] = local }
                }
            }
            if let otherwise, otherwise != "keep" { f.readOtherwise = otherwise }
            if let writeOtherwise, writeOtherwise.stringValue != "keep" { f.writeOtherwise = writeOtherwise }
            f.scale = scale
            f.format = format
            f.defaultValue = defaultValue
            f.readTransform = readTransform
            f.writeTransform = writeTransform
            f.writeAs = writeAs
        }
    }

    /// A YAML value as JSON: plain `true`/`false`/`null` and numbers as such, quoted scalars as text.
    static func jsonValue(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let sc):
            if sc.style == .plain {
                switch sc.string {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null", "~": return .null
                default:
                    if let d = Double(sc.string), sc.string.first.map({ $0.isNumber || $0 == "-" }) == true {
                        return .number(d)
                    }
                }
            }
            return .string(sc.string)
        case .sequence(let seq): return .array(seq.map(jsonValue))
        case .mapping(let map): return .object(map.map { ($0.key.scalar?.string ?? "", jsonValue($0.value)) })
        default: return .null
        }
    }
}
