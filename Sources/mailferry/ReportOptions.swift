import ArgumentParser
import Batch
import Foundation
import MailStore

/// Where the report email of a batch run goes, and through which SMTP server.
struct ReportOptions: ParsableArguments {
    @Option(help: "Email the report to this address when the run ends.") var reportTo: [String] = []
    @Option(help: "The report's sender address.") var reportFrom = "mailferry@localhost"
    @Option(help: "SMTP server for the report: smtp://host[:port] (STARTTLS required) or smtps://host[:port].")
    var smtpServer: String?
    @Option(help: "SMTP login (AUTH); its password from --smtp-password-file, else MAILFERRY_SMTP_PASSWORD.")
    var smtpUser: String?
    @Option(help: "File whose first line is the SMTP password.") var smtpPasswordFile: String?
    @Option(help: "PEM file of CAs to trust for the SMTP server.") var smtpCAFile: String?

    func validate() throws {
        if !reportTo.isEmpty && smtpServer == nil { throw ValidationError("--report-to needs --smtp-server") }
    }

    func sender() throws -> SMTPSender? {
        guard let smtpServer else { return nil }
        var password: String?
        if smtpUser != nil {
            password = try PasswordSource(
                environmentVariable: "MAILFERRY_SMTP_PASSWORD", file: smtpPasswordFile, prompt: "SMTP password: "
            ).readForCommand()
        }
        return SMTPSender(server: smtpServer, user: smtpUser, password: password, caFile: smtpCAFile)
    }
}

enum BatchReports {
    static func directory(storeRoot: String, batch: String) -> String {
        "\(storeRoot)/batches/\(StoreLayout.safeFileName(batch))/reports"
    }

    /// Keeps the report (0600) and sends it when asked, three tries with a pause between.
    static func deliver(_ report: BatchReport, options: ReportOptions, storeRoot: String) throws {
        let directory = directory(storeRoot: storeRoot, batch: report.batch.name)
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let message = report.message(
            from: options.reportFrom, to: options.reportTo.isEmpty ? ["nobody@localhost"] : options.reportTo)
        let path = "\(directory)/\(StoreLayout.timestamp(Date()))-report.eml"
        FileManager.default.createFile(atPath: path, contents: message, attributes: [.posixPermissions: 0o600])
        guard !options.reportTo.isEmpty, let sender = try options.sender() else { return }
        do {
            try send(message, path: path, sender: sender, from: options.reportFrom, to: options.reportTo)
        } catch let failure as CommandFailure {
            // The batch's own outcome stands; the report waits for `batch report --resend`.
            StandardStreams.err("mailferry: warning: \(failure.message)\n")
        }
    }

    static func send(_ message: Data, path: String, sender: SMTPSender, from: String, to: [String]) throws {
        var lastError: Error?
        for attempt in 1...3 {
            do {
                try sender.send(message, from: from, to: to)
                StandardStreams.err("mailferry: report sent to \(to.joined(separator: ", "))\n")
                return
            } catch {
                lastError = error
                if attempt < 3 { Thread.sleep(forTimeInterval: Double(attempt) * 2) }
            }
        }
        throw CommandFailure(
            message:
                "\(lastError.map { "\($0)" } ?? "sending failed"); the report is kept in \(path) — `batch report --resend` sends it again",
            exitCode: .partialFailure)
    }
}
