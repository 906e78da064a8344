import Foundation
import Logging
import PostgresNIO

/// The schema, in numbered migrations applied once each (`mailferry_schema` records them).
extension PostgresBatchStore {

    static let migrations: [(version: Int, sql: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE batch (
                    id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, target_server TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL, closed_at TIMESTAMPTZ, runs INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE batch_job (
                    id BIGSERIAL PRIMARY KEY, batch_id BIGINT NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
                    line INTEGER NOT NULL, source_server TEXT NOT NULL, source_port INTEGER NOT NULL,
                    source_tls BOOLEAN NOT NULL, source_user TEXT NOT NULL, target_user TEXT NOT NULL,
                    create_mailbox BOOLEAN NOT NULL, store_job TEXT NOT NULL, state TEXT NOT NULL,
                    request TEXT NOT NULL, failure_kind TEXT, last_error TEXT,
                    messages BIGINT NOT NULL DEFAULT 0, bytes BIGINT NOT NULL DEFAULT 0,
                    skipped BIGINT NOT NULL DEFAULT 0, flag_updates BIGINT NOT NULL DEFAULT 0,
                    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, passes INTEGER NOT NULL DEFAULT 0,
                    source_secret BYTEA, target_secret BYTEA,
                    UNIQUE (batch_id, source_server, source_user, target_user))
                """,
                "CREATE INDEX batch_job_queue ON batch_job (batch_id, state, line, id)",
                """
                CREATE TABLE job_progress (
                    job_id BIGINT PRIMARY KEY REFERENCES batch_job (id) ON DELETE CASCADE,
                    messages_done BIGINT NOT NULL, messages_total BIGINT NOT NULL, bytes_done BIGINT NOT NULL,
                    bytes_per_second DOUBLE PRECISION NOT NULL, eta_seconds DOUBLE PRECISION,
                    updated_at TIMESTAMPTZ NOT NULL)
                """,
                """
                CREATE TABLE batch_web_access (
                    batch_id BIGINT PRIMARY KEY REFERENCES batch (id) ON DELETE CASCADE,
                    token TEXT NOT NULL UNIQUE, report_to TEXT, admin_user TEXT, admin_secret BYTEA)
                """,
            ]
        ),
        (
            2,
            [
                // Workers on many machines: who holds a job and until when (the lease its
                // heartbeat extends), whose store has its manifest, and the limits every worker
                // applies to the batch together.
                """
                ALTER TABLE batch ADD COLUMN per_host_connections INTEGER NOT NULL DEFAULT 8,
                    ADD COLUMN connections_per_job INTEGER NOT NULL DEFAULT 2
                """,
                """
                ALTER TABLE batch_job ADD COLUMN worker TEXT, ADD COLUMN lease_until TIMESTAMPTZ,
                    ADD COLUMN store_worker TEXT, ADD COLUMN queued_at TIMESTAMPTZ NOT NULL DEFAULT now()
                """,
                "CREATE INDEX batch_job_lease ON batch_job (worker, lease_until)",
                """
                CREATE TABLE worker (
                    name TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, store TEXT NOT NULL,
                    concurrency INTEGER NOT NULL, started_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL,
                    state TEXT NOT NULL)
                """,
                "CREATE TABLE mailferry_setting (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
                // Every path that queues a job or asks one to pause or stop notifies, whichever
                // process wrote it: idle workers wake, and the worker running the job hears at once.
                """
                CREATE FUNCTION mailferry_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.state = 'queued' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'queued') THEN
                        NEW.queued_at := now();
                        PERFORM pg_notify('mailferry', 'queue ' || NEW.batch_id);
                    END IF;
                    IF TG_OP = 'UPDATE' AND NEW.request <> 'none' AND OLD.request IS DISTINCT FROM NEW.request THEN
                        PERFORM pg_notify('mailferry', 'request ' || NEW.id);
                    END IF;
                    RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER batch_job_changed BEFORE INSERT OR UPDATE ON batch_job
                    FOR EACH ROW EXECUTE FUNCTION mailferry_job_changed()
                """,
            ]
        ),
    ]

    func migrate() async throws {
        try await transaction { connection in
            // One migrator at a time across every worker starting now.
            try await connection.query("SELECT pg_advisory_xact_lock(7309413127)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS mailferry_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM mailferry_schema", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO mailferry_schema (version, applied_at) VALUES (\(migration.version), now())",
                    logger: logger)
            }
        }
    }

    /// The schema versions applied (tests; `docs/scale.md`).
    public func schemaVersions() async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query("SELECT version FROM mailferry_schema ORDER BY version")
            .decode(Int.self)
        {
            versions.append(version)
        }
        return versions
    }
}
