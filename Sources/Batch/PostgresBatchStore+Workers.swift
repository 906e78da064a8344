import Foundation
import Logging
import PostgresNIO

/// A `mailferry worker` as the shared database knows it.
public struct WorkerRecord: Sendable, Equatable, Codable {
    public var name: String
    public var host: String
    public var pid: Int
    public var store: String
    public var concurrency: Int
    public var startedAt: Date
    public var seenAt: Date
    /// running, draining or stopped.
    public var state: String

    public init(
        name: String, host: String, pid: Int, store: String, concurrency: Int, startedAt: Date = Date(),
        seenAt: Date = Date(), state: String = "running"
    ) {
        self.name = name; self.host = host; self.pid = pid; self.store = store; self.concurrency = concurrency
        self.startedAt = startedAt; self.seenAt = seenAt; self.state = state
    }
}

/// Another live worker already answers to this name.
public struct WorkerNameTaken: Error, CustomStringConvertible, Sendable {
    public var name: String
    public var host: String
    public var pid: Int
    public var description: String {
        "a worker named \(name) is running on \(host) (pid \(pid)); give this one another --name"
    }
}

/// A job a worker claimed, with what running it needs from its batch.
public struct WorkerClaim: Sendable {
    public var job: BatchJob
    public var batch: BatchRecord
    public var credentials: SealedCredentials?
    public var connectionsPerJob: Int
}

/// What wakes a worker: work queued, or a pause or stop asked of a job.
public enum WorkerWake: Sendable, Equatable {
    case queued(batchID: Int64)
    case request(jobID: Int64)
}

/// The MAILFERRY_SECRET_KEY given differs from the one the database's credentials are sealed with.
public struct SecretKeyMismatch: Error, CustomStringConvertible, Sendable {
    public var location: String
    public var description: String {
        "MAILFERRY_SECRET_KEY is not the key the credentials in \(location) were sealed with; every worker and "
            + "every `batch`/`serve` on this database needs the same key"
    }
}

/// Workers on many machines: leases, heartbeats, takeover, per-host caps over every worker.
extension PostgresBatchStore {
    static let activeStates = "('checking', 'provisioning', 'migrating', 'verifying')"

