import Foundation

/// Failures of the local store, naming the file or job at fault.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case io(path: String, operation: String, errno: Int32)
    /// Another mailferry process holds the job (pid when known).
    case locked(job: String, holderPID: Int32?)
    case notWritable(path: String, reason: String)
    case diskFull(path: String)
    case corrupt(path: String, reason: String)
    case unknownJob(store: String, job: String)
    /// The job was created for another source account.
    case jobBelongsToOtherAccount(job: String, owner: String, requested: String)
    case invalidJobName(String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            if code == ENOSPC { return "disk full while writing \(path)" }
            return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        case .locked(let job, let pid):
            return "job \"\(job)\" is locked: another mailferry run is using it" + (pid.map { " (pid \($0))" } ?? "")
                + "; wait for it to finish"
        case .notWritable(let path, let reason):
            return "store folder \(path) is not writable: \(reason)"
        case .diskFull(let path):
            return "disk full while writing \(path); free space and run again, nothing is lost"
        case .corrupt(let path, let reason):
            return "\(path) is damaged: \(reason)"
        case .unknownJob(let store, let job):
            return "no job \"\(job)\" in store \(store)"
        case .jobBelongsToOtherAccount(let job, let owner, let requested):
            return "job \"\(job)\" belongs to \(owner), not \(requested); choose another --job"
        case .invalidJobName(let name):
            return "invalid job name \"\(name)\": use letters, digits and . @ _ + - (no / and not starting with .)"
        }
    }

    /// Builds an `.io` error from the current errno, turning ENOSPC into `.diskFull`.
    static func fromErrno(path: String, operation: String) -> StoreError {
        errno == ENOSPC ? .diskFull(path: path) : .io(path: path, operation: operation, errno: errno)
    }
}
