import Foundation
import IMAPClient
import Logging
import MailArchive
import Migration
import Transport

/// `mailferry worker`: claims jobs of every open batch in the shared PostgreSQL database, up to
/// `concurrency` at once, each under a lease its heartbeat renews. A worker that dies loses its
/// leases and another one takes its jobs; `drain` (SIGTERM) stops claiming, stops the running
/// jobs at their next commit and gives them back to the queue. Pause and stop requests reach a
/// running job through LISTEN/NOTIFY at once, or the heartbeat's poll at the latest.
public final class BatchWorker: @unchecked Sendable {
    public struct Settings: Sendable {
        public var name: String
        public var storeRoot: String
        public var concurrency: Int
        /// How long a job stays claimed without a heartbeat before another worker takes it.
        public var lease: Duration = .seconds(30)
        public var heartbeat: Duration = .seconds(5)
        /// Idle: how often to look for work when no notification came.
        public var idlePoll: Duration = .seconds(5)
        /// How long a queued job whose store sits with another live worker is left to it.
        public var affinityWait: Duration = .seconds(60)
        public var progressInterval: Duration = .seconds(1)
        /// How long one database call may take before the worker gives up on it.
        public var databaseDeadline: Duration = .seconds(15)

        public init(name: String, storeRoot: String, concurrency: Int) {
            self.name = name; self.storeRoot = storeRoot; self.concurrency = max(1, concurrency)
        }
    }

    public let store: PostgresBatchStore
    public let settings: Settings
    private let box: SecretBox
    private let targetServer: @Sendable (BatchRecord) throws -> IMAPEndpoint
    private let configure: @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    /// The provisioner for a batch's `create_mailbox` lines (nil: such a missing mailbox fails).
    public var provisioner: (@Sendable (BatchRecord) async throws -> MailboxProvisioner?)?
    public var archiveKey: ArchiveKey?
    private let log: Logger

    private let lock = NSLock()
    private var controls: [Int64: JobControl] = [:]
    private var counters: [Int64: (pull: TransferProgress, push: TransferProgress)] = [:]
    private var draining = false
    private var runningCount = 0
    private let wake = WakeSignal()
    /// Where the listener, the heartbeat and the progress reports run: the jobs' commits block
    /// pool threads (2 on 2 cores) for as long as a disk takes, and a pause must still be heard
    /// within a second and a lease renewed in time.
    private let controlThread = DedicatedThread(name: "worker control")

    public init(
        store: PostgresBatchStore, settings: Settings, box: SecretBox, log: Logger,
        targetServer: @escaping @Sendable (BatchRecord) throws -> IMAPEndpoint,
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.store = store; self.settings = settings; self.box = box; self.log = log
        self.targetServer = targetServer; self.configure = configure
    }

    deinit { controlThread.stop() }

    /// Stops claiming; the running jobs stop at their next commit and are queued again.
    public func drain() {
        lock.lock()
        let first = !draining
        draining = true
        let running = Array(controls.values)
        lock.unlock()
        guard first else { return }
        log.notice("worker \(settings.name): draining, \(running.count) running job(s) go back to the queue")
        for control in running { control.stop.requestStop() }
        wake.fire()
    }

    private var isDraining: Bool { lock.lock(); defer { lock.unlock() }; return draining }

