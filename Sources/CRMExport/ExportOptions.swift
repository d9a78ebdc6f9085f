public import CRMModel
public import CRMStore

/// The file formats an export writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, xlsx, ics, ndjson
}

/// What to export and how.
public struct ExportOptions: Sendable {
    public var recordType: RecordType
    public var format: ExportFormat = .csv
    /// The output file; `-` is standard output (CSV, NDJSON, ICS).
    public var output: String = "-"
    /// Columns in order (field names, `id`, `updated_at`, `custom.<name>`); nil takes the type's default set.
    public var columns: [String]?
    /// Which records.
    public var query = RecordQuery()
    /// CSV: start with a UTF-8 BOM so that Excel reads UTF-8 (default on).
    public var byteOrderMark = true
    /// CSV: the delimiter (`;` for European Excel).
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// CSV: the decimal separator for numbers (`,` for `--locale de`).
    public var decimalSeparator: Character = "."
    /// CSV: leave cells starting with `=`, `+`, `-`, `@`, tab or CR as they are. Unsafe for spreadsheets.
    public var raw = false
    /// XLSX: the opportunity stages in pipeline order, for the Pipeline sheet (other stages follow as seen).
    public var stageOrder: [String] = OpportunityStage.defaults
    /// XLSX: rows per sheet before the data continues on the next one (Excel's limit, less the header).
    public var rowsPerSheet = 1_048_575

    public init(recordType: RecordType) { self.recordType = recordType }
}

/// What an export wrote.
public struct ExportSummary: Sendable, Equatable, Codable {
    public var records = 0
    public var output = ""
    public var format = ""
    public var seconds = 0.0
    /// XLSX: data sheets written.
    public var sheets = 0
}
