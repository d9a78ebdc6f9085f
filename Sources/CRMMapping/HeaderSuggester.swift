public import CRMModel

/// Suggests a mapping from a file's header: which column fills which field, and how sure it is.
public enum HeaderSuggester {
    /// How a column was matched.
    public enum Match: String, Sendable {
        case exact, normalized, synonym, fuzzy
    }

    /// One suggestion: a column for a field.
    public struct Suggestion: Sendable, Equatable {
        public let column: String
        public let field: String
        public let match: Match
        public let score: Double
    }

    /// Lower-case letters and digits only: `E-mail Address` → `emailaddress`.
    public static func normalize(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }

    /// Names that real exports use for each lead field (normalised).
    static let synonyms: [String: [String]] = [
        "first_name": ["firstname", "first", "givenname", "forename", "vorname", "prenom", "nombre"],
        "last_name": ["lastname", "last", "surname", "familyname", "nachname", "nom", "apellido", "apellidos"],
        "company": [
            "company", "companyname", "organization", "organisation", "account", "accountname", "firma", "unternehmen",
            "business", "name",
        ],
        "job_title": ["jobtitle", "title", "position", "role", "designation", "funktion"],
        // Opportunities and customers are named; tasks have a title.
        "name": [
            "opportunity", "opportunityname", "deal", "dealname", "customer", "customername", "accountname", "account",
        ],
        "stage": ["stage", "dealstage", "pipelinestage", "phase"],
        "expected_close": ["expectedclose", "closedate", "expectedclosedate"],
        "email": ["email", "emailaddress", "mail", "emailaddr", "primaryemail", "workemail", "email1"],
        "phone": [
            "phone", "phonenumber", "telephone", "tel", "telefon", "workphone", "businessphone", "officephone",
            "homephone", "privatephone", "landline", "directphone", "directline", "primaryphone", "phone1",
        ],
        "mobile": [
            "mobile", "mobilephone", "mobilephonenumber", "mobilenumber", "cell", "cellphone", "cellnumber", "handy",
            "mobil",
        ],
        "website": ["website", "web", "url", "homepage", "site", "webseite"],
        "address.street": [
            "street", "streetaddress", "address", "address1", "addressline1", "strasse", "straße", "billingstreet",
        ],
        "address.city": ["city", "town", "ort", "stadt", "ville", "billingcity", "suburb", "locality", "municipality"],
        "address.state": [
            "state", "stateregion", "province", "stateprovince", "region", "county", "bundesland", "billingstate",
        ],
        "address.postcode": [
            "postcode", "postalcode", "zip", "zipcode", "zippostalcode", "plz", "postleitzahl", "billingpostalcode",
        ],
        "address.country": ["country", "countryregion", "land", "pays", "billingcountry"],
        "status": ["status", "leadstatus", "stage", "lifecyclestage"],
        "source": ["source", "leadsource", "originalsource", "quelle", "channel"],
        "owner": [
            "owner", "leadowner", "contactowner", "salesrep", "salesrepresentative", "assignedto", "accountmanager",
        ],
        "amount": ["amount", "value", "dealvalue", "annualrevenue", "revenue", "betrag"],
        "currency": ["currency", "currencycode", "wahrung"],
        "close_chance": ["closechance", "probability", "chance"],
        "close_date": ["closedate", "expectedclose", "expectedclosedate"],
        "tags": ["tags", "labels", "categories"],
        "notes": ["notes", "note", "comments", "comment", "description", "notiz", "bemerkung", "remarks"],
        "created_at": [
            "createdat", "created", "createddate", "createdate", "datecreated", "creationdate", "erstelltam",
        ],
    ]

    /// Which address a column is of, written before its name (`res_street_address`, `mailing_city`): a voter file's
    /// residential address was left unmapped, its `res_city` not read as the city.
    static let placePrefixes = ["residential", "residence", "res", "home", "mailing", "physical", "current"]

    /// A normalised column name without its place prefix, or nil when it has none (or nothing after it).
    static func withoutPlacePrefix(_ n: String) -> String? {
        for p in placePrefixes where n.hasPrefix(p) && n.count > p.count + 1 { return String(n.dropFirst(p.count)) }
        return nil
    }

    /// The best field for each column, best matches first; a field is used once.
    ///
    /// Linear in the header's size (sorting the candidates aside): each column is normalised once and
    /// compared with the fields' names, a fixed list; a fuzzy comparison that cannot reach the threshold
    /// (`fuzzyBound`) is skipped, and candidates keep their column's position instead of looking it up.
    public static func suggest(
        header: [String], record: RecordType = .lead, fields: [String]
    ) -> (mapped: [Suggestion], unmapped: [String]) {
        let targets = fields.map(Target.init)
        var candidates: [(position: Int, suggestion: Suggestion)] = []
        for (position, column) in header.enumerated() {
            let n = normalize(column)
            if n.isEmpty { continue }
            let name = FuzzyName(n)
            for target in targets {
                let field = target.field
                func candidate(_ match: Match, _ score: Double) {
                    candidates.append((position, Suggestion(column: column, field: field, match: match, score: score)))
                }
                if column == field {
                    candidate(.exact, 1.0)
                } else if n == target.normalized {
                    candidate(.normalized, 0.98)
                } else if target.synonyms.contains(n) {
                    candidate(.synonym, 0.95)
                } else if let rest = Self.withoutPlacePrefix(n),
                    rest == target.normalized || target.synonyms.contains(rest)
                {
                    candidate(.synonym, 0.93)
                } else {
                    var best = 0.0
                    for other in target.names where fuzzyBound(name, other) >= fuzzyThreshold {
                        best = max(best, StringSimilarity.jaroWinkler(name.scalars, other.scalars))
                    }
                    if best >= fuzzyThreshold { candidate(.fuzzy, best * 0.9) }
                }
            }
        }
        candidates.sort { a, b in
            a.suggestion.score != b.suggestion.score ? a.suggestion.score > b.suggestion.score : a.position < b.position
        }
        // A column that names a field outright (exactly, normalised or by a synonym) is not fuzzily another field's
        // when that one is taken: a trial's `Home Phone`, a phone's synonym with `Phone` mapped already, became the
        // website (`homephone` / `homepage`).
        let named = Set(candidates.filter { $0.suggestion.match != .fuzzy }.map(\.suggestion.column))
        candidates.removeAll { $0.suggestion.match == .fuzzy && named.contains($0.suggestion.column) }
        var usedColumns = Set<String>()
        var usedFields = Set<String>()
        var mapped: [(position: Int, suggestion: Suggestion)] = []
        for c in candidates {
            let s = c.suggestion
            guard !usedColumns.contains(s.column), !usedFields.contains(s.field) else { continue }
            mapped.append(c)
            usedColumns.insert(s.column)
            usedFields.insert(s.field)
        }
        mapped.sort { $0.position < $1.position }
        return (mapped.map(\.suggestion), header.filter { !usedColumns.contains($0) })
    }