    /// Runs until drained and every job it ran has ended.
    public func run() async throws {
        let record = WorkerRecord(
            name: settings.name, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()),
            store: settings.storeRoot, concurrency: settings.concurrency)
        try await store.register(record, lease: settings.lease)
        log.info(
            "worker \(settings.name) on \(record.host) (pid \(record.pid)): \(settings.concurrency) job(s) at a time, store \(settings.storeRoot), database \(store.location)"
        )
        let listener = Task(executorPreference: controlThread) { [self] in await listen() }
        defer { listener.cancel() }
        let heartbeat = Task(executorPreference: controlThread) { [self] in await beat() }
        defer { heartbeat.cancel() }
        let reporter = Task(executorPreference: controlThread) { [self] in await reportProgress() }
        defer { reporter.cancel() }
        await withTaskGroup(of: Void.self) { group in
            while !isDraining {
                while !isDraining, reserveSlot() {
                    let claim: WorkerClaim?
                    do {
                        let store = self.store, settings = self.settings
                        claim = try await withDeadline(settings.databaseDeadline, "claiming a job") {
                            try await store.claimJob(
                                worker: settings.name, lease: settings.lease, affinityWait: settings.affinityWait)
                        }
                    } catch {
                        log.error("worker \(settings.name): cannot claim a job: \(PostgresStoreError.describe(error))")
                        claim = nil
                    }
                    guard let claim else {
                        releaseSlot()
                        break
                    }
                    group.addTask { [self] in
                        await runJob(claim)
                        releaseSlot()
                        wake.fire()
                    }
                }
                await wake.wait(timeout: settings.idlePoll)
            }
            await group.waitForAll()
        }
        let store = self.store, name = settings.name
        _ = try? await withDeadline(settings.databaseDeadline, "recording the worker stopped") {
            try await store.setWorkerState(name, "stopped")
        }
        log.notice("worker \(settings.name): stopped")
    }

    private func reserveSlot() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard runningCount < settings.concurrency else { return false }
        runningCount += 1
        return true
    }

    private func releaseSlot() { lock.lock(); runningCount -= 1; lock.unlock() }

    private func runningControls() -> [Int64: JobControl] { lock.withLock { controls } }

    private func control(for id: Int64) -> JobControl? { lock.lock(); defer { lock.unlock() }; return controls[id] }

    private func register(_ id: Int64, _ control: JobControl?) {
        lock.lock(); controls[id] = control; lock.unlock()
    }

    private func runJob(_ claim: WorkerClaim) async {
        let control = JobControl()
        register(claim.job.id, control)
        defer { register(claim.job.id, nil) }
        if isDraining { control.stop.requestStop() }
        let store = self.store, name = settings.name, jobID = claim.job.id, deadline = settings.databaseDeadline
        var provisioner: MailboxProvisioner?
        var job = claim.job
        job.worker = name
        do {
            provisioner = try await self.provisioner?(claim.batch)
            let server = try targetServer(claim.batch)
            log.info(
                "worker \(name): batch \(claim.batch.name) line \(job.line) \(job.sourceUser) → \(job.targetUser)")
            let executor = BatchJobExecutor(
                storeRoot: settings.storeRoot, box: box, connectionsPerJob: claim.connectionsPerJob,
                archiveKey: archiveKey, provisioner: provisioner, configure: configure)
            _ = await executor.run(
                job, targetServer: server, credentials: claim.credentials, control: control, log: log,
                save: { job in
                    let saved = try await withDeadline(deadline, "saving job \(job.id)") {
                        try await store.save(job, worker: name)
                    }
                    guard saved else { throw LeaseLost(jobID: job.id, worker: name) }
                },
                stoppedState: { [self] in
                    let requests = try? await withDeadline(deadline, "reading requests") {
                        try await store.pendingRequests(worker: name)
                    }
                    switch requests?[jobID] {
                    case .stop?: return .stopped
                    case .pause?: return .paused
                    default: return isDraining ? .queued : .paused
                    }
                },
                track: { [self] id, progress in
                    lock.lock(); counters[id] = progress; lock.unlock()
                })
        } catch {
            job.fail(error)
            let failed = job
            _ = try? await withDeadline(deadline, "saving job \(jobID)") { try await store.save(failed, worker: name) }
            log.error("worker \(name): job \(jobID): \(failed.lastError ?? "\(error)")")
        }
    }

    /// Pause and stop requests, and new work, as the database notifies them; listening again
    /// after a lost connection.
    private func listen() async {
        while !Task.isCancelled {
            do {
                try await store.listen { [self] wake in
                    switch wake {
                    case .queued: self.wake.fire()
                    case .request(let jobID):
                        guard control(for: jobID) != nil else { return }
                        await applyRequests()
                    }
                }
            } catch {
                if Task.isCancelled { return }
                log.warning(
                    "worker \(settings.name): listening for notifications failed (\(PostgresStoreError.describe(error))); polling meanwhile"
                )
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func applyRequests() async {
        let store = self.store, name = settings.name
        guard
            let requests = try? await withDeadline(
                settings.databaseDeadline, "reading requests", on: controlThread,
                {
                    try await store.pendingRequests(worker: name)
                })
        else { return }
        for (id, request) in requests.sorted(by: { $0.key < $1.key }) {
            guard let control = control(for: id), !control.stop.isStopRequested else { continue }
            log.notice("worker \(settings.name): job \(id): \(request.rawValue) asked; stopping at the next commit")
            control.stop.requestStop()
        }
    }

    /// Renews the leases; a job this worker no longer holds is stopped (another worker took it
    /// over after this one was unreachable for a lease). Requests are polled too, in case a
    /// notification was missed.
    private func beat() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.heartbeat)
            do {
                // The jobs running before the renewal is asked: each was claimed (committed)
                // before it was registered, so the renewal's statement sees it. A job claimed
                // after the snapshot is checked at the next beat.
                let running = runningControls()
                let store = self.store, settings = self.settings
                let held = try await withDeadline(settings.lease, "the heartbeat", on: controlThread) {
                    try await store.heartbeat(worker: settings.name, lease: settings.lease)
                }
                for (id, control) in running where !held.contains(id) {
                    log.error("worker \(settings.name): job \(id) was taken over by another worker; stopping it here")
                    control.stop.requestStop()
                }
                await applyRequests()
            } catch  where !Task.isCancelled {
                log.warning("worker \(settings.name): heartbeat failed: \(PostgresStoreError.describe(error))")
            } catch {
                return
            }
        }
    }

    private func reportProgress() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.progressInterval)
            let current = lock.withLock { counters }
            try? await store.saveProgress(
                current.mapValues { BatchJobProgress(pull: $0.pull.snapshot, push: $0.push.snapshot) })
        }
    }
}

/// The worker's lease on the job ran out and another worker took it: this one writes nothing more.
public struct LeaseLost: Error, CustomStringConvertible, Sendable {
    public var jobID: Int64
    public var worker: String
    public var description: String { "worker \(worker) lost job \(jobID) to another worker (its lease ran out)" }
}
