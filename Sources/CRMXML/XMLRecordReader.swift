import CLibXML2
import Foundation

/// Streams records out of an XML document with libxml2's SAX2 push parser, never building a tree.
///
/// Safe options are fixed: no network, no entity substitution, no DTD loading, no HUGE limits; a
/// document type declaration is refused outright (it is how entity bombs and external entities
/// arrive), and libxml2's messages are captured into the error, never printed. The bytes are scanned
/// on their way to libxml2 (`MarkupScanner`): a DOCTYPE, an element past `XMLLimits` or an encoding
/// the scan cannot follow stops the input there, before libxml2 parses it.
///
/// The parser calls back for each start tag, end tag and run of text; records are laid into batches as their
/// elements close (a chunk of input may complete several batches, which wait in `ready`).
/// Owns a libxml2 parser context; not `Sendable`.
public final class XMLRecordReader {
    public let path: String
    public let options: XMLReadOptions
    /// Bytes read so far, and the input's size when known.
    public var bytesRead: Int { input.bytesRead }
    public var fileSize: Int? { input.size }

    let input: InputSource
    let errors: ErrorSink
    fileprivate var errorSink: ErrorSink { errors }
    private let record: XMLPath
    let paths: [XMLPath]
    var context: xmlParserCtxtPtr!
    var finished = false
    /// The root element's end was read (a document that ends before it is malformed).
    private var rootClosed = false
    /// Elements open now.
    private var depth = 0
    /// A fault a callback found (a DOCTYPE, an entity reference); parsing stops at it.
    private var callbackFault: XMLError?
    /// Full batches, and the one being filled.
    var ready: [XMLBatch] = []
    /// The next batch of `ready` to hand out (a chunk can fill many batches: no removeFirst per batch).
    private var readyHead = 0
    var current: XMLBatch
    private var chunk: [CChar]

