extension PullSummary {
    /// The human-readable summary.
    public var text: String {
        var lines = ["Pull pass \(pass) (\(kind))\(resumed ? ", resumed" : "") of job \(job)"]
        let width = max(6, folders.map(\.name.count).max() ?? 6)
        lines.append("Folder".padding(toLength: width, withPad: " ", startingAt: 0) + "       New   Flags    Gone")
        for folder in folders {
            var line =
                folder.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(folder.newMessages).leftPadded(10) + String(folder.flagUpdates).leftPadded(8)
                + String(folder.goneAtSource).leftPadded(8)
            if folder.uidValidityChanged { line += "  (UIDVALIDITY changed)" }
            if let error = folder.error { line += "  ! \(error)" }
            lines.append(line)
        }
        lines.append("")
        lines.append(
            "Copied     \(messages) messages, \(ByteCountText.format(bytes)) in \(String(format: "%.1f", seconds)) s; \(flagUpdates) flag updates"
        )
        if !foldersGone.isEmpty { lines.append("Gone       \(foldersGone.joined(separator: ", ")) (kept locally)") }
        lines.append("Archive    \(archive ?? "none (nothing new)")")
        lines.append("Log        \(logFile)")
        if !issues.isEmpty {
            lines.append("Issues")
            lines += issues.map {
                "  - [\($0.scope)] \($0.folder ?? "")\($0.uid.map { " UID \($0)" } ?? ""): \($0.reason)"
            }
        }
        return lines.joined(separator: "\n")
    }
}
