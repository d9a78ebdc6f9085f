import CLibXML2
import Glibc

/// Limits on what an XML document may hold, checked on its raw bytes before libxml2 parses them.
///
/// libxml2 does quadratic work on some start tags while it parses them: it checks each attribute against
/// the ones before it, and looks each name's namespace up through every declaration in scope. Counting
/// after the fact is too late, so the reader scans the bytes on their way to libxml2 and refuses the
/// document (`XMLError.Code.limitExceeded`) at the first element past a limit: reading stays linear in
/// the document's size.
public enum XMLLimits {
    /// Attributes on one element, namespace declarations not counted.
    public static let attributesPerElement = 1_000
    /// Namespace declarations (`xmlns`, `xmlns:p`) in scope at one element: on it and the elements it is in.
    public static let namespacesInScope = 1_000
    /// Levels of nested elements, the root element being the first (libxml2 itself stops past 257).
    public static let depth = 256
}

/// Reads a document's bytes ahead of libxml2, once each, with a state machine that knows just enough XML
/// (tags, quoted attribute values, comments, CDATA sections, processing instructions) to count attributes,
/// namespace declarations and nesting, to see a DOCTYPE before the root element, to check that the encoding
/// an XML declaration names is read the way the scan reads the document, and to tell, when the input ends,
/// whether the document was cut off.
///
/// The bytes are read as characters the way libxml2 first reads them: one byte each (UTF-8 and the
/// encodings that keep ASCII as is), or two or four bytes in the byte order the first four bytes show. A
/// declaration naming an encoding that libxml2 would switch to and that is not read that way (UTF-16LE in
/// a document whose first bytes are ASCII, UTF-7, EBCDIC...) is refused: past it, libxml2 would see markup
/// the scan does not.
struct MarkupScanner {
    /// The first reason to refuse the document; once set, no more bytes go to libxml2.
    private(set) var fault: XMLError?
    /// The input ended (without a fault).
    private(set) var ended = false
    /// The line being read (1-based): line feeds seen, plus one.
    private(set) var line = 1

    private enum Layout { case undetected, bytes, utf16LE, utf16BE, ucs4LE, ucs4BE }

    private enum State: UInt8 {
        case text, lt, startName, tag, tagSlash, value, endName, endTail
        case bang, bangDash, doctype, comment, cdata, pi, markup
    }

    // Characters.
    private var layout = Layout.undetected
    private var head: [UInt8] = []
    private var skip = 0
    private var unitBytes = 1
    private var bigEndian = false
    private var partial: UInt32 = 0
    private var partialCount = 0
    private var begun = false

    // Markup.
    private var state = State.text
    private var tagLine = 1
    private var hash: UInt64 = 0
    private var quote: UInt32 = 0
    private var attributes = 0
    private var namespaces = 0
    private var inName = false
    /// Progress through an attribute name against `xmlns`: 0 to 5 letters, 6 past `xmlns:`, -1 another name.
    private var xmlns = -1
    /// Open elements: a hash of the name (to pair end tags) and the namespace declarations each made.
    private var open: [(name: UInt64, namespaces: Int)] = []
    private var namespacesInScope = 0
    private var rootSeen = false
    private var rootClosed = false
    /// Something was not well-formed (an end tag that does not pair, `<` before a space...): libxml2 reports it,
    /// and the scan's idea of where the document ends may be off.
    private var confused = false
    /// Dashes in a row in a comment, `]` in a row in a CDATA section, letters of `DOCTYPE` matched.
    private var run = 0
    private var sawQuestion = false

    // The XML declaration.
    private var firstMarkup = false
    private var target = -1
    private var declaration = false
    private var keyword = 0
    private var encodingPhase = 0
    private var encodingQuote: UInt32 = 0
    private var encodingName: [UInt8] = []
    private var encodingNameValid = true

    /// What the reader says about a document type declaration, wherever it notices one.
    static let doctypeMessage =
        "the document has a document type declaration (<!DOCTYPE>); crmgate refuses DTDs, since they carry entity expansion and external references. Remove the DOCTYPE to import the file."

    /// A start tag was seen (the root element, at least).
    var sawElement: Bool { rootSeen }
    /// A character was seen (a byte order mark alone is none).
    var sawCharacters: Bool { begun }

