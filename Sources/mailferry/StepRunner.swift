import Foundation
import Migration

/// Runs one step of a job for a command: the job's stop token tied to Ctrl-C and SIGTERM,
/// progress shown the way `--progress` asks.
struct StepRunner {
    let job: MigrationJob
    let mode: ProgressMode

    init(store: String, job: String, progress mode: ProgressMode) {
        self.job = MigrationJob(storeRoot: store, name: job)
        self.mode = mode
    }

    /// `lines` are the counters the status line shows (`migrate` shows its pull and its push).
    func run<T>(showing lines: [ProgressPrinter.Line], _ body: (MigrationJob) async throws -> T) async throws -> T {
        let signals = StopSignals(stop: job.control.stop)
        signals.install()
        defer { signals.remove() }
        if mode == .json {
            job.control.events.subscribe { event in
                StandardStreams.out((event.jsonLine + "\n"))
            }
        }
        let printer = mode == .auto ? ProgressPrinter(lines: lines) : nil
        printer?.observe(job.control.events)
        printer?.start()
        defer { printer?.stop() }
        return try await body(job)
    }
}
