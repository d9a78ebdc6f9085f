import CRMCSV
public import CRMMapping
public import CRMModel
import Foundation

/// A draft mapping for a CSV file, made from its header and its first rows (`crmgate mapping suggest`).
///
/// Columns are matched to the record type's fields exactly, after normalising, by synonym or fuzzily
/// (`HeaderSuggester`); a person's whole name in one column is split into first and last name; an `id` column is
/// crmgate's record ids when its values are such ids, else the source's external ids; dates and numbers get the
/// formats their first 200 values show (`FormatSniffer`); what is not mapped is listed as comments.
public enum MappingDraft {
    /// The draft as YAML text for the CSV file at `file`; `record` chooses the record type (default: the one the
    /// header fits best).
    /// - Throws: `CSVError` when the file cannot be opened or its header read; `ImportError.malformedSource` for an
    ///   XML document.
    public static func suggest(file: String, record: RecordType?) throws -> String {
        // An XML document's first line is no header (a draft of one listed `<?xml version=…?>` as a column).
        if let handle = FileHandle(forReadingAtPath: file) {
            let head = (try? handle.read(upToCount: 256)) ?? Data()
            try? handle.close()
            let text = String(decoding: head, as: UTF8.self).drop { $0 == "\u{FEFF}" || $0.isWhitespace }
            if text.hasPrefix("<?xml") || (text.hasPrefix("<") && text.dropFirst().first?.isLetter == true) {
                throw ImportError(
                    .malformedSource,
                    "\(file) is an XML document: mapping suggest drafts mappings from CSV headers. Start from "
                        + "mappings/sources/generic-leads-xml.yaml (format: xml, a record_path and a path per field); "
                        + "`crmgate mapping check M --file \(file)` then names the document's root and first child if "
                        + "the record path finds nothing")
            }
        }
        let reader = try CSVReader(path: file)
        let type =
            record
            ?? HeaderSuggester.likelyRecord(header: reader.header, fields: MappingFile.fieldNames(of:))
        let fields = MappingFile.fieldNames(of: type)
        var (mapped, unmapped) = HeaderSuggester.suggest(header: reader.header, record: type, fields: fields)
        // A person's whole name in one column (`Name`, `Full Name`, `Contact`): split into first and last name,
        // unless the file has those columns (a trial's `Name` of people was drafted as the company, and whole
        // families merged as one company at one address).
        let personColumns: Set<String> = ["name", "fullname", "contactname", "contact", "personname", "leadname"]
        var personName: String?
        if type == .lead || type == .customer,
            !mapped.contains(where: { $0.field == "first_name" || $0.field == "last_name" }),
            let column = reader.header.first(where: { personColumns.contains(HeaderSuggester.normalize($0)) }),
            type == .lead || !mapped.contains(where: { $0.column == column && $0.field == "name" })
        {
            personName = column
            if mapped.contains(where: { $0.column == column }) {
                mapped.removeAll { $0.column == column }
                // The field it took (the company) may be another column's.
                let again = HeaderSuggester.suggest(
                    header: reader.header.filter { $0 != column }, record: type,
                    fields: fields.filter { f in !mapped.contains { $0.field == f } })
                mapped += again.mapped.filter { s in !mapped.contains { $0.column == s.column } }
                let order = Dictionary(
                    reader.header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
                mapped.sort { order[$0.column, default: 0] < order[$1.column, default: 0] }
            }
            unmapped.removeAll { $0 == column }
            unmapped.removeAll { u in mapped.contains { $0.column == u } }
        }
        // Columns of person lists that no field is named for, placed by their names: a house number and a second
        // address line join the street; a date of birth, a national id, a middle name and an age or year of birth
        // become custom fields that `dedupe` compares as such. Whatever the fuzzy match made of them is dropped (a person list's
        // `address_2` was drafted as the city, and its `suburb`, `street_number`, date of birth and id left out).
        let parts = PersonColumns(header: reader.header)
        if type == .lead || type == .customer {
            mapped.removeAll { parts.claimed.contains($0.column) && $0.match == .fuzzy }
            unmapped.removeAll { parts.claimed.contains($0) }
        }
        let street = mapped.first { $0.field == "address.street" }
        let streetParts = street.map { parts.street(around: $0.column) } ?? []
        // An `id` column: crmgate's record ids (an export read back) only when its values are such ids; another
        // file's ids are its external ids (a trial's `ID` of numbers made every row a rejected "not a record id"); a
        // record id under another name (`rec_id`, `Contact ID`) is an external id.
        let idCandidate =
            reader.header.first { h in h.lowercased() == "id" && !mapped.contains { $0.column == h } }
            ?? parts.externalID.flatMap { h in mapped.contains { $0.column == h } ? nil : h }
        // Sample values of the columns mapped to dates and numbers and of the id column (the first 200 records),
        // to choose their formats.
        var samples: [String: [String]] = [:]
        let sampled =
            mapped.filter {
                [.day, .instant, .number, .integer].contains(ModelFields.kind(type, $0.field))
            }.map(\.column) + (idCandidate.map { [$0] } ?? [])
            + mapped.filter { $0.field == "phone" || $0.field == "mobile" || $0.field == "address.country" }.map(
                \.column)
        if !sampled.isEmpty {
            let index = Dictionary(
                reader.header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
            var seen = 0
            while seen < 200, let batch = try? reader.nextBatch() {
                for r in 0..<batch.count where seen < 200 {
                    seen += 1
                    for column in sampled {
                        if let i = index[column], i < batch.fieldCount(r) {
                            samples[column, default: []].append(batch.string(r, i))
                        }
                    }
                }
            }
        }
        let idValues = idCandidate.map { samples[$0, default: []].filter { !$0.isEmpty } } ?? []
        let idColumn = idValues.isEmpty || idValues.allSatisfy({ RecordID($0) != nil }) ? idCandidate : nil
        let externalColumn = idColumn == nil ? idCandidate : nil
        var out =
            "# Draft mapping for \(URL(fileURLWithPath: file).lastPathComponent), made by `crmgate mapping suggest`.\n"
        out += "# Check every line; fuzzy matches are guesses.\n"
        out +=
            "record: \(type.rawValue)"
            + (record == nil ? "   # the record type the header fits best; --record chooses another" : "") + "\n"
        // Phone numbers without a country code are read as the mapping's `phone_country`'s (the default is US's): when
        // most of those written with one share it, the file is that country's (a person list of +61 and 04… numbers
        // read its national numbers as American ones).
        let phones = mapped.filter { $0.field == "phone" || $0.field == "mobile" }.flatMap { samples[$0.column] ?? [] }
        if let (region, code) = Self.phoneRegion(phones) {
            out +=
                "phone_country: \(region)   # most phone numbers written with a country code are +\(code): those without one are read as \(region)'s\n"
        }
        // A country column names each row's region better than one region for the file (a trial's list of nine
        // countries read Japanese and Israeli numbers as Russian ones).
        if !phones.isEmpty, let country = mapped.first(where: { $0.field == "address.country" })?.column {
            let names = (samples[country] ?? []).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let known = names.filter { PhoneNumber.regionCode(forCountry: $0) != nil }.count
            if !names.isEmpty, known * 5 >= names.count * 4 {
                out +=
                    "phone_country_from: \(Self.yamlQuote(country))   # each row's phone without a country code is read as its country's\n"
            }
        }
        if reader.dialect.delimiter != UInt8(ascii: ",") || reader.encoding != .utf8 {
            out +=
                "csv:\n  delimiter: \"\(CSVDialect.name(of: reader.dialect.delimiter))\"\n  encoding: \(reader.encoding.rawValue)\n"
        }
        // A crmgate export read back: its `id` column names the records to update (a trial's round trip created
        // a second copy of every lead without an e-mail), and its `custom.NAME` columns are those custom fields.
        if let idColumn {
            out +=
                "id: \(yamlQuote(idColumn))   # crmgate record ids (as an export writes them): a row with an id of the store updates that record\n"
        }
        if let externalColumn {
            out +=
                "external_id: \(yamlQuote(externalColumn))   # the source's own ids: a row whose id was imported before updates that record\n"
        }
        // A column name twice: a mapping names such a column by its position (`#4`), the first for the field.
        var counts: [String: Int] = [:]
        for h in reader.header { counts[h, default: 0] += 1 }
        func columnRef(_ h: String) -> String {
            guard counts[h, default: 0] > 1, let i = reader.header.firstIndex(of: h) else { return yamlQuote(h) }
            return "\"#\(i + 1)\""
        }
        for (h, n) in counts.sorted(by: { $0.key < $1.key }) where n > 1 {
            let at = reader.header.indices.filter { reader.header[$0] == h }.map { "#\($0 + 1)" }
            out +=
                "# the column \(yamlQuote(h)) appears \(n) times (\(at.joined(separator: ", "))): the draft names the first by its position\n"
        }
        out += "fields:\n"
        if let personName {
            out += "  first_name: { column: \(columnRef(personName)), transform: [first_name] }   # a whole name\n"
            out += "  last_name: { column: \(columnRef(personName)), transform: [last_name] }   # a whole name\n"
        }
        for s in mapped {
            if s.field == "last_name", let suffix = parts.suffix, type == .lead || type == .customer {
                out +=
                    "  last_name: { columns: [\(columnRef(s.column)), \(columnRef(suffix))], separator: \" \" }"
                    + "   # \(s.match.rawValue); the suffix (Jr, Sr, III) joined to it, where dedupe reads it\n"
                continue
            }
            if s.field == "address.street", streetParts.count > 1 {
                out +=
                    "  address.street: { columns: [\(streetParts.map(columnRef).joined(separator: ", "))], separator: \" \" }"
                    + "   # \(s.match.rawValue); the house number and second line joined to it\n"
                continue
            }
            var transform: String
            var note = s.match.rawValue
            switch s.field {
            case "email": transform = ", transform: [email]"
            case "phone", "mobile": transform = ", transform: [phone]"
            case "created_at": transform = ", transform: [{date: {formats: [iso8601]}}]"
            default:
                // A list (tags) as an export writes it: values joined by "; ".
                transform = ModelFields.kind(type, s.field) == .list ? ", transform: [{split: \";\"}]" : ""
            }
            if let sniffed = FormatSniffer.transform(
                kind: ModelFields.kind(type, s.field), samples: samples[s.column] ?? [])
            {
                transform = ", transform: [\(sniffed.yaml)]"
                note += "; \(sniffed.note)"
            }
            out += "  \(s.field): { column: \(columnRef(s.column))\(transform) }   # \(note)\n"
        }
        let personal = type == .lead || type == .customer ? parts.personal : []
        for (column, field, _) in personal {
            out += "  \(field): { column: \(columnRef(column)) }   # compared by dedupe (see the dedupe section)\n"
        }
        if type == .lead || type == .customer {
            for column in parts.claimed
            where !streetParts.contains(column) && !personal.contains(where: { $0.0 == column })
                && !(column == parts.suffix && mapped.contains { $0.field == "last_name" })
                && column != idColumn && column != externalColumn && !mapped.contains(where: { $0.column == column })
            {
                out += "  # not mapped: \(yamlQuote(column))  (map it to a field, or to custom.<name>)\n"
            }
        }
        for u in unmapped where u != idColumn && u != externalColumn {
            if u.hasPrefix("custom."), u.count > 7 {
                out += "  \(yamlQuote(u)): { column: \(yamlQuote(u)) }   # a custom field, as an export names it\n"
            } else {
                out += "  # not mapped: \(yamlQuote(u))  (map it to a field, or to custom.<name>)\n"
            }
        }
        // What `dedupe` and `import --fuzzy` compare: by default the lead fields; a date of birth or a national id is
        // compared only when the mapping names it, so the draft names them, with the lead fields it maps.
        if !personal.isEmpty {
            out += "dedupe:\n  compare:\n"
            for s in mapped {
                if let kind = Self.compareKind[s.field] { out += "    \(s.field): \(kind)\n" }
            }
            for (_, field, kind) in personal { out += "    \(field): \(kind)\n" }
        } else {
            // Without a section, what is compared is the lead fields' default: say which of them this file has.
            let mappedFields = Set(mapped.map(\.field))
            let compared = DedupeRowBuilder.defaultFields.map(\.0).filter { mappedFields.contains($0) }
            if !compared.isEmpty {
                out +=
                    "# dedupe and import --fuzzy compare: \(compared.joined(separator: ", "))"
                    + " (a `dedupe:` section names other fields, custom ones included)\n"
            }
        }
        return out
    }

    /// The region most of `phones` written with a country code are of, when at least five are and four in five of
    /// them share one code other than `1` (the default region's); nil otherwise.
    static func phoneRegion(_ phones: [String]) -> (region: String, code: String)? {
        // Calling codes are prefix-free: a number's is the one of its first one to three digits that is one. A code
        // several regions share is its main region (`7`: RU, where a trial's drafts said KZ, the first by name).
        var regionOf: [String: String] = [:]
        for r in PhoneNumber.regions.values where regionOf[r.callingCode] == nil {
            regionOf[r.callingCode] = PhoneNumber.mainRegion(forCallingCode: r.callingCode)
        }
        var counts: [String: Int] = [:]
        var international = 0
        for p in phones {
            let t = p.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("+") || t.hasPrefix("00") else { continue }
            let digits = String(t.drop { $0 == "+" || $0 == "0" && t.hasPrefix("00") }.filter(\.isNumber))
            international += 1
            if let code = (1...3).lazy.map({ String(digits.prefix($0)) }).first(where: { regionOf[$0] != nil }) {
                counts[code, default: 0] += 1
            }
        }
        guard international >= 5, let (code, n) = counts.max(by: { $0.value < $1.value }), code != "1",
            n * 5 >= international * 4, let region = regionOf[code]
        else { return nil }
        return (region, code)
    }

    /// The kind `dedupe` compares each lead field as, for the fields a draft's `dedupe:` section names.
    static let compareKind: [String: String] = [
        "first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone", "mobile": "phone",
        "company": "company", "address.street": "address", "address.city": "city", "address.postcode": "postcode",
        "address.country": "country",
    ]

    /// The columns of a person list that no lead field is named for, by their (normalised) names.
    struct PersonColumns {
        /// A house number, the second address line.
        var houseNumber: String?
        var secondLine: String?
        /// A generational suffix (`Jr`, `Sr`, `III`): joined to the last name, where the matcher reads it (a voter
        /// file's `name_suffix` was drafted as the company, and every father and son at one address merged).
        var suffix: String?
        /// A record id under another name than `id`.
        var externalID: String?
        /// Custom fields dedupe compares: (column, custom field, kind).
        var personal: [(String, String, String)] = []
        /// Every column placed here.
        var claimed: [String] = []

        static let houseNumbers: Set = [
            "streetnumber", "housenumber", "houseno", "streetno", "housenr", "hausnummer", "hausnr", "numero",
        ]
        static let secondLines: Set = ["address2", "addressline2", "street2", "streetaddress2", "adresszusatz"]
        static let suffixes: Set = ["namesuffix", "suffix", "generationalsuffix", "namesfx", "sfx", "suffixname"]
        static let births: Set = [
            "dateofbirth", "dob", "birthdate", "birthday", "geburtsdatum", "datenaissance", "fechadenacimiento",
        ]
        static let identifiers: Set = [
            "socsecid", "ssn", "socialsecuritynumber", "socialsecurityno", "nationalid", "nationalidnumber", "taxid",
            "passport", "passportnumber", "passportno", "idnumber", "personalnumber", "personnummer", "nin",
            "personalid",
        ]
        /// Middle names, and ages or years of birth (a voter file's `middle_name` and `age`).
        static let middles: Set = [
            "middlename", "middle", "middlenames", "middleinitial", "mi", "midname", "mname", "secondforename",
        ]
        static let ages: Set = [
            "age", "birthyear", "yearofbirth", "yob", "ageyears", "birthyr", "geburtsjahr", "anneedenaissance",
            "edad", "dobyear", "dobyr", "yearborn", "byear", "yrofbirth", "jahrgang",
        ]
        /// A person's sex (a voter file's `gender`).
        static let genders: Set = [
            "gender", "sex", "geschlecht", "sexe", "sexo", "genero", "sesso", "gendercode", "sexcode",
        ]
        static let recordIDs: Set = [
            "recid", "recordid", "customerid", "contactid", "leadid", "personid", "externalid", "sourceid", "uniqueid",
            "voterid", "ncid", "memberid", "clientid", "patientid", "userid",
        ]

        init(header: [String]) {
            for h in header {
                let n = HeaderSuggester.normalize(h)
                if Self.houseNumbers.contains(n), houseNumber == nil {
                    houseNumber = h
                } else if Self.secondLines.contains(n), secondLine == nil {
                    secondLine = h
                } else if Self.suffixes.contains(n), suffix == nil {
                    suffix = h
                } else if Self.recordIDs.contains(n), externalID == nil {
                    externalID = h
                } else if Self.births.contains(n), !personal.contains(where: { $0.2 == "date" }) {
                    personal.append((h, "custom.date_of_birth", "date"))
                } else if Self.middles.contains(n), !personal.contains(where: { $0.2 == "middle_name" }) {
                    personal.append((h, "custom.middle_name", "middle_name"))
                } else if Self.ages.contains(n), !personal.contains(where: { $0.2 == "age" }) {
                    personal.append(
                        (h, n == "age" || n == "ageyears" || n == "edad" ? "custom.age" : "custom.birth_year", "age"))
                } else if Self.genders.contains(n), !personal.contains(where: { $0.2 == "gender" }) {
                    personal.append((h, "custom.gender", "gender"))
                } else if Self.identifiers.contains(n) {
                    let name = h.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
                    personal.append((h, "custom." + String(name), "identifier"))
                } else {
                    continue
                }
                claimed.append(h)
            }
        }

        /// The street's columns with the house number before it and the second line after it, those there are.
        func street(around column: String) -> [String] {
            [houseNumber, column, secondLine].compactMap { $0 }
        }
    }

    /// `s` as a YAML scalar: plain when it is letters, digits and a few marks, else double-quoted with its
    /// backslashes, quotes and control characters escaped (a header with a line break made a draft YAML refused).
    static func yamlQuote(_ s: String) -> String {
        let plain =
            s.first.map { $0.isASCII && $0.isLetter } == true
            && s.unicodeScalars.allSatisfy { u in
                u.isASCII
                    && (u.properties.isAlphabetic || ("0"..."9").contains(u)
                        || " _/().-".unicodeScalars.contains(u))
            } && s.last != " "
        if plain { return s }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += String(format: "\\x%02X", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
