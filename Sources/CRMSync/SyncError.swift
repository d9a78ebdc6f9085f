/// Why a sync, a profile or a job could not do what was asked.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A remote profile or job file is wrong (the message says where).
        case invalidProfile
        /// The remote answered something that cannot be read as the profile describes.
        case badResponse
        /// The remote refused a request (4xx other than a concurrency conflict).
        case rejected
        /// Another run of the same job holds the lease.
        case leaseHeld
        /// The store could not be read or written.
        case store
        /// A conflict, run or record named on the command line does not exist.
        case notFound
        /// A request failed after its retries; the run stopped at its last checkpoint.
        case transport
        /// A complete listing lacks more of a type's linked records than the job allows to be tombstoned in one
        /// run (`--allow-mass-delete` lets it go on).
        case massDelete
        /// A record's value cannot be written in the form the profile's `write_transform` asks for (a `map` with
        /// `otherwise: reject`, a date that is not one); the record is set aside without a request.
        case unsendable
        /// The remote answered 409 to a create (without an idempotency key), or 409/412 to an update of a record it
        /// holds unchanged since it was read: not a concurrency conflict but a refusal of the values (a unique field
        /// another record already has, as amagi-crm answers for an e-mail in use). Set aside like any refusal.
        case refusedConflict
        /// A value given to resolve a conflict is not of its field's kind (not an e-mail, a number, a day…), or a
        /// form's choice is not one of those offered: nothing was resolved.
        case badValue
        /// Stopped by a signal (SIGTERM, Ctrl-C) after a checkpoint; the run is recorded as interrupted, its leases
        /// released, and the next run goes on from the checkpoint.
        case interrupted
    }

    public var code: Code
    /// The file, record or request the error is about.
    public var context: String?
    public var message: String
    /// The HTTP status the remote answered, when the error is its answer.
    public var status: Int?

    public init(_ code: Code, context: String? = nil, message: String, status: Int? = nil) {
        self.code = code
        self.context = context
        self.message = message
        self.status = status
    }

    /// A refusal that repeating the same request cannot change: a 4xx other than 408, 409, 412, 425 and 429.
    /// Such a record is set aside and the run goes on with the others.
    public var isPermanentRefusal: Bool {
        if code == .unsendable || code == .refusedConflict { return true }
        guard code == .rejected, let status, (400..<500).contains(status) else { return false }
        // 404, 405 and 410 say the endpoint or the record is not there, not that this record's values are wrong.
        return ![401, 403, 404, 405, 408, 409, 410, 412, 425, 429].contains(status)
    }

    public var description: String { (context.map { "\($0): " } ?? "") + message }
}
