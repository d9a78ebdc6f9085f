/// A path into an XML document as mapping files write it.
///
/// Record paths: `/leads/lead` (from the root) or `//Contact` (anywhere). Field paths, relative to
/// the record element: `first_name`, `address/city`, `@id`, `contact/@type`, `phone[@type='mobile']`,
/// `email[2]` (the second), `tag[*]` (all, joined by `; `). A `prefix:name` step matches the
/// namespace the mapping binds to the prefix; a plain name matches the local name in any namespace.
public struct XMLPath: Sendable, Hashable, CustomStringConvertible {
    /// Which of several matching elements a step takes.
    public enum Pick: Sendable, Hashable {
        case first
        case nth(Int)
        case all
        case attribute(String, String)
    }

    public struct Step: Sendable, Hashable {
        public var prefix: String?
        public var local: String
        public var pick: Pick
    }

    public let text: String
    public let steps: [Step]
    /// A final `@name`: the attribute of the last step's element (or of the record element).
    public let attribute: String?
    /// `//name`: the record element may be at any depth.
    public let anywhere: Bool

    /// Parses a path.
    /// - Throws: `XMLError.invalidPath` saying what is wrong.
    public init(_ text: String) throws {
        self.text = text
        var t = Substring(text.trimmingSpaces)
        var anywhere = false
        if t.hasPrefix("//") {
            anywhere = true
            t = t.dropFirst(2)
        } else if t.hasPrefix("/") {
            t = t.dropFirst()
        }
        var parts = t.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var attribute: String?
        if let last = parts.last, last.hasPrefix("@") {
            attribute = String(last.dropFirst())
            parts.removeLast()
            if attribute!.isEmpty { throw XMLError(.invalidPath, message: "path '\(text)' ends in '@' without a name") }
        }
        var steps: [Step] = []
        for p in parts {
            guard !p.isEmpty else { throw XMLError(.invalidPath, message: "path '\(text)' has an empty step") }
            var name = p
            var pick = Pick.first
            if let open = p.firstIndex(of: "["), p.hasSuffix("]") {
                name = String(p[..<open])
                let inner = String(p[p.index(after: open)..<p.index(before: p.endIndex)])
                if inner == "*" {
                    pick = .all
                } else if let n = Int(inner), n >= 1 {
                    pick = .nth(n)
                } else if inner.hasPrefix("@"), let eq = inner.firstIndex(of: "=") {
                    let attr = String(inner[inner.index(after: inner.startIndex)..<eq])
                    var value = String(inner[inner.index(after: eq)...])
                    if value.count >= 2, let f = value.first, f == "'" || f == "\"", value.last == f {
                        value = String(value.dropFirst().dropLast())
                    }
                    pick = .attribute(attr, value)
                } else {
                    throw XMLError(
                        .invalidPath, message: "path '\(text)': [\(inner)] is not [n], [*] or [@name='value']")
                }
            }
            let colon = name.firstIndex(of: ":")
            let prefix = colon.map { String(name[..<$0]) }
            let local = colon.map { String(name[name.index(after: $0)...]) } ?? name
            guard !local.isEmpty, !local.contains(where: { $0 == " " || $0 == "[" || $0 == "]" }) else {
                throw XMLError(.invalidPath, message: "path '\(text)': '\(name)' is not an element name")
            }
            steps.append(Step(prefix: prefix, local: local, pick: pick))
        }
        if steps.isEmpty && attribute == nil { throw XMLError(.invalidPath, message: "the path is empty") }
        self.steps = steps
        self.attribute = attribute
        self.anywhere = anywhere
    }

    public var description: String { text }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
