import Foundation
import IMAPClient
import MailArchive
import MailStore

/// Why a step failed, graded by how far the failure reaches: one place decides what every
/// error of the libraries means for the job (and the CLI turns the grade into an exit code).
public struct JobFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Blast radius.
    public enum Grade: String, Codable, Sendable {
        /// Bad input or configuration: nothing will change until a person does (exit 2).
        case configuration
        /// Could not connect or log in (exit 3).
        case connection
        /// The job ran and could not finish: store, archive, quota, a server that broke mid-way (exit 1).
        case job
    }

    /// What went wrong, in the words a batch's status page shows ("failed: over quota").
    public enum Kind: String, Codable, Sendable {
        case configuration, connect, tls, auth, overQuota = "over quota", refused, protocolError = "protocol"
        case store, archive, provisioning, `internal`
    }

    public var grade: Grade
    public var kind: Kind
    public var message: String

    public init(grade: Grade, kind: Kind, message: String) {
        self.grade = grade; self.kind = kind; self.message = message
    }

    public var description: String { message }

    /// Grades any error a step can end with. Unknown errors are the job failing (exit 1),
    /// never "bad input".
    public init(classifying error: Error) {
        switch error {
        case let failure as JobFailure:
            self = failure
        case let error as IMAPError:
            self.init(grade: Self.grade(of: error), kind: Self.kind(of: error), message: error.description)
        case let error as StoreError:
            switch error {
            case .locked, .unknownJob, .invalidJobName, .jobBelongsToOtherAccount, .notWritable:
                self.init(grade: .configuration, kind: .configuration, message: error.description)
            case .io, .diskFull, .corrupt:
                self.init(grade: .job, kind: .store, message: error.description)
            }
        case let error as RetriesExhausted:
            self.init(classifying: error.underlying)
            message = error.description
        case let error as TargetOverQuota:
            self.init(grade: .job, kind: .overQuota, message: error.description)
        case let error as ArchiveError:
            switch error {
            case .encryptedArchiveNeedsKey, .wrongArchiveKey:
                self.init(grade: .configuration, kind: .configuration, message: error.description)
            default:
                self.init(grade: .job, kind: .archive, message: error.description)
            }
        case let error as ArchiveEncryptionRequired:
            self.init(grade: .configuration, kind: .configuration, message: error.description)
        default:
            self.init(grade: .job, kind: .internal, message: String(describing: error))
        }
    }

    private static func grade(of error: IMAPError) -> Grade {
        if error.isConfigurationError { return .configuration }
        if case .commandFailed(_, _, _, let response) = error, response.code == .overQuota { return .job }
        return error.scope == .account ? .connection : .job
    }

    private static func kind(of error: IMAPError) -> Kind {
        switch error {
        case .caFileUnusable, .schemeMismatch, .plaintextRefused: return .configuration
        case .nameNotResolved, .connectionRefused, .connectFailed, .timedOut, .connectionClosed, .notConnected:
            return .connect
        case .tlsHandshakeFailed, .certificateRejected: return .tls
        case .authenticationFailed: return .auth
        case .commandFailed(_, _, _, let response): return response.code == .overQuota ? .overQuota : .refused
        case .protocolViolation: return .protocolError
        case .messageSourceFailed: return .store
        }
    }
}
