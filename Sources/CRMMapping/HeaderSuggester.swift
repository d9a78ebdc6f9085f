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
        String(String.UnicodeScalarView(s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }

    /// Names that real exports use for each lead field (normalised).
    static let synonyms: [String: [String]] = [
        "first_name": ["firstname", "first", "givenname", "forename", "vorname", "prenom", "nombre"],
        "last_name": ["lastname", "last", "surname", "familyname", "nachname", "nom", "apellido", "apellidos"],
        "company": ["company", "companyname", "organization", "organisation", "account", "accountname", "firma", "unternehmen", "business", "name"],
        "job_title": ["jobtitle", "title", "position", "role", "designation", "funktion"],
        "email": ["email", "emailaddress", "mail", "emailaddr", "primaryemail", "workemail", "email1"],
        "phone": ["phone", "phonenumber", "telephone", "tel", "telefon", "workphone", "businessphone", "officephone"],
        "mobile": ["mobile", "mobilephone", "mobilephonenumber", "cell", "cellphone", "handy", "mobil"],
        "website": ["website", "web", "url", "homepage", "site", "webseite"],
        "address.street": ["street", "streetaddress", "address", "address1", "addressline1", "strasse", "straße", "billingstreet"],
        "address.city": ["city", "town", "ort", "stadt", "ville", "billingcity"],
        "address.state": ["state", "stateregion", "province", "stateprovince", "region", "county", "bundesland", "billingstate"],
        "address.postcode": ["postcode", "postalcode", "zip", "zipcode", "zippostalcode", "plz", "postleitzahl", "billingpostalcode"],
        "address.country": ["country", "countryregion", "land", "pays", "billingcountry"],
        "status": ["status", "leadstatus", "stage", "lifecyclestage"],
        "source": ["source", "leadsource", "originalsource", "quelle", "channel"],
        "owner": ["owner", "leadowner", "contactowner", "salesrep", "salesrepresentative", "assignedto", "accountmanager"],
        "amount": ["amount", "value", "dealvalue", "annualrevenue", "revenue", "betrag"],
        "currency": ["currency", "currencycode", "wahrung"],
        "close_chance": ["closechance", "probability", "chance"],
        "close_date": ["closedate", "expectedclose", "expectedclosedate"],
        "tags": ["tags", "labels", "categories"],
        "notes": ["notes", "note", "comments", "comment", "description", "notiz", "bemerkung", "remarks"],
        "created_at": ["createdat", "created", "createddate", "createdate", "datecreated", "creationdate", "erstelltam"],
    ]

    /// The best field for each column, best matches first; a field is used once.
    public static func suggest(header: [String], record: RecordType = .lead, fields: [String]) -> (mapped: [Suggestion], unmapped: [String]) {
        var candidates: [Suggestion] = []
        for column in header {
            let n = normalize(column)
            if n.isEmpty { continue }
            for field in fields {
                let fieldNorm = normalize(field)
                if column == field {
                    candidates.append(Suggestion(column: column, field: field, match: .exact, score: 1.0))
                } else if n == fieldNorm {
                    candidates.append(Suggestion(column: column, field: field, match: .normalized, score: 0.98))
                } else if let syn = synonyms[field], syn.contains(n) {
                    candidates.append(Suggestion(column: column, field: field, match: .synonym, score: 0.95))
                } else {
                    let names = [fieldNorm] + (synonyms[field] ?? [])
                    let best = names.map { jaroWinkler(n, $0) }.max() ?? 0
                    if best >= 0.88 {
                        candidates.append(Suggestion(column: column, field: field, match: .fuzzy, score: best * 0.9))
                    }
                }
            }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : header.firstIndex(of: $0.column)! < header.firstIndex(of: $1.column)! }
        var usedColumns = Set<String>(), usedFields = Set<String>()
        var mapped: [Suggestion] = []
        for c in candidates where !usedColumns.contains(c.column) && !usedFields.contains(c.field) {
            mapped.append(c)
            usedColumns.insert(c.column)
            usedFields.insert(c.field)
        }
        mapped.sort { header.firstIndex(of: $0.column)! < header.firstIndex(of: $1.column)! }
        return (mapped, header.filter { !usedColumns.contains($0) })
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
