import Foundation

/// Names written in two scripts: a bilingual list keeps a person once in their own script and once in Latin letters
/// (`Ксения Смирнова` / `Kseniya Smirnova`, `さくら` / `Sakura`). Compared as written, such names are "different"
/// whatever they say, and a trial's copy with the same e-mail, phone and street was held back as two people. Names
/// of two different scripts are compared by their Latin forms (ICU's `Any-Latin; Latin-ASCII`), made once per name.
extension FuzzyDeduplicator {
    /// The script of each name of a table (0: Latin letters and digits, after folding ASCII) and its Latin form
    /// (empty for a Latin name: its own bytes are its form).
    struct ScriptForms {
        var script: [UInt32] = []
        var latin: [[UInt8]] = []
    }

    /// The transform to Latin letters (lower case, without accents).
    nonisolated(unsafe) static let toLatin = StringTransform(rawValue: "Any-Latin; Latin-ASCII; Lower")

    /// The scripts and Latin forms of every value of `table`.
    static func scriptForms(_ table: Values) -> ScriptForms {
        var out = ScriptForms()
        out.script.reserveCapacity(table.bytes.count)
        out.latin.reserveCapacity(table.bytes.count)
        for bytes in table.bytes {
            let s = script(bytes)
            out.script.append(s)
            if s == 0 {
                out.latin.append([])
            } else {
                let text = String(decoding: bytes, as: UTF8.self)
                let latin = text.applyingTransform(toLatin, reverse: false) ?? text
                out.latin.append(Array(Normalize.fold(latin).utf8))
            }
        }
        return out
    }

    /// The script of a folded name, by its first letter that is not ASCII: 0 when there is none; one class for Han
    /// ideographs, one for hiragana, one for katakana (`さくら` / `サクラ` are one name), one for Hangul; otherwise
    /// the letter's block of 128 scalars (Cyrillic, Greek, Hebrew, Arabic… each its own).
    static func script(_ bytes: [UInt8]) -> UInt32 {
        guard !Similarity.isASCII(bytes) else { return 0 }
        for s in String(decoding: bytes, as: UTF8.self).unicodeScalars where s.value >= 0x80 {
            let v = s.value
            switch v {
            case 0x3040...0x309F: return 0x1_0001  // hiragana
            case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return 0x1_0004  // katakana
            case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: return 0x1_0002  // Hangul
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return 0x1_0003  // Han
            case 0x80...0x24F: return 0  // a Latin letter folding left (`ß`, `ø` are read as Latin)
            default: return v >> 7
            }
        }
        return 0
    }

    /// The level of two first names in two scripts, by their Latin forms (`OSA<=1 / sound alike` for the same or
    /// one edit apart, `JW>=0.88`); nil when they are in one script or not alike.
    func crossScriptFirst(_ a: Int32, _ b: Int32) -> Int? {
        guard let (x, y) = latinPair(firstScripts, firsts, a, b) else { return nil }
        if x == y || Similarity.withinOneEdit(x, y) { return 3 }
        return Similarity.jaroWinkler(x, y) >= 0.88 ? 4 : nil
    }

    /// `crossScriptFirst` for last names (`translit/OSA<=1`, `JW>=0.88`).
    func crossScriptLast(_ a: Int32, _ b: Int32) -> Int? {
        guard let (x, y) = latinPair(lastScripts, lasts, a, b) else { return nil }
        if x == y || Similarity.withinOneEdit(x, y) { return 2 }
        return Similarity.jaroWinkler(x, y) >= 0.88 ? 3 : nil
    }

    /// The Latin forms of two values of `table` in different scripts, or nil when their scripts are the same.
    private func latinPair(_ forms: ScriptForms, _ table: Values, _ a: Int32, _ b: Int32) -> ([UInt8], [UInt8])? {
        let (i, j) = (Int(a), Int(b))
        guard i < forms.script.count, j < forms.script.count, forms.script[i] != forms.script[j] else { return nil }
        let x = forms.script[i] == 0 ? table.bytes[i] : forms.latin[i]
        let y = forms.script[j] == 0 ? table.bytes[j] : forms.latin[j]
        guard !x.isEmpty, !y.isEmpty else { return nil }
        return (x, y)
    }
}
