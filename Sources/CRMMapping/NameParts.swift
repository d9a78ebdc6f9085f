/// Splits a person's full name into first and last name.
enum NameParts {
    static let honorifics: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme", "mlle", "m",
    ]
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "dds"]
    /// Suffixes that tell a father from his son: kept with the last name (`Jones Jr.`), where the duplicate finder
    /// reads them; the others (degrees) are dropped.
    static let generations: Set<String> = ["jr", "sr", "ii", "iii", "iv", "junior", "senior"]
    static let particles: Set<String> = [
        "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "bin", "al",
        "ter", "ten",
    ]

    /// `John A. Smith` → (John, Smith); `Smith, John` → (John, Smith); `Dr. Sarah J. Patel` → (Sarah, Patel);
    /// `Ludwig van Beethoven` → (Ludwig, van Beethoven); `Daniel Jones Jr.` and `Jones, Daniel Jr.` → (Daniel,
    /// Jones Jr.): a generational suffix stays with the last name (a trial's fathers and sons were one name without
    /// it). A single word is a last name. `M.` is Monsieur; `M` without a dot an initial (`M N. White` → M, White).
    static func split(_ full: String) -> (first: String, last: String) {
        if let comma = full.firstIndex(of: ",") {
            let last = full[..<comma].trimmingSpaces
            let rest = full[full.index(after: comma)...].trimmingSpaces
            if !rest.isEmpty, !suffixes.contains(key(rest)) {
                var firstWords = words(rest).filter { !isHonorific($0) }
                let generation = firstWords.count > 1 && generations.contains(key(firstWords.last!))
                let suffix = generation ? " " + firstWords.removeLast() : ""
                return (firstWords.first ?? "", last + suffix)
            }
        }
        var ws = words(full)
        while let f = ws.first, ws.count > 1, isHonorific(f) { ws.removeFirst() }
        var generation: String?
        while let l = ws.last, ws.count > 1, suffixes.contains(key(l)) {
            if generation == nil, generations.contains(key(l)) { generation = l }
            ws.removeLast()
        }
        let suffix = generation.map { " " + $0 } ?? ""
        guard ws.count > 1 else { return ("", (ws.first ?? "") + suffix) }
        var lastStart = ws.count - 1
        while lastStart > 1, particles.contains(ws[lastStart - 1].lowercased()) { lastStart -= 1 }
        return (ws[0], ws[lastStart...].joined(separator: " ") + suffix)
    }

    /// A title before a name; `M` only as `M.` (Monsieur), since a bare `M` is as likely an initial.
    static func isHonorific(_ w: String) -> Bool {
        let k = key(w)
        return honorifics.contains(k) && (k != "m" || w.hasSuffix("."))
    }

    static func words(_ s: some StringProtocol) -> [String] {
        s.split(whereSeparator: { (c: Character) in c == " " || c == "\t" }).map { String($0) }
    }

    static func key(_ w: String) -> String { w.lowercased().filter { $0 != "." && $0 != "," } }
}

extension StringProtocol {
    /// The text without surrounding spaces, tabs and line breaks.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
