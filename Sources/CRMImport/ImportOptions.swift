public import CRMCSV

/// What to import and how.
public struct ImportOptions: Sendable {
    /// The file to import.
    public var source: String
    /// The mapping file.
    public var mapping: String
    /// The store file.
    public var store: String = "crmgate.sqlite"
    /// Overrides the detected (or mapping-given) encoding.
    public var encoding: TextEncoding?
    /// Overrides the sniffed (or mapping-given) delimiter.
    public var delimiter: UInt8?
    /// Fields over this many bytes reject their row.
    public var maxFieldBytes = 1 << 20
    /// Do everything but commit.
    public var dryRun = false
    /// XML: when the document breaks half-way, keep the records read before the fault (and report
    /// the fault as a rejected row) instead of importing nothing.
    public var keepGoing = false
    /// Where to write rejected rows; nil: `<source name>.rejects.csv` in the current directory.
    public var rejectsPath: String?
    /// Rows per batch between the reading and the writing thread.
    public var batchSize = 4096
    /// Called now and then from the writing thread with (bytes read, file size, rows done).
    public var progress: (@Sendable (Int, Int?, Int) -> Void)?
    /// Asked after every batch: true stops the import (Ctrl-C), which then rolls back and is recorded as failed.
    public var isInterrupted: (@Sendable () -> Bool)?

    public init(source: String, mapping: String) {
        self.source = source
        self.mapping = mapping
    }
}
