import IMAPClient
import Migration

/// What trying one login found, with what to do about a failure.
public enum LoginCheck: Sendable, Equatable {
    case ok
    /// The target mailbox does not exist (or refuses the login) and the row asks to create it.
    case toBeCreated
    case failed(JobFailure.Kind, message: String, hint: String)

    public var isOK: Bool {
        switch self {
        case .ok, .toBeCreated: return true
        case .failed: return false
        }
    }

    /// Logs in and out; copies nothing.
    static func attempt(
        _ configuration: IMAPClientConfiguration, password: String, creatable: Bool = false
    ) async -> LoginCheck {
        do {
            let client = try await IMAPClient.loggedIn(configuration, password: password)
            await client.logout()
            return .ok
        } catch {
            let failure = JobFailure(classifying: error)
            if creatable && failure.kind == .auth { return .toBeCreated }
            return .failed(
                failure.kind, message: failure.message, hint: hint(for: failure.kind, endpoint: configuration.endpoint))
        }
    }

    static func hint(for kind: JobFailure.Kind, endpoint: IMAPEndpoint) -> String {
        switch kind {
        case .auth:
            return
                "check the login and the password (in the CSV, quote a password that holds a comma or a quote, doubling the quote)"
        case .connect:
            return
                "cannot reach \(endpoint.host):\(endpoint.port): check the server name and port, and that IMAP is on (993 with TLS, 143 without)"
        case .tls:
            return
                "the certificate is not trusted or not for this name: give its CA with --source-ca-file or --target-ca-file, or fix the host name"
        case .protocolError:
            return "the answers are not IMAP: is \(endpoint.port) the server's IMAP port?"
        case .configuration:
            return "fix the option named above"
        default:
            return "see the message"
        }
    }
}
