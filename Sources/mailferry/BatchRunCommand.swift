import ArgumentParser
import Batch
import Foundation
import IMAPClient
import MailArchive
import MailStore
import Migration

struct BatchRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Migrate every mailbox of a batch file, N at a time; run it again after the MX switch for the differential pass.",
        discussion: """
            The file is checked first (every problem at once, nothing starts until it is valid). Each mailbox is one job: \
            migrated (pull and push together), then verified; a job that fails does not stop the others. Credentials are \
            kept encrypted (key: MAILFERRY_SECRET_KEY or STORE/batch.key) for the differential pass until `batch close`.
            Ctrl-C pauses the running jobs at their next commit (exit 130); `batch resume` goes on. Watch and steer from \
            any terminal with `batch status`, `batch pause`, `batch resume`, `batch stop`.
            Exit codes: 0 every job done, 1 some jobs failed or had skips, 2 bad input, 130 paused by Ctrl-C.

            Examples:
              mailferry batch run mailboxes.csv --concurrency 4
              mailferry batch run mailboxes.csv --name acme --target-server imaps://imap.example.net:993 --ca-file ca.pem
            """)

    @Argument(help: "The batch file (CSV, docs/batch-csv.md).") var file: String
    @Option(help: "Batch name (default: the file name without .csv).") var name: String?
    @Option(help: "Mailboxes migrated at once.") var concurrency = 4
    @Option(help: "Connections all running jobs may hold on one source server together.") var perHostConnections = 8
    @Option(help: "The target IMAP server, imaps://host[:port].") var targetServer = cloudMailTargetServer
    @OptionGroup var batchStore: BatchStoreOptions
    @OptionGroup var provisioning: ProvisionerOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var encryption: EncryptOptions
    @ArgumentParser.Flag(help: "Print the final job table as JSON.") var json = false
    @ArgumentParser.Flag(help: "With --db: queue the jobs for the workers and return at once.") var detach = false

    func validate() throws {
        guard (1...64).contains(concurrency) else {
            throw ValidationError("--concurrency \(concurrency): must be 1–64")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let server = try parseServer(targetServer)
            let batchFile = try readBatchFile(file)
            guard batchFile.isValid else {
                throw BatchFileInvalid(file: file, problems: batchFile.problems, json: json)
            }
            let provisioner = try provisioning.make()
            let batches = try await batchStore.open(creating: true)
            let box = try batchStore.secretBox()
            let rows = try batchFile.rows.map { row in
                (
                    row,
                    SealedCredentials(
                        source: try box.seal(row.sourcePassword), target: try box.seal(row.targetPassword))
                )
            }
            let batchName = name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let batch = try await batches.upsertBatch(name: batchName, targetServer: serverText(server), rows: rows)
            let jobs = try await runBatchHere(
                batch, batches: batches, box: box, server: server, connection: connection, concurrency: concurrency,
                storeRoot: batchStore.store, provisioner: provisioner, report: report,
                perHostConnections: perHostConnections, archiveKey: try encryption.sealingKey(), detach: detach)
            try finishBatch(jobs, json: json)
        }
    }
}

/// Runs a batch's queued jobs in this process, holding the batch's lock: Ctrl-C or SIGTERM
/// pauses the running jobs at their next commit (a second one ends the process at once).
func runBatchHere(
    _ batch: BatchRecord, batches: any BatchStore, box: SecretBox, server: IMAPEndpoint,
    connection: ConnectionOptions,
    concurrency: Int, storeRoot: String, provisioner: MailboxProvisioner?, report: ReportOptions,
    perHostConnections: Int = 8, archiveKey: ArchiveKey? = nil, detach: Bool = false
) async throws -> [BatchJob] {
    let started = Date()
    if let shared = batches as? PostgresBatchStore {
        try await shared.setLimits(batchID: batch.id, perHostConnections: perHostConnections, connectionsPerJob: 2)
        return try await followSharedBatch(
            batch, store: shared, started: started, report: report, storeRoot: storeRoot, detach: detach)
    }
    let lock: StoreLock
    do {
        lock = try BatchRunner.lock(storeRoot: storeRoot, batch: batch)
    } catch StoreError.locked(_, let pid) {
        throw CommandFailure(
            message:
                "batch \(batch.name) is being run by process \(pid.map(String.init) ?? "?"); its queue is picked up there",
            exitCode: .badInput)
    }
    defer { lock.release() }
    let interrupted = InterruptFlag()
    let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in
        if interrupted.raise() == 1 {
            StandardStreams.err(
                "\nmailferry: pausing the running jobs at their next commit (Ctrl-C again to stop at once)…\n")
            Task { try? await batches.request(.pause, batchID: batch.id, jobIDs: nil) }
        } else {
            StandardStreams.err("mailferry: stopped at once; `batch resume \(batch.name)` goes on\n")
            // _exit, not exit: atexit handlers racing the running threads crashed the process (SIGSEGV).
            _exit(130)
        }
    }
    defer { signals.cancel() }
    let live = BatchLiveView(batch: batch, store: batches, started: started)
    live.start()
    defer { live.stop() }
    let runner = BatchRunner(
        store: batches, storeRoot: storeRoot, batch: batch, box: box, targetServer: server, concurrency: concurrency
    ) { endpoint, isSource in
        connection.clientConfiguration(for: endpoint, side: isSource ? .source : .target)
    }
    runner.provisioner = provisioner
    runner.perHostConnections = perHostConnections
    runner.archiveKey = archiveKey
    let jobs = try await runner.run()
    return try await concludeBatch(
        batch, store: batches, jobs: jobs, interrupted: interrupted.count > 0, started: started, report: report,
        storeRoot: storeRoot)
}

