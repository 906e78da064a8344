import Foundation

/// The email at the end of a batch run: per job its state, what it copied, what it skipped,
/// its error with a hint, and whether verify found the target equal; totals; a text and an
/// HTML part and the per-job CSV attached. Never a password.
public struct BatchReport: Sendable {
    public var batch: BatchRecord
    public var jobs: [BatchJob]
    public var started: Date
    public var finished: Date

    public init(batch: BatchRecord, jobs: [BatchJob], started: Date, finished: Date) {
        self.batch = batch; self.jobs = jobs; self.started = started; self.finished = finished
    }

    public var subject: String {
        "mailferry batch \(batch.name): " + BatchStatusText.counts(jobs).replacingOccurrences(of: "jobs: ", with: "")
    }

    static func verifyWord(_ job: BatchJob) -> String {
        switch job.state {
        case .done, .doneWithSkips: return "equal"
        case .failed where job.failureKind == "verify": return "different"
        default: return "-"
        }
    }

    /// What to do about a failure of this class.
    public static func hint(kind: String?) -> String {
        switch kind {
        case "auth": return "check the login and password in the batch file, then run it again"
        case "connect": return "check the server name and port, and that the server accepts IMAP from here"
        case "tls": return "the certificate was not trusted: give its CA (--source-ca-file) or check the host name"
        case "over quota":
            return "free space in the target mailbox or raise its quota, then run the batch again (it resumes)"
        case "provisioning":
            return "the target mailbox could not be created: check the provisioner and the admin rights"
        case "verify":
            return
                "the target differs from what was copied: run the batch again; if it persists, see the job's verify log"
        case "refused": return "the target refused messages: see the job's push log for which and why"
        default: return "see the job's logs (batch logs)"
        }
    }

    public var text: String {
        let pass = batch.runs > 1 ? " (differential pass \(batch.runs - 1))" : " (first pass)"
        var lines = [
            "Batch \(batch.name) → \(batch.targetServer), run \(batch.runs)\(pass)",
            "Started \(iso(started)), finished \(iso(finished)), took \(duration(finished.timeIntervalSince(started)))",
            "",
        ]
        lines.append(BatchStatusText.table(jobs))
        let failed = jobs.filter { $0.lastError != nil }
        if !failed.isEmpty {
            lines += ["", "Errors"]
            for job in failed {
                lines.append(
                    "  line \(job.line) \(job.sourceUser) → \(job.targetUser): \(job.state.rawValue) (\(job.failureKind ?? "?")): \(job.lastError ?? "")"
                )
                lines.append("    hint: \(Self.hint(kind: job.failureKind))")
            }
        }
        let messages = jobs.reduce(Int64(0)) { $0 + $1.messages }, bytes = jobs.reduce(Int64(0)) { $0 + $1.bytes }
        let skipped = jobs.reduce(Int64(0)) { $0 + $1.skipped }
        lines += ["", "Totals: \(jobs.count) jobs; \(messages) messages, \(bytes) bytes copied; \(skipped) skipped"]
        return lines.joined(separator: "\n")
    }

    public var html: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var rows = ""
        for job in jobs {
            let cells = [
                String(job.line), job.sourceUser, job.targetUser, job.state.rawValue, String(job.messages),
                String(job.bytes), String(job.skipped), Self.verifyWord(job),
                job.lastError.map { "\($0) — \(Self.hint(kind: job.failureKind))" } ?? "",
            ]
            rows += "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>\(escape(subject))</title></head><body>
            <h1>Batch \(escape(batch.name))</h1><p>\(escape(BatchStatusText.counts(jobs)))</p>
            <table><thead><tr><th>Line</th><th>Source</th><th>Target</th><th>State</th><th>Messages</th><th>Bytes</th>\
            <th>Skipped</th><th>Verify</th><th>Error</th></tr></thead><tbody>
            \(rows)</tbody></table></body></html>
            """
    }

    public var csv: String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [
            "line,source_server,source_user,target_user,state,failure_kind,messages,bytes,skipped,verify,last_error"
        ]
        for job in jobs {
            lines.append(
                [
                    String(job.line), job.sourceServer, job.sourceUser, job.targetUser, job.state.rawValue,
                    job.failureKind ?? "",
                    String(job.messages), String(job.bytes), String(job.skipped), Self.verifyWord(job),
                    job.lastError ?? "",
                ]
                .map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The whole message (RFC 5322 with MIME parts), ready for SMTP.
    public func message(from: String, to: [String], date: Date = Date()) -> Data {
        let boundary = "mailferry-" + UUID().uuidString, inner = "mailferry-alt-" + UUID().uuidString
        func base64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString(options: [
                .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
        }
        let subjectWord = "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let parts = [
            "From: <\(from)>", "To: " + to.map { "<\($0)>" }.joined(separator: ", "), "Subject: \(subjectWord)",
            "Date: \(formatter.string(from: date))", "Message-ID: <\(UUID().uuidString)@mailferry>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "",
            "--\(boundary)", "Content-Type: multipart/alternative; boundary=\"\(inner)\"", "",
            "--\(inner)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
            base64(text),
            "--\(inner)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "",
            base64(html),
            "--\(inner)--", "",
            "--\(boundary)", "Content-Type: text/csv; charset=utf-8; name=\"\(batch.name)-jobs.csv\"",
            "Content-Disposition: attachment; filename=\"\(batch.name)-jobs.csv\"", "Content-Transfer-Encoding: base64",
            "",
            base64(csv), "--\(boundary)--", "",
        ]
        return Data(parts.joined(separator: "\r\n").utf8)
    }

    private func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    private func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds)
        return total >= 3600
            ? "\(total / 3600)h\(total % 3600 / 60)m" : total >= 60 ? "\(total / 60)m\(total % 60)s" : "\(total)s"
    }
}
