/// Digits and full-width forms as ASCII: Japanese and Chinese forms are often typed in full width
/// (`０９０－２８０１－３３４１`), Arabic ones with Arabic-Indic digits (`٠٥٠١٢٣٤٥٦٧`). Read as written, a trial's phones
/// were no phone numbers, and a street or postcode in them never equalled its half-width copy.
public enum DigitFolding {
    /// `s` with every decimal digit of any script as its ASCII digit, the full-width forms of ASCII (U+FF01–U+FF5E)
    /// as ASCII and the ideographic space as a space; `s` itself when it is ASCII.
    public static func ascii(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            let v = u.value
            if v >= 0xFF01 && v <= 0xFF5E {
                out.append(Unicode.Scalar(v - 0xFEE0)!)
            } else if v == 0x3000 {
                out.append(" ")
            } else if v >= 0x80, u.properties.numericType == .decimal, let n = u.properties.numericValue,
                n >= 0, n <= 9
            {
                out.append(Unicode.Scalar(48 + UInt8(n)))
            } else {
                out.append(u)
            }
        }
        return String(out)
    }
}
