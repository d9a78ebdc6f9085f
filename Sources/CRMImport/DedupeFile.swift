import CRMCSV
public import CRMDedupe
import CRMMapping
import CRMModel
import CRMXML
import Foundation

/// `crmgate dedupe FILE --mapping M --clusters OUT.csv`: fuzzy matching on a file without importing it.
public struct DedupeFileOptions: Sendable {
    public var source: String
    public var mapping: String
    /// One line per input row: `row` (1-based data row), `source_id`, `cluster`; nil to write none (`--explain`).
    public var clustersPath: String?
    /// Pairs for a person: `row_a,row_b,weight,reason,score` (`ReviewReason`; `score` before any cap).
    public var reviewPath: String?
    public var settings = DedupeSettings()
    /// Match the records before an XML document's fault (a truncated file, a bad byte) instead of refusing the file,
    /// as `import --keep-going` imports them. A CSV file's faults are per row and never stop it.
    public var keepGoing = false

    public init(source: String, mapping: String, clustersPath: String?) {
        self.source = source
        self.mapping = mapping
        self.clustersPath = clustersPath
    }
}

/// What `crmgate dedupe` found and how long it took.
public struct DedupeFileSummary: Sendable {
    public var result: DedupeResult
    /// Rows rejected, by the reader (a row of another number of fields) or the mapping (a required field missing, a
    /// value that does not parse): each stays a cluster of its own.
    public var rejected: Int
    /// The first rejected rows (at most `DedupeFile.rejectionsKept`): 1-based data row, physical line, and why.
    public var rejections: [(row: Int, line: Int, reason: String)] = []
    /// Lines of spaces and delimiters only: not rows, skipped as the import skips them, so that the clusters'
    /// row numbers are the import ledger's.
    public var blank = 0
    public var readSeconds: Double
    public var matchSeconds: Double
}

enum DedupeChunk: Sendable {
    case rows([DedupeRow])
    case end
}

public enum DedupeFile {
    /// How many rejected rows the summary names with their line and reason.
    public static let rejectionsKept = 5

