import Batch
import Foundation
import Migration

/// A batch as the status page shows it, and as its live updates carry it (JSON): words of the
/// spec's job states, numbers formatted for people.
struct StatusSnapshot: Encodable, Sendable, Equatable {
    struct Job: Encodable, Sendable, Equatable {
        var id: Int64
        var source: String
        var target: String
        var state: String
        var stateKey: String
        var percent: Int
        var messages: String
        var bytes: String
        var rate: String
        var eta: String
        var error: String?
        var hint: String?
        /// The worker running it, or that ran it last (shared databases only).
        var worker: String?
    }

    var totals: String
    var finished: Bool
    var jobs: [Job]
    /// dns-check's verdict for the batch's domains, once known.
    var dns: String?

    init(jobs: [BatchJob], dns: String? = nil) {
        self.dns = dns
        self.jobs = jobs.map { job in
            let progress = job.progress
            let ended = !job.state.isActive
            let percent: Int
            if job.state == .done || job.state == .doneWithSkips {
                percent = 100
            } else {
                percent = Int(((progress?.fraction ?? 0) * 100).rounded(.down))
            }
            let messages =
                progress.map { "\($0.messagesDone) of \($0.messagesTotal)" } ?? (ended ? "\(job.messages)" : "")
            let bytes =
                progress.map { ByteCountText.format($0.bytesDone) } ?? (ended ? ByteCountText.format(job.bytes) : "")
            return Job(
                id: job.id, source: job.sourceUser, target: job.targetUser, state: job.state.rawValue,
                stateKey: job.state.rawValue.replacingOccurrences(of: " ", with: "-"), percent: percent,
                messages: messages, bytes: bytes,
                rate: progress.map { ByteCountText.format(Int64($0.bytesPerSecond)) + "/s" } ?? "",
                eta: progress?.etaSeconds.map(BatchLiveText.duration) ?? "",
                error: job.lastError, hint: job.lastError == nil ? nil : BatchReport.hint(kind: job.failureKind),
                worker: job.worker)
        }
        let copied = jobs.reduce(Int64(0)) { $0 + ($1.progress.map { Int64($0.messagesDone) } ?? $1.messages) }
        let bytes = jobs.reduce(Int64(0)) { $0 + ($1.progress?.bytesDone ?? $1.bytes) }
        totals =
            BatchStatusText.counts(jobs) + " · \(copied) messages, \(ByteCountText.format(bytes)) copied"
        finished = jobs.allSatisfy { !$0.state.isActive && $0.state != .queued }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
