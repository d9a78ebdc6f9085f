import Foundation

/// What to read from an XML file: which element is a record, and which paths are its fields.
public struct XMLReadOptions: Sendable {
    /// The record element (`/leads/lead`, `//Contact`).
    public var recordPath: String
    /// Field paths relative to the record element, in the order the rows' fields come out.
    public var fields: [String]
    /// Prefixes used in the paths, bound to namespace URIs.
    public var namespaces: [String: String] = [:]
    /// Records per batch.
    public var batchSize = 4096
    /// Bytes handed to libxml2 at a time (the result does not depend on it).
    public var chunkSize = 1 << 20

    public init(recordPath: String, fields: [String]) {
        self.recordPath = recordPath
        self.fields = fields
    }
}

/// Records read from XML, laid out like CSV records: all field bytes in one buffer, each followed by one separator
/// byte, and end offsets in another.
public struct XMLBatch: Sendable {
    public internal(set) var bytes: [UInt8] = []
    public internal(set) var fieldEnds: [Int] = []
    /// The line each record's element starts on.
    public internal(set) var lines: [Int] = []
    /// Fields per record (the number of field paths).
    public let fieldsPerRecord: Int
    /// The fault that ended the document, after the records read before it.
    public internal(set) var fault: XMLError?
    /// With a fault inside a record: what was read of that record (its fields in order, empty where nothing was read;
    /// a field cut by the fault holds its text up to it) and the line it starts on; nil when no field had a value.
    public internal(set) var partial: (fields: [String], line: Int)?

    public var count: Int { lines.count }
    public func firstField(_ r: Int) -> Int { r * fieldsPerRecord }

    /// Field `f` of record `r` as text.
    public func string(_ r: Int, _ f: Int) -> String {
        let k = r * fieldsPerRecord + f
        let start = k == 0 ? 0 : fieldEnds[k - 1] + 1
        return String(decoding: bytes[start..<fieldEnds[k]], as: UTF8.self)
    }

    /// All fields of record `r`.
    public func fields(_ r: Int) -> [String] { (0..<fieldsPerRecord).map { string(r, $0) } }
}
