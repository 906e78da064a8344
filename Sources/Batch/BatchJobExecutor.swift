import Foundation
import IMAPClient
import Logging
import MailArchive
import MailStore
import Migration

/// One batch job, start to end: the source login checked, the target mailbox created when the
/// row asks, migrate (pull and push together) into the store under `storeRoot`, then verify.
/// Shared by a batch run in one process (`BatchRunner`) and by workers on many machines
/// (`BatchWorker`); where the job's state is written is the caller's (`save`).
public struct BatchJobExecutor: Sendable {
    public var storeRoot: String
    public var box: SecretBox
    public var configure: @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    public var connectionsPerJob: Int
    /// Seals every job's archives encrypted with this key (nil: plain archives).
    public var archiveKey: ArchiveKey?
    /// Creates the mailboxes of lines with `create_mailbox`; nil: such a missing mailbox fails.
    public var provisioner: MailboxProvisioner?

    public init(
        storeRoot: String, box: SecretBox, connectionsPerJob: Int = 2, archiveKey: ArchiveKey? = nil,
        provisioner: MailboxProvisioner? = nil,
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.storeRoot = storeRoot; self.box = box; self.connectionsPerJob = max(1, connectionsPerJob)
        self.archiveKey = archiveKey; self.provisioner = provisioner; self.configure = configure
    }

    /// What a job whose stop was asked ends as (paused, stopped, or queued again for a drain).
    public typealias StoppedState = @Sendable () async -> BatchJobState

    /// Runs the job to an end state and saves it (`save` also records each step); never throws:
    /// a failure is the job's state and last error.
    public func run(
        _ claimed: BatchJob, targetServer: IMAPEndpoint, credentials: SealedCredentials?, control: JobControl,
        log: Logger, save: @Sendable (BatchJob) async throws -> Void, stoppedState: StoppedState,
        track: @Sendable (Int64, (pull: TransferProgress, push: TransferProgress)?) -> Void
    ) async -> BatchJob {
        var job = claimed
        do {
            guard let sealed = credentials else {
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
                try await save(job)
                try await ensureMailbox(target, password: targetPassword)
            }
            job.state = .migrating
            try await save(job)
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
            try await save(job)
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
            job.state = await stoppedState()
        } catch {
            job.fail(error)
        }
        job.finishedAt = job.state == .queued ? nil : Date()
        try? await save(job)
        let counts = "\(job.messages) messages, \(job.bytes) bytes, \(job.skipped) skipped"
        log.info(
            "line \(job.line) \(job.sourceUser) → \(job.targetUser): \(job.state.rawValue) (\(counts))\(job.lastError.map { ": \($0)" } ?? "")"
        )
        return job
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

extension BatchJob {
    /// Ends the job as failed by `error`: its class and the message people read.
    public mutating func fail(_ error: Error) {
        let failure = JobFailure(classifying: error)
        state = .failed
        failureKind = failure.kind.rawValue
        lastError = failure.message
        finishedAt = Date()
    }
}
