import ArgumentParser
import Batch
import Foundation
import Logging
import MailStore
import Migration
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract:
            "Run the jobs of every batch in a shared PostgreSQL database, N at a time, beside any number of other workers.",
        discussion: """
            Each job is claimed under a lease the worker renews every few seconds; a worker that dies loses its leases \
            and another takes its jobs over (no message twice: the target is matched before uploading). SIGTERM or \
            Ctrl-C drains: no new claims, the running jobs stop at their next commit and go back to the queue (kill -9 \
            ends it at once: its jobs are taken over once their leases run out). Exit 130 once drained. Pause and stop from `batch pause --db …` or the status page reach the running \
            job within a second. Each job's Maildir, manifest and archives stay under this worker's --store; its \
            differential pass goes to it first (docs/scale.md).
            The database password comes from MAILFERRY_DB_PASSWORD; MAILFERRY_SECRET_KEY must be the same on every machine.

            Examples:
              mailferry worker --db postgres://mailferry@db.internal/mailferry --store /srv/mailferry --concurrency 4
              mailferry worker --db postgres://mailferry@db.internal/mailferry --name mx-worker-3 --ca-file ca.pem
            """)

    @OptionGroup var batchStore: BatchStoreOptions
    @Option(help: "Mailboxes migrated at once by this worker.") var concurrency = 4
    @Option(help: "This worker's name in the database (default: the host name); unique among running workers.")
    var name: String?
    @Option(help: "Seconds a job stays claimed without a heartbeat before another worker takes it over.")
    var leaseSeconds = 30
    @OptionGroup var provisioning: ProvisionerOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var encryption: EncryptOptions

    func validate() throws {
        guard (1...64).contains(concurrency) else {
            throw ValidationError("--concurrency \(concurrency): must be 1–64")
        }
        guard (3...3600).contains(leaseSeconds) else {
            throw ValidationError("--lease-seconds \(leaseSeconds): must be 3–3600")
        }
    }

    func run() async throws {
        try await reportingFailures {
            guard let location = try batchStore.sharedDatabase else {
                throw CommandFailure(
                    message: "worker needs --db postgres://user@host/database (or MAILFERRY_DB): the queue it shares",
                    exitCode: .badInput)
            }
            let box = try batchStore.secretBox()
            let workerName = name ?? ProcessInfo.processInfo.hostName
            guard !workerName.isEmpty, workerName.count <= 100 else {
                throw CommandFailure(message: "--name must be 1–100 characters", exitCode: .badInput)
            }
            try FileManager.default.createDirectory(
                atPath: batchStore.store, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let log = try Self.logger(store: batchStore.store, name: workerName)
            let store = try await BatchStoreOptions.connect(location, logger: log)
            defer { store.shutdown() }
            try await store.checkSecretKey(box)
            var settings = BatchWorker.Settings(name: workerName, storeRoot: batchStore.store, concurrency: concurrency)
            settings.lease = .seconds(leaseSeconds)
            settings.heartbeat = .seconds(max(1, leaseSeconds / 6))
            let connection = self.connection
            let worker = BatchWorker(
                store: store, settings: settings, box: box, log: log,
                targetServer: { batch in try parseServer(batch.targetServer) },
                configure: { endpoint, isSource in
                    connection.clientConfiguration(for: endpoint, side: isSource ? .source : .target)
                })
            worker.archiveKey = try encryption.sealingKey()
            worker.provisioner = try provisionerForBatch(store: store, box: box)
            do {
                try await ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: [.init(service: WorkerService(worker: worker))],
                        gracefulShutdownSignals: [.sigterm, .sigint], logger: log)
                ).run()
            } catch let taken as WorkerNameTaken {
                throw CommandFailure(message: taken.description, exitCode: .badInput)
            }
            // A worker only ends when drained (SIGTERM, Ctrl-C): stopped by the user, as the
            // product's exit codes say (systemd: SuccessExitStatus=130).
            StandardStreams.err("mailferry: worker \(workerName) drained; its unfinished jobs are back in the queue\n")
            throw ExitCode.stopped
        }
    }

    /// The provisioner configured here, with the administrator the web form gave for the batch
    /// (kept sealed in the database) or else the one given here.
    private func provisionerForBatch(
        store: PostgresBatchStore, box: SecretBox
    ) throws
        -> (@Sendable (BatchRecord) async throws -> MailboxProvisioner?)?
    {
        guard let path = provisioning.provisioner else { return nil }
        let configuration: ProvisionerConfiguration
        do { configuration = try ProvisionerConfiguration.load(path) } catch {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
        let fallback = try provisioning.make()
        return { batch in
            let admin = try await store.administrator(batchID: batch.id)
            guard admin.user != nil || admin.sealedPassword != nil else { return fallback }
            return try configuration.provisioner(
                adminUser: admin.user, adminPassword: try admin.sealedPassword.map(box.open))
        }
    }

    /// Info and up on stderr (escaped) and into STORE/logs/worker-NAME-TIME.log.
    private static func logger(store: String, name: String) throws -> Logger {
        let directory = store + "/logs"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = try FileLogHandler(
            path: "\(directory)/worker-\(StoreLayout.safeFileName(name))-\(StoreLayout.timestamp(Date())).log")
        return Logger(label: "mailferry.worker") { label in
            var console = JobContext.warningsToStandardError(label)
            console.logLevel = .info
            var handler = MultiplexLogHandler([console, file])
            handler.logLevel = .info
            return handler
        }
    }
}

/// The worker as a service: graceful shutdown (SIGTERM, Ctrl-C) drains it.
struct WorkerService: Service {
    let worker: BatchWorker

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await worker.run()
        } onGracefulShutdown: {
            worker.drain()
        }
    }
}
