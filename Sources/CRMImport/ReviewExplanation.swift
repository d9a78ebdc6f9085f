import Foundation

/// What a review pair's stored explanation (`FuzzyDeduplicator`'s `--explain` text) says, in one line, for lists of
/// pairs: `crmgate review list`, and any page that lists them.
public enum ReviewExplanation {
    /// Why a pair that scored a match was held back for a person (the explanation's `held back:` lines, with the
    /// pair's total): its weight in the queue is then just under the match weight, not what it scored.
    public static func heldBack(_ explanation: String) -> String? {
        let lines = explanation.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("held back:") }) else { return nil }
        let rest = lines[start...].prefix { !$0.hasPrefix("outcome:") && !$0.hasPrefix("refused by") }
        let total = lines.first { $0.contains("total ") }.flatMap { line in
            line.range(of: "total ").map { String(line[$0.upperBound...].prefix { $0 != " " && $0 != ";" }) }
        }
        return (total.map { "scored \($0), " } ?? "") + rest.joined(separator: " ")
    }

    /// One line from an explanation's field lines (`  first      exact     +5.2`): the fields that agree, in
    /// some way, and those that differ; nil when it has none.
    public static func agreement(_ explanation: String) -> String? {
        var agree: [String] = []
        var differ: [String] = []
        for line in explanation.split(separator: "\n") where line.hasPrefix("  ") {
            let words = line.split(separator: " ")
            guard words.count >= 3, let weight = Double(words[words.count - 1]) else { continue }
            let field = String(words[0])
            let level = words[1..<(words.count - 1)].joined(separator: " ")
            if level == "different" || weight < 0 {
                differ.append(field)
            } else {
                agree.append("\(field) (\(level))")
            }
        }
        if agree.isEmpty && differ.isEmpty { return nil }
        return "alike: " + (agree.isEmpty ? "nothing" : agree.joined(separator: ", ")) + "; differ: "
            + (differ.isEmpty ? "nothing" : differ.joined(separator: ", "))
    }
}
