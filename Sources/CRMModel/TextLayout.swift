public import Foundation

// MARK: - Display width

extension Character {
    /// The columns a terminal gives this character: 2 for East Asian wide and fullwidth characters (CJK,
    /// Hangul, kana, fullwidth forms) and emoji, 0 for control characters and lone combining or format
    /// marks, 1 for the rest. A grapheme cluster (a letter and its accents, an emoji sequence, a flag)
    /// counts once.
    public var displayWidth: Int {
        let scalars = unicodeScalars
        if scalars.contains(where: { $0.value == 0xFE0F || Character.isWide($0) }) { return 2 }
        return scalars.allSatisfy(Character.takesNoColumn) ? 0 : 1
    }

    /// Whether a scalar takes no column of its own: controls, format characters, combining marks, line breaks.
    static func takesNoColumn(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Whether a scalar takes two columns: the East Asian Wide and Fullwidth blocks, and emoji shown as
    /// pictures by default.
    static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F,  // Hangul Jamo leading consonants
            0x2E80...0x303E,  // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
            0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, enclosed CJK
            0x3400...0x4DBF,  // CJK extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo extended A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
            0xFF00...0xFF60,  // fullwidth forms
            0xFFE0...0xFFE6,  // fullwidth signs
            0x1F1E6...0x1F1FF,  // regional indicators (a flag is a pair of them, one cluster)
            0x1F300...0x1F64F,  // miscellaneous symbols and pictographs, emoticons
            0x1F680...0x1F6FF,  // transport and map symbols
            0x1F900...0x1F9FF,  // supplemental symbols and pictographs
            0x1FA70...0x1FAFF,  // symbols and pictographs extended A
            0x20000...0x2FFFD,  // CJK extensions B and later
            0x30000...0x3FFFD:
            return true
        default:
            return s.properties.isEmojiPresentation
        }
    }
}

extension StringProtocol {
    /// The columns a terminal gives this text (`Character.displayWidth` summed): `日本語` is 6, `Zoë` is 3.
    public var displayWidth: Int { reduce(0) { $0 + $1.displayWidth } }

    /// The text cut to at most `width` columns, ending in `…` when it was cut; never splits a character,
    /// so a wide character that does not fit leaves the column one short.
    public func truncated(toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        if displayWidth <= width { return String(self) }
        var out = ""
        var used = 0
        for c in self {
            let w = c.displayWidth
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// The text cut to `width` columns (with `…`) and padded with spaces to exactly `width` columns.
    public func fitted(toWidth width: Int) -> String {
        let cut = truncated(toWidth: width)
        return cut + String(repeating: " ", count: Swift.max(0, width - cut.displayWidth))
    }

    /// The text on one line: line breaks and tabs become spaces (a cell of a list or a board).
    public var singleLine: String {
        String(map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// The text as a terminal may be given it: control characters other than line feeds and tabs (escape, bell,
    /// carriage return, backspace, DEL, the C1 controls) and the bidirectional embeddings, overrides and isolates
    /// written as `\u001B`-style escapes (valid in JSON too), not sent. An imported value could otherwise recolour
    /// the terminal, move its cursor, rewrite its title or reorder what is printed after it (a trial printed
    /// `ESC[31m` from a lead's name). Anything else is kept as it is.
    public var terminalSafe: String {
        if utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) { return String(self) }
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            if Self.unsafeOnTerminal(u) {
                let hex = String(u.value, radix: 16, uppercase: true)
                out.append(
                    contentsOf: ("\\u" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex).unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Whether `terminalSafe` writes this scalar as an escape.
    static func unsafeOnTerminal(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

// MARK: - Tables

/// Rows of text cells laid out in columns that fit a terminal width.
public enum TextTable {
    /// Lays out rows: each column as wide as its widest cell, two spaces between columns, no trailing
    /// spaces. When the lines would be wider than `width`, the widest truncatable columns are narrowed
    /// first (cells cut with `…`), down to `minimum` columns each; columns in `keep` (ids) are never cut.
    /// - Returns: one line per row.
    public static func render(_ rows: [[String]], width: Int, keep: Set<Int> = [0], minimum: Int = 6) -> [String] {
        let cells = rows.map { $0.map(\.singleLine) }
        let count = cells.map(\.count).max() ?? 0
        guard count > 0 else { return rows.map { _ in "" } }
        var widths = (0..<count).map { i in cells.map { i < $0.count ? $0[i].displayWidth : 0 }.max() ?? 0 }
        let separators = 2 * (count - 1)
        var excess = widths.reduce(0, +) + separators - width
        while excess > 0 {
            let candidates = widths.indices.filter { !keep.contains($0) && widths[$0] > minimum }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
            excess -= 1
        }
        return cells.map { row in
            var line = ""
            for i in 0..<count {
                let cell = i < row.count ? row[i] : ""
                if i > 0 { line += "  " }
                line += i == count - 1 ? cell.truncated(toWidth: widths[i]) : cell.fitted(toWidth: widths[i])
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}

// MARK: - Money

/// Amounts as text: exact decimal arithmetic, two decimals, never a binary floating-point value.
public enum MoneyText {
    /// `5434.06`, `-0.50`, `1200.00`: the amount rounded half away from zero to two decimals (for JSON and files).
    public static func plain(_ amount: Decimal) -> String {
        let (negative, integer, fraction) = parts(amount)
        return (negative ? "-" : "") + integer + "." + fraction
    }

    /// `1,200.00`, `-9,800,000.00`: two decimals with thousands separators (for people).
    public static func grouped(_ amount: Decimal) -> String {
        let (negative, integer, fraction) = parts(amount)
        var grouped = ""
        for (i, c) in integer.enumerated() {
            if i > 0, (integer.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return (negative ? "-" : "") + grouped + "." + fraction
    }

    /// `EUR 1,200.00 · USD 300.00`: totals per currency, in currency order; an amount without a currency
    /// comes first, without a code. Amounts in different currencies are never added.
    public static func totals(_ totals: [String: Decimal]) -> String {
        totalParts(totals).joined(separator: " · ")
    }

    /// The pieces of `totals(_:)`, one per currency (`EUR 1,200.00`).
    public static func totalParts(_ totals: [String: Decimal]) -> [String] {
        totals.keys.sorted().map { code in
            let amount = grouped(totals[code] ?? 0)
            return code.isEmpty ? amount : "\(code) \(amount)"
        }
    }

    /// Sign, integer digits and the two decimals of an amount rounded to cents.
    static func parts(_ amount: Decimal) -> (negative: Bool, integer: String, fraction: String) {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        if rounded.isNaN { return (false, "0", "00") }
        // Decimal's description is plain digits with a '.' and never an exponent: "-5434.06", "1200", "0.5".
        var text = rounded.description
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let halves = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = halves[0].isEmpty ? "0" : String(halves[0])
        var fraction = halves.count > 1 ? String(halves[1].prefix(2)) : ""
        while fraction.count < 2 { fraction += "0" }
        return (negative && (integer != "0" || fraction != "00"), integer, fraction)
    }
}
