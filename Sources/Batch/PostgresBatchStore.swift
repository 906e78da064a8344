import Foundation
import Logging
import MailStore
import PostgresNIO

/// `BatchStore` in PostgreSQL (postgres-nio), for workers on many machines sharing one queue:
/// claims are `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never take the same job.
/// The schema is migrated on connect, under an advisory lock (workers start at once).
public final class PostgresBatchStore: BatchStore, @unchecked Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    private let running: Task<Void, Never>
    let logger: Logger

    private init(location: PostgresLocation, client: PostgresClient, running: Task<Void, Never>, logger: Logger) {
        self.location = location; self.client = client; self.running = running; self.logger = logger
    }

    /// Connects (the client's pool runs until `shutdown`) and brings the schema up to date.
    public static func connect(
        _ location: PostgresLocation, logger: Logger = Logger(label: "mailferry.postgres")
    )
        async throws -> PostgresBatchStore
    {
        // The pool's own log: errors only. Its warning that a lease came before `run()` had
        // started is a false alarm on every start (it waits), and failures reach the caller
        // as thrown errors anyway.
        var background = logger
        background.logLevel = .error
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration, id: 0, logger: background)
            try await probe.close()
        } catch {
            throw PostgresStoreError(location: location, operation: "connect", underlying: error)
        }
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: background)
        let running = Task { await client.run() }
        let store = PostgresBatchStore(location: location, client: client, running: running, logger: logger)
        do {
            try await store.migrate()
        } catch {
            running.cancel()
            throw PostgresStoreError(location: location, operation: "connect and migrate", underlying: error)
        }
        return store
    }

    /// Closes every connection of the pool.
    public func shutdown() { running.cancel() }

    deinit { running.cancel() }

    // MARK: - Batches

    public func upsertBatch(
        name: String, targetServer: String, rows: [(BatchRow, SealedCredentials)]
    ) async throws -> BatchRecord {
        try await transaction { connection in
            let now = Date()
            try await connection.query(
                """
                INSERT INTO batch (name, target_server, created_at) VALUES (\(name), \(targetServer), \(now))
                ON CONFLICT (name) DO NOTHING
                """, logger: logger)
            try await connection.query(
                "UPDATE batch SET target_server = \(targetServer), closed_at = NULL, runs = runs + 1 WHERE name = \(name)",
                logger: logger)
            let batchID = try await Self.single(
                connection.query("SELECT id FROM batch WHERE name = \(name)", logger: logger), Int64.self)!
            for (row, secrets) in rows {
                let storeJob = SQLiteBatchStore.storeJobName(row)
                try await connection.query(
                    """
                    INSERT INTO batch_job (batch_id, line, source_server, source_port, source_tls, source_user,
                        target_user, create_mailbox, store_job, state, request, source_secret, target_secret)
                    VALUES (\(batchID), \(row.line), \(row.sourceServer), \(row.sourcePort), \(row.sourceTLS),
                        \(row.sourceUser), \(row.targetUser), \(row.createMailbox), \(storeJob), 'queued', 'none',
                        \(secrets.source), \(secrets.target))
                    ON CONFLICT (batch_id, source_server, source_user, target_user) DO UPDATE SET
                        line = excluded.line, source_port = excluded.source_port, source_tls = excluded.source_tls,
                        create_mailbox = excluded.create_mailbox, state = 'queued', request = 'none',
                        source_secret = excluded.source_secret, target_secret = excluded.target_secret
                    """, logger: logger)
            }
            return try await Self.batch(connection, column: "id", equals: batchID)!
        }
    }

    public func batch(named name: String) async throws -> BatchRecord? {
        try await client.withConnection { try await Self.batch($0, column: "name", equals: name) }
    }

    public func batches() async throws -> [BatchRecord] {
        try await client.withConnection { connection in
            var records: [BatchRecord] = []
            for try await row in try await connection.query(
                "SELECT id, name, target_server, created_at, closed_at, runs FROM batch ORDER BY id", logger: logger)
            {
                records.append(try Self.batchRecord(row))
            }
            return records
        }
    }

    /// The batch whose `column` (a name of ours, never input) equals `value`.
    static func batch<Value: PostgresDynamicTypeEncodable>(
        _ connection: PostgresConnection, column: StaticString, equals value: Value
    ) async throws -> BatchRecord? {
        let query: PostgresQuery =
            "SELECT id, name, target_server, created_at, closed_at, runs FROM batch WHERE \(unescaped: "\(column)") = \(value)"
        for try await row in try await connection.query(query, logger: Logger(label: "mailferry.postgres")) {
            return try batchRecord(row)
        }
        return nil
    }

    static func batchRecord(_ row: PostgresRow) throws -> BatchRecord {
        let (id, name, targetServer, createdAt, closedAt, runs) = try row.decode(
            (Int64, String, String, Date, Date?, Int).self)
        return BatchRecord(
            id: id, name: name, targetServer: targetServer, createdAt: createdAt, closedAt: closedAt, runs: runs)
    }

    // MARK: - Jobs

    static let jobColumns = """
        id, batch_id, line, source_server, source_port, source_tls, source_user, target_user, create_mailbox,
        store_job, state, request, failure_kind, last_error, messages, bytes, skipped, flag_updates, started_at,
        finished_at, passes, worker
        """

    static func job(_ row: PostgresRow) throws -> BatchJob {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ name: String, _ type: T.Type) throws -> T { try cells[name].decode(T.self) }
        return BatchJob(
            id: try value("id", Int64.self), batchID: try value("batch_id", Int64.self),
            line: try value("line", Int.self), sourceServer: try value("source_server", String.self),
            sourcePort: try value("source_port", Int.self), sourceTLS: try value("source_tls", Bool.self),
            sourceUser: try value("source_user", String.self), targetUser: try value("target_user", String.self),
            createMailbox: try value("create_mailbox", Bool.self), storeJob: try value("store_job", String.self),
            state: BatchJobState(rawValue: try value("state", String.self)) ?? .queued,
            request: BatchRequest(rawValue: try value("request", String.self)) ?? .none,
            failureKind: try value("failure_kind", String?.self), lastError: try value("last_error", String?.self),
            messages: try value("messages", Int64.self), bytes: try value("bytes", Int64.self),
            skipped: try value("skipped", Int64.self), flagUpdates: try value("flag_updates", Int64.self),
            startedAt: try value("started_at", Date?.self), finishedAt: try value("finished_at", Date?.self),
            passes: try value("passes", Int.self), worker: try value("worker", String?.self))
    }

    public func jobs(batchID: Int64) async throws -> [BatchJob] {
        try await client.withConnection { connection in
            var progress: [Int64: BatchJobProgress] = [:]
            for try await row in try await connection.query(
                """
                SELECT p.job_id, p.messages_done, p.messages_total, p.bytes_done, p.bytes_per_second, p.eta_seconds,
                    p.updated_at
                FROM job_progress p JOIN batch_job j ON j.id = p.job_id WHERE j.batch_id = \(batchID)
                """, logger: logger)
            {
                let (id, done, total, bytes, rate, eta, updated) = try row.decode(
                    (Int64, Int, Int, Int64, Double, Double?, Date).self)
                progress[id] = BatchJobProgress(
                    messagesDone: done, messagesTotal: total, bytesDone: bytes, bytesPerSecond: rate, etaSeconds: eta,
                    updatedAt: updated)
            }
            var jobs: [BatchJob] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.jobColumns) FROM batch_job WHERE batch_id = \(batchID) ORDER BY line, id",
                logger: logger)
            {
                var job = try Self.job(row)
                job.progress = progress[job.id]
                jobs.append(job)
            }
            return jobs
        }
    }

    public func credentials(jobID: Int64) async throws -> SealedCredentials? {
        for try await (source, target) in try await client.query(
            "SELECT source_secret, target_secret FROM batch_job WHERE id = \(jobID)", logger: logger
        ).decode((Data?, Data?).self) {
            guard let source, let target else { return nil }
            return SealedCredentials(source: source, target: target)
        }
        return nil
    }

    public func claimNextJob(batchID: Int64, skippingHosts busyHosts: Set<String>) async throws -> BatchJob? {
        let skipped = busyHosts.sorted()
        let query: PostgresQuery = """
            UPDATE batch_job SET state = 'checking', started_at = now(), finished_at = NULL, failure_kind = NULL,
                last_error = NULL
            WHERE id = (
                SELECT id FROM batch_job WHERE state = 'queued' AND batch_id = \(batchID)
                    AND NOT (lower(source_server) = ANY(\(skipped)))
                ORDER BY line, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.jobColumns)
            """
        for try await row in try await client.query(query, logger: logger) { return try Self.job(row) }
        return nil
    }

    public func save(_ job: BatchJob) async throws { _ = try await save(job, heldBy: nil) }

    /// Saves the job; with `worker`, only while that worker still holds its lease (a worker
    /// whose lease ran out and was taken over writes nothing). Returns whether it was saved.
    func save(_ job: BatchJob, heldBy worker: String?) async throws -> Bool {
        try await transaction { connection in
            var saved = false
            for try await _ in try await connection.query(
                """
                UPDATE batch_job SET state = \(job.state.rawValue), failure_kind = \(job.failureKind),
                    last_error = \(job.lastError), messages = \(job.messages), bytes = \(job.bytes),
                    skipped = \(job.skipped), flag_updates = \(job.flagUpdates), started_at = \(job.startedAt),
                    finished_at = \(job.finishedAt), passes = \(job.passes),
                    request = CASE WHEN \(job.state.isFinal) OR \(job.state == .queued) THEN 'none' ELSE request END,
                    lease_until = CASE WHEN \(job.state.isActive) THEN lease_until END,
                    store_worker = CASE WHEN \(!job.state.isActive) AND worker IS NOT NULL THEN worker
                        ELSE store_worker END
                WHERE id = \(job.id) AND (\(worker)::text IS NULL OR (worker = \(worker) AND lease_until IS NOT NULL))
                RETURNING id
                """, logger: logger)
            {
                saved = true
            }
            if saved && !job.state.isActive {
                try await connection.query("DELETE FROM job_progress WHERE job_id = \(job.id)", logger: logger)
            }
            return saved
        }
    }

    public func saveProgress(_ progress: [Int64: BatchJobProgress]) async throws {
        guard !progress.isEmpty else { return }
        try await transaction { connection in
            for (id, p) in progress.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    """
                    INSERT INTO job_progress (job_id, messages_done, messages_total, bytes_done, bytes_per_second,
                        eta_seconds, updated_at)
                    SELECT \(id), \(p.messagesDone), \(p.messagesTotal), \(p.bytesDone), \(p.bytesPerSecond),
                        \(p.etaSeconds), \(p.updatedAt)
                    WHERE EXISTS (SELECT 1 FROM batch_job WHERE id = \(id) AND state IN
                        ('checking', 'provisioning', 'migrating', 'verifying'))
                    ON CONFLICT (job_id) DO UPDATE SET messages_done = excluded.messages_done,
                        messages_total = excluded.messages_total, bytes_done = excluded.bytes_done,
                        bytes_per_second = excluded.bytes_per_second, eta_seconds = excluded.eta_seconds,
                        updated_at = excluded.updated_at
                    """, logger: logger)
            }
        }
    }

    public func request(_ request: BatchRequest, batchID: Int64, jobIDs: [Int64]?) async throws {
        let final: BatchJobState = request == .stop ? .stopped : .paused
        let all = jobIDs == nil
        let ids = jobIDs ?? []
        try await transaction { connection in
            try await connection.query(
                """
                UPDATE batch_job SET state = \(final.rawValue)
                WHERE batch_id = \(batchID) AND state = 'queued' AND (\(all) OR id = ANY(\(ids)))
                """, logger: logger)
            try await connection.query(
                """
                UPDATE batch_job SET request = \(request.rawValue)
                WHERE batch_id = \(batchID) AND state IN ('checking', 'provisioning', 'migrating', 'verifying')
                    AND (\(all) OR id = ANY(\(ids)))
                """, logger: logger)
        }
    }

    public func pendingRequests(batchID: Int64) async throws -> [Int64: BatchRequest] {
        var result: [Int64: BatchRequest] = [:]
        for try await (id, request) in try await client.query(
            "SELECT id, request FROM batch_job WHERE batch_id = \(batchID) AND request != 'none'", logger: logger
        ).decode((Int64, String).self) {
            result[id] = BatchRequest(rawValue: request) ?? BatchRequest.none
        }
        return result
    }

    public func requeue(batchID: Int64, jobIDs: [Int64]?) async throws {
        let all = jobIDs == nil
        let ids = jobIDs ?? []
        try await client.query(
            """
            UPDATE batch_job SET state = 'queued', request = 'none'
            WHERE batch_id = \(batchID) AND state IN ('paused', 'stopped') AND (\(all) OR id = ANY(\(ids)))
            """, logger: logger)
    }

    public func rerun(batchID: Int64) async throws -> Int {
        try await transaction { connection in
            try await connection.query("UPDATE batch SET runs = runs + 1 WHERE id = \(batchID)", logger: logger)
            var count = 0
            for try await _ in try await connection.query(
                """
                UPDATE batch_job SET state = 'queued', request = 'none'
                WHERE batch_id = \(batchID) AND source_secret IS NOT NULL
                    AND state NOT IN ('checking', 'provisioning', 'migrating', 'verifying')
                RETURNING id
                """, logger: logger)
            {
                count += 1
            }
            return count
        }
    }

    public func recoverInterrupted(batchID: Int64) async throws -> Int {
        try await transaction { connection in
            var count = 0
            for try await _ in try await connection.query(
                """
                UPDATE batch_job SET state = CASE request WHEN 'pause' THEN 'paused' WHEN 'stop' THEN 'stopped'
                    ELSE 'queued' END, request = 'none'
                WHERE batch_id = \(batchID) AND state IN ('checking', 'provisioning', 'migrating', 'verifying')
                RETURNING id
                """, logger: logger)
            {
                count += 1
            }
            try await connection.query(
                "DELETE FROM job_progress WHERE job_id IN (SELECT id FROM batch_job WHERE batch_id = \(batchID))",
                logger: logger)
            return count
        }
    }

    public func close(batchID: Int64) async throws {
        try await transaction { connection in
            try await connection.query(
                "UPDATE batch_job SET source_secret = NULL, target_secret = NULL WHERE batch_id = \(batchID)",
                logger: logger)
            try await connection.query(
                "UPDATE batch_web_access SET admin_secret = NULL WHERE batch_id = \(batchID)", logger: logger)
            try await connection.query("UPDATE batch SET closed_at = \(Date()) WHERE id = \(batchID)", logger: logger)
        }
    }

    // MARK: -

    /// A transaction whose closure's own error comes out as itself (a refused claim, a taken
    /// name), not wrapped in PostgresTransactionError; other failures keep the wrapper.
    func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, error.rollbackError == nil { throw inner }
            throw error
        }
    }

    private static func single<T: PostgresDecodable>(_ rows: PostgresRowSequence, _ type: T.Type) async throws -> T? {
        for try await value in rows.decode(T.self) { return value }
        return nil
    }
}
