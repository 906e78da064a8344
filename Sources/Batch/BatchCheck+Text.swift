extension BatchCheck {
    /// The table `batch check` prints: a line per mailbox, and under a failure its reason and hint.
    public static func text(_ lines: [Line]) -> String {
        let width = max(6, lines.map { $0.row.sourceUser.count }.max() ?? 6)
        let loginWidth = max(12, lines.map { word($0.source).count }.max() ?? 12)
        var out = [
            "Line  " + "Source".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "Source login".padding(toLength: loginWidth, withPad: " ", startingAt: 0) + "  Target login"
        ]
        for line in lines {
            out.append(
                String(line.row.line).padding(toLength: 6, withPad: " ", startingAt: 0)
                    + line.row.sourceUser.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + word(line.source).padding(toLength: loginWidth, withPad: " ", startingAt: 0) + "  "
                    + word(line.target)
                    + (line.row.targetUser == line.row.sourceUser ? "" : " (\(line.row.targetUser))"))
            for (side, check) in [("source", line.source), ("target", line.target)] {
                if case .failed(_, let message, let hint) = check {
                    out.append("      \(side): \(message)")
                    out.append("      hint: \(hint)")
                }
            }
        }
        let failed = lines.filter { !$0.isOK }.count
        out.append("")
        out.append(
            failed == 0
                ? "All \(lines.count) mailboxes can be migrated."
                : "\(failed) of \(lines.count) mailboxes cannot be migrated as they are.")
        return out.joined(separator: "\n")
    }

    static func word(_ check: LoginCheck) -> String {
        switch check {
        case .ok: return "ok"
        case .toBeCreated: return "to be created"
        case .failed(let kind, _, _): return "FAILED (\(kind.rawValue))"
        }
    }
}
