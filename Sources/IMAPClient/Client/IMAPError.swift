import IMAPCore

/// How much of the work a failure spoils (mbsync's message / mailbox / store grading).
public enum ErrorScope: String, Sendable, Codable {
    /// Skip this message, record why, go on.
    case message
    /// Skip this folder, record why, go on with the others.
    case folder
    /// Stop the job: no login, no connection, no space.
    case account
}

/// Everything the IMAP client reports. Each case names the host, and where it applies the
/// command, folder and the server's own words. Never a password.
public enum IMAPError: Error, Sendable, Equatable {
    case nameNotResolved(host: String, reason: String)
    case connectionRefused(host: String, port: Int)
    case connectFailed(host: String, port: Int, reason: String)
    case timedOut(host: String, operation: String)
    case tlsHandshakeFailed(host: String, reason: String)
    case certificateRejected(host: String, reason: String)
    /// The server offers no TLS and plaintext login was not allowed.
    case plaintextRefused(host: String)
    case authenticationFailed(host: String, user: String, serverText: String)
    /// A tagged NO or BAD.
    case commandFailed(host: String, command: String, mailbox: String?, response: TaggedResponse)
    case connectionClosed(host: String, detail: String)
    case protocolViolation(host: String, detail: String)
    /// A message file to upload could not be read or changed size while being sent.
    case messageSourceFailed(host: String, path: String, reason: String)
    case notConnected(host: String)
    /// The CA file named for verification is missing, empty, a directory or not PEM.
    case caFileUnusable(path: String, reason: String)
    /// The endpoint's scheme does not fit what the port speaks (`imaps://` to a plain port or
    /// `imap://` to an implicit-TLS port); `hint` names the likely fix.
    case schemeMismatch(host: String, port: Int, detail: String, hint: String)

    /// A mistake in what the user configured rather than in the network or the server: the
    /// spec's exit code 2, not 3.
    public var isConfigurationError: Bool {
        if case .caFileUnusable = self { return true }
        return false
    }

    /// How far the failure reaches.
    public var scope: ErrorScope {
        switch self {
        case .commandFailed(_, let command, _, let response):
            if response.code == .overQuota { return .account }
            switch command {
            case "APPEND", "UID STORE", "UID FETCH": return .message
            case "SELECT", "EXAMINE", "CREATE", "SUBSCRIBE", "STATUS", "UID SEARCH": return .folder
            default: return .account
            }
        case .messageSourceFailed: return .message
        default: return .account
        }
    }

    /// A retry on a new connection may succeed (dropped link, timeout, server going away).
    public var isTransient: Bool {
        switch self {
        // A message file renamed (new flags) while being uploaded is found again on a retry.
        // notConnected: this client's link is already gone (an earlier drop); a new login helps.
        case .timedOut, .connectionClosed, .connectionRefused, .messageSourceFailed, .notConnected: return true
        case .commandFailed(_, _, _, let response): return response.code == .unavailable
        default: return false
        }
    }
}

extension IMAPError: CustomStringConvertible {
    /// Server words (greeting, NO text, BYE, folder names) are part of it: escaped for terminals.
    public var description: String { rawDescription.terminalSafe() }

    private var rawDescription: String {
        switch self {
        case .nameNotResolved(let host, let reason):
            return "cannot resolve host name \(host): \(reason)"
        case .connectionRefused(let host, let port):
            return "\(host):\(port) refused the connection (nothing listening there?)"
        case .connectFailed(let host, let port, let reason):
            return "cannot connect to \(host):\(port): \(reason)"
        case .timedOut(let host, let operation):
            return "\(host): timed out during \(operation)"
        case .tlsHandshakeFailed(let host, let reason):
            return "\(host): TLS handshake failed: \(reason)"
        case .certificateRejected(let host, let reason):
            return "\(host): the server's certificate was rejected: \(reason)"
        case .plaintextRefused(let host):
            return
                "\(host) offers no TLS (no STARTTLS): refusing to send the password in clear. Use imaps://, or --allow-plaintext if the link is trusted"
        case .authenticationFailed(let host, let user, let text):
            return "\(host): login failed for \(user): \(text)"
        case .commandFailed(let host, let command, let mailbox, let response):
            let code = response.code.map { " [\($0.name)]" } ?? ""
            let place = mailbox.map { " on folder \"\($0)\"" } ?? ""
            return "\(host): \(command)\(place) failed: \(response.status.rawValue)\(code) \(response.text)"
        case .connectionClosed(let host, let detail):
            return "\(host): connection lost: \(detail)"
        case .protocolViolation(let host, let detail):
            return "\(host): protocol error: \(detail)"
        case .messageSourceFailed(let host, let path, let reason):
            return "\(host): cannot upload \(path): \(reason)"
        case .notConnected(let host):
            return "\(host): not connected"
        case .caFileUnusable(let path, let reason):
            return "CA file \(path) cannot be used: \(reason)"
        case .schemeMismatch(let host, let port, let detail, let hint):
            return "\(host):\(port): \(detail). \(hint)"
        }
    }
}

extension ResponseCode {
    /// The code's wire name, for messages.
    public var name: String {
        switch self {
        case .alert: return "ALERT"
        case .parse: return "PARSE"
        case .readOnly: return "READ-ONLY"
        case .readWrite: return "READ-WRITE"
        case .tryCreate: return "TRYCREATE"
        case .uidNext: return "UIDNEXT"
        case .uidValidity: return "UIDVALIDITY"
        case .unseen: return "UNSEEN"
        case .permanentFlags: return "PERMANENTFLAGS"
        case .capability: return "CAPABILITY"
        case .appendUID: return "APPENDUID"
        case .copyUID: return "COPYUID"
        case .highestModSeq: return "HIGHESTMODSEQ"
        case .noModSeq: return "NOMODSEQ"
        case .overQuota: return "OVERQUOTA"
        case .tooBig: return "TOOBIG"
        case .limit: return "LIMIT"
        case .authenticationFailed: return "AUTHENTICATIONFAILED"
        case .unavailable: return "UNAVAILABLE"
        case .nonExistent: return "NONEXISTENT"
        case .alreadyExists: return "ALREADYEXISTS"
        case .other(let name, _): return name
        }
    }
}
