import Foundation
import Migration

/// How `batch status` and `batch run` show a batch's jobs.
public enum BatchStatusText {
    /// One line: how many jobs are in each state.
    public static func counts(_ jobs: [BatchJob]) -> String {
        let order: [BatchJobState] = [
            .checking, .provisioning, .migrating, .verifying, .queued, .done, .doneWithSkips, .failed, .paused,
            .stopped,
        ]
        let parts = order.compactMap { state -> String? in
            let count = jobs.filter { $0.state == state }.count
            return count == 0 ? nil : "\(count) \(state.rawValue)"
        }
        return "jobs: " + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
    }

    /// A line per job and the counts; the last error under a failed one.
    public static func table(_ jobs: [BatchJob]) -> String {
        let width = max(6, jobs.map(\.sourceUser.count).max() ?? 6)
        var lines = [
            "Line  " + "Source".padding(toLength: width, withPad: " ", startingAt: 0)
                + "  State            Messages      Bytes  Skipped  Passes  Target"
        ]
        for job in jobs {
            lines.append(
                String(job.line).padding(toLength: 6, withPad: " ", startingAt: 0)
                    + job.sourceUser.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + job.state.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                    + String(job.messages).leftAligned(10) + String(job.bytes).leftAligned(11)
                    + String(job.skipped).leftAligned(9) + String(job.passes).leftAligned(8) + "  " + job.targetUser
                    + (job.worker.map { "  [worker \($0)]" } ?? ""))
            if let progress = job.progress, job.state.isActive {
                let percent = progress.fraction.map { "\(Int(($0 * 100).rounded(.down)))% · " } ?? ""
                lines.append(
                    "      \(percent)\(progress.messagesDone)/\(progress.messagesTotal) messages this pass · "
                        + "\(ByteCountText.format(Int64(progress.bytesPerSecond)))/s"
                        + (progress.etaSeconds.map { " · ETA \(BatchLiveText.duration($0))" } ?? ""))
            }
            if let error = job.lastError {
                lines.append("      ! \(job.failureKind.map { "\($0): " } ?? "")\(error)")
            }
        }
        lines.append("")
        lines.append(counts(jobs))
        return lines.joined(separator: "\n")
    }

    /// The workers of a shared database: a line each, with how long ago it was last heard.
    public static func workers(_ workers: [WorkerRecord], now: Date) -> [String] {
        guard !workers.isEmpty else { return ["workers: none has registered (start `mailferry worker --db …`)"] }
        return ["workers:"]
            + workers.map { worker in
                let ago = Int(now.timeIntervalSince(worker.seenAt).rounded())
                return "  \(worker.name)  \(worker.state)  on \(worker.host) (pid \(worker.pid))  "
                    + "\(worker.concurrency) at a time  store \(worker.store)  seen \(ago) s ago"
            }
    }
}

extension String {
    fileprivate func leftAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
