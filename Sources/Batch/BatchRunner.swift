import Foundation
import IMAPClient
import Logging
import MailArchive
import MailStore
import Migration
import Transport

/// Runs a batch's queued jobs, `concurrency` at a time, each through `MigrationJob` (migrate,
/// then verify against the store), until none is queued or running. Pause and stop requests
/// written to the store from any terminal reach a running job within `pollInterval` plus its
/// stop's grace; a job the process was running when it died is queued again by the next runner.
public final class BatchRunner: @unchecked Sendable {
    public let store: BatchStore
    public let storeRoot: String
    public let batch: BatchRecord
    private let box: SecretBox
    private let targetServer: IMAPEndpoint
    private let configure: @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    private let concurrency: Int
    private let connectionsPerJob: Int
    private let pollInterval: Duration
    /// Creates the mailboxes of lines with `create_mailbox`; nil: such a missing mailbox fails.
    public var provisioner: MailboxProvisioner?
    /// Connections all running jobs may hold on one source server together.
    public var perHostConnections = 8
    /// Seals every job's archives encrypted with this key (nil: plain archives).
    public var archiveKey: ArchiveKey?
    private let lock = NSLock()
    private var controls: [Int64: JobControl] = [:]
    private var counters: [Int64: (pull: TransferProgress, push: TransferProgress)] = [:]
    /// How often the running jobs' progress is written to the store.
    public var progressInterval: Duration = .seconds(1)
    private var log = Logger(label: "mailferry.batch") { _ in SwiftLogNoOpLogHandler() }
    /// Where the request watcher and the progress reports run, so the jobs' commits, which
    /// block pool threads, cannot hold up a pause.
    private let controlThread = DedicatedThread(name: "batch control")

    public init(
        store: BatchStore, storeRoot: String, batch: BatchRecord, box: SecretBox, targetServer: IMAPEndpoint,
        concurrency: Int = 4, connectionsPerJob: Int = 2, pollInterval: Duration = .milliseconds(300),
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.store = store; self.storeRoot = storeRoot; self.batch = batch; self.box = box
        self.targetServer = targetServer; self.concurrency = max(1, concurrency)
        self.connectionsPerJob = max(1, connectionsPerJob); self.pollInterval = pollInterval; self.configure = configure
    }

    deinit { controlThread.stop() }

    /// The lock a process running the batch holds (`StoreError.locked` names the holder).
    public static func lock(storeRoot: String, batch: BatchRecord) throws -> StoreLock {
        try StoreLock(path: storeRoot + "/batch-\(batch.id).lock", job: "batch \(batch.name)")
    }

    /// Runs until nothing is queued or running; returns the jobs as they ended.
    public func run() async throws -> [BatchJob] {
        let logs = BatchLogBundle.batchLogDirectory(storeRoot: storeRoot, batch: batch.name)
        try FileManager.default.createDirectory(
            atPath: logs, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let handler = try FileLogHandler(
            path: "\(logs)/\(StoreLayout.timestamp(Date()))-batch-\(StoreLayout.safeFileName(batch.name)).log")
        log = Logger(label: "mailferry.batch") { _ in handler }
        let recovered = try await store.recoverInterrupted(batchID: batch.id)
        log.info("batch \(batch.name) run \(batch.runs) to \(batch.targetServer), \(concurrency) at a time")
        if recovered > 0 { log.notice("\(recovered) job(s) left running by a process that died are queued again") }
        let watcher = Task(executorPreference: controlThread) { [self] in await watchRequests() }
        defer { watcher.cancel() }
        let reporter = Task(executorPreference: controlThread) { [self] in await reportProgress() }
        defer { reporter.cancel() }
        var budget = HostConnectionBudget(cap: perHostConnections, perJob: connectionsPerJob)
        try await withThrowingTaskGroup(of: String.self) { group in
            var running = 0
            while true {
                while running < concurrency,
                    let job = try await store.claimNextJob(batchID: batch.id, skippingHosts: budget.fullHosts)
                {
                    running += 1
                    budget.start(job.sourceServer)
                    group.addTask { [self] in
                        await runJob(job)
                        return job.sourceServer
                    }
                }
                guard running > 0 else { break }
                // A slot frees, or a job resumed from another terminal is queued: look again.
                if let host = try await group.next() { budget.finish(host) }
                running -= 1
            }
        }
        return try await store.jobs(batchID: batch.id)
    }

    /// Applies pause and stop requests to the jobs this runner is running.
    private func watchRequests() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: pollInterval)
            guard let requests = try? await store.pendingRequests(batchID: batch.id) else { continue }
            for id in requests.keys { control(for: id)?.stop.requestStop() }
        }
    }

    /// Writes the running jobs' counters to the store for whoever watches.
    private func reportProgress() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: progressInterval)
            try? await store.saveProgress(liveProgress())
        }
    }

    /// The running jobs' progress now, by job id.
    public func liveProgress() -> [Int64: BatchJobProgress] {
        lock.lock(); let current = counters; lock.unlock()
        return current.mapValues { BatchJobProgress(pull: $0.pull.snapshot, push: $0.push.snapshot) }
    }

    private func track(_ id: Int64, _ progress: (pull: TransferProgress, push: TransferProgress)?) {
        lock.lock(); counters[id] = progress; lock.unlock()
    }

    private func control(for id: Int64) -> JobControl? { lock.lock(); defer { lock.unlock() }; return controls[id] }
    private func register(_ id: Int64, _ control: JobControl?) { lock.lock(); controls[id] = control; lock.unlock() }

    private func runJob(_ claimed: BatchJob) async {
        let control = JobControl()
        register(claimed.id, control)
        defer { register(claimed.id, nil) }
        let executor = BatchJobExecutor(
            storeRoot: storeRoot, box: box, connectionsPerJob: connectionsPerJob, archiveKey: archiveKey,
            provisioner: provisioner, configure: configure)
        let store = self.store, batchID = batch.id
        let credentials: SealedCredentials?
        do {
            credentials = try await store.credentials(jobID: claimed.id)
        } catch {
            var job = claimed
            job.fail(error)
            try? await store.save(job)
            return
        }
        _ = await executor.run(
            claimed, targetServer: targetServer, credentials: credentials, control: control, log: log,
            save: { try await store.save($0) },
            stoppedState: {
                let request = (try? await store.pendingRequests(batchID: batchID)[claimed.id]) ?? .pause
                return request == .stop ? .stopped : .paused
            },
            track: { [self] id, progress in track(id, progress) })
    }
}