    /// Records the worker as running; refused while another process with that name is alive
    /// (seen within `lease`).
    public func register(_ worker: WorkerRecord, lease: Duration) async throws {
        try await transaction { connection in
            for try await (host, pid) in try await connection.query(
                """
                SELECT host, pid FROM worker WHERE name = \(worker.name) AND state <> 'stopped'
                    AND seen_at > now() - make_interval(secs => \(lease.seconds)) FOR UPDATE
                """, logger: logger
            ).decode((String, Int).self) where host != worker.host || pid != worker.pid {
                throw WorkerNameTaken(name: worker.name, host: host, pid: pid)
            }
            try await connection.query(
                """
                INSERT INTO worker (name, host, pid, store, concurrency, started_at, seen_at, state)
                VALUES (\(worker.name), \(worker.host), \(worker.pid), \(worker.store), \(worker.concurrency), now(),
                    now(), 'running')
                ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, store = excluded.store,
                    concurrency = excluded.concurrency, started_at = now(), seen_at = now(), state = 'running'
                """, logger: logger)
            // Jobs still held under this name belong to an earlier process that died: this one
            // has claimed nothing yet. They go back to the queue at once (a claim spares the
            // claimer's own jobs, so nobody else would release them while the name is live).
            var released: [Int64] = []
            for try await id in try await connection.query(
                """
                UPDATE batch_job SET state = CASE request WHEN 'pause' THEN 'paused' WHEN 'stop' THEN 'stopped'
                    ELSE 'queued' END, request = 'none', lease_until = NULL
                WHERE worker = \(worker.name) AND state IN \(unescaped: Self.activeStates)
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                released.append(id)
            }
            if !released.isEmpty {
                try await connection.query("DELETE FROM job_progress WHERE job_id = ANY(\(released))", logger: logger)
                logger.notice(
                    "worker \(worker.name): \(released.count) job(s) left running by its previous process are queued again"
                )
            }
        }
    }

    /// The worker says it is draining (no new claims) or has stopped.
    public func setWorkerState(_ name: String, _ state: String) async throws {
        try await client.query(
            "UPDATE worker SET state = \(state), seen_at = now() WHERE name = \(name)", logger: logger)
    }

    public func workers() async throws -> [WorkerRecord] {
        var result: [WorkerRecord] = []
        for try await (name, host, pid, store, concurrency, started, seen, state) in try await client.query(
            "SELECT name, host, pid, store, concurrency, started_at, seen_at, state FROM worker ORDER BY name",
            logger: logger
        ).decode((String, String, Int, String, Int, Date, Date, String).self) {
            result.append(
                WorkerRecord(
                    name: name, host: host, pid: pid, store: store, concurrency: concurrency, startedAt: started,
                    seenAt: seen, state: state))
        }
        return result
    }

    /// Jobs whose worker stopped renewing its lease go back to the queue (or to the pause or
    /// stop asked of them); returns them with the worker that lost them. `sparing`: the claiming worker, whose own jobs are alive (it is running them) even if a
    /// stalled machine let their leases lapse; other workers will judge those.
    static func expireLeases(
        _ connection: PostgresConnection, logger: Logger, sparing worker: String?
    ) async throws
        -> [(jobID: Int64, worker: String?)]
    {
        var expired: [(jobID: Int64, worker: String?)] = []
        for try await (id, worker) in try await connection.query(
            """
            UPDATE batch_job SET state = CASE request WHEN 'pause' THEN 'paused' WHEN 'stop' THEN 'stopped'
                ELSE 'queued' END, request = 'none', lease_until = NULL
            WHERE state IN \(unescaped: activeStates) AND lease_until < now()
                AND worker IS DISTINCT FROM \(worker)
            RETURNING id, worker
            """, logger: logger
        ).decode((Int64, String?).self) {
            expired.append((id, worker))
        }
        if !expired.isEmpty {
            let ids = expired.map(\.jobID)
            try await connection.query("DELETE FROM job_progress WHERE job_id = ANY(\(ids))", logger: logger)
        }
        return expired
    }

    /// Claims the next queued job of any open batch for `worker`, leased for `lease`, in one
    /// transaction that first takes over expired leases. Claims are serialised (an advisory
    /// lock) so the per-host cap, counted over every worker's running jobs, holds. A job whose
    /// store sits with another live worker is left to it for `affinityWait` after being queued.
    public func claimJob(
        worker: String, lease: Duration, affinityWait: Duration = .seconds(60)
    ) async throws
        -> WorkerClaim?
    {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7309413128)", logger: logger)
            let expired = try await Self.expireLeases(connection, logger: logger, sparing: worker)
            for (id, previous) in expired {
                logger.notice("job \(id): the lease of worker \(previous ?? "?") ran out; it is queued again")
            }
            let query: PostgresQuery = """
                UPDATE batch_job SET state = 'checking', worker = \(worker),
                    lease_until = now() + make_interval(secs => \(lease.seconds)), started_at = now(),
                    finished_at = NULL, failure_kind = NULL, last_error = NULL
                WHERE id = (
                    SELECT j.id FROM batch_job j JOIN batch b ON b.id = j.batch_id
                    CROSS JOIN LATERAL (
                        SELECT COALESCE(sum(ab.connections_per_job), 0) AS used FROM batch_job a
                        JOIN batch ab ON ab.id = a.batch_id
                        WHERE a.state IN \(unescaped: Self.activeStates)
                            AND lower(a.source_server) = lower(j.source_server)) host
                    WHERE j.state = 'queued' AND b.closed_at IS NULL
                        AND (host.used = 0 OR host.used + b.connections_per_job <= b.per_host_connections)
                        AND (j.store_worker IS NULL OR j.store_worker = \(worker)
                            OR j.queued_at < now() - make_interval(secs => \(affinityWait.seconds))
                            OR NOT EXISTS (SELECT 1 FROM worker w WHERE w.name = j.store_worker
                                AND w.state = 'running' AND w.seen_at > now() - make_interval(secs => \(lease.seconds))))
                    ORDER BY CASE WHEN j.store_worker = \(worker) THEN 0 ELSE 1 END, b.id, j.line, j.id
                    LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
                RETURNING \(unescaped: Self.jobColumns), source_secret, target_secret
                """
            var claimed: (BatchJob, SealedCredentials?)?
            for try await row in try await connection.query(query, logger: logger) {
                let job = try Self.job(row)
                let cells = row.makeRandomAccess()
                let source = try cells["source_secret"].decode(Data?.self)
                let target = try cells["target_secret"].decode(Data?.self)
                claimed = (job, source.flatMap { s in target.map { SealedCredentials(source: s, target: $0) } })
            }
            guard let (job, credentials) = claimed else { return nil }
            for try await row in try await connection.query(
                """
                SELECT id, name, target_server, created_at, closed_at, runs, connections_per_job FROM batch
                WHERE id = \(job.batchID)
                """, logger: logger)
            {
                let (id, name, targetServer, createdAt, closedAt, runs, perJob) = try row.decode(
                    (Int64, String, String, Date, Date?, Int, Int).self)
                let batch = BatchRecord(
                    id: id, name: name, targetServer: targetServer, createdAt: createdAt, closedAt: closedAt, runs: runs
                )
                return WorkerClaim(job: job, batch: batch, credentials: credentials, connectionsPerJob: perJob)
            }
            return nil
        }
    }

    /// Renews the worker's presence and the leases of the jobs it runs; returns the jobs it still
    /// holds (one missing was taken over: the worker must stop running it).
    public func heartbeat(worker: String, lease: Duration) async throws -> Set<Int64> {
        try await transaction { connection in
            try await connection.query("UPDATE worker SET seen_at = now() WHERE name = \(worker)", logger: logger)
            var held = Set<Int64>()
            for try await id in try await connection.query(
                """
                UPDATE batch_job SET lease_until = now() + make_interval(secs => \(lease.seconds))
                WHERE worker = \(worker) AND lease_until IS NOT NULL AND state IN \(unescaped: Self.activeStates)
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                held.insert(id)
            }
            return held
        }
    }

    /// Saves a job only while `worker` holds it; false once its lease was taken over.
    public func save(_ job: BatchJob, worker: String) async throws -> Bool {
        try await save(job, heldBy: worker)
    }

    /// Pause and stop requests for the jobs `worker` runs.
    public func pendingRequests(worker: String) async throws -> [Int64: BatchRequest] {
        var result: [Int64: BatchRequest] = [:]
        for try await (id, request) in try await client.query(
            """
            SELECT id, request FROM batch_job
            WHERE worker = \(worker) AND lease_until IS NOT NULL AND request <> 'none'
            """, logger: logger
        ).decode((Int64, String).self) {
            result[id] = BatchRequest(rawValue: request) ?? BatchRequest.none
        }
        return result
    }

    /// The connection limits every worker applies to the batch's jobs together.
    public func setLimits(batchID: Int64, perHostConnections: Int, connectionsPerJob: Int) async throws {
        try await client.query(
            """
            UPDATE batch SET per_host_connections = \(max(1, perHostConnections)),
                connections_per_job = \(max(1, connectionsPerJob)) WHERE id = \(batchID)
            """, logger: logger)
    }

    /// Runs `consume` with every wake-up notified on the database until it returns or throws
    /// (the listening connection is the pool's, given back after).
    public func listen(_ consume: @Sendable (WorkerWake) async -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: "mailferry") { notifications in
                for try await notification in notifications {
                    let parts = notification.payload.split(separator: " ")
                    guard parts.count == 2, let id = Int64(parts[1]) else { continue }
                    await consume(parts[0] == "queue" ? .queued(batchID: id) : .request(jobID: id))
                }
            }
        }
    }

    /// Every process on one database must seal with one key: the first records a value sealed
    /// with its key; the others must open it.
    public func checkSecretKey(_ box: SecretBox) async throws {
        let probe = "mailferry secret key check"
        try await transaction { connection in
            try await connection.query("LOCK TABLE mailferry_setting IN EXCLUSIVE MODE", logger: logger)
            for try await sealed in try await connection.query(
                "SELECT value FROM mailferry_setting WHERE name = 'secret_key_check'", logger: logger
            ).decode(Data.self) {
                guard (try? box.open(sealed)) == probe else { throw SecretKeyMismatch(location: "\(location)") }
                return
            }
            let sealed = try box.seal(probe)
            try await connection.query(
                "INSERT INTO mailferry_setting (name, value) VALUES ('secret_key_check', \(sealed))", logger: logger)
        }
    }
}

extension Duration {
    /// Whole and fractional seconds, for SQL intervals.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
