import Foundation
import MailStore

/// `mailferry history` as text: one line per run, its issues under it.
public enum RunHistoryText {
    public static func render(job: String, _ entries: [RunHistoryEntry]) -> String {
        guard !entries.isEmpty else { return "Job \(job) has no recorded runs yet." }
        var lines = [
            "Runs of job \(job)",
            "   #  Step     Started (UTC)         Took     Outcome          Stored  Uploaded  Skipped  Flags",
        ]
        for entry in entries {
            let run = entry.run
            let took = run.finishedAt.map { duration($0.timeIntervalSince(run.startedAt)) } ?? "-"
            var line =
                String(run.id ?? 0).leftPadded(4) + "  " + run.kind.padding(toLength: 7, withPad: " ", startingAt: 0)
                + "  " + UTCTime.iso8601(run.startedAt) + "  " + took.padding(toLength: 7, withPad: " ", startingAt: 0)
                + "  " + run.outcome.padding(toLength: 15, withPad: " ", startingAt: 0)
                + String(run.stored).leftPadded(8) + String(run.uploaded).leftPadded(10)
                + String(run.skipped).leftPadded(9) + String(run.flagUpdates).leftPadded(7)
            if let kind = run.failureKind { line += "  (\(kind))" }
            lines.append(line)
            if let message = run.message { lines.append("        ! \(message)") }
            for issue in entry.issues {
                lines.append(
                    "        - [\(issue.scope)] \(issue.folder ?? "")\(issue.uid.map { " UID \($0)" } ?? ""): \(issue.reason)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func duration(_ seconds: TimeInterval) -> String {
        seconds < 60
            ? String(format: "%.1fs", seconds) : "\(Int(seconds) / 60)m\(String(format: "%02d", Int(seconds) % 60))s"
    }
}
