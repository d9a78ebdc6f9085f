import Foundation
package import Yams

// Reading mapping YAML strictly (`YAMLMap`), and Yams's errors as a line and a problem a user can act on.

func yamlErrorLine(_ e: YamlError) -> Int? {
    switch e {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
    case .duplicatedKeysInMapping(let duplicates, let context):
        return repeatedKeyLine(duplicates.first ?? "", text: context.text, first: context.mark.line)
            ?? context.mark.line
    default: return nil
    }
}

func yamlErrorProblem(_ e: YamlError) -> String {
    switch e {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
    case .duplicatedKeysInMapping(let duplicates, let context):
        let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
        return
            (duplicates.count == 1
            ? "the key \(keys) is given more than once in one mapping (first on line \(context.mark.line))"
            : "the keys \(keys) are each given more than once in one mapping (\(duplicates[0]) first on line "
                + "\(context.mark.line))")
    default: return "\(e)"
    }
}

/// The line (1-based) of `key`'s second occurrence in a mapping whose first occurrence is on line `first`: the next
/// line at the same indentation that starts with the key, plain or quoted, and a colon. Yams names only the first.
package func repeatedKeyLine(_ key: String, text: String, first: Int) -> Int? {
    // Lines as libyaml counts them: `\r\n` is one break (one `Character` in Swift, so no `\n` to split at), and so
    // is a lone `\r`.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    guard first >= 1, first <= lines.count else { return nil }
    func indent(_ l: Substring) -> Int { l.prefix { $0 == " " }.count }
    func startsWithKey(_ l: Substring) -> Bool {
        var rest = l.drop { $0 == " " }
        if rest.hasPrefix("- ") { rest = rest.dropFirst(2).drop { $0 == " " } }
        for form in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(form) {
            if rest.dropFirst(form.count).drop(while: { $0 == " " }).first == ":" { return true }
        }
        return false
    }
    // The first occurrence may follow a `- ` on its line: its column is where the key starts.
    let firstLine = lines[first - 1]
    guard startsWithKey(firstLine) else { return nil }
    var column = indent(firstLine)
    if firstLine.dropFirst(column).hasPrefix("- ") { column += 2 + indent(firstLine.dropFirst(column + 2)) }
    for n in first..<lines.count {
        let l = lines[n]
        if l.allSatisfy({ $0 == " " }) || l.drop(while: { $0 == " " }).hasPrefix("#") { continue }
        if indent(l) < column { return nil }  // the mapping ended
        if indent(l) == column && startsWithKey(l) { return n + 1 }
    }
    return nil
}

/// A YAML mapping read strictly: keys are text, order is kept, unknown keys can be refused.
package struct YAMLMap {
    package let pairs: [(String, Node)]
    package let line: Int?

    package init(_ node: Node, what: String) throws {
        guard case .mapping(let m) = node else {
            throw MappingError(
                .invalidValue, line: node.mark?.line, message: "\(what) must be a mapping of keys to values")
        }
        var ps: [(String, Node)] = []
        var keyLines: [String: Int] = [:]
        for (k, v) in m {
            guard let ks = k.scalar?.string else {
                throw MappingError(.invalidValue, line: k.mark?.line, message: "keys in \(what) must be text")
            }
            if ps.contains(where: { $0.0 == ks }) {
                throw MappingError(.invalidValue, line: k.mark?.line, message: "key '\(ks)' appears twice in \(what)")
            }
            ps.append((ks, v))
            if let l = k.mark?.line { keyLines[ks] = l }
        }
        pairs = ps
        self.keyLines = keyLines
        line = m.mark?.line
    }

    /// The line each key is written on (a value's own line is the next one when it is a block).
    private let keyLines: [String: Int]

    package subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }

    package func line(of key: String) -> Int? { self[key]?.mark?.line ?? line }

    package func allow(_ keys: Set<String>) throws {
        for (k, v) in pairs where !keys.contains(k) {
            throw MappingError(
                .unknownKey, line: keyLines[k] ?? v.mark?.line ?? line,
                message: "unknown key '\(k)'; allowed here: " + keys.sorted().joined(separator: ", "))
        }
    }

    package func string(_ key: String) throws -> String? {
        guard let n = self[key] else { return nil }
        guard let s = n.scalar?.string else {
            throw MappingError(.invalidValue, line: n.mark?.line, message: "'\(key)' must be text")
        }
        return s
    }

    package func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else {
            throw MappingError(.missingKey, line: line, message: "'\(key)' is required")
        }
        return s
    }

    package func stringList(_ key: String) throws -> [String]? {
        guard let n = self[key] else { return nil }
        if let s = n.scalar?.string { return [s] }
        guard case .sequence(let seq) = n else {
            throw MappingError(.invalidValue, line: n.mark?.line, message: "'\(key)' must be a list")
        }
        return try seq.map {
            guard let s = $0.scalar?.string else {
                throw MappingError(.invalidValue, line: $0.mark?.line, message: "items of '\(key)' must be text")
            }
            return s
        }
    }

    package func bool(_ key: String) throws -> Bool? {
        guard let s = try string(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw MappingError(.invalidValue, line: line(of: key), message: "'\(key)' must be true or false")
        }
    }
}
