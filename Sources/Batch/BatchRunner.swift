import Foundation
import IMAPClient
import Logging
import MailArchive
import MailStore
import Migration

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

    public init(
        store: BatchStore, storeRoot: String, batch: BatchRecord, box: SecretBox, targetServer: IMAPEndpoint,
        concurrency: Int = 4, connectionsPerJob: Int = 2, pollInterval: Duration = .milliseconds(300),
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.store = store; self.storeRoot = storeRoot; self.batch = batch; self.box = box
        self.targetServer = targetServer; self.concurrency = max(1, concurrency)
        self.connectionsPerJob = max(1, connectionsPerJob); self.pollInterval = pollInterval; self.configure = configure
    }

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
        let watcher = Task { [self] in await watchRequests() }
        defer { watcher.cancel() }
        let reporter = Task { [self] in await reportProgress() }
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
        var job = claimed
        let control = JobControl()
        register(job.id, control)
        defer { register(job.id, nil) }
        do {
            guard let sealed = try await store.credentials(jobID: job.id) else {
                throw JobFailure(
                    grade: .configuration, kind: .configuration,
                    message: "the batch was closed and its credentials wiped; run the batch file again")
            }
            let sourcePassword = try box.open(sealed.source), targetPassword = try box.open(sealed.target)
            let row = job.row
            let source = configure(row.sourceEndpoint, true)
            let target = configure(row.targetEndpoint(on: targetServer), false)
            // checking: the source login first, so a wrong password is reported as such.
            let sourceClient = try await IMAPClient.loggedIn(source, password: sourcePassword)
            await sourceClient.logout()
            if job.createMailbox {
                job.state = .provisioning
                try await store.save(job)
                try await ensureMailbox(target, password: targetPassword)
            }
            job.state = .migrating
            try await store.save(job)
            log.info("line \(job.line) \(job.sourceUser) → \(job.targetUser): migrating (store job \(job.storeJob))")
            let migrationJob = MigrationJob(
                storeRoot: storeRoot, name: job.storeJob, control: control, console: { _ in SwiftLogNoOpLogHandler() })
            let pullProgress = TransferProgress(), pushProgress = TransferProgress()
            track(job.id, (pullProgress, pushProgress))
            defer { track(job.id, nil) }
            var pull = PullOptions(
                source: source, storeRoot: storeRoot, job: job.storeJob, connections: connectionsPerJob)
            pull.archiveKey = archiveKey
            let summary = try await migrationJob.migrate(
                pull: pull,
                push: PushOptions(
                    target: target, storeRoot: storeRoot, job: job.storeJob, connections: connectionsPerJob),
                sourcePassword: sourcePassword, targetPassword: targetPassword, pullProgress: pullProgress,
                pushProgress: pushProgress)
            job.messages = Int64(summary.push.uploaded)
            job.bytes = summary.push.bytes
            job.skipped = Int64(summary.pull.issues.count + summary.push.skipped)
            job.flagUpdates = Int64(summary.push.flagUpdates)
            job.state = .verifying
            try await store.save(job)
            let report = try await migrationJob.verify(
                VerifyEngine(target: target, storeRoot: storeRoot, job: job.storeJob), targetPassword: targetPassword,
                sourcePassword: nil)
            if report.isEqual {
                job.state = summary.hasFailures ? .doneWithSkips : .done
            } else {
                job.state = .failed
                job.failureKind = "verify"
                job.lastError = "verify found \(report.problems.count) difference(s) between the store and the target"
            }
            job.passes += 1
        } catch is JobStopped {
            let request = (try? await store.pendingRequests(batchID: batch.id)[job.id]) ?? .pause
            job.state = request == .stop ? .stopped : .paused
        } catch {
            let failure = JobFailure(classifying: error)
            job.state = .failed
            job.failureKind = failure.kind.rawValue
            job.lastError = failure.message
        }
        job.finishedAt = Date()
        try? await store.save(job)
        let counts = "\(job.messages) messages, \(job.bytes) bytes, \(job.skipped) skipped"
        log.info(
            "line \(job.line) \(job.sourceUser) → \(job.targetUser): \(job.state.rawValue) (\(counts))\(job.lastError.map { ": \($0)" } ?? "")"
        )
    }

    /// A mailbox that takes the login exists; one that does not is created by the provisioner
    /// and must then take the login.
    private func ensureMailbox(_ target: IMAPClientConfiguration, password: String) async throws {
        do {
            let client = try await IMAPClient.loggedIn(target, password: password)
            await client.logout()
            return
        } catch let error as IMAPError {
            guard case .authenticationFailed = error else { throw error }
        }
        let address = target.endpoint.user
        guard let provisioner else {
            throw JobFailure(
                grade: .job, kind: .provisioning,
                message:
                    "\(address) cannot log in on the target and no provisioner is configured (--provisioner) to create it"
            )
        }
        do {
            _ = try await provisioner.ensureMailbox(address: address, password: password)
            // A mailbox just created can take a moment to accept logins (a server re-reads its
            // user list at most once a second; a panel's API may be slower still).
            var attempt = 0
            while true {
                do {
                    let client = try await IMAPClient.loggedIn(target, password: password)
                    await client.logout()
                    break
                } catch IMAPError.authenticationFailed where attempt < 20 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
        } catch let failure as ProvisioningFailed {
            throw JobFailure(grade: .job, kind: .provisioning, message: failure.description)
        } catch let error as IMAPError {
            throw JobFailure(
                grade: .job, kind: .provisioning,
                message: "\(address) was provisioned but its login still fails: \(error)")
        }
    }
}
