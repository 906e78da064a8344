import Foundation
import Migration

/// `batch run`'s live view: a line per running job (state, a bar, messages, rate, ETA) and the
/// batch's totals, redrawn in place on a terminal; one summary line at a time elsewhere.
public enum BatchLiveText {
    /// At most `limit` running jobs are listed (the rest are counted), so the view of a
    /// 5,000-line batch stays on one screen.
    public static func lines(_ jobs: [BatchJob], elapsed: TimeInterval, limit: Int = 12) -> [String] {
        let running = jobs.filter { $0.state.isActive }
        let width = min(32, max(6, running.map(\.sourceUser.count).max() ?? 6))
        var lines: [String] = []
        if !running.isEmpty {
            lines.append(
                "Line  " + "Source".padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  State         Progress                Messages      Rate    ETA")
            for job in running.prefix(limit) {
                let progress = job.progress
                let done = progress.map { "\($0.messagesDone)/\($0.messagesTotal)" } ?? ""
                lines.append(
                    String(job.line).padding(toLength: 6, withPad: " ", startingAt: 0)
                        + clipped(job.sourceUser, width) + "  "
                        + job.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                        + bar(progress?.fraction) + "  " + done.leftPadded(13) + "  "
                        + (progress.map { ByteCountText.format(Int64($0.bytesPerSecond)) + "/s" } ?? "").leftPadded(8)
                        + "  " + (progress?.etaSeconds.map(duration) ?? "").leftPadded(6))
            }
            if running.count > limit { lines.append("      … and \(running.count - limit) more running") }
        }
        lines.append(totals(jobs, elapsed: elapsed))
        return lines
    }

    /// Counts by state, messages and bytes copied (ended jobs and the running ones' progress),
    /// the aggregate rate over the run, and the time so far.
    public static func totals(_ jobs: [BatchJob], elapsed: TimeInterval) -> String {
        let ended = jobs.filter { !$0.state.isActive }
        let live = jobs.compactMap(\.progress)
        let messages = live.reduce(0) { $0 + $1.messagesDone }
        let bytes = live.reduce(Int64(0)) { $0 + $1.bytesDone }
        let rate = live.reduce(0.0) { $0 + $1.bytesPerSecond }
        let finished = ended.filter { $0.state.isFinal && $0.state != .paused && $0.state != .stopped }.count
        return BatchStatusText.counts(jobs) + "  ·  \(finished)/\(jobs.count) ended"
            + "  ·  running: \(messages) messages, \(ByteCountText.format(bytes)) at \(ByteCountText.format(Int64(rate)))/s"
            + "  ·  \(duration(elapsed))"
    }

    static func bar(_ fraction: Double?, width: Int = 16) -> String {
        guard let fraction else { return "[" + String(repeating: " ", count: width) + "]     " }
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(Int((fraction * 100).rounded(.down)))%".leftPadded(4)
    }

    public static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        return total >= 3600
            ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
            : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }

    private static func clipped(_ text: String, _ width: Int) -> String {
        text.count > width
            ? String(text.prefix(width - 1)) + "…" : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
