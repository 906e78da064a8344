import Batch
import DNSCheck
import Foundation
import Logging
import MailStore

/// Runs the batches started from the web in this process, one `BatchRunner` per batch holding
/// the batch's lock (so a `batch run` of the same batch elsewhere is refused). State is in the
/// store: a restarted `serve` resumes every batch that still has work.
actor BatchSupervisor {
    let configuration: WebConfiguration
    let store: any BatchStore
    let box: SecretBox
    private var running: [Int64: Task<Void, Never>] = [:]
    private let logger = Logger(label: "mailferry.serve")

    init(configuration: WebConfiguration, store: any BatchStore, box: SecretBox) {
        self.configuration = configuration; self.store = store; self.box = box
    }

    func isRunning(_ batchID: Int64) -> Bool { running[batchID] != nil }

    private var dns: [Int64: String] = [:]
    private var dnsAsked: Set<Int64> = []

    /// dns-check's verdict for the batch's domains: nil until known (the first call starts the
    /// lookups off the pool; they are not repeated in this process).
    func dnsVerdict(_ batch: BatchRecord, jobs: [BatchJob]) -> String? {
        if let known = dns[batch.id] { return known }
        guard !dnsAsked.contains(batch.id) else { return nil }
        dnsAsked.insert(batch.id)
        let domains = Set(
            jobs.compactMap { DomainName.of(address: $0.targetUser) ?? DomainName.of(address: $0.sourceUser) }
        )
        .sorted()
        guard !domains.isEmpty else { return nil }
        let server = configuration.dnsServer
        Thread.detachNewThread {
            let text: String
            do {
                let check = DomainCheck(resolver: try DNSResolver(server: server, timeoutSeconds: 3, attempts: 2))
                text = try domains.map { try check.check($0).text }.joined(separator: "\n\n")
            } catch {
                text = "DNS not checked: \(error)"
            }
            Task { await self.setDNS(batch.id, text) }
        }
        return nil
    }

    private func setDNS(_ batchID: Int64, _ text: String) { dns[batchID] = text }

    /// Starts the batch's runner unless one is running; queued jobs are picked up by it. On a
    /// shared database the workers run the jobs: this follows the batch to its end for the report.
    func start(_ batch: BatchRecord) {
        guard running[batch.id] == nil else { return }
        let configuration = self.configuration, store = self.store, box = self.box, logger = self.logger
        if let shared = store as? PostgresBatchStore {
            running[batch.id] = Task.detached {
                let started = Date()
                do {
                    try await shared.setLimits(
                        batchID: batch.id, perHostConnections: configuration.perHostConnections, connectionsPerJob: 2)
                    let jobs = try await shared.jobsWhenSettled(batchID: batch.id)
                    if let access = try await shared.webAccess(batchID: batch.id) {
                        let record = try await shared.batch(named: batch.name) ?? batch
                        configuration.onBatchEnded?(record, jobs, access, started)
                    }
                } catch {
                    logger.error("batch \(batch.name): \(error)")
                }
                await self.finished(batch.id)
            }
            return
        }
        running[batch.id] = Task.detached {
            let started = Date()
            do {
                let lock = try BatchRunner.lock(storeRoot: configuration.storeRoot, batch: batch)
                defer { lock.release() }
                let runner = BatchRunner(
                    store: store, storeRoot: configuration.storeRoot, batch: batch, box: box,
                    targetServer: configuration.targetServer, concurrency: configuration.concurrency,
                    configure: configuration.configure)
                if let make = configuration.makeProvisioner {
                    let admin = try await store.administrator(batchID: batch.id)
                    runner.provisioner = try make(admin.user, try admin.sealedPassword.map(box.open))
                }
                runner.perHostConnections = configuration.perHostConnections
                let jobs = try await runner.run()
                if let access = (try? await store.webAccess(batchID: batch.id)) ?? nil {
                    let record = (try? await store.batch(named: batch.name)).flatMap { $0 } ?? batch
                    configuration.onBatchEnded?(record, jobs, access, started)
                }
            } catch {
                logger.error("batch \(batch.name): \(error)")
            }
            await self.finished(batch.id)
        }
    }

    private func finished(_ batchID: Int64) { running[batchID] = nil }

    /// At start-up: every web batch with queued or interrupted jobs goes on.
    func resumeUnfinished() async throws {
        for batch in try await store.batches() where batch.closedAt == nil {
            guard (try? await store.webAccess(batchID: batch.id)) ?? nil != nil else { continue }
            let jobs = try await store.jobs(batchID: batch.id)
            if jobs.contains(where: { $0.state == .queued || $0.state.isActive }) { start(batch) }
        }
    }

    /// Waits for every running batch (tests).
    func waitForAll() async {
        while let task = running.values.first { await task.value }
    }
}