/// Ctrl-C paused the batch: the table, then exit 130.
struct BatchInterrupted: Error {
    var name: String
    var jobs: [BatchJob]
}

final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func raise() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// The final table (or JSON) and the exit code: 0 all done, 1 some failed or had skips, 130
/// some were paused or stopped (from this terminal or another).
func finishBatch(_ jobs: [BatchJob], json: Bool) throws {
    try emit(jobs, json: json, text: BatchStatusText.table(jobs))
    if jobs.contains(where: { $0.state == .failed || $0.state == .doneWithSkips }) { throw ExitCode.partialFailure }
    if jobs.contains(where: { $0.state == .paused || $0.state == .stopped }) { throw ExitCode.stopped }
}

/// A batch on a shared database: its jobs are the workers' (`mailferry worker`); this follows
/// them until none is queued or running, then delivers the report. Ctrl-C stops following only.
func followSharedBatch(
    _ batch: BatchRecord, store: PostgresBatchStore, started: Date, report: ReportOptions, storeRoot: String,
    detach: Bool
) async throws -> [BatchJob] {
    let queued = try await store.jobs(batchID: batch.id).filter { $0.state == .queued || $0.state.isActive }
    let alive = try await store.workers().filter { $0.state == "running" && Date().timeIntervalSince($0.seenAt) < 60 }
    StandardStreams.err(
        "mailferry: batch \(batch.name): \(queued.count) job(s) queued in \(store.location) for the workers; "
            + "\(alive.count) worker(s) running\(alive.isEmpty ? " — start `mailferry worker --db …` on each machine" : "")\n"
    )
    if detach {
        StandardStreams.err("mailferry: follow with `mailferry batch status \(batch.name) --watch --db …`\n")
        return try await store.jobs(batchID: batch.id)
    }
    let interrupted = InterruptFlag()
    let signals = SignalWatcher([SIGINT, SIGTERM]) { _ in
        if interrupted.raise() == 1 {
            StandardStreams.err(
                "\nmailferry: no longer following; the workers go on (`batch pause \(batch.name) --db …` pauses them)\n"
            )
        }
    }
    defer { signals.cancel() }
    let live = BatchLiveView(batch: batch, store: store, started: started)
    live.start()
    defer { live.stop() }
    let jobs = try await store.jobsWhenSettled(batchID: batch.id) { interrupted.count == 0 }
    return try await concludeBatch(
        batch, store: store, jobs: jobs, interrupted: interrupted.count > 0, started: started, report: report,
        storeRoot: storeRoot)
}

/// The end of a run: an interrupted one shows its table (exit 130); a finished one delivers
/// its report.
func concludeBatch(
    _ batch: BatchRecord, store: any BatchStore, jobs: [BatchJob], interrupted: Bool, started: Date,
    report: ReportOptions, storeRoot: String
) async throws -> [BatchJob] {
    if interrupted { throw BatchInterrupted(name: batch.name, jobs: jobs) }
    let record = (try? await store.batch(named: batch.name)).flatMap { $0 } ?? batch
    try BatchReports.deliver(
        BatchReport(batch: record, jobs: jobs, started: started, finished: Date()), options: report,
        storeRoot: storeRoot)
    return jobs
}
