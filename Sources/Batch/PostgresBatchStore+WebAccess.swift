import Foundation
import Logging
import PostgresNIO

/// The status-page tokens and the web form's administrator of batches started from the web.
extension PostgresBatchStore {

    public func grantWebAccess(batchID: Int64, reportTo: String?) async throws -> BatchWebAccess {
        try await transaction { connection in
            for try await (token, kept) in try await connection.query(
                "SELECT token, report_to FROM batch_web_access WHERE batch_id = \(batchID) FOR UPDATE", logger: logger
            ).decode((String, String?).self) {
                if let reportTo {
                    try await connection.query(
                        "UPDATE batch_web_access SET report_to = \(reportTo) WHERE batch_id = \(batchID)",
                        logger: logger)
                }
                return BatchWebAccess(token: token, reportTo: reportTo ?? kept)
            }
            var generator = SystemRandomNumberGenerator()
            let token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
                .joined()
            try await connection.query(
                "INSERT INTO batch_web_access (batch_id, token, report_to) VALUES (\(batchID), \(token), \(reportTo))",
                logger: logger)
            return BatchWebAccess(token: token, reportTo: reportTo)
        }
    }

    public func webAccess(batchID: Int64) async throws -> BatchWebAccess? {
        for try await (token, reportTo) in try await client.query(
            "SELECT token, report_to FROM batch_web_access WHERE batch_id = \(batchID)", logger: logger
        ).decode((String, String?).self) {
            return BatchWebAccess(token: token, reportTo: reportTo)
        }
        return nil
    }

    public func batch(accessToken: String) async throws -> (BatchRecord, BatchWebAccess)? {
        try await client.withConnection { connection in
            var found: (Int64, String?)?
            for try await row in try await connection.query(
                "SELECT batch_id, report_to FROM batch_web_access WHERE token = \(accessToken)", logger: logger
            ).decode((Int64, String?).self) {
                found = row
            }
            guard let (batchID, reportTo) = found,
                let batch = try await Self.batch(connection, column: "id", equals: batchID)
            else { return nil }
            return (batch, BatchWebAccess(token: accessToken, reportTo: reportTo))
        }
    }

    public func saveAdministrator(batchID: Int64, user: String?, sealedPassword: Data?) async throws {
        try await client.query(
            "UPDATE batch_web_access SET admin_user = \(user), admin_secret = \(sealedPassword) WHERE batch_id = \(batchID)",
            logger: logger)
    }

    public func administrator(batchID: Int64) async throws -> (user: String?, sealedPassword: Data?) {
        for try await (user, secret) in try await client.query(
            "SELECT admin_user, admin_secret FROM batch_web_access WHERE batch_id = \(batchID)", logger: logger
        ).decode((String?, Data?).self) {
            return (user, secret)
        }
        return (nil, nil)
    }
}
