import Batch
import Foundation

/// `batch run`'s progress on stderr: on a terminal a table of the running jobs and the totals,
/// redrawn in place every second; otherwise (a log, a pipe) the totals line every 10 seconds.
final class BatchLiveView: @unchecked Sendable {
    private let batch: BatchRecord
    private let store: BatchStore
    private let started: Date
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var task: Task<Void, Never>?
    private var drawn = 0

    init(batch: BatchRecord, store: BatchStore, started: Date) {
        self.batch = batch; self.store = store; self.started = started
    }

    func start() {
        task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(isTerminal ? 1 : 10))
                if Task.isCancelled { break }
                guard let jobs = try? await store.jobs(batchID: batch.id) else { continue }
                draw(jobs)
            }
        }
    }

    func stop() {
        task?.cancel()
        if isTerminal { StandardStreams.err(erase()) }
    }

    private func draw(_ jobs: [BatchJob]) {
        let elapsed = Date().timeIntervalSince(started)
        guard isTerminal else {
            StandardStreams.err(BatchLiveText.totals(jobs, elapsed: elapsed) + "\n")
            return
        }
        let columns = terminalColumns()
        let lines = BatchLiveText.lines(jobs, elapsed: elapsed).map {
            $0.count > columns ? String($0.prefix(columns)) : $0
        }
        StandardStreams.err(erase() + lines.joined(separator: "\n") + "\n")
        drawn = lines.count
    }

    /// Moves up over the last drawing and clears it.
    private func erase() -> String {
        guard drawn > 0 else { return "" }
        defer { drawn = 0 }
        return "\u{1B}[\(drawn)A\u{1B}[J"
    }

    private func terminalColumns() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 120
    }
}