    /// Options libxml2 parses with: no network, CDATA as text; never NOENT, DTDLOAD, DTDATTR or HUGE.
    static let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)

    /// Opens a file.
    /// - Throws: `XMLError.cannotOpen`, or `.invalidPath` for a record or field path that cannot be parsed.
    /// - Parameter limit: read only this many bytes of the file (to re-read the part before a fault).
    public convenience init(path: String, options: XMLReadOptions, limit: Int? = nil) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw XMLError(
                .cannotOpen, path: path, message: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : nil
        try self.init(
            path: path, input: InputSource(fd: fd, size: size, chunk: options.chunkSize, limit: limit), options: options
        )
    }

    /// Reads a document held in memory, handing it to libxml2 `chunk` bytes at a time (for tests).
    public convenience init(bytes: [UInt8], chunk: Int, options: XMLReadOptions) throws {
        try self.init(path: "<memory>", input: InputSource(bytes: bytes, chunk: chunk), options: options)
    }

    private init(path: String, input: InputSource, options: XMLReadOptions) throws {
        self.path = path
        self.options = options
        self.input = input
        record = try XMLPath(options.recordPath)
        guard record.attribute == nil, !record.steps.isEmpty else {
            throw XMLError(.invalidPath, message: "the record path '\(options.recordPath)' must name an element")
        }
        paths = try options.fields.map { try XMLPath($0) }
        for p in [record] + paths {
            for s in p.steps where s.prefix != nil && options.namespaces[s.prefix!] == nil {
                throw XMLError(
                    .invalidPath,
                    message:
                        "path '\(p.text)' uses the prefix '\(s.prefix!)', which the mapping's `namespaces:` does not bind"
                )
            }
        }
        current = XMLBatch(fieldsPerRecord: paths.count)
        chunk = [CChar](repeating: 0, count: min(max(1, options.chunkSize), 1 << 18))
        crmgate_silence_libxml2()
        errors = ErrorSink(input: input)
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = saxStart
        handler.endElementNs = saxEnd
        handler.characters = saxText
        handler.ignorableWhitespace = saxText
        handler.cdataBlock = saxText
        handler.internalSubset = saxDoctype
        handler.externalSubset = saxDoctype
        handler.reference = saxReference
        handler.serror = saxError
        guard let c = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(self).toOpaque(), nil, 0, nil) else {
            throw XMLError(.cannotOpen, path: path, message: "libxml2 could not start a parser")
        }
        context = c
        xmlCtxtUseOptions(c, XMLRecordReader.parseOptions)
        compile()
    }

    deinit { xmlFreeParserCtxt(context) }

    // MARK: - Reading
    //
    // Names are compared as libxml2's interned C strings (pointer first, then strcmp), never as
    // Swift Strings: the per-element work makes no allocation.

    typealias Name = UnsafePointer<xmlChar>

    private struct CStep {
        let local: Name
        let ns: Name?
        let pick: XMLPath.Pick
        let pickAttribute: Name?
        let pickValue: String?
    }

    /// An element open below the record. Its text and attributes live in shared buffers from these offsets on
    /// (truncated back when it closes), so a frame holds no storage of its own.
    struct Frame {
        var local: Name
        var ns: Name?
        var textStart: Int
        var attributeStart: Int
    }

    private var recordSteps: [CStep] = []
    private var pathSteps: [[CStep]] = []
    private var pathAttribute: [Name?] = []
    private var pathsByDepth: [Int: [Int]] = [:]
    /// Paths whose last step names this element, by (depth, name pointer): found once, then looked up.
    private var candidates: [CandidateKey: [Int]] = [:]

    /// The last lookups, tried in turn from the one after the last hit: a document's records name their elements in
    /// much the same order, so the next element is nearly always the next entry (no hashing). At most 64 entries.
    private var recent: [(local: Name, depth: Int, paths: [Int])] = []
    private var recentNext = 0

    private func candidatePaths(depth: Int, local: Name) -> [Int] {
        let n = recent.count
        var k = 0
        while k < n {
            var i = recentNext + k
            if i >= n { i -= n }
            if recent[i].local == local && recent[i].depth == depth {
                recentNext = i + 1 == n ? 0 : i + 1
                return recent[i].paths
            }
            k += 1
        }
        let found = lookupCandidates(depth: depth, local: local)
        if n < 64 { recent.append((local, depth, found)) }
        return found
    }

    private func lookupCandidates(depth: Int, local: Name) -> [Int] {
        // Names are interned in the parser's dictionary, ours too: an element no path ends in is none of them, and is
        // not remembered (a hostile document's many names cannot grow the cache).
        guard lastNames.contains(local) || depth == 0 else { return [] }
        let key = CandidateKey(local: local, depth: depth)
        if let c = candidates[key] { return c }
        let c = (pathsByDepth[depth] ?? []).filter { i in
            guard let last = pathSteps[i].last else { return pathAttribute[i] != nil }
            return same(last.local, local)
        }
        candidates[key] = c
        return c
    }

    private struct CandidateKey: Hashable {
        let local: Name
        let depth: Int
    }

    /// The names the paths' last steps give (interned).
    private var lastNames = Set<Name>()
    private var needAttributes = false
    private var needNamespaces = false
    var ancestors: [(local: Name, ns: Name?)] = []
    /// Whether a record element was seen, and else the root element's name and its first child's (their names are
    /// interned by libxml2's dictionary, alive with the parser): a document none of whose elements the record path
    /// matches is refused with both, not read as an empty list.
    private var sawRecord = false
    private var rootName: String?
    private var rootChild: String?
    var inRecord = false
    private var recordDepth = 0
    var recordLine = 0
    var frames: [Frame] = []
    /// The open frames' text, innermost last (mixed content: an element's text resumes after a child's is cut).
    var text = ByteBuffer()
    /// The open frames' attributes, innermost last.
    var frameAttributes: [(Name, String)] = []
    /// This record's field values so far: bytes in `valueBytes`, path `i`'s at `valueStart[i]..<valueEnd[i]`
    /// (`valueStart[i] < 0`: none yet); paths that take every occurrence (`[*]`) collect into `allValues`.
    var valueBytes = ByteBuffer()
    var valueStart: [Int] = []
    var valueEnd: [Int] = []
    var allValues: [[String]] = []
    private var occurrences: [Int] = []
    /// What each path's last step picks (looked up per element and record).
    var lastPicks: [XMLPath.Pick] = []

    /// Flat records: every field is the first child element of the record of its name (`email`), or an attribute of
    /// the record (`@id`), and no two fields name the same element: most lead lists. A child's text then goes
    /// straight into `valueBytes`, with none of the frames' work (their text buffer, candidate paths, step
    /// matching), with the same result: the element's own text, its children's cut, the first occurrence kept.
    var flat = false
    /// Path `i`'s element name (flat records; nil for an attribute of the record).
    private var flatNames: [Name?] = []
    /// The path tried first for the next child: the one after the last found (records name their fields in order).
    private var flatNext = 0
    /// The path of the open child of the record (-1: none, not a field, or a later occurrence), and where its text
    /// starts in `valueBytes`.
    var flatField = -1
    var flatStart = 0

    private func hasValue(_ i: Int) -> Bool { valueStart[i] >= 0 || !allValues[i].isEmpty }

    private func setValue(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        valueStart[i] = valueBytes.count
        valueBytes.append(bytes)
        valueEnd[i] = valueBytes.count
    }

    private func beginRecord() {
        valueBytes.count = 0
        for i in 0..<paths.count {
            valueStart[i] = -1
            valueEnd[i] = -1
            if !allValues[i].isEmpty { allValues[i].removeAll(keepingCapacity: true) }
            occurrences[i] = 0
        }
        frames.removeAll(keepingCapacity: true)
        text.count = 0
        frameAttributes.removeAll(keepingCapacity: true)
        flatField = -1
    }

    /// Interns a name in the parser's dictionary (the same pointer libxml2 hands out for it).
    private func intern(_ s: String) -> Name {
        s.withCString { c in
            c.withMemoryRebound(to: xmlChar.self, capacity: s.utf8.count + 1) {
                xmlDictLookup(context.pointee.dict, $0, -1)!
            }
        }
    }

    private func compile() {
        func cstep(_ s: XMLPath.Step) -> CStep {
            var attr: Name?
            var value: String?
            if case .attribute(let a, let v) = s.pick {
                attr = intern(a)
                value = v
                needAttributes = true
            }
            let ns = s.prefix.flatMap { options.namespaces[$0] }.map(intern)
            if ns != nil { needNamespaces = true }
            return CStep(local: intern(s.local), ns: ns, pick: s.pick, pickAttribute: attr, pickValue: value)
        }
        recordSteps = record.steps.map(cstep)
        valueStart = Array(repeating: -1, count: paths.count)
        valueEnd = valueStart
        allValues = Array(repeating: [], count: paths.count)
        occurrences = Array(repeating: 0, count: paths.count)
        for (i, p) in paths.enumerated() {
            pathSteps.append(p.steps.map(cstep))
            if let last = pathSteps[i].last { lastNames.insert(last.local) }
            pathAttribute.append(p.attribute.map(intern))
            if p.attribute != nil && !p.steps.isEmpty { needAttributes = true }
            pathsByDepth[p.steps.count, default: []].append(i)
            lastPicks.append(p.steps.last?.pick ?? .first)
        }
        flatNames = pathSteps.map { $0.first?.local }
        let children = flatNames.compactMap { $0 }
        flat =
            Set(children).count == children.count
            && paths.allSatisfy { p in
                if p.steps.isEmpty { return p.attribute != nil }
                guard p.steps.count == 1, p.attribute == nil, let s = p.steps.first else { return false }
                return s.prefix == nil && s.pick == .first
            }
    }

    /// The path whose element a child of the record named `local` is, if it has no value yet (flat records).
    @inline(__always) private func flatPath(_ local: Name) -> Int {
        let n = flatNames.count
        var i = flatNext
        var k = 0
        while k < n {
            if i >= n { i = 0 }
            if flatNames[i] == local {
                flatNext = i + 1
                return valueStart[i] < 0 ? i : -1
            }
            i += 1
            k += 1
        }
        return -1
    }

    @inline(__always) private func same(_ a: Name?, _ b: Name?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a == b
            || strcmp(
                UnsafeRawPointer(a).assumingMemoryBound(to: CChar.self),
                UnsafeRawPointer(b).assumingMemoryBound(to: CChar.self)) == 0
    }

    @inline(__always) private func matches(_ step: CStep, local: Name, ns: Name?) -> Bool {
        guard same(step.local, local) else { return false }
        if let want = step.ns { return same(want, ns) }
        return true
    }

    /// The next batch of records, or nil after the last. A fault (malformed XML, a DOCTYPE) comes as
    /// the batch's `fault`, after the records read before it; the batch after that is nil.
    public func nextBatch() -> XMLBatch? {
        if readyHead == ready.count && !finished {
            // Errors libxml2 raises without a parser context (a failed conversion from the declared encoding, I/O)
            // skip the context's handler and go to this thread's; without this, such a document could end early (or
            // lose bytes) in silence (found by fuzzing). The generic handler is per thread too, and the reader may be
            // driven by a thread other than the one that made it (the import reads XML ahead on a thread of its own).
            crmgate_silence_libxml2()
            xmlSetStructuredErrorFunc(Unmanaged.passUnretained(errors).toOpaque(), xmlErrorCallback)
            defer { xmlSetStructuredErrorFunc(nil, nil) }
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
            while ready.isEmpty && !finished { pump() }
        }
        guard readyHead < ready.count else { return nil }
        readyHead += 1
        return ready[readyHead - 1]
    }

    /// Hands libxml2 one chunk of input (or the end of it), and settles how the document ended when it did.
    private func pump() {
        let n = chunk.withUnsafeMutableBufferPointer { input.read(into: $0.baseAddress!, max: $0.count) }
        if n < 0 {
            finish(
                XMLError(
                    .malformed, path: path, line: line,
                    message: "the file could not be read: \(String(cString: strerror(errno)))"))
            return
        }
        if n > 0 {
            chunk.withUnsafeBufferPointer { feed($0.baseAddress!, Int(n)) }
        } else {
            _ = xmlParseChunk(context, nil, 0, 1)
        }
        if let fault = callbackFault {
            finish(scanFault() ?? fault)
        } else if context.pointee.disableSAX != 0 {
            // libxml2 stopped at a fatal error.
            finish(settle(errors.error(path: path, fallbackLine: line)))
        } else if n == 0 {
            if let fault = scanFault() {
                finish(fault)
            } else if errors.first == nil && input.isUTF16 && input.readToEnd() % 2 == 1 {
                // libxml2 drops a last odd byte in silence: a cut file whose root element had closed passed.
                finish(
                    XMLError(
                        .malformed, path: path, line: line,
                        message: "the document ends in the middle of a UTF-16 character: the file is truncated"))
            } else if !rootClosed && errors.first == nil {
                // libxml2 can end a document without reporting an error (an encoding error in a large first chunk;
                // found by fuzzing): records would be lost in silence.
                finish(
                    input.scanner.endedEarly
                        ? truncated()
                        : XMLError(
                            .malformed, path: path, line: line,
                            message:
                                "the document ends before its root element is closed: the file is cut short, or holds bytes that are not in its declared encoding"
                        ))
            } else if errors.first != nil {
                // A conversion error in the last chunk comes without a context, so without a line: the parser's.
                finish(settle(errors.error(path: path, fallbackLine: line)))
            } else if !sawRecord, let rootName, let rootChild {
                // Elements, but none where the record path points: the mapping is not this document's.
                let suggestion = "/\(rootName)/\(rootChild)"
                finish(
                    XMLError(
                        .noRecords, path: path,
                        message:
                            "no element matches the record path '\(record.text)': the root element is <\(rootName)> and its first child <\(rootChild)> (their path is '\(suggestion)'); the mapping's record_path names the elements that are the records"
                    ))
            } else {
                finish(nil)
            }
        }
    }

    /// Hands libxml2 `n` bytes. Inside a CDATA section libxml2 2.9 takes at most 300 bytes per call (and only when new
    /// bytes hold a `>`), so a chunk that holds or continues one goes in slices of 512, as xmlTextReader fed it: a
    /// large chunk would pile up unparsed input until libxml2's 10 MB lookahead limit refused the document.
    private func feed(_ bytes: UnsafePointer<CChar>, _ n: Int) {
        let cdata =
            context.pointee.instate == XML_PARSER_CDATA_SECTION
            || Self.holdsCDATA(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), n)
        guard cdata else {
            _ = xmlParseChunk(context, bytes, Int32(n), 0)
            return
        }
        var offset = 0
        while offset < n && context.pointee.disableSAX == 0 && callbackFault == nil {
            let size = min(512, n - offset)
            _ = xmlParseChunk(context, bytes + offset, Int32(size), 0)
            offset += size
        }
    }

    /// Whether `n` bytes hold the start of a CDATA section (`<![CDATA[`); one that begins across two chunks is found by
    /// the parser's state at the next.
    private static let cdataMarker: [UInt8] = Array("<![CDATA[".utf8)

    private static func holdsCDATA(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        // Found by its first `[`, a byte most documents hardly use (`<` is in every tag).
        var at = 2
        while at < n, let hit = memchr(p + at, 0x5B, n - at) {
            let i = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
            if i + 7 <= n && memcmp(p + i - 2, cdataMarker, 9) == 0 { return true }
            at = i + 1
        }
        return false
    }

    /// The end of the document: the batch being filled (with the fault, if any) is the last.
    // MARK: - Callbacks

    /// A fault found by a callback: parsing stops here.
    fileprivate func stop(_ fault: XMLError) {
        if callbackFault == nil { callbackFault = fault }
        xmlStopParser(context)
    }

    fileprivate func doctype() {
        stop(XMLError(.doctypeRefused, path: path, line: line, message: MarkupScanner.doctypeMessage))
    }

    fileprivate func entityReference() {
        stop(XMLError(.doctypeRefused, path: path, line: line, message: "entity references are refused"))
    }

    /// The attributes of a start tag, as libxml2 hands them over (local name, prefix, URI, value start and end).
    private func attributes(_ count: Int, _ raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> [(Name, String)] {
        guard count > 0, let raw else { return [] }
        var out: [(Name, String)] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            guard let local = raw[5 * k], let start = raw[5 * k + 3], let end = raw[5 * k + 4] else { continue }
            let name = qualified(local, raw[5 * k + 1], raw[5 * k + 2])
            let bytes = UnsafeBufferPointer(start: start, count: end - start)
            var value = String(decoding: bytes, as: UTF8.self)
            // Without entity substitution libxml2 hands `&amp;` over as the character reference `&#38;`. Looked for
            // as a byte first: Foundation's `contains` on every attribute was 5% of an XML import's parsing thread.
            if bytes.contains(UInt8(ascii: "&")), value.contains("&#38;") {
                value = value.replacingOccurrences(of: "&#38;", with: "&")
            }
            out.append((name, value))
        }
        return out
    }

    /// A name whose prefix no declaration binds keeps its prefix (`x:id`), as xmlTextReader named it: it then matches
    /// no plain path (libxml2 reports the unbound prefix as an error at the end).
    fileprivate func qualified(_ local: Name, _ prefix: Name?, _ uri: Name?) -> Name {
        guard let prefix, uri == nil, let q = xmlDictQLookup(context.pointee.dict, prefix, local) else { return local }
        return q
    }

    fileprivate func start(
        _ local: Name, _ uri: Name?, _ count: Int, _ raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        let d = depth
        depth += 1
        let ns = needNamespaces ? uri : nil
        if !inRecord {
            if ancestors.count > d { ancestors.removeSubrange(d...) }
            ancestors.append((local, ns))
            if !sawRecord && d < 2 {
                if d == 0 {
                    rootName = String(cString: local)
                } else if rootChild == nil {
                    rootChild = String(cString: local)
                }
            }
            if isRecord() {
                sawRecord = true
                inRecord = true
                recordDepth = d
                recordLine = line
                beginRecord()
                collectAttributes(attributes(count, raw))
            }
        } else if flat {
            if d == recordDepth + 1 {
                flatField = flatPath(local)
                flatStart = valueBytes.count
            }
        } else {
            let level = d - recordDepth - 1
            if frames.count > level { cutFrames(to: level) }
            frames.append(Frame(local: local, ns: ns, textStart: text.count, attributeStart: frameAttributes.count))
            if needAttributes && count > 0 {
                let a = attributes(count, raw)
                frameAttributes += a
                collectAttributes(a)
            }
        }
    }

    fileprivate func end() {
        depth -= 1
        if depth == 0 { rootClosed = true }
        if inRecord {
            if depth == recordDepth {
                endRecord()
            } else if flat {
                if depth == recordDepth + 1 && flatField >= 0 {
                    valueStart[flatField] = flatStart
                    valueEnd[flatField] = valueBytes.count
                    flatField = -1
                }
            } else {
                endFrame()
            }
        } else if !ancestors.isEmpty {
            ancestors.removeLast()
        }
    }

    fileprivate func characters(_ bytes: UnsafePointer<xmlChar>, _ count: Int) {
        guard inRecord else { return }
        if flat {
            // The field's text and its child elements' (`<n>before<i>inner</i>after</n>` is `beforeinnerafter`, XPath's
            // string value, as `endFrame` reads nested paths; a trial's text in child elements was dropped).
            if flatField >= 0 && depth >= recordDepth + 2 {
                valueBytes.append(UnsafeBufferPointer(start: bytes, count: count))
            }
        } else if !frames.isEmpty {
            text.append(UnsafeBufferPointer(start: bytes, count: count))
        }
    }

    private func isRecord() -> Bool {
        let steps = recordSteps
        if record.anywhere {
            guard ancestors.count >= steps.count else { return false }
            let tail = ancestors.suffix(steps.count)
            return zip(steps, tail).allSatisfy { matches($0.0, local: $0.1.local, ns: $0.1.ns) }
        }
        guard ancestors.count == steps.count else { return false }
        return zip(steps, ancestors).allSatisfy { matches($0.0, local: $0.1.local, ns: $0.1.ns) }
    }

    /// True when the path's steps match the open frames exactly (attribute picks included).
    private func stepsMatchFrames(_ i: Int) -> Bool {
        let steps = pathSteps[i]
        guard steps.count == frames.count else { return false }
        var k = steps.count - 1
        while k >= 0 {
            let s = steps[k]
            let f = frames[k]
            guard matches(s, local: f.local, ns: f.ns) else { return false }
            if let a = s.pickAttribute, let want = s.pickValue {
                let end = k + 1 < frames.count ? frames[k + 1].attributeStart : frameAttributes.count
                let ok = frameAttributes[f.attributeStart..<end].contains { attr in same(attr.0, a) && attr.1 == want }
                if !ok { return false }
            }
            k -= 1
        }
        return true
    }

    /// Attribute fields (`@id` on the record, `contact/@type` below it) of the element just opened.
    private func collectAttributes(_ attributes: [(Name, String)]) {
        guard !attributes.isEmpty else { return }
        let list =
            frames.isEmpty
            ? (pathsByDepth[0] ?? []) : candidatePaths(depth: frames.count, local: frames[frames.count - 1].local)
        for i in list {
            guard let a = pathAttribute[i], !hasValue(i), stepsMatchFrames(i),
                var v = attributes.first(where: { same($0.0, a) })?.1
            else { continue }
            if lastPicks[i] == .all {
                allValues[i].append(v)
            } else {
                v.withUTF8 { setValue(i, $0) }
            }
        }
    }

    /// An element below the record closed: its text goes to the fields whose path it is.
    private func endFrame() {
        guard let frame = frames.last else { return }
        do {
            // The element's text and its descendants' (XPath's string value): the text of a child element that ended
            // stays in `text`, where its parent's value reads it (`<n>before<i>inner</i>after</n>` was `beforeafter`).
            let own = text.bytes(from: frame.textStart)
            for i in candidatePaths(depth: frames.count, local: frame.local)
            where pathAttribute[i] == nil && stepsMatchFrames(i) {
                occurrences[i] += 1
                switch lastPicks[i] {
                case .first, .attribute: if occurrences[i] == 1 || !hasValue(i) { setValue(i, own) }
                case .nth(let n): if occurrences[i] == n { setValue(i, own) }
                case .all: allValues[i].append(String(decoding: own, as: UTF8.self))
                }
            }
        }
        // Closed with its attributes, not its text (its parent's value holds it).
        let textCount = text.count
        cutFrames(to: frames.count - 1)
        text.count = textCount
    }

    /// Closes the frames from `level` on, with their text and attributes.
    private func cutFrames(to level: Int) {
        let first = frames[level]
        text.count = first.textStart
        if frameAttributes.count > first.attributeStart {
            frameAttributes.removeLast(frameAttributes.count - first.attributeStart)
        }
        if frames.count == level + 1 { frames.removeLast() } else { frames.removeLast(frames.count - level) }
    }
}

