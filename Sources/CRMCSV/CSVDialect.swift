/// How a CSV file is written: its delimiter and quote character.
public struct CSVDialect: Sendable, Hashable {
    /// The field delimiter byte (`,` `;` tab `|`).
    public var delimiter: UInt8
    /// The quote byte, normally `"`.
    public var quote: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// RFC 4180: comma and double quote.
    public static let rfc4180 = CSVDialect()

    /// The delimiters `sniff` chooses among.
    public static let candidateDelimiters: [UInt8] = [
        UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"),
    ]

    /// Parses a delimiter as users write it: `,` `;` `|` `\t` `tab`.
    public static func delimiter(named name: String) -> UInt8? {
        switch name {
        case "\\t", "tab", "TAB", "\t": return UInt8(ascii: "\t")
        default:
            let u = Array(name.utf8)
            return u.count == 1 && u[0] != UInt8(ascii: "\"") && u[0] != 10 && u[0] != 13 ? u[0] : nil
        }
    }

    /// A delimiter as users write it, the way `delimiter(named:)` reads it back: `\t` for a tab, else the character.
    public static func name(of delimiter: UInt8) -> String {
        delimiter == UInt8(ascii: "\t") ? "\\t" : String(UnicodeScalar(delimiter))
    }

    /// Picks the delimiter whose count per line is most consistent over the first lines of `sample`
    /// (UTF-8 text), counting only outside quotes. Ties go to the earlier candidate; comma when nothing fits.
    public static func sniff(_ sample: some Collection<UInt8>, quote: UInt8 = UInt8(ascii: "\"")) -> UInt8 {
        var lines: [[Int]] = []  // per line, counts per candidate
        var counts = [Int](repeating: 0, count: candidateDelimiters.count)
        var inQuotes = false
        var lineHasContent = false
        for b in sample {
            if b == quote {
                inQuotes.toggle()
                lineHasContent = true
                continue
            }
            if inQuotes { continue }
            if b == 10 || b == 13 {
                if lineHasContent { lines.append(counts) }
                counts = [Int](repeating: 0, count: candidateDelimiters.count)
                lineHasContent = false
                if lines.count >= 50 { break }
                continue
            }
            lineHasContent = true
            if let k = candidateDelimiters.firstIndex(of: b) { counts[k] += 1 }
        }
        if lineHasContent && lines.count < 50 { lines.append(counts) }
        guard let header = lines.first else { return UInt8(ascii: ",") }
        var best = -1
        var bestScore = 0.0
        for k in candidateDelimiters.indices where header[k] > 0 {
            // Share of lines that agree with the header's count; the last line may be cut by the sample.
            let considered = lines.count > 2 ? lines.dropLast() : lines[...]
            let agree = considered.filter { $0[k] == header[k] }.count
            let score = Double(agree) / Double(considered.count) + Double(min(header[k], 50)) / 1000
            if score > bestScore {
                bestScore = score
                best = k
            }
        }
        return best >= 0 ? candidateDelimiters[best] : UInt8(ascii: ",")
    }
}
