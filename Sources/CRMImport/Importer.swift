import CRMCSV
import CRMDedupe
import CRMMapping
import CRMModel
import CRMStore
import CRMXML
import Foundation

/// The store an import writes to.
enum ImportTarget {
    case sqlite(CRMStore)
    case postgres(PostgresStore)
}

/// The bulk import: a file streamed through a mapping, matched, and written to the store.
///
/// Two threads: one reads, parses and maps batches of rows; the calling thread matches and
/// writes them in one store transaction. Memory is bounded by two batches plus the match index
/// (hashes of keys, not rows). The import is atomic: it commits whole or not at all.
public enum Importer {
    /// Runs an import.
    /// - Throws: `ImportError` when the file, mapping or store make the import impossible; the store
    ///   is then as it was. Rejected rows are not errors: they are counted and written to the reject file.
    public static func run(_ options: ImportOptions) throws -> ImportSummary {
        let mapping: MappingFile
        do {
            mapping = try MappingFile.load(path: options.mapping)
        } catch let e as MappingError {
            let error = ImportError(e.code == .cannotRead ? .unreadableMapping : .mapping, e.description, underlying: e)
            recordFailedStart(options, recordType: "unknown", error)
            throw error
        }
        switch mapping.record {
        case .lead: return try run(Lead.self, mapping: mapping, options)
        case .customer: return try run(Customer.self, mapping: mapping, options)
        case .opportunity: return try run(Opportunity.self, mapping: mapping, options)
        case .task: return try run(CRMTask.self, mapping: mapping, options)
        }
    }

