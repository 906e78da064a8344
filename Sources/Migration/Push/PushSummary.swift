/// The outcome of a push, printed as text or JSON.
public struct PushSummary: Codable, Sendable {
    public struct FolderResult: Codable, Sendable {
        public var source: String
        public var target: String
        public var uploaded: Int
        public var adopted: Int
        public var skipped: Int
        public var flagUpdates: Int
        public var deleted: Int
        /// Bytes of the messages appended (their sizes; a body sent and then refused is not counted).
        public var bytes: Int64 = 0
        public var error: String?
    }

    public var job: String
    public var target: String
    public var folders: [FolderResult]
    public var excluded: [String]
    public var uploaded: Int
    public var bytes: Int64
    public var adopted: Int
    public var skipped: Int
    public var flagUpdates: Int
    public var seconds: Double
    /// Round trips the folder visits waited for on the target, over every connection (logins,
    /// the folder plan and a connection that dropped not counted): on a far link, each costs
    /// the link's round-trip time.
    public var roundTrips = 0
    public var issues: [PullSummary.Issue]
    public var logFile: String

    public var hasFailures: Bool { !issues.isEmpty }

    public var text: String {
        var lines = ["Push of job \(job) to \(target)"]
        let width = max(6, folders.map(\.source.count).max() ?? 6)
        let targetWidth = max(6, folders.map(\.target.count).max() ?? 6)
        lines.append(
            "Folder".padding(toLength: width, withPad: " ", startingAt: 0) + "  → "
                + "Target".padding(toLength: targetWidth, withPad: " ", startingAt: 0)
                + "  Uploaded  Known  Skipped  Flags")
        for folder in folders {
            var line =
                folder.source.padding(toLength: width, withPad: " ", startingAt: 0) + "  → "
                + folder.target.padding(toLength: targetWidth, withPad: " ", startingAt: 0)
                + String(folder.uploaded).leftPadded(10) + String(folder.adopted).leftPadded(7)
                + String(folder.skipped).leftPadded(9) + String(folder.flagUpdates).leftPadded(7)
            if let error = folder.error { line += "  ! \(error)" }
            lines.append(line)
        }
        if !excluded.isEmpty { lines.append("Excluded   \(excluded.joined(separator: ", "))") }
        lines.append("")
        lines.append(
            "Uploaded   \(uploaded) messages, \(ByteCountText.format(bytes)) in \(String(format: "%.1f", seconds)) s; "
                + "\(adopted) already on the target; \(flagUpdates) flag updates; \(skipped) skipped")
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
