import Foundation
import MailStore

/// Counts what a run moved from its events, for the ledger row of a run that ends without a
/// summary (stopped, failed). Closed when the run ends: later events belong to other runs.
final class RunTally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = RunEnding(outcome: RunRecord.running)
    private var open = true

    func count(_ event: JobEvent) {
        lock.lock(); defer { lock.unlock() }
        guard open else { return }
        switch (event.step, event.kind) {
        case (.pull, .messagesMoved(_, let messages, let bytes)):
            counts.stored += Int64(messages); counts.storedBytes += bytes
        case (.push, .messagesMoved(_, let messages, let bytes)):
            counts.uploaded += Int64(messages); counts.uploadedBytes += bytes
        case (_, .messageSkipped):
            counts.skipped += 1
        case (_, .folderFinished(let tally)):
            counts.flagUpdates += Int64(tally.flagUpdates)
        default:
            break
        }
    }

    func close() { lock.lock(); open = false; lock.unlock() }

    func ending(outcome: String) -> RunEnding {
        lock.lock(); defer { lock.unlock() }
        var ending = counts
        ending.outcome = outcome
        return ending
    }
}