    static func run<R: CRMRecord>(
        _ type: R.Type, mapping: MappingFile, _ options: ImportOptions
    ) throws -> ImportSummary {
        let clock = ContinuousClock.now
        let source: any RowSource
        let mapper: RowMapper<R>
        do {
            source = try openSourceOrFail(mapping: mapping, options)
            do {
                mapper = try RowMapper<R>(mapping: mapping, header: source.header)
            } catch let e as MappingError {
                var e2 = e
                e2.path = options.mapping
                throw ImportError(.mapping, e2.description + " (file \(options.source))", underlying: e2)
            }
        } catch let e as ImportError {
            recordFailedStart(options, recordType: R.recordType.plural, e)
            throw e
        }
        // The store: an SQLite file, or a PostgreSQL database (rows written through COPY).
        let target: ImportTarget
        var scratch: URL?
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        // A store this import creates goes again when the import fails (a trial's truncated XML file left an empty
        // store behind, where the README says a failed import never creates one).
        var created: String?
        do {
            let location = try StoreLocation(options.store)
            if case .sqlite(let path) = location, !options.dryRun, !FileManager.default.fileExists(atPath: path) {
                created = path
            }
            switch location {
            case .sqlite(let path) where options.dryRun && !FileManager.default.fileExists(atPath: path):
                // A dry run creates nothing: it runs against an empty store made aside, removed after.
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crmgate-dry-run-\(UUID())")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                scratch = dir
                target = .sqlite(try CRMStore(path: dir.appendingPathComponent("store.sqlite").path))
            case .sqlite(let path): target = .sqlite(try CRMStore(path: path))
            case .postgres(let url): target = .postgres(try PostgresStore(url: url))
            }
        } catch let e as StoreError {
            throw ImportError(.store, e.description, underlying: e)
        } catch {
            throw ImportError(.store, "cannot make the empty store a dry run runs against: \(error)")
        }
        let rejectsPath =
            options.rejectsPath
            ?? (URL(fileURLWithPath: options.source).deletingPathExtension().lastPathComponent + ".rejects.csv")
        let rejects = RejectFile(
            path: rejectsPath, header: source.header,
            delimiter: (source as? CSVRowSource)?.reader.dialect.delimiter ?? UInt8(ascii: ","))

        var summary = ImportSummary()
        summary.source = options.source
        summary.store = options.store
        summary.mapping = options.mapping
        summary.recordType = R.recordType.plural
        summary.dryRun = options.dryRun
        summary.encoding = source.encodingName
        summary.delimiter = source.delimiterName

        let keys = mapping.matchKeys.map {
            MatchKeySpec($0, onlyWithoutExternalID: mapping.keysWithoutExternalID.contains($0))
        }
        let queue = BlockingQueue<MappedBatch>(capacity: 3)
        let recycle = RecycleBin<MappedBatch>()
        let producer = Thread { [source = Handoff(value: source), mapper] in
            produce(source: source.value, mapper: mapper, keys: keys, into: queue, recycle: recycle)
        }
        producer.stackSize = 1 << 22
        producer.name = "crmgate-reader"
        producer.start()

        var reasons: [String: Int] = [:]
        var blank = 0
        var loopEnd = Date()
        do {
            /// Matches and writes every batch through the store's writer; the same on both engines.
            func write<W: ImportSink>(_ writer: W) throws -> (ImportCounts, ImportCounts) where W.Record == R {
                let matcher = try Matcher<R, W>(writer: writer, keys: keys)
                try writer.insertFields(only: mapper.filledFields)
                var counts = ImportCounts()
                while true {
                    let batch = queue.take()
                    if let error = batch.error { throw error }
                    blank += batch.blank
                    if writer.wantsPreload { try writer.preload(matcher.candidates(batch.hashes)) }
                    // Rows are borrowed in place from the batch's storage (an array subscript here would copy each).
                    let laid = batch.laid
                    try batch.heads.withUnsafeBufferPointer { heads in
                        try batch.hashes.withUnsafeBufferPointer { hashes in
                            for item in batch.items {
                                counts.read += 1
                                switch item.content {
                                case .rejected(let j):
                                    let r = batch.rejects[j]
                                    counts.rejected += 1
                                    reasons[r.kind, default: 0] += 1
                                    try writer.ledger(
                                        row: item.row, line: item.line, outcome: .rejected, record: nil,
                                        reason: r.reason)
                                    try rejects.write(
                                        fields: r.fields, line: item.line, reason: r.reason, asRead: r.asRead)
                                case .record(let j):
                                    matcher.prefetch(row: j + 4, hashes: hashes)
                                    let (outcome, rowid) = try matcher.apply(
                                        laid: laid, row: j, head: heads[j], hashes: hashes)
                                    switch outcome {
                                    case .created: counts.created += 1
                                    case .updated: counts.updated += 1
                                    case .unchanged: counts.unchanged += 1
                                    case .merged: counts.merged += 1
                                    case .rejected: counts.rejected += 1
                                    }
                                    try writer.ledger(
                                        row: item.row, line: item.line, outcome: outcome, record: rowid, reason: nil)
                                }
                            }
                        }
                    }
                    options.progress?(batch.bytesRead, source.fileSize, counts.read)
                    if options.isInterrupted?() == true {
                        throw ImportError(
                            .interrupted,
                            "interrupted: nothing was imported, the store is as it was (an import is all or nothing)")
                    }
                    if batch.isLast { break }
                    // Hand the batch back so that the reading thread, which allocated its rows, frees them (consumed:
                    // no reference stays here to free it on this thread).
                    recycle.add(consume batch)
                }
                loopEnd = Date()
                return (counts, counts)
            }
            let (batchID, counts): (Int64, ImportCounts)
            switch target {
            case .sqlite(let store):
                (batchID, counts) = try store.runImport(
                    R.self, source: options.source, mapping: options.mapping, system: mapping.system,
                    dryRun: options.dryRun, write)
            case .postgres(let store):
                (batchID, counts) = try store.runImport(
                    R.self, source: options.source, mapping: options.mapping, system: mapping.system,
                    dryRun: options.dryRun, write)
            }
            // A dry run commits nothing, so its import number is not one (the next import gets the same).
            summary.importID = options.dryRun ? nil : batchID
            summary.read = counts.read
            summary.created = counts.created
            summary.updated = counts.updated
            summary.unchanged = counts.unchanged
            summary.merged = counts.merged
            summary.rejected = counts.rejected
        } catch {
            queue.cancel()
            try? rejects.close()
            // Only for a file that could not be read (or an XML file the mapping finds no record in): an interrupted
            // import is recorded in the store's history.
            let fileFault =
                (error as? ImportError).map {
                    [.malformedSource, .unreadableSource].contains($0.code)
                        || ($0.underlying as? XMLError)?.code == .noRecords
                } ?? false
            if let created, fileFault || error is XMLError || error is CSVError {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    try? FileManager.default.removeItem(atPath: created + suffix)
                }
            }
            if let e = error as? ImportError { throw e }
            if let e = error as? StoreError { throw ImportError(.store, e.description, underlying: e) }
            if let e = error as? CSVError { throw ImportError(.unreadableSource, e.description, underlying: e) }
            if let e = error as? XMLError { throw importError(e) }
            throw ImportError(.store, "\(error)")
        }
        try rejects.close()
        if ProcessInfo.processInfo.environment["CRMGATE_TRACE"] != nil {
            FileHandle.standardError.write(
                Data(
                    String(
                        format:
                            "trace: reader waited %.2f s for the writer; writer waited %.2f s for the reader; commit took %.2f s\n",
                        queue.putWait, queue.takeWait, Date().timeIntervalSince(loopEnd)
                    ).utf8))
        }
        summary.rejectsFile = rejects.isUsed ? rejectsPath : nil
        if rejects.isUsed, let id = summary.importID {
            // The web page offers it for download (an absolute path: the page may run from another folder).
            let absolute =
                rejectsPath.hasPrefix("/") ? rejectsPath : FileManager.default.currentDirectoryPath + "/" + rejectsPath
            switch target {
            case .sqlite(let store): try? store.setRejectsFile(importID: id, path: absolute)
            case .postgres(let store): try? store.setRejectsFile(importID: id, path: absolute)
            }
        }
        summary.blank = blank + source.emptyLines  // lines of delimiters or spaces, and empty lines
        summary.rejectReasons = reasons.map { ImportSummary.ReasonCount(reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        let elapsed = ContinuousClock.now - clock
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        summary.rowsPerSecond = summary.seconds > 0 ? Double(summary.read) / summary.seconds : 0
        return summary
    }

    /// Records an import that failed before its first row (the file or the mapping) in the import history of a
    /// store that already exists (a failed import never creates one); a dry run records nothing. Best effort: the
    /// import's own error is what the user is told.
    static func recordFailedStart(_ options: ImportOptions, recordType: String, _ error: ImportError) {
        guard !options.dryRun else { return }
        let started = Date().iso8601UTC
        do {
            switch try StoreLocation(options.store) {
            case .sqlite(let path):
                guard FileManager.default.fileExists(atPath: path) else { return }
                try CRMStore(path: path, mode: .update).recordFailedImport(
                    recordType: recordType, source: options.source, mapping: options.mapping, startedAt: started,
                    error: error.message)
            case .postgres(let url):
                try PostgresStore(url: url, mode: .update).recordFailedImport(
                    recordType: recordType, source: options.source, mapping: options.mapping, startedAt: started,
                    error: error.message)
            }
        } catch {}
    }

    /// An XML fault that ended an import, as its error: a document none of whose elements the record path matches is
    /// the mapping's fault (it does not fit the file); anything else is the file's, and `--keep-going` keeps the
    /// records before it.
    static func importError(_ e: XMLError) -> ImportError {
        if e.code == .noRecords {
            return ImportError(.mapping, e.description + "; nothing was imported", underlying: e)
        }
        return ImportError(
            .malformedSource,
            e.description + "; nothing was imported (use --keep-going to keep the records before the fault)",
            underlying: e)
    }

    /// `openSource`, with reader errors turned into import errors (unreadable or malformed input).
    static func openSourceOrFail(mapping: MappingFile, _ options: ImportOptions) throws -> any RowSource {
        do {
            return try openSource(mapping: mapping, options)
        } catch let e as CSVError {
            let code: ImportError.Code =
                e.code == .cannotOpen || e.code == .readFailed ? .unreadableSource : .malformedSource
            throw ImportError(code, e.description, underlying: e)
        } catch let e as XMLError {
            let code: ImportError.Code =
                e.code == .cannotOpen ? .unreadableSource : e.code == .invalidPath ? .mapping : .malformedSource
            throw ImportError(code, e.description, underlying: e)
        }
    }

    /// Opens the CSV or XML reader the mapping asks for.
    static func openSource(mapping: MappingFile, _ options: ImportOptions) throws -> any RowSource {
        if mapping.format == "xml" {
            var o = XMLReadOptions(recordPath: mapping.recordPath ?? "", fields: mapping.sourceColumns)
            o.namespaces = mapping.namespaces
            o.batchSize = options.batchSize
            let reader = try XMLRecordReader(path: options.source, options: o)
            return XMLRowSource(reader, header: mapping.sourceColumns, keepGoing: options.keepGoing)
        }
        var readOptions = CSVReadOptions(maxFieldBytes: options.maxFieldBytes)
        readOptions.batchSize = options.batchSize
        if let e = mapping.csv.encoding {
            guard let enc = TextEncoding(name: e) else {
                throw ImportError(.mapping, "\(options.mapping): unknown encoding '\(e)'")
            }
            readOptions.encoding = enc
        }
        if let d = mapping.csv.delimiter {
            guard let b = CSVDialect.delimiter(named: d) else {
                throw ImportError(.mapping, "\(options.mapping): delimiter must be one character (or \\t)")
            }
            readOptions.delimiter = b
        }
        if let e = options.encoding { readOptions.encoding = e }
        if let d = options.delimiter { readOptions.delimiter = d }
        return CSVRowSource(try CSVReader(path: options.source, options: readOptions))
    }

    /// The reading thread: parse, map, hand over batches; an error ends the stream.
    static func produce<R: CRMRecord>(
        source: any RowSource, mapper: RowMapper<R>, keys specs: [MatchKeySpec], into queue: BlockingQueue<MappedBatch>,
        recycle: RecycleBin<MappedBatch>
    ) {
        var row = 0
        let keys = specs.map { MatchKey<R>($0) }
        var ids = RecordID.Generator()
        var lastRows = 0  // the size of the last batch, to size the next one's buffers
        // A reject file's reason column, whose mark says a row was not written as it was read.
        let readFault = RejectFile.isRejectFile(source.header) ? source.header.count - 1 : nil
        let readFaultMark = Array(RejectFile.readFaultMark.utf8)
        do {
            while true {
                recycle.drain()
                var out = MappedBatch(fields: R.fields.count, rows: lastRows)
                let more = try source.nextRows { raw, issue in
                    row += 1
                    let line = raw.line
                    if isBlankLine(raw, issue) {
                        // A line of spaces or delimiters only (no quoted field, not even `""`): not a data row.
                        row -= 1
                        out.blank += 1
                        return
                    }
                    if let issue {
                        out.reject(
                            row: row, line: line,
                            RejectedRow(fields: raw.texts, reason: issue.message, kind: issue.code, asRead: true))
                        return
                    }
                    if let readFault, raw.field(readFault, hasPrefix: readFaultMark) {
                        // A reject file's row that was not written as it was read, not edited since (`RejectFile`).
                        out.reject(
                            row: row, line: line,
                            RejectedRow(
                                fields: raw.texts,
                                reason: "still marked, so not imported: "
                                    + raw.text(readFault).dropFirst(RejectFile.readFaultMark.count),
                                kind: "read fault not fixed", asRead: true))
                        return
                    }
                    if mapper.repeatsHeader(raw) {
                        var fields = raw.texts  // as the header is written: without the joined file's byte-order mark
                        if fields[0].unicodeScalars.first == "\u{FEFF}" {
                            fields[0] = String(fields[0].unicodeScalars.dropFirst())
                        }
                        out.reject(
                            row: row, line: line,
                            RejectedRow(
                                fields: fields,
                                reason: "this row repeats the header (two files joined into one?); it is not a record",
                                kind: "repeated header", asRead: !raw.isValidUTF8))
                        return
                    }
                    let fileID: RecordID?
                    switch mapper.recordID(raw) {
                    case .success(let id): fileID = id
                    case .failure(let rejection):
                        out.reject(
                            row: row, line: line,
                            RejectedRow(
                                fields: raw.texts, reason: rejection.description, kind: "invalid id",
                                asRead: !raw.isValidUTF8))
                        return
                    }
                    switch mapper.mapValues(raw) {
                    case .success(let (values, custom)):
                        let ext = mapper.externalID(raw)
                        out.items.append(MappedItem(row: row, line: line, content: .record(out.heads.count)))
                        var keyless = true
                        for k in keys.indices {
                            if let key = keys[k].key(values: values, custom: custom, externalID: ext, recordID: fileID)
                            {
                                keyless = false
                                out.hashes.append(max(1, ExactMatchIndex.hash(kind: k, key: key)))
                            } else {
                                out.hashes.append(0)
                            }
                        }
                        let fingerprint = keyless ? RowFingerprint.of(values: values, custom: custom) : nil
                        out.hashes.append(
                            fingerprint.map { max(1, ExactMatchIndex.hash(kind: keys.count, key: String($0))) } ?? 0)
                        out.heads.append(RowHead(externalID: ext, fingerprint: fingerprint, recordID: fileID))
                        out.laid.append(id: ids.next(), externalID: ext, values: values, custom: custom)
                    case .failure(let rejection):
                        out.reject(
                            row: row, line: line,
                            RejectedRow(
                                fields: raw.texts, reason: rejection.description,
                                kind: rejection.field.map { (rejection.isMissing ? "missing " : "invalid ") + $0 }
                                    ?? "invalid row", asRead: !raw.isValidUTF8))
                    }
                }
                lastRows = out.heads.count
                out.bytesRead = source.bytesRead
                if !more {
                    out.isLast = true
                    _ = queue.put(out)
                    return
                }
                if !queue.put(out) { return }
            }
        } catch {
            var last = MappedBatch(fields: R.fields.count)
            last.isLast = true
            if let e = error as? ImportError {
                last.error = e
            } else if let e = error as? XMLError {
                last.error = importError(e)
            } else {
                last.error = ImportError(.unreadableSource, "\(error)", underlying: error as? CSVError)
            }
            _ = queue.put(last)
        }
    }
}

/// Rows of one batch after mapping, on their way to the store: the rows in file order, each pointing at its
/// mapped record or its rejection (kept in arrays of their own, so that the writer borrows them in place
/// instead of copying each row out of an enum).
///
/// A mapped row is laid out on the reading thread as the store binds it (`laid`), and its match keys are hashed
/// there: `hashes` has `keyCount + 1` entries a row, one per key and a last one for the content fingerprint of a row
/// without any key, 0 for none (a hash of 0 is kept as 1, as the index keeps it). No record is made unless the row
/// merges. Each row used to be an object of a dozen allocations, touched across cores by the writer and freed again
/// by the reader.
struct MappedBatch: Sendable {
    var items: [MappedItem] = []
    var heads: [RowHead] = []
    var hashes: [UInt64] = []
    var laid: LaidRows
    var rejects: [RejectedRow] = []
    var blank = 0
    var bytesRead = 0
    var isLast = false
    var error: ImportError?

