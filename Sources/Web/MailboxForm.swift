import Batch
import Foundation

/// The provider's form: the CloudMail admin login, the results address and rows of mailboxes,
/// validated by the batch file's own rules (one implementation) plus the form's email checks.
struct MailboxForm: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var server = ""
        var sourceEmail = ""
        var sourcePassword = ""
        var targetEmail = ""
        var targetPassword = ""
        var port = "993"
        var tls = true
        var create = false
    }

    var adminLogin = ""
    var adminPassword = ""
    var reportTo = ""
    var rows: [Row] = [Row()]

    /// Field ids (`report_to`, `row2-source_email`, …) → the message shown next to the field.
    typealias Errors = [String: String]

    static let maxRows = 500

    init() {}

    init(fields: [String: String]) {
        adminLogin = fields["admin_login", default: ""].trimmingCharacters(in: .whitespaces)
        adminPassword = fields["admin_password", default: ""]
        reportTo = fields["report_to", default: ""].trimmingCharacters(in: .whitespaces)
        let count = min(Self.maxRows, max(1, Int(fields["row_count", default: "1"]) ?? 1))
        rows = (0..<count).map { index in
            func value(_ name: String) -> String { fields["\(name)_\(index)", default: ""] }
            return Row(
                server: value("server").trimmingCharacters(in: .whitespaces),
                sourceEmail: value("source_email").trimmingCharacters(in: .whitespaces),
                sourcePassword: value("source_password"),
                targetEmail: value("target_email").trimmingCharacters(in: .whitespaces),
                targetPassword: value("target_password"),
                port: value("port").trimmingCharacters(in: .whitespaces),
                tls: fields["tls_\(index)"] != nil, create: fields["create_\(index)"] != nil)
        }
    }

    /// What the batch would be, and every error by field.
    func validate() -> (BatchFile, Errors) {
        let file = BatchFile(
            fields: rows.map {
                [
                    $0.server, $0.sourceEmail, $0.sourcePassword, $0.port, $0.tls ? "true" : "false", $0.targetEmail,
                    $0.targetPassword, $0.create ? "true" : "false",
                ]
            })
        var errors: Errors = [:]
        for problem in file.problems {
            let field = Self.field(forColumn: problem.column)
            let id = field.map { "row\(problem.line)-\($0)" } ?? "row\(problem.line)"
            let label = field.flatMap { Self.labels[$0] }.map { "\($0): " } ?? ""
            errors[id] = errors[id] ?? "Row \(problem.line): \(label)\(Self.formWords(problem.reason))"
        }
        for (index, row) in rows.enumerated() {
            for (field, value) in [("source_email", row.sourceEmail), ("target_email", row.targetEmail)]
            where !value.isEmpty && !Self.looksLikeEmail(value) {
                errors["row\(index + 1)-\(field)"] =
                    "Row \(index + 1): \(Self.labels[field]!): \"\(value)\" is not an email address (name@example.com)"
            }
        }
        if reportTo.isEmpty {
            errors["report_to"] = "Email address to receive migration results: required"
        } else if !Self.looksLikeEmail(reportTo) {
            errors["report_to"] = "\"\(reportTo)\" is not an email address (name@example.com)"
        }
        if rows.contains(where: \.create) {
            if adminLogin.isEmpty { errors["admin_login"] = "Login: required to create mailboxes" }
            if adminPassword.isEmpty { errors["admin_password"] = "Password: required to create mailboxes" }
        }
        return (file, errors)
    }

    static let labels = [
        "server": "IMAP server", "source_email": "Source email", "source_password": "Source password",
        "target_email": "Destination email", "target_password": "Destination password", "port": "Port",
        "tls": "Use TLS", "create": "Create mailbox if it does not exist",
    ]

    static func field(forColumn column: String?) -> String? {
        switch column {
        case "source_server": return "server"
        case "source_user": return "source_email"
        case "source_password": return "source_password"
        case "source_port": return "port"
        case "source_tls": return "tls"
        case "target_user": return "target_email"
        case "target_password": return "target_password"
        case "create_mailbox": return "create"
        default: return nil
        }
    }

    /// The file's reasons speak of columns; the form's of its fields.
    static func formWords(_ reason: String) -> String {
        reason.replacingOccurrences(
            of: "(defaulted from source_password)", with: "(the source password, as none was given)"
        )
        .replacingOccurrences(of: "is also the target on line", with: "is also the destination of row")
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(where: { $0.isWhitespace })
        else { return false }
        return true
    }
}
