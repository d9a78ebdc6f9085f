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
    }

    public var code: Code
    /// The file, record or request the error is about.
    public var context: String?
    public var message: String

    public init(_ code: Code, context: String? = nil, message: String) {
        self.code = code
        self.context = context
        self.message = message
    }

    public var description: String { (context.map { "\($0): " } ?? "") + message }
}
