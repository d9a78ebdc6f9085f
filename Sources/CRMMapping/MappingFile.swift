import CRMCSV
public import CRMModel
import Foundation
package import Yams

/// A mapping file, decoded: how the rows of one source become records of one type.
public struct MappingFile: Sendable, Equatable {
    /// The record type rows become.
    public var record: RecordType
    public var description: String = ""
    /// `csv` or `xml`.
    public var format: String = "csv"
    /// For XML: the path of the element that is one record (`/leads/lead`, `//Contact`).
    public var recordPath: String?
    /// For XML: prefixes used in paths, bound to namespace URIs.
    public var namespaces: [String: String] = [:]
    /// Reader settings that override detection.
    public var csv = CSVSettings()
    /// Region for phone numbers written without a country code (ISO 3166 alpha-2).
    public var phoneCountry: String = "US"
    /// A column whose value (country name or code) picks the phone region per row.
    public var phoneCountryFrom: String?
    /// The zone of naive date-times.
    public var timeZone: String = "UTC"
    /// The column holding the source system's own id.
    public var externalID: String?
    /// The column holding crmgate record ids (the `id` column an export writes): a row whose id names a record of the
    /// store updates that record, whatever its other keys say; a row without one, or with one the store does not
    /// hold, is matched by the other keys and created as usual, under a new id.
    public var recordID: String?
    /// The name of the source system, scoping external ids (default: the mapping file's name).
    public var system: String?
    /// Exact-match keys in order: `external_id`, `email`, a field name, or fields joined by `+`.
    public var match: [String]?
    /// Target field → how to fill it, in file order.
    public var fields: [FieldSpec]
    /// The fields the fuzzy matcher compares, and as what (`dedupe:`); nil: the lead model's own fields.
    public var dedupe: [DedupeField]?

    /// What the fuzzy matcher reads a field as.
    public enum DedupeKind: String, Sendable, CaseIterable {
        case firstName = "first_name"
        /// Middle names (or initials): an initial agrees with a name it begins; initials that differ are two people.
        case middleName = "middle_name"
        case lastName = "last_name"
        case email, phone, company
        /// A street line; a second `address` field is the second line (the two are compared in either order).
        case address
        case city, postcode, country
        /// A date that identifies a person (date of birth): day and month swapped or one digit off still agree.
        case date
        /// An id number: one typo apart still agrees.
        case identifier
        /// An age or a year of birth, in whole years: one or two apart (two extracts of a list taken a year or two
        /// apart) agrees less than exactly; ten or more apart, and no typo of one another, is two people.
        case age
        /// A person's sex as a list writes it: `M`, `male`, `F`, `female` and their kin in a few languages; any other
        /// value (`U`, `X`, `unknown`) is no value. Copies of one person rarely differ in it: twins `Jon` and `Joan`.
        case gender
        /// Free text compared exactly (a job title).
        case text

        /// The kind `text` was likely meant as: the same letters in another case or with other separators (`Age`,
        /// `first-name`), or a near spelling (`adress`); nil when none is near.
        public static func nearest(to text: String) -> DedupeKind? {
            let folded = HeaderSuggester.normalize(text)
            if let kind = synonyms[folded] { return kind }
            let scores = allCases.map { HeaderSuggester.jaroWinkler(folded, HeaderSuggester.normalize($0.rawValue)) }
            guard let best = scores.indices.max(by: { scores[$0] < scores[$1] }), scores[best] >= 0.85 else {
                return nil
            }
            return allCases[best]
        }

        /// Other names users give the kinds (`sex`, `dob`, `zip`), normalised as `HeaderSuggester` does.
        static let synonyms: [String: DedupeKind] = [
            "sex": .gender, "dob": .date, "birthdate": .date, "dateofbirth": .date, "birthday": .date,
            "zip": .postcode, "zipcode": .postcode, "postalcode": .postcode, "town": .city, "suburb": .city,
            "surname": .lastName, "familyname": .lastName, "givenname": .firstName, "forename": .firstName,
            "street": .address, "id": .identifier, "ssn": .identifier, "mobile": .phone, "telephone": .phone,
            "mail": .email, "organisation": .company, "organization": .company, "yearofbirth": .age,
            "birthyear": .age, "middle": .middleName, "middleinitial": .middleName,
        ]
    }

    /// One field of the `dedupe:` section.
    public struct DedupeField: Sendable, Equatable {
        /// A model field (`first_name`, `address.city`) or `custom.NAME`.
        public var field: String
        public var kind: DedupeKind
        public var line: Int?
    }