// MARK: - SAX2 callbacks (C function pointers; the context is the reader)

/// Calls `body` with the reader a callback's context names, without a retain and release per call (the reader owns
/// the parser, so it outlives every callback).
@inline(__always) private func withReader<T>(_ ctx: UnsafeMutableRawPointer?, _ body: (XMLRecordReader) -> T) -> T {
    Unmanaged<XMLRecordReader>.fromOpaque(ctx!)._withUnsafeGuaranteedRef(body)
}

private let saxStart: startElementNsSAX2Func = { ctx, local, prefix, uri, _, _, count, _, attributes in
    guard let local else { return }
    withReader(ctx) { $0.start($0.qualified(local, prefix, uri), uri, Int(count), attributes) }
}

private let saxEnd: endElementNsSAX2Func = { ctx, _, _, _ in withReader(ctx) { $0.end() } }

private let saxText: charactersSAXFunc = { ctx, bytes, count in
    guard let bytes, count > 0 else { return }
    withReader(ctx) { $0.characters(bytes, Int(count)) }
}

private let saxDoctype: internalSubsetSAXFunc = { ctx, _, _, _ in withReader(ctx) { $0.doctype() } }

private let saxReference: referenceSAXFunc = { ctx, _ in withReader(ctx) { $0.entityReference() } }

private let saxError: xmlStructuredErrorFunc = { ctx, error in
    guard let ctx else { return }
    withReader(ctx) { xmlErrorCallback(Unmanaged.passUnretained($0.errorSink).toOpaque(), error) }
}