    /// The document ended inside its root element, or inside markup before that, and nothing the scan saw
    /// was out of place: the file was cut off.
    var endedEarly: Bool {
        guard ended, fault == nil, !confused else { return false }
        return !open.isEmpty || (state != .text && !rootClosed)
    }

    /// Scans bytes on their way to libxml2. Returns nil, or at the first fault how many of these bytes libxml2
    /// may still have: those before the character that broke a rule.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Int? {
        if fault != nil { return 0 }
        let n = bytes.count
        var i = 0
        if layout == .undetected {
            while head.count < 4 && i < n {
                head.append(bytes[i])
                i += 1
            }
            if head.count < 4 { return nil }
            detect()
            if fault != nil { return 0 }
            let h = head
            head = []
            for b in h {
                if feed(b) { return 0 }
            }
        }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        while i < n {
            if unitBytes == 1 && skip == 0 {
                // Runs that `step` would take one call per byte for, in tight loops with the same effect: text between
                // tags (only line feeds matter), element names (hashed as `step` hashes them) and attribute values
                // (up to the closing quote, counting line feeds).
                switch state {
                case .text:
                    let end = Self.run(to: 0x3C, base, i, n, lines: &line)
                    if end > i {
                        begun = true
                        i = end
                        if i == n { continue }
                    }
                    // At a `<`: a plain tag is read here, anything else by `feed` below.
                    if begun, let next = plainTag(base, i, n) {
                        i = next
                        continue
                    }
                case .startName, .endName:
                    var h = hash
                    var k = i
                    while k < n {
                        let b = base[k]
                        if b <= 0x3E && (Self.nameEnds >> UInt64(b)) & 1 != 0 { break }
                        h = Self.mix(h, UInt32(b))
                        k += 1
                    }
                    if k > i {
                        hash = h
                        i = k
                        continue
                    }
                case .value where quote < 0x80:
                    let end = Self.run(to: UInt8(quote), base, i, n, lines: &line)
                    if end > i {
                        i = end
                        continue
                    }
                default: break
                }
            }
            if feed(base[i]) { return max(0, i + 1 - unitBytes) }
            i += 1
        }
        return nil
    }

    /// A tag without attributes or spaces, `<name>` or `</name>`, wholly in `base[i..<n]` from the `<` at `i`, read in
    /// one go with the effect `step` has one character at a time (most of a record's markup is such tags). Returns
    /// the index past its `>`, or nil, having changed nothing, for anything else: `step` takes that character by
    /// character. A start tag's name must begin with an ASCII letter or `_` here.
    @inline(__always) private mutating func plainTag(_ base: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        var k = i &+ 1
        guard k < n else { return nil }
        let b = base[k]
        let closing = b == 0x2F
        if closing {
            k &+= 1
        } else {
            let letter = (b | 0x20) &- 0x61 < 26 || b == 0x5F
            guard letter, open.count < XMLLimits.depth else { return nil }
        }
        let nameStart = k
        var h = Self.seed
        while k < n {
            let c = base[k]
            if c <= 0x3E && (Self.nameEnds >> UInt64(c)) & 1 != 0 { break }
            h = Self.mix(h, UInt32(c))
            k &+= 1
        }
        guard k < n, k > nameStart, base[k] == 0x3E else { return nil }
        tagLine = line
        firstMarkup = false
        hash = h
        if closing {
            closeElement()
        } else {
            rootSeen = true
            attributes = 0
            namespaces = 0
            inName = false
            xmlns = -1
            openElement()
        }
        return k &+ 1
    }

    /// The index of the first `byte` in `base[i..<n]` (or `n`), adding the line feeds before it to `lines`.
    ///
    /// One pass, eight bytes at a time: `((v & 0x7F…) + 0x7F…) | v` has the high bit of every nonzero byte of `v`
    /// set and no carry between bytes, so its complement marks exactly the bytes of the word equal to the one
    /// looked for (`v = word ^ byte·0x0101…`). Most runs are short (a value, a line's indentation), where one call
    /// of `memchr` for the byte and more for the line feeds cost more than the scan.
    @inline(__always) private static func run(
        to byte: UInt8, _ base: UnsafePointer<UInt8>, _ start: Int, _ n: Int, lines: inout Int
    ) -> Int {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let ones: UInt64 = 0x0101_0101_0101_0101
        let target = UInt64(byte) &* ones
        let feeds = 0x0A &* ones
        @inline(__always) func equal(_ v: UInt64) -> UInt64 { ~(((v & low) &+ low) | v) & ~low }
        // Marks (high bits) counted by summing the bytes of `marks >> 7` into the top byte.
        @inline(__always) func count(_ marks: UInt64) -> Int { Int(truncatingIfNeeded: ((marks >> 7) &* ones) >> 56) }
        var i = start
        while i &+ 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
            let hit = equal(w ^ target)
            let lf = equal(w ^ feeds)
            if hit != 0 {
                let below = (UInt64(1) << UInt64(hit.trailingZeroBitCount)) &- 1
                lines &+= count(lf & below)
                return i &+ (hit.trailingZeroBitCount >> 3)
            }
            lines &+= count(lf)
            i &+= 8
        }
        while i < n {
            let b = base[i]
            if b == byte { return i }
            if b == 0x0A { lines &+= 1 }
            i &+= 1
        }
        return n
    }

    /// The input ended.
    mutating func finish() {
        if ended || fault != nil { return }
        if layout == .undetected {
            // Fewer than four bytes: libxml2 reads them as UTF-8.
            layout = .bytes
            let h = head
            head = []
            for b in h {
                if feed(b) { return }
            }
        }
        ended = true
    }

    /// Tells the layout from the first four bytes, as libxml2 does (`xmlDetectCharEncoding`).
    private mutating func detect() {
        switch (head[0], head[1], head[2], head[3]) {
        case (0x00, 0x00, 0x00, 0x3C): layout = .ucs4BE
        case (0x3C, 0x00, 0x00, 0x00): layout = .ucs4LE
        case (0x00, 0x00, 0x3C, 0x00), (0x00, 0x3C, 0x00, 0x00):
            fault = XMLError(
                .unsupportedEncoding, line: 1,
                message:
                    "the document is in UCS-4 with an unusual byte order (2143 or 3412), which crmgate does not read; convert it to UTF-8"
            )
        case (0x4C, 0x6F, 0xA7, 0x94):
            fault = XMLError(
                .unsupportedEncoding, line: 1,
                message: "the document is in EBCDIC, which crmgate does not read; convert it to UTF-8")
        case (0x3C, 0x00, 0x3F, 0x00): layout = .utf16LE
        case (0x00, 0x3C, 0x00, 0x3F): layout = .utf16BE
        case (0xEF, 0xBB, 0xBF, _):
            layout = .bytes
            skip = 3
        case (0xFE, 0xFF, _, _): layout = .utf16BE
        case (0xFF, 0xFE, _, _): layout = .utf16LE
        default: layout = .bytes
        }
        switch layout {
        case .utf16LE, .utf16BE: unitBytes = 2
        case .ucs4LE, .ucs4BE: unitBytes = 4
        case .bytes, .undetected: unitBytes = 1
        }
        bigEndian = layout == .utf16BE || layout == .ucs4BE
    }

    /// One byte; true when it completed a character that broke a rule.
    @inline(__always) private mutating func feed(_ b: UInt8) -> Bool {
        if unitBytes == 1 {
            if skip > 0 {
                skip -= 1
                return false
            }
            return step(UInt32(b))
        }
        if bigEndian {
            partial = partial << 8 | UInt32(b)
        } else {
            partial |= UInt32(b) << (8 * partialCount)
        }
        partialCount += 1
        if partialCount < unitBytes { return false }
        let u = partial
        partial = 0
        partialCount = 0
        if !begun && u == 0xFEFF { return false }  // the byte order mark
        return step(u)
    }

    @inline(__always) private static func isSpace(_ u: UInt32) -> Bool {
        u == 0x20 || u == 0x0A || u == 0x09 || u == 0x0D
    }

    private static let seed: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The bytes that end a name in a tag, as bits: space, tab, line feed, carriage return, `/` and `>`.
    private static let nameEnds: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x0D | 1 << 0x2F | 1 << 0x3E

    /// A hash over the characters of a name, to pair end tags with start tags: rotated by 7 bits and the character
    /// xored in (two one-cycle steps a character, where FNV-1a's multiply took three). A collision only hides a
    /// mismatched end tag from the scan, never from libxml2, which faults on it; `h · 33 + u` collided on two letters
    /// (`Ab`, `BA`; a review).
    @inline(__always) private static func mix(_ h: UInt64, _ u: UInt32) -> UInt64 {
        ((h &<< 7) | (h &>> 57)) ^ UInt64(u)
    }

    /// One character; true when it broke a rule (`fault` says which).
    private mutating func step(_ u: UInt32) -> Bool {
        let first = !begun
        begun = true
        if u == 0x0A { line += 1 }
        switch state {
        case .text:
            if u == 0x3C {  // <
                state = .lt
                tagLine = line
                firstMarkup = first
            }
        case .lt:
            switch u {
            case 0x2F:  // </
                state = .endName
                hash = Self.seed
            case 0x3F:  // <?
                state = .pi
                sawQuestion = false
                declaration = false
                target = firstMarkup ? 0 : -1
            case 0x21:  // <!
                state = .bang
            case 0x3C:
                confused = true
                tagLine = line
                firstMarkup = false
            case 0x20, 0x09, 0x0A, 0x0D, 0x3E, 0x3D, 0x22, 0x27:
                confused = true
                state = .text
            default:
                return startTag(u)
            }
        case .startName:
            switch u {
            case 0x20, 0x09, 0x0A, 0x0D: state = .tag
            case 0x3E: openElement()
            case 0x2F: state = .tagSlash
            default: hash = Self.mix(hash, u)
            }
        case .tag:
            return inTag(u)
        case .tagSlash:
            if u == 0x3E {  // an empty element: opened and closed at once
                if open.isEmpty { rootClosed = true }
                state = .text
            } else {
                confused = true
                state = .tag
                return inTag(u)
            }
        case .value:
            if u == quote { state = .tag }
        case .endName:
            switch u {
            case 0x3E: closeElement()
            case 0x20, 0x09, 0x0A, 0x0D: state = .endTail
            default: hash = Self.mix(hash, u)
            }
        case .endTail:
            if u == 0x3E {
                closeElement()
            } else if !Self.isSpace(u) {
                confused = true
            }
        case .bang:
            switch u {
            case 0x2D: state = .bangDash  // <!-
            case 0x5B:  // <![
                state = .cdata
                run = 0
            case 0x44:  // <!D
                state = .doctype
                run = 1
            default: skipMarkup(u)
            }
        case .bangDash:
            if u == 0x2D {
                state = .comment
                run = 0
            } else {
                skipMarkup(u)
            }
        case .doctype:
            guard u == Self.doctypeWord[run] else {
                skipMarkup(u)
                break
            }
            run += 1
            if run == Self.doctypeWord.count {
                if !rootSeen { return fail(.doctypeRefused, line: tagLine, Self.doctypeMessage) }
                confused = true
                state = .markup
            }
        case .comment:
            if u == 0x2D {
                run += 1
            } else {
                if u == 0x3E && run >= 2 { state = .text }
                run = 0
            }
        case .cdata:
            if u == 0x5D {
                run += 1
            } else {
                if u == 0x3E && run >= 2 { state = .text }
                run = 0
            }
        case .pi:
            if sawQuestion && u == 0x3E {
                state = .text
                declaration = false
                break
            }
            sawQuestion = u == 0x3F
            if declaration { return inDeclaration(u) }
            if target >= 0 {
                // `<?xml` and a space as the document's first characters: the XML declaration.
                switch target {
                case 0: target = u == 0x78 ? 1 : -1
                case 1: target = u == 0x6D ? 2 : -1
                case 2: target = u == 0x6C ? 3 : -1
                default:
                    target = -1
                    if Self.isSpace(u) {
                        declaration = true
                        keyword = 0
                        encodingPhase = 0
                    }
                }
            }
        case .markup:
            if u == 0x3E { state = .text }
        }
        return false
    }

    private static let doctypeWord: [UInt32] = Array("DOCTYPE".unicodeScalars.map(\.value))
    private static let encodingWord: [UInt32] = Array("encoding".unicodeScalars.map(\.value))

    /// `<!` followed by something other than a comment, a CDATA section or a DOCTYPE: not well-formed.
    private mutating func skipMarkup(_ u: UInt32) {
        confused = true
        state = u == 0x3E ? .text : .markup
    }

    private mutating func fail(_ code: XMLError.Code, line: Int, _ message: String) -> Bool {
        fault = XMLError(code, line: line, message: message)
        return true
    }

    private mutating func startTag(_ u: UInt32) -> Bool {
        if open.count >= XMLLimits.depth {
            return fail(
                .limitExceeded, line: tagLine,
                "elements are nested more than \(XMLLimits.depth) levels deep, which the reader refuses (libxml2 stops past 257 anyway)"
            )
        }
        rootSeen = true
        hash = Self.mix(Self.seed, u)
        attributes = 0
        namespaces = 0
        inName = false
        xmlns = -1
        state = .startName
        return false
    }

    /// Inside a start tag, past its name: attribute names, `=`, quoted values.
    private mutating func inTag(_ u: UInt32) -> Bool {
        switch u {
        case 0x20, 0x09, 0x0A, 0x0D:
            inName = false
        case 0x22, 0x27:
            quote = u
            state = .value
            inName = false
        case 0x3D:  // =: one more attribute, or namespace declaration
            inName = false
            if xmlns == 5 || xmlns == 6 {
                namespaces += 1
                if namespacesInScope + namespaces > XMLLimits.namespacesInScope {
                    return fail(
                        .limitExceeded, line: tagLine,
                        "an element has more than \(Self.grouped(XMLLimits.namespacesInScope)) namespace declarations in scope (on it and the elements it is in); the limit protects against documents that take quadratic time"
                    )
                }
            } else {
                attributes += 1
                if attributes > XMLLimits.attributesPerElement {
                    return fail(
                        .limitExceeded, line: tagLine,
                        "an element has more than \(Self.grouped(XMLLimits.attributesPerElement)) attributes; the limit protects against documents that take quadratic time"
                    )
                }
            }
            xmlns = -1
        case 0x3E:
            openElement()
        case 0x2F:
            state = .tagSlash
        case 0x3C:
            confused = true
            state = .lt
            tagLine = line
            firstMarkup = false
        default:
            if !inName {
                inName = true
                xmlns = 0
            }
            switch xmlns {
            case 0: xmlns = u == 0x78 ? 1 : -1  // x
            case 1: xmlns = u == 0x6D ? 2 : -1  // m
            case 2: xmlns = u == 0x6C ? 3 : -1  // l
            case 3: xmlns = u == 0x6E ? 4 : -1  // n
            case 4: xmlns = u == 0x73 ? 5 : -1  // s
            case 5: xmlns = u == 0x3A ? 6 : -1  // :
            default: break
            }
        }
        return false
    }

    private mutating func openElement() {
        open.append((hash, namespaces))
        namespacesInScope += namespaces
        state = .text
    }

    private mutating func closeElement() {
        state = .text
        guard let top = open.popLast() else {
            confused = true
            return
        }
        namespacesInScope -= top.namespaces
        if top.name != hash { confused = true }
        if open.isEmpty { rootClosed = true }
    }

    /// Inside `<?xml ... ?>`: finds `encoding = "name"` and checks the name as soon as its closing quote is read,
    /// since libxml2 switches to that encoding right there.
    private mutating func inDeclaration(_ u: UInt32) -> Bool {
        switch encodingPhase {
        case 0:
            keyword = u == Self.encodingWord[keyword] ? keyword + 1 : (u == 0x65 ? 1 : 0)
            if keyword == Self.encodingWord.count {
                keyword = 0
                encodingPhase = 1
            }
        case 1:
            if u == 0x3D {
                encodingPhase = 2
            } else if !Self.isSpace(u) {
                encodingPhase = 0
                keyword = u == 0x65 ? 1 : 0
            }
        case 2:
            if u == 0x22 || u == 0x27 {
                encodingPhase = 3
                encodingQuote = u
                encodingName = []
                encodingNameValid = true
            } else if !Self.isSpace(u) {
                encodingPhase = 0
                keyword = u == 0x65 ? 1 : 0
            }
        default:
            if u == encodingQuote {
                encodingPhase = 0
                let name = String(decoding: encodingName, as: UTF8.self)
                if encodingNameValid && Self.readable(name, layout) { return false }
                return fail(
                    .unsupportedEncoding, line: line,
                    "the XML declaration names the encoding '\(name)', which crmgate does not read in a document that starts as this one does; it reads UTF-8, UTF-16 and UTF-32 as the first bytes show them, and encodings that keep ASCII as it is (ISO-8859-*, Windows-125*, Shift_JIS, EUC-*, GB18030, Big5) by their standard names (UTF-8, not UTF-08)"
                )
            }
            if u >= 0x80 || encodingName.count >= 64 {
                encodingNameValid = false
            } else {
                encodingName.append(UInt8(u))
            }
        }
        return false
    }

    /// Whether libxml2 reads the rest of a document in `layout` the way the scan does once its declaration
    /// names `name`: it keeps its decoder for UTF-8 and UTF-16; any other name switches the decoder.
    private static func readable(_ name: String, _ layout: Layout) -> Bool {
        let upper = name.uppercased()
        if ["UTF-8", "UTF8", "UTF-16", "UTF16"].contains(upper) { return true }
        switch layout {
        case .utf16LE: return upper == "UTF-16LE" || upper == "UTF16LE"
        case .utf16BE: return upper == "UTF-16BE" || upper == "UTF16BE"
        case .ucs4BE:
            return ["UCS-4", "UCS4", "UCS-4BE", "UCS4BE", "ISO-10646-UCS-4", "UTF-32", "UTF32", "UTF-32BE", "UTF32BE"]
                .contains(upper)
        case .ucs4LE: return ["UCS-4LE", "UCS4LE", "UTF-32LE", "UTF32LE"].contains(upper)
        case .bytes, .undetected: return keepsASCII(upper) && decodedWithoutICU(name)
        }
    }

    /// Whether libxml2 decodes `name` with its own decoder or through iconv. A name only ICU knows (`UTF-08`, which
    /// ICU matches leniently to UTF-8) goes through libxml2's ICU wrapper, which drops a byte sequence that is invalid
    /// in the encoding in silence when a chunk of input ends inside it (found by fuzzing: the same document faulted or
    /// lost bytes depending on where it was cut).
    private static func decodedWithoutICU(_ name: String) -> Bool {
        guard let handler = xmlFindCharEncodingHandler(name) else { return false }
        defer { xmlCharEncCloseFunc(handler) }
        return handler.pointee.input != nil || handler.pointee.iconv_in != nil
    }

    /// Encodings in which every byte below 0x80 is the ASCII character (in multibyte ones, `<`, `>`, `=`, quotes,
    /// `?`, `!` and `-` are never part of another character). Names are compared as libiconv and glibc do, by
    /// their letters and digits.
    private static func keepsASCII(_ upper: String) -> Bool {
        let n = String(
            String.UnicodeScalarView(
                upper.unicodeScalars.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }))
        func number(after prefix: String) -> Int? {
            guard n.hasPrefix(prefix), n.count > prefix.count else { return nil }
            let rest = n.dropFirst(prefix.count)
            return rest.allSatisfy { ("0"..."9").contains($0) } ? Int(rest) : nil
        }
        if number(after: "ISO8859") != nil || number(after: "LATIN") != nil { return true }
        if number(after: "UTF") == 8 { return true }
        let codePages: Set<Int> = [
            437, 850, 852, 866, 874, 932, 936, 949, 950, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258,
        ]
        if let page = number(after: "WINDOWS") ?? number(after: "CP"), codePages.contains(page) { return true }
        let names: Set<String> = [
            "ASCII", "USASCII", "ANSIX341968", "ISO646US", "KOI8R", "KOI8U", "TIS620", "SHIFTJIS", "SJIS", "MSKANJI",
            "WINDOWS31J", "EUCJP", "EUCKR", "EUCCN", "EUCTW", "GB2312", "GBK", "GB18030", "BIG5", "BIG5HKSCS", "UHC",
            "MACINTOSH", "MACROMAN",
        ]
        return names.contains(n)
    }

    /// `1000` as `1,000`, for messages.
    private static func grouped(_ n: Int) -> String {
        var digits = Array(String(n))
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: i)
            i -= 3
        }
        return String(digits)
    }
}
