/// Splits a person's full name into first and last name.
enum NameParts {
    static let honorifics: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme", "mlle", "m",
    ]
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "dds"]
    static let particles: Set<String> = [
        "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "bin", "al",
        "ter", "ten",
    ]

    /// `John A. Smith` → (John, Smith); `Smith, John` → (John, Smith); `Dr. Sarah J. Patel` → (Sarah, Patel);
    /// `Ludwig van Beethoven` → (Ludwig, van Beethoven). A single word is a last name.
    static func split(_ full: String) -> (first: String, last: String) {
        if let comma = full.firstIndex(of: ",") {
            let last = full[..<comma].trimmingSpaces
            let rest = full[full.index(after: comma)...].trimmingSpaces
            if !rest.isEmpty, !suffixes.contains(key(rest)) {
                let firstWords = words(rest).filter { !honorifics.contains(key($0)) }
                return (firstWords.first ?? "", last)
            }
        }
        var ws = words(full)
        while let f = ws.first, ws.count > 1, honorifics.contains(key(f)) { ws.removeFirst() }
        while let l = ws.last, ws.count > 1, suffixes.contains(key(l)) { ws.removeLast() }
        guard ws.count > 1 else { return ("", ws.first ?? "") }
        var lastStart = ws.count - 1
        while lastStart > 1, particles.contains(ws[lastStart - 1].lowercased()) { lastStart -= 1 }
        return (ws[0], ws[lastStart...].joined(separator: " "))
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
