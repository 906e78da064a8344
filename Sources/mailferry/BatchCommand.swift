import ArgumentParser
import Batch
import DNSCheck
import Foundation
import IMAPClient
import Migration

/// `mailferry batch …`: many mailboxes from one CSV file (docs/batch-csv.md).
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Migrate many mailboxes listed in a CSV file (docs/batch-csv.md).",
        subcommands: [
            BatchCheckCommand.self, BatchRunCommand.self, BatchStatusCommand.self, BatchPauseCommand.self,
            BatchResumeCommand.self, BatchStopCommand.self, BatchLogsCommand.self, BatchReportCommand.self,
            BatchRerunCommand.self, BatchCloseCommand.self,
        ])
}

/// CloudMail's IMAP host: every batch's target unless `--target-server` says otherwise.
let cloudMailTargetServer = "imaps://mda.vshosting.cloud:993"

struct BatchCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a batch file, then try every source and target login; copies nothing.",
        discussion: """
            Every faulty line is reported at once (line, column, reason; never a password) and no login is tried \
            until the file is valid. Then each source login and each target login on the target server is tried, \
            a few at a time; a target mailbox that does not exist is fine when its line asks to create it.
            Exit codes: 0 every mailbox can be migrated, 1 some logins failed (listed with a hint), 2 the file is \
            not valid or cannot be read, 3 is never used (a failed login is the mailbox's, not the command's).

            Examples:
              mailferry batch check mailboxes.csv
              mailferry batch check mailboxes.csv --target-server imaps://imap.example.net:993 --ca-file ca.pem --json
            """)

    @Argument(help: "The batch file (CSV).") var file: String
    @Option(help: "The target IMAP server, imaps://host[:port] or imap://host[:port].")
    var targetServer = cloudMailTargetServer
    @Option(help: "Logins tried at once.") var concurrency = 8
    @OptionGroup var provisioning: ProvisionerOptions
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Ask this DNS server (IPv4[:port]) about the batch's domains (see dns-check).") var dnsServer: String?
    @ArgumentParser.Flag(help: "Do not check the DNS of the batch's domains.") var skipDNS = false
    @ArgumentParser.Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            let server = try parseServer(targetServer)
            let batch = try readBatchFile(file)
            guard batch.isValid else { throw BatchFileInvalid(file: file, problems: batch.problems, json: json) }
            let connection = self.connection
            var check = BatchCheck(targetServer: server, concurrency: concurrency) { endpoint, isSource in
                connection.clientConfiguration(for: endpoint, side: isSource ? .source : .target)
            }
            check.provisioner = try provisioning.make()
            let lines = await check.run(batch.rows)
            let dns =
                skipDNS
                ? BatchDNSCheck(reports: [], problem: nil) : await BatchDNSCheck.run(batch.rows, server: dnsServer)
            try emit(
                BatchCheckOutput(mailboxes: lines.map(BatchCheckLine.init), dns: dns.reports, dnsProblem: dns.problem),
                json: json, text: BatchCheck.text(lines) + dns.text)
            if lines.contains(where: { !$0.isOK }) { throw ExitCode.partialFailure }
        }
    }
}

/// A batch file that cannot be used: its problems on stderr (and as JSON with --json), exit 2.
struct BatchFileInvalid: Error {
    var file: String
    var problems: [BatchFileProblem]
    var json: Bool
}

func readBatchFile(_ path: String) throws -> BatchFile {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure(message: "cannot read the batch file \(path)", exitCode: .badInput)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure(message: "\(path) is not UTF-8 text; save it as UTF-8 CSV", exitCode: .badInput)
    }
    return BatchFile(text: text)
}

/// `imaps://host[:port]` (no user: each row brings its own).
func parseServer(_ text: String) throws -> IMAPEndpoint {
    let withUser = text.contains("@") ? text : text.replacingOccurrences(of: "://", with: "://batch@")
    return try parseEndpoint(withUser)
}

/// A server as `imaps://host:port`, the form `parseServer` reads back.
func serverText(_ endpoint: IMAPEndpoint) -> String {
    let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
    return "\(endpoint.security == .implicitTLS ? "imaps" : "imap")://\(host):\(endpoint.port)"
}

/// `batch check --json`: a line per mailbox, and the DNS of the batch's domains.
struct BatchCheckOutput: Encodable {
    var mailboxes: [BatchCheckLine]
    var dns: [DomainReport]
    /// Why the DNS was not checked (no answer from the server), when it was not.
    var dnsProblem: String?
}

/// The DNS verdict of every domain a batch moves (of its target addresses, else its source
/// logins). It informs; the exit code stays that of the logins.
struct BatchDNSCheck {
    var reports: [DomainReport]
    var problem: String?

    static func run(_ rows: [BatchRow], server: String?) async -> BatchDNSCheck {
        let domains = Set(
            rows.compactMap { DomainName.of(address: $0.targetUser) ?? DomainName.of(address: $0.sourceUser) }
        ).sorted()
        guard !domains.isEmpty else { return BatchDNSCheck(reports: [], problem: nil) }
        do {
            let check = DomainCheck(resolver: try DNSResolver(server: server, timeoutSeconds: 3, attempts: 2))
            return BatchDNSCheck(reports: try await onOwnThread { try domains.map(check.check) }, problem: nil)
        } catch {
            return BatchDNSCheck(reports: [], problem: "\(error)")
        }
    }

    var text: String {
        if let problem {
            return "\n\nDNS not checked: \(problem) (--dns-server to ask another, --skip-dns to leave it)"
        }
        guard !reports.isEmpty else { return "" }
        return "\n\nDNS of the batch's domains (mailferry dns-check):\n" + reports.map(\.text).joined(separator: "\n")
    }
}

/// One line of `batch check --json`.
struct BatchCheckLine: Encodable {
    struct Login: Encodable {
        var result: String
        var failureKind: String?
        var message: String?
        var hint: String?
    }
    var line: Int
    var sourceUser: String
    var sourceServer: String
    var targetUser: String
    var source: Login
    var target: Login

    init(_ line: BatchCheck.Line) {
        self.line = line.row.line
        sourceUser = line.row.sourceUser
        sourceServer = line.row.sourceServer
        targetUser = line.row.targetUser
        source = Self.login(line.source)
        target = Self.login(line.target)
    }

    static func login(_ check: LoginCheck) -> Login {
        switch check {
        case .ok: return Login(result: "ok")
        case .toBeCreated: return Login(result: "to be created")
        case .failed(let kind, let message, let hint):
            return Login(result: "failed", failureKind: kind.rawValue, message: message, hint: hint)
        }
    }
}