    init(fields: Int, rows: Int = 0) {
        laid = LaidRows(fields: fields, rows: rows, bytes: max(1 << 12, rows * 256))
    }

    mutating func reject(row: Int, line: Int, _ r: RejectedRow) {
        items.append(MappedItem(row: row, line: line, content: .rejected(rejects.count)))
        rejects.append(r)
    }
}

/// What the writer needs of a mapped row besides its laid-out values (`MappedBatch.laid`) and its keys' hashes
/// (`MappedBatch.hashes`): its external id, and the content fingerprint of a row that has no match key.
struct RowHead: Sendable {
    let externalID: String?
    let fingerprint: Int64?
    /// The record id the row's file names (`id:` in the mapping): a match key, not the id a created record gets.
    var recordID: RecordID? = nil
}

/// A row the reading thread could not map: its fields as read, the reason, and the reason's kind for the summary.
struct RejectedRow: Sendable {
    let fields: [String]
    let reason: String
    let kind: String
    /// `fields` are not the row as written: a reader's fault, or bytes not in the file's encoding (`RejectFile`).
    var asRead = false
}

/// One row of a batch, in file order.
struct MappedItem: Sendable {
    enum Content: Sendable {
        /// The index of its mapped record in the batch's `records`.
        case record(Int)
        /// The index of its rejection in the batch's `rejects`.
        case rejected(Int)
    }
    let row: Int
    let line: Int
    let content: Content
}

/// True when the reader's row is a blank line, not data (the import and `dedupe` skip it alike): `isBlank`, read
/// whole or as a ragged row (a line of fewer delimiters than the header), but no other fault.
func isBlankLine(_ row: RawRow, _ issue: RowIssue?) -> Bool {
    (issue == nil || issue?.code == CSVError.Code.raggedRow.rawValue) && row.count > 0 && isBlank(row)
}

/// True when every field of the row is empty or whitespace and none was written in quotes: a line of
/// spaces and delimiters. A quoted field, `""` too, is a value given on purpose: its row is data.
func isBlank(_ row: RawRow) -> Bool {
    if row.hasQuotedField { return false }
    for f in 0..<row.count {
        for b in row.field(f) where b != 32 && b != 9 && b != 10 && b != 13 { return false }
    }
    return true
}