    /// Reader settings a mapping may fix.
    public struct CSVSettings: Sendable, Equatable {
        public var delimiter: String?
        public var encoding: String?
        public init() {}
    }

    /// How one target field is filled.
    public struct FieldSpec: Sendable, Equatable {
        /// The target field (`email`, `address.city`, `custom.industry`).
        public var target: String
        /// Source columns; several are joined with `separator`.
        public var columns: [String] = []
        public var separator: String = " "
        /// A constant instead of columns.
        public var value: String?
        public var transforms: [TransformSpec] = []
        /// Used when the result is empty.
        public var defaultValue: String?
        public var required = false
        /// What an unreadable value does to its row; nil takes the transform's default.
        public var onInvalid: OnInvalid?
        /// Line of the spec in the mapping file.
        public var line: Int?
    }

    /// What happens to a row whose value a transform cannot read.
    public enum OnInvalid: String, Sendable, Equatable {
        /// The row is rejected with the reason.
        case reject
        /// The field is left empty.
        case blank
        /// The value is kept as written.
        case keep
    }

    /// One transform step as written.
    public indirect enum TransformSpec: Sendable, Equatable {
        case trim, squish, lower, upper, title, firstName, lastName, email
        case phone(country: String?)
        case date(formats: [String], timeZone: String?)
        case number(decimal: String, thousands: String?)
        case map([String: String], otherwise: String)
        case regex(String)
        case replace(pattern: String, with: String)
        case split(String)
        /// The number times a factor, exactly (`0.01`: cents to units).
        case scale(String)
    }

    /// Every source column (CSV) or path (XML) the mapping reads, in first-use order.
    public var sourceColumns: [String] {
        var out: [String] = []
        for c in [recordID, externalID, phoneCountryFrom].compactMap({ $0 }) + fields.flatMap(\.columns)
        where !out.contains(c) {
            out.append(c)
        }
        return out
    }

    /// The default match keys of a record type.
    public var matchKeys: [String] {
        let keys: [String]
        if let match {
            keys = match
        } else {
            switch record {
            case .lead, .customer: keys = ["external_id", "email"]
            case .opportunity: keys = ["external_id", "name+customer_name"]
            case .task: keys = ["external_id", "title+due"]
            }
        }
        // With an id column, a row's record id is its first key (unless `match:` places `id` itself).
        return recordID != nil && !keys.contains("id") ? ["id"] + keys : keys
    }

    /// The match keys that count only for a row without an external id: a task's title and due time, an
    /// opportunity's name and customer, when the mapping names an external id column and no `match:`. Two rows the
    /// source keeps apart by their ids are two records, however alike their titles (a trial's `Call Bob` tasks B1 and
    /// B2, due the same day, were merged into one: B2's assignee and description were lost).
    public var keysWithoutExternalID: Set<String> {
        guard match == nil, externalID != nil else { return [] }
        switch record {
        case .lead, .customer: return []
        case .opportunity: return ["name+customer_name"]
        case .task: return ["title+due"]
        }
    }
}

// MARK: - Loading

extension MappingFile {
    /// Reads and decodes a mapping file.
    /// - Throws: `MappingError` with the file and line of the problem.
    public static func load(path: String) throws -> MappingFile {
        let text = try readText(path, what: "mapping file")
        do {
            var m = try parse(yaml: text)
            if m.system == nil {
                m.system = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            }
            return m
        } catch var e as MappingError {
            e.path = path
            throw e
        }
    }

