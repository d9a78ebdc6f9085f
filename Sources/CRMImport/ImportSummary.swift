/// What an import did; the counts always add up (`read = created + updated + unchanged + merged + rejected`).
public struct ImportSummary: Sendable, Codable, Equatable {
    /// Data rows read (blank lines are not rows).
    public var read = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows folded into a record created earlier in the same import (duplicates inside the file).
    public var merged = 0
    public var rejected = 0
    /// Lines holding only spaces or delimiters (no quoted field, not even `""`): skipped, and not counted in `read`.
    public var blank = 0
    /// Wall-clock seconds.
    public var seconds = 0.0
    public var rowsPerSecond = 0.0
    /// The import's id in the store (`imports` table); nil when nothing was recorded.
    public var importID: Int64?
    public var dryRun = false
    public var source = ""
    public var store = ""
    public var mapping = ""
    public var recordType = ""
    public var encoding = ""
    public var delimiter = ""
    /// Where rejected rows were written; nil when there were none.
    public var rejectsFile: String?
    /// Rejections counted by reason kind, most common first.
    public var rejectReasons: [ReasonCount] = []

    public init() {}

    /// A reason and how many rows it rejected.
    public struct ReasonCount: Sendable, Codable, Equatable {
        public var reason: String
        public var count: Int
    }

    /// True when every row read is accounted for.
    public var addsUp: Bool { read == created + updated + unchanged + merged + rejected }

    enum CodingKeys: String, CodingKey {
        case read, created, updated, unchanged, merged, rejected, blank, seconds
        case rowsPerSecond = "rows_per_second"
        case importID = "import_id"
        case dryRun = "dry_run"
        case source, store, mapping
        case recordType = "record_type"
        case encoding, delimiter
        case rejectsFile = "rejects_file"
        case rejectReasons = "reject_reasons"
    }
}