    /// Refuses, before any matching, an output that is the input, the mapping or the other output (a trial's
    /// `--clusters` over the input replaced it, exit 0), and one that cannot be written (a folder that does not
    /// exist was found after all the matching, and the clusters file was overwritten before a review path failed).
    static func checkOutputs(_ o: DedupeFileOptions) throws {
        func canonical(_ p: String) -> String {
            URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let inputs = [("the input file", canonical(o.source)), ("the mapping", canonical(o.mapping))]
        var outputs: [(String, String)] = []
        if let c = o.clustersPath { outputs.append(("--clusters", c)) }
        if let r = o.reviewPath { outputs.append(("--review", r)) }
        var seen: [(String, String)] = inputs
        for (option, path) in outputs where path != "-" {
            let c = canonical(path)
            if let same = seen.first(where: { $0.1 == c }) {
                throw ImportError(
                    .usage, "\(option) \(path) is \(same.0): give another path (nothing was read or written)")
            }
            seen.append((option, c))
            var isDirectory: ObjCBool = false
            let folder = URL(fileURLWithPath: c).deletingLastPathComponent().path
            let exists = FileManager.default.fileExists(atPath: c, isDirectory: &isDirectory)
            if exists && isDirectory.boolValue {
                throw ImportError(.output, "cannot write \(path): it is a folder (nothing was read or written)")
            }
            guard exists ? access(c, W_OK) == 0 : access(folder, W_OK) == 0 else {
                let why =
                    FileManager.default.fileExists(atPath: folder)
                    ? "not writable" : "the folder \(folder) does not exist"
                throw ImportError(.output, "cannot write \(path): \(why) (nothing was read or written)")
            }
        }
    }

    /// Reads and maps the file (streaming), matches, writes the clusters (and review) files.
    /// - Throws: `ImportError` for an unreadable file or mapping; the mapping must describe leads or customers.
    public static func run(_ o: DedupeFileOptions) throws -> DedupeFileSummary {
        try checkOutputs(o)
        let started = ProcessInfo.processInfo.systemUptime
        let mapping: MappingFile
        do { mapping = try MappingFile.load(path: o.mapping) } catch let e as MappingError {
            throw ImportError(e.code == .cannotRead ? .unreadableMapping : .mapping, "\(e)")
        }
        guard mapping.record == .lead || mapping.record == .customer else {
            throw ImportError(
                .mapping,
                "\(o.mapping): dedupe works on leads and customers; this mapping describes \(mapping.record.plural)")
        }
        var io = ImportOptions(source: o.source, mapping: o.mapping)
        io.keepGoing = o.keepGoing
        let source = try Importer.openSourceOrFail(mapping: mapping, io)
        let mapper: RowMapper<Lead>
        do { mapper = try RowMapper<Lead>(mapping: mapping, header: source.header) } catch var e as MappingError {
            // Named as the import names it (a trial's error read `mapping:9`).
            e.path = e.path ?? o.mapping
            throw ImportError(.mapping, "\(e)")
        }
        let builder = DedupeRowBuilder(mapping: mapping)
        let dedupe = FuzzyDeduplicator(settings: o.settings)
        var sourceIDs: [String] = []
        var rejected = 0
        var rejections: [(row: Int, line: Int, reason: String)] = []
        var blank = 0
        // Two threads: this one reads and maps; the other normalises and indexes (the matcher's `add`).
        let queue = BlockingQueue<DedupeChunk>(capacity: 4)
        let consumer = Handoff(value: dedupe)
        let done = DispatchSemaphore(value: 0)
        let worker = Thread {
            while true {
                guard case .rows(let rows) = queue.take() else { break }
                for r in rows { consumer.value.add(r) }
            }
            done.signal()
        }
        worker.stackSize = 1 << 22
        worker.start()
        var chunk: [DedupeRow] = []
        chunk.reserveCapacity(4096)
        var finished = false
        func finish() {
            guard !finished else { return }
            finished = true
            _ = queue.put(.end)
            done.wait()
        }
        defer { finish() }
        do {
            while try source.nextRows({ raw, issue in
                if isBlankLine(raw, issue) {
                    blank += 1  // not a data row, as in the import
                    return
                }
                var row = DedupeRow()
                let ext = mapper.externalID(raw) ?? ""
                sourceIDs.append(ext)
                var why: String?
                if let issue {
                    why = issue.message
                } else if mapper.repeatsHeader(raw) {
                    why = "this row repeats the header (two files joined into one?); it is not a record"
                } else {
                    switch mapper.mapValues(raw) {
                    case .success(let (values, custom)):
                        row = builder.row(values: values, custom: custom, externalID: ext)
                    case .failure(let rejection): why = rejection.description
                    }
                }
                if let why {
                    rejected += 1
                    if rejections.count < rejectionsKept { rejections.append((sourceIDs.count, raw.line, why)) }
                }
                chunk.append(row)
            }) {
                if chunk.count >= 4096 {
                    _ = queue.put(.rows(chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { _ = queue.put(.rows(chunk)) }
        } catch let e as CSVError {
            throw ImportError(.malformedSource, "\(e)", underlying: e)
        } catch let e as XMLError {
            // As the import: the file is refused whole; a trial's truncated file matched what it could, exit 0.
            let hint =
                e.code == .noRecords
                ? "" : "; nothing was written (use --keep-going to match the records before the fault)"
            throw ImportError(.malformedSource, "\(e)" + hint, underlying: e)
        }
        finish()
        // Checked before the matching, which takes minutes on a large file.
        let past = o.settings.explain.filter { max($0.0, $0.1) >= dedupe.count }
        if !past.isEmpty {
            let pairs = past.map { "\($0.0 + 1),\($0.1 + 1)" }.joined(separator: " ")
            throw ImportError(
                .usage,
                "--explain \(pairs): the file has \(dedupe.count) data rows, nothing explained (rows are counted from"
                    + " 1, after the header, as in the clusters file)")
        }
        let read = ProcessInfo.processInfo.systemUptime
        if ProcessInfo.processInfo.environment["CRMGATE_TRACE"] != nil {
            // Each phase of the matching as it begins, seconds since reading ended (as `import`'s trace, on stderr).
            dedupe.onPhase = { phase in
                let t = ProcessInfo.processInfo.systemUptime - read
                FileHandle.standardError.write(Data(String(format: "trace: %7.2f s  %@\n", t, phase).utf8))
            }
        }
        let result = dedupe.run()
        let matched = ProcessInfo.processInfo.systemUptime
        // A cluster is named by its first row (the union's root may be a later one).
        var firstRow = [Int32](repeating: -1, count: result.rows)
        for r in 0..<result.rows where firstRow[Int(result.cluster[r])] < 0 {
            firstRow[Int(result.cluster[r])] = Int32(r)
        }
        func failure(_ path: String, _ error: any Error) -> ImportError {
            let text = "\(error)"
            return ImportError(.output, text.contains(path) ? text : "cannot write \(path): \(text)")
        }
        if let cp = o.clustersPath {
            do {
                let w = try CSVWriter(path: cp)
                try w.writeRow(["row", "source_id", "cluster"])
                for r in 0..<result.rows {
                    try w.writeRow([String(r + 1), sourceIDs[r], String(firstRow[Int(result.cluster[r])] + 1)])
                }
                try w.flush()
            } catch { throw failure(cp, error) }
        }
        if let rp = o.reviewPath {
            do {
                let rw = try CSVWriter(path: rp)
                try rw.writeRow(["row_a", "row_b", "weight", "reason", "score"])
                for (k, (a, b, s)) in result.review.enumerated() {
                    let why = k < result.reviewReasons.count ? result.reviewReasons[k].rawValue : ""
                    let score = k < result.reviewScores.count ? String(format: "%.2f", result.reviewScores[k]) : ""
                    try rw.writeRow([String(a + 1), String(b + 1), String(format: "%.2f", s), why, score])
                }
                try rw.flush()
            } catch { throw failure(rp, error) }
        }
        var summary = DedupeFileSummary(
            result: result, rejected: rejected, readSeconds: read - started, matchSeconds: matched - read)
        summary.rejections = rejections
        summary.blank = blank + source.emptyLines
        return summary
    }
}
