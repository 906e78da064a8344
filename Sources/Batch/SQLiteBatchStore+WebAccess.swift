import Foundation
import GRDB

/// The status-page tokens and the web form's administrator of batches started from the web.
extension SQLiteBatchStore {
    public func webAccess(batchID: Int64) throws -> BatchWebAccess? {
        try queue.read { db in
            try Row.fetchOne(
                db, sql: "SELECT token, reportTo FROM batchWebAccess WHERE batchID = ?", arguments: [batchID]
            ).map { BatchWebAccess(token: $0["token"], reportTo: $0["reportTo"]) }
        }
    }

    public func grantWebAccess(batchID: Int64, reportTo: String?) throws -> BatchWebAccess {
        try queue.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT token, reportTo FROM batchWebAccess WHERE batchID = ?", arguments: [batchID])
            {
                if let reportTo {
                    try db.execute(
                        sql: "UPDATE batchWebAccess SET reportTo = ? WHERE batchID = ?", arguments: [reportTo, batchID])
                }
                return BatchWebAccess(token: row["token"], reportTo: reportTo ?? row["reportTo"])
            }
            var bytes = [UInt8](repeating: 0, count: 16)
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
            let token = bytes.map { String(format: "%02x", $0) }.joined()
            try db.execute(
                sql: "INSERT INTO batchWebAccess (batchID, token, reportTo) VALUES (?, ?, ?)",
                arguments: [batchID, token, reportTo])
            return BatchWebAccess(token: token, reportTo: reportTo)
        }
    }

    public func saveAdministrator(batchID: Int64, user: String?, sealedPassword: Data?) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE batchWebAccess SET adminUser = ?, adminSecret = ? WHERE batchID = ?",
                arguments: [user, sealedPassword, batchID])
        }
    }

    public func administrator(batchID: Int64) throws -> (user: String?, sealedPassword: Data?) {
        try queue.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT adminUser, adminSecret FROM batchWebAccess WHERE batchID = ?", arguments: [batchID]
                )
            else { return (nil, nil) }
            return (row["adminUser"], row["adminSecret"])
        }
    }

    public func batch(accessToken: String) throws -> (BatchRecord, BatchWebAccess)? {
        try queue.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT batchID, reportTo FROM batchWebAccess WHERE token = ?", arguments: [accessToken]),
                let batch = try Self.batch(db, id: row["batchID"])
            else { return nil }
            return (batch, BatchWebAccess(token: accessToken, reportTo: row["reportTo"]))
        }
    }
}