    /// The text of a declarative file (`what`: "mapping file", "users file").
    /// - Throws: `MappingError.cannotRead` saying plainly what is wrong: no such file, a directory, not
    ///   readable, not UTF-8 (the message names the file).
    package static func readText(_ path: String, what: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MappingError(.cannotRead, path: path, message: "no \(what) at \(path)")
        }
        if isDirectory.boolValue {
            throw MappingError(.cannotRead, path: path, message: "\(path) is a directory, not a \(what)")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let why = FileManager.default.isReadableFile(atPath: path) ? "it is not UTF-8 text" : "permission denied"
            throw MappingError(.cannotRead, path: path, message: "cannot read the \(what) \(path): \(why)")
        }
    }

    /// The top-level mapping of a YAML document, for the other declarative files (profiles, jobs).
    package static func yamlTop(_ yaml: String, what: String) throws -> YAMLMap {
        do {
            guard let n = try Yams.compose(yaml: yaml, .default, .default, .utf8) else {
                throw MappingError(.invalidYAML, line: 1, message: "\(what) is empty")
            }
            return try YAMLMap(n, what: what)
        } catch let e as YamlError {
            throw MappingError(.invalidYAML, line: yamlErrorLine(e), message: "not valid YAML: \(yamlErrorProblem(e))")
        }
    }

    /// Decodes mapping YAML; every scalar is read as text, unknown keys are errors.
    /// - Throws: `MappingError`.
    public static func parse(yaml: String) throws -> MappingFile {
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: yaml, .default, .default, .utf8) else {
                throw MappingError(.invalidYAML, line: 1, message: "the mapping file is empty")
            }
            root = n
        } catch let e as MappingError {
            throw e
        } catch let e as YamlError {
            throw MappingError(.invalidYAML, line: yamlErrorLine(e), message: "not valid YAML: \(yamlErrorProblem(e))")
        }
        let top = try YAMLMap(root, what: "the mapping file")
        try top.allow([
            "record", "description", "format", "record_path", "namespaces", "csv", "phone_country",
            "phone_country_from",
            "timezone", "id", "external_id", "system", "match", "fields", "dedupe",
        ])
        let recordName = try top.requiredString("record")
        guard
            let record = RecordType(rawValue: recordName)
                ?? RecordType.allCases.first(where: { $0.plural == recordName })
        else {
            throw MappingError(
                .invalidValue, line: top.line(of: "record"),
                message: "record must be one of lead, customer, opportunity, task (found '\(recordName)')")
        }
        guard let fieldsNode = top["fields"] else {
            throw MappingError(.missingKey, line: top.line, message: "the mapping has no `fields:` section")
        }
        let fieldsMap = try YAMLMap(fieldsNode, what: "fields")
        var fields: [FieldSpec] = []
        for (key, node) in fieldsMap.pairs {
            fields.append(try fieldSpec(target: key, node: node, record: record))
        }
        var m = MappingFile(record: record, fields: fields)
        if let d = top["dedupe"] {
            m.dedupe = try dedupeSection(d, record: record, mapped: Set(fields.map(\.target)))
        }
        m.description = try top.string("description") ?? ""
        m.format = try top.string("format") ?? "csv"
        guard m.format == "csv" || m.format == "xml" else {
            throw MappingError(.invalidValue, line: top.line(of: "format"), message: "format must be csv or xml")
        }
        m.recordPath = try top.string("record_path")
        if m.format == "xml" && m.recordPath == nil {
            throw MappingError(
                .missingKey, line: top.line,
                message: "an XML mapping needs `record_path:` (e.g. /leads/lead or //Contact)")
        }
        if let ns = top["namespaces"] {
            for (k, v) in try YAMLMap(ns, what: "namespaces").pairs {
                guard let uri = v.scalar?.string else {
                    throw MappingError(
                        .invalidValue, line: v.mark?.line, message: "namespace '\(k)' must be bound to a URI")
                }
                m.namespaces[k] = uri
            }
        }
        if let csvNode = top["csv"] {
            let c = try YAMLMap(csvNode, what: "csv")
            try c.allow(["delimiter", "encoding"])
            m.csv.delimiter = try c.string("delimiter")
            m.csv.encoding = try c.string("encoding")
            // Checked here, so that `mapping check` finds them with their line, not the import.
            if let d = m.csv.delimiter, CSVDialect.delimiter(named: d) == nil {
                throw MappingError(
                    .invalidValue, line: c.line(of: "delimiter"),
                    message:
                        "csv delimiter '\(d)' must be one character (not a quote or a line break), or \\t for a tab")
            }
            if let e = m.csv.encoding, TextEncoding(name: e) == nil {
                throw MappingError(
                    .invalidValue, line: c.line(of: "encoding"),
                    message:
                        "csv encoding '\(e)' is not one crmgate reads: utf-8, utf-16le, utf-16be, windows-1252, latin-1"
                )
            }
        }
        if let pc = try top.string("phone_country") {
            guard PhoneNumber.regions[pc.uppercased()] != nil else {
                throw MappingError(
                    .invalidValue, line: top.line(of: "phone_country"),
                    message: "phone_country '\(pc)' is not a region crmgate knows (use an ISO code such as US, GB, DE)")
            }
            m.phoneCountry = pc.uppercased()
        }
        m.phoneCountryFrom = try top.string("phone_country_from")
        if let tz = try top.string("timezone") {
            guard TimeZone(identifier: tz) != nil else {
                throw MappingError(
                    .invalidValue, line: top.line(of: "timezone"),
                    message: "timezone '\(tz)' is not an IANA zone (e.g. UTC, Europe/Berlin)")
            }
            m.timeZone = tz
        }
        m.recordID = try top.string("id")
        m.externalID = try top.string("external_id")
        m.system = try top.string("system")
        m.match = try top.stringList("match")
        try checkMatchKeys(top["match"], record: m.record)
        return m
    }

    /// Every part of every `match:` key is `external_id`, a field of the record or `custom.NAME`: a misspelt part
    /// (`emial`) would make a key that never matches, so that duplicates are quietly created.
    static func checkMatchKeys(_ node: Node?, record: RecordType) throws {
        guard let node else { return }
        let items: [Node]
        if node.scalar != nil {
            items = [node]
        } else if case .sequence(let seq) = node {
            items = Array(seq)
        } else {
            items = []
        }
        for item in items {
            guard let text = item.scalar?.string else { continue }
            let parts = text.split(separator: "+", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            for part in parts where part != "external_id" && part != "id" && !isKnownField(part, of: record) {
                throw MappingError(
                    .unknownField, line: item.mark?.line ?? node.mark?.line,
                    message:
                        "match key '\(text)': '\(part)' is not a field of a \(record.rawValue); a key is id, external_id, "
                        + "a field, custom.<name>, or fields joined by + (fields are: "
                        + fieldNames(of: record).joined(separator: ", ") + ")")
            }
        }
    }

    /// `dedupe: {compare: {field: kind, …}}`: which fields the fuzzy matcher compares and as what.
    /// Each entry is checked in the file's order, wholly, before the next: its field, then its kind, then whether
    /// its kind is taken, so that the error is the first thing wrong as the file reads.
    static func dedupeSection(_ node: Node, record: RecordType, mapped: Set<String>) throws -> [DedupeField] {
        let m = try YAMLMap(node, what: "dedupe")
        try m.allow(["compare"])
        guard let c = m["compare"] else {
            throw MappingError(.missingKey, line: m.line, message: "dedupe needs `compare:` (field: kind)")
        }
        let known = Set(fieldNames(of: record))
        var out: [DedupeField] = []
        for (field, kindNode) in try YAMLMap(c, what: "dedupe.compare").pairs {
            let line = kindNode.mark?.line
            guard known.contains(field) || (field.hasPrefix("custom.") && field.count > 7) else {
                throw MappingError(
                    .unknownField, line: line, message: "'\(field)' is not a \(record.rawValue) field or custom.NAME")
            }
            // A custom field gets its values from `fields:` only: compared without being mapped, it is always empty.
            if field.hasPrefix("custom.") && !mapped.contains(field) {
                throw MappingError(
                    .unknownField, line: line,
                    message: "dedupe compares '\(field)', which `fields:` does not map (it would always be empty)")
            }
            guard let text = kindNode.scalar?.string, let kind = DedupeKind(rawValue: text) else {
                let near = kindNode.scalar.flatMap { DedupeKind.nearest(to: $0.string) }
                throw MappingError(
                    .invalidValue, line: line,
                    message: "dedupe kind of '\(field)' must be one of "
                        + DedupeKind.allCases.map(\.rawValue).joined(separator: ", ")
                        + (near.map { "; did you mean \($0.rawValue)?" } ?? ""))
            }
            if kind == .address || kind == .phone {
                // Two address lines (compared in either order); a phone and a person's own number (a mobile).
                let count = out.filter { $0.kind == kind }.count + 1
                if count > 2 {
                    throw MappingError(
                        .invalidValue, line: line,
                        message: "at most two fields can be compared as \(kind.rawValue)"
                            + (kind == .phone ? " (the first is the phone, the second a person's own, a mobile)" : ""))
                }
            } else if out.contains(where: { $0.kind == kind }) {
                throw MappingError(
                    .invalidValue, line: line, message: "only one field can be compared as \(kind.rawValue)")
            }
            out.append(DedupeField(field: field, kind: kind, line: line))
        }
        guard !out.isEmpty else {
            throw MappingError(.missingKey, line: m.line, message: "dedupe.compare names no field")
        }
        return out
    }

    static func fieldSpec(target: String, node: Node, record: RecordType) throws -> FieldSpec {
        let line = node.mark?.line
        guard isKnownField(target, of: record) else {
            throw MappingError(
                .unknownField, line: line,
                message: "'\(target)' is not a field of a \(record.rawValue); fields are: "
                    + fieldNames(of: record).joined(separator: ", ") + ", custom.<name>")
        }
        var spec = FieldSpec(target: target, line: line)
        if let s = node.scalar {
            spec.columns = [s.string]
            return spec
        }
        let map = try YAMLMap(node, what: "field '\(target)'")
        try map.allow(["column", "columns", "separator", "value", "transform", "default", "required", "on_invalid"])
        if let c = try map.string("column") { spec.columns = [c] }
        if let cs = try map.stringList("columns") { spec.columns = cs }
        spec.separator = try map.string("separator") ?? " "
        spec.value = try map.string("value")
        spec.defaultValue = try map.string("default")
        spec.required = try map.bool("required") ?? false
        if let oi = try map.string("on_invalid") {
            guard let v = OnInvalid(rawValue: oi) else {
                throw MappingError(
                    .invalidValue, line: map.line(of: "on_invalid"), message: "on_invalid must be reject, blank or keep"
                )
            }
            spec.onInvalid = v
        }
        if spec.columns.isEmpty && spec.value == nil && spec.defaultValue == nil {
            throw MappingError(
                .missingKey, line: line, message: "field '\(target)' needs `column`, `columns`, `value` or `default`")
        }
        if let t = map["transform"] {
            let steps: [Node]
            if case .sequence(let seq) = t { steps = Array(seq) } else { steps = [t] }
            spec.transforms = try steps.map(transformSpec)
        }
        return spec
    }

    static func transformSpec(_ node: Node) throws -> TransformSpec {
        let line = node.mark?.line
        if let s = node.scalar?.string {
            switch s {
            case "trim": return .trim
            case "squish": return .squish
            case "lower": return .lower
            case "upper": return .upper
            case "title": return .title
            case "first_name": return .firstName
            case "last_name": return .lastName
            case "email": return .email
            case "phone": return .phone(country: nil)
            case "date": return .date(formats: ["iso8601"], timeZone: nil)
            case "number": return .number(decimal: ".", thousands: nil)
            default:
                throw MappingError(.unknownTransform, line: line, message: "unknown transform '\(s)'" + transformHelp)
            }
        }
        let map = try YAMLMap(node, what: "a transform")
        if map.pairs.count == 1,
            map.pairs[0].1.scalar.map({ $0.string.isEmpty || $0.string == "~" || $0.string == "null" }) ?? false,
            ["trim", "squish", "lower", "upper", "title", "first_name", "last_name", "email"].contains(map.pairs[0].0)
        {
            // `{email}` in YAML is a map with an empty value.
            let name = map.pairs[0].0
            throw MappingError(
                .invalidValue, line: line,
                message: "transform '\(name)' takes no settings: write it as `\(name)`, not `{\(name)}`")
        }
        guard map.pairs.count == 1 || map.pairs.first?.0 == "map" else {
            throw MappingError(
                .invalidValue, line: line, message: "a transform is one name, or one name with its settings")
        }
        let (name, arg) = map.pairs[0]
        switch name {
        case "phone":
            if let s = arg.scalar?.string { return .phone(country: s.uppercased()) }
            let a = try YAMLMap(arg, what: "phone")
            try a.allow(["country"])
            return .phone(country: try a.string("country")?.uppercased())
        case "date":
            if let s = arg.scalar?.string {
                try checkDatePattern(s, line: line)
                return .date(formats: [s], timeZone: nil)
            }
            let a = try YAMLMap(arg, what: "date")
            try a.allow(["formats", "format", "timezone"])
            var formats = try a.stringList("formats") ?? []
            if let f = try a.string("format") { formats.append(f) }
            if formats.isEmpty { formats = ["iso8601"] }
            for f in formats { try checkDatePattern(f, line: a.line(of: "formats")) }
            let tz = try a.string("timezone")
            if let tz, TimeZone(identifier: tz) == nil {
                throw MappingError(
                    .invalidValue, line: a.line(of: "timezone"), message: "timezone '\(tz)' is not an IANA zone")
            }
            return .date(formats: formats, timeZone: tz)
        case "number":
            let a = try YAMLMap(arg, what: "number")
            try a.allow(["decimal", "thousands"])
            let decimal = try a.string("decimal") ?? "."
            let thousands = try a.string("thousands")
            // Checked here, with its line (found by fuzzing: it only failed later, when an import began).
            guard decimal.utf8.count == 1 else {
                throw MappingError(
                    .invalidValue, line: a.line(of: "decimal"),
                    message: "number decimal separator must be one ASCII character, e.g. \",\"")
            }
            if let t = thousands, t.utf8.count != 1 || t == decimal {
                throw MappingError(
                    .invalidValue, line: a.line(of: "thousands"),
                    message: "number thousands separator must be one ASCII character other than the decimal one")
            }
            return .number(decimal: decimal, thousands: thousands)
        case "map":
            let values = try YAMLMap(arg, what: "map")
            var table: [String: String] = [:]
            for (k, v) in values.pairs {
                guard let s = v.scalar?.string else {
                    throw MappingError(.invalidValue, line: v.mark?.line, message: "map values must be text")
                }
                table[k] = s
            }
            var otherwise = "keep"
            if map.pairs.count > 1 {
                try map.allow(["map", "otherwise"])
                otherwise = try map.string("otherwise") ?? "keep"
                guard ["keep", "blank", "reject"].contains(otherwise) else {
                    throw MappingError(
                        .invalidValue, line: map.line(of: "otherwise"),
                        message: "otherwise must be keep, blank or reject, not '\(otherwise)'")
                }
            }
            return .map(table, otherwise: otherwise)
        case "regex":
            guard let p = arg.scalar?.string, (try? NSRegularExpression(pattern: p)) != nil else {
                throw MappingError(.invalidValue, line: line, message: "regex needs a valid pattern")
            }
            return .regex(p)
        case "replace":
            let a = try YAMLMap(arg, what: "replace")
            try a.allow(["pattern", "with"])
            let p = try a.requiredString("pattern")
            guard (try? NSRegularExpression(pattern: p)) != nil else {
                throw MappingError(
                    .invalidValue, line: a.line(of: "pattern"), message: "replace pattern '\(p)' is not a valid regex")
            }
            return .replace(pattern: p, with: try a.string("with") ?? "")
        case "scale":
            guard let f = arg.scalar?.string, let d = Decimal(string: f, locale: Locale(identifier: "en_US_POSIX")),
                d != 0,
                Double(f) != nil, f.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "e" || $0 == "E" })
            else {
                throw MappingError(
                    .invalidValue, line: line, message: "scale needs a number other than 0, e.g. {scale: 0.01}")
            }
            return .scale(f)
        case "split":
            guard let s = arg.scalar?.string, !s.isEmpty else {
                throw MappingError(.invalidValue, line: line, message: "split needs a separator, e.g. {split: \";\"}")
            }
            return .split(s)
        default:
            throw MappingError(.unknownTransform, line: line, message: "unknown transform '\(name)'" + transformHelp)
        }
    }

    /// A date pattern `DateFormat` can read, and no minutes without hours (`dd/mm/yyyy` is a month typed as
    /// minutes: every date would come out in January).
    static func checkDatePattern(_ pattern: String, line: Int?) throws {
        guard let f = DateFormat(pattern) else {
            throw MappingError(
                .invalidValue, line: line,
                message:
                    "date format '\(pattern)' cannot be read: letters are yyyy yy M MM MMM d dd H HH h hh mm ss S a Z XXX E, "
                    + "other text in 'quotes', or iso8601")
        }
        if f.tokens.contains(.minute) && !f.tokens.contains(.hour24) && !f.tokens.contains(.hour12) {
            throw MappingError(
                .invalidValue, line: line,
                message: "date format '\(pattern)' has minutes (mm) but no hours: months are MM (`dd/MM/yyyy`)")
        }
    }

    static let transformHelp =
        "; transforms are trim, squish, lower, upper, title, first_name, last_name, email, phone, date, number, map, regex, replace, split, scale"

    /// The names of the standard fields of a record type.
    public static func fieldNames(of record: RecordType) -> [String] {
        switch record {
        case .lead: return Lead.fields.map(\.name)
        case .customer: return Customer.fields.map(\.name)
        case .opportunity: return Opportunity.fields.map(\.name)
        case .task: return CRMTask.fields.map(\.name)
        }
    }

    static func isKnownField(_ name: String, of record: RecordType) -> Bool {
        (name.hasPrefix("custom.") && name.count > 7) || fieldNames(of: record).contains(name)
    }
}