    /// The record type a header most likely holds: the one whose fields the most columns match exactly, after
    /// normalising or by synonym (fuzzy matches do not count); leads on a tie.
    public static func likelyRecord(header: [String], fields: (RecordType) -> [String]) -> RecordType {
        var best = (type: RecordType.lead, score: -1)
        for type in [RecordType.lead, .opportunity, .customer, .task] {
            let score = suggest(header: header, record: type, fields: fields(type)).mapped.filter { $0.match != .fuzzy }
                .count
            if score > best.score { best = (type, score) }
        }
        return best.type
    }

    /// A field with its names, prepared once per call rather than once per column.
    private struct Target {
        let field: String
        let normalized: String
        let synonyms: Set<String>
        /// The normalised field name, then its synonyms.
        let names: [FuzzyName]

        init(_ field: String) {
            self.field = field
            normalized = HeaderSuggester.normalize(field)
            let known = HeaderSuggester.synonyms[field] ?? []
            synonyms = Set(known)
            names = ([normalized] + known).map(FuzzyName.init)
        }
    }

    /// The Jaro-Winkler similarity a fuzzy match needs.
    static let fuzzyThreshold = 0.88

    /// A normalised name as Unicode scalars, with how often each letter and digit occurs in it.
    struct FuzzyName {
        let scalars: [Unicode.Scalar]
        /// Occurrences by `a`…`z`, `0`…`9`, then everything else together (an upper bound for those).
        let counts: [Int]
        /// The indexes in `counts` that are not zero.
        let present: [Int]

        init(_ normalized: String) {
            scalars = Array(normalized.unicodeScalars)
            var counts = [Int](repeating: 0, count: 37)
            for s in scalars {
                switch s.value {
                case 0x61...0x7A: counts[Int(s.value) - 0x61] += 1
                case 0x30...0x39: counts[26 + Int(s.value) - 0x30] += 1
                default: counts[36] += 1
                }
            }
            self.counts = counts
            present = counts.indices.filter { counts[$0] > 0 }
        }
    }

    /// An upper bound of `jaroWinkler(a, b)`, in time that depends on `b` only (a field's name): the matches `m`
    /// are at most the characters the two have in common, so Jaro is at most `(m/|a| + m/|b| + 1) / 3`, and the
    /// Winkler bonus at most what their common prefix (up to 4) gives.
    static func fuzzyBound(_ a: FuzzyName, _ b: FuzzyName) -> Double {
        let la = a.scalars.count
        let lb = b.scalars.count
        if la == 0 || lb == 0 { return 0 }
        var m = 0
        for k in b.present { m += min(a.counts[k], b.counts[k]) }
        if m == 0 { return 0 }
        let jaro = (Double(m) / Double(la) + Double(m) / Double(lb) + 1) / 3
        var p = 0
        while p < min(4, la, lb), a.scalars[p] == b.scalars[p] { p += 1 }
        // A hair above the bound, so that rounding never skips a comparison that would reach the threshold.
        return min(1, jaro + Double(p) * 0.1 * (1 - jaro)) + 1e-9
    }

    /// Jaro-Winkler similarity in 0…1.
    public static func jaroWinkler(_ a: String, _ b: String) -> Double {
        StringSimilarity.jaroWinkler(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }
}

/// Names in a file's header that more than one column has, which a mapping cannot tell apart by name.
public enum HeaderNames {
    /// Every non-empty name that two or more columns have, with their 1-based column numbers, in header order.
    public static func duplicates(in header: [String]) -> [(name: String, columns: [Int])] {
        var at: [String: [Int]] = [:]
        var order: [String] = []
        for (i, h) in header.enumerated() where !h.isEmpty {
            if at[h] == nil { order.append(h) }
            at[h, default: []].append(i + 1)
        }
        var out: [(name: String, columns: [Int])] = []
        for h in order where at[h]!.count > 1 { out.append((name: h, columns: at[h]!)) }
        return out
    }

    /// `column "Email" appears twice (columns 5 and 9)`, for reports and errors.
    public static func describe(_ name: String, columns: [Int]) -> String {
        let times = columns.count == 2 ? "twice" : "\(columns.count) times"
        let list = columns.dropLast().map(String.init).joined(separator: ", ") + " and \(columns.last!)"
        return "column \"\(name)\" appears \(times) (columns \(list))"
    }
}
