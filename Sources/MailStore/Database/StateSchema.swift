import GRDB

/// The versioned schema of `state.sqlite`. Each migration is append-only; `docs/store.md`
/// describes the tables.
enum StateSchema {
    static let currentVersion = "v8-late-copy-sweep"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "job") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("sourceHost", .text).notNull()
                t.column("sourcePort", .integer).notNull()
                t.column("sourceUser", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "pass") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()  // full | delta
                t.column("status", .text).notNull()  // running | sealed
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("archiveName", .text)
                t.column("messagesAdded", .integer).notNull().defaults(to: 0)
                t.column("bytesAdded", .integer).notNull().defaults(to: 0)
                t.column("flagsChanged", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "folder") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("wireName", .blob).notNull().unique()
                t.column("name", .text).notNull()
                t.column("separator", .text)
                t.column("attributes", .text).notNull()  // space-separated
                t.column("specialUse", .text)
                t.column("uidValidity", .integer)
                t.column("highestUID", .integer).notNull().defaults(to: 0)
                t.column("highestModSeq", .integer)
                t.column("maildirPath", .text).notNull()
                t.column("state", .text).notNull()  // active | gone | unselectable
                t.column("firstSeenPass", .integer).notNull()
                t.column("lastSeenPass", .integer).notNull()
            }
            try db.create(table: "folderKeyword") { t in
                t.column("folderID", .integer).notNull().references("folder", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("keyword", .text).notNull()
                t.primaryKey(["folderID", "position"])
                t.uniqueKey(["folderID", "keyword"])
            }
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("folderID", .integer).notNull().references("folder", onDelete: .cascade)
                t.column("uidValidity", .integer).notNull()
                t.column("uid", .integer).notNull()
                t.column("flags", .text).notNull()  // space-separated, \Recent never stored
                t.column("internalDate", .text).notNull()  // "dd-Mon-yyyy hh:mm:ss +zzzz"
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("messageID", .text)
                t.column("maildirFile", .text).notNull()
                t.column("passID", .integer).notNull()  // pass that stored the bytes
                t.column("flagsPassID", .integer).notNull()  // pass that last changed the flags
                t.column("sourceState", .text).notNull().defaults(to: "present")  // present | gone
                t.uniqueKey(["folderID", "uidValidity", "uid"])
            }
            try db.create(index: "messageIdentity", on: "message", columns: ["folderID", "messageID", "size"])
            try db.create(index: "messagePass", on: "message", columns: ["passID"])
            try db.create(table: "passIssue") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("passID", .integer).notNull()
                t.column("scope", .text).notNull()  // message | folder | account
                t.column("folder", .text)
                t.column("uid", .integer)
                t.column("reason", .text).notNull()
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2-push") { db in
            try db.create(table: "target") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("user", .text).notNull()
                t.uniqueKey(["host", "user"])
            }
            try db.create(table: "targetFolder") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("targetID", .integer).notNull().references("target", onDelete: .cascade)
                t.column("sourceFolderID", .integer).notNull().references("folder", onDelete: .cascade)
                t.column("name", .text).notNull()  // Unicode name on the target
                t.column("uidValidity", .integer)
                t.uniqueKey(["targetID", "sourceFolderID"])
            }
            try db.create(table: "upload") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("messageRowID", .integer).notNull().references("message", onDelete: .cascade)
                t.column("targetID", .integer).notNull().references("target", onDelete: .cascade)
                t.column("state", .text).notNull()  // pending | uploaded | skipped
                t.column("targetFolder", .text).notNull()
                t.column("targetUIDValidity", .integer)
                t.column("targetUID", .integer)
                t.column("flags", .text).notNull()  // flags as last set on the target
                t.column("reason", .text)
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["messageRowID", "targetID"])
            }
            try db.create(index: "uploadByTargetState", on: "upload", columns: ["targetID", "state"])
        }
        migrator.registerMigration("v3-history") { db in
            // What a pass did to earlier messages, so its archive can say so: deleted at the
            // source, or moved to a new UID after a UIDVALIDITY change.
            try db.alter(table: "message") { t in
                t.add(column: "gonePassID", .integer)
                t.add(column: "rekeyedPassID", .integer)
                t.add(column: "previousUIDValidity", .integer)
                t.add(column: "previousUID", .integer)
            }
        }
        migrator.registerMigration("v4-upload-flags-pass") { db in
            // The message's flagsPassID when its flags were last set on the target: a folder
            // whose messages all match needs no work at all on a no-op push.
            try db.alter(table: "upload") { t in t.add(column: "flagsPassID", .integer) }
        }
        migrator.registerMigration("v5-folder-synced-status") { db in
            // UIDNEXT and EXISTS of the SELECT that began the folder's last complete pull (every
            // message stored): a STATUS that shows the same values, UIDVALIDITY and
            // HIGHESTMODSEQ means the folder has not changed, and a pass skips it.
            try db.alter(table: "folder") { t in
                t.add(column: "syncedUIDNext", .integer)
                t.add(column: "syncedMessages", .integer)
            }
        }
        migrator.registerMigration("v6-source-namespace") { db in
            // The source's personal namespace prefix (e.g. "INBOX." on Courier-style servers)
            // as NAMESPACE announced it at the last pull, or as --source-prefix set it: push,
            // verify and restore map folder names relative to it.
            try db.alter(table: "job") { t in t.add(column: "sourceNamespacePrefix", .text) }
        }
        migrator.registerMigration("v7-run-ledger") { db in
            // Every pull, push, migrate, verify and restore run, with its outcome and counts;
            // the issues a run met hang on it. Runs before v7 left no row; their issues keep runID NULL.
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()  // pull | push | migrate | verify | restore
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                // running | done | done with skips | different | stopped | failed | interrupted
                t.column("outcome", .text).notNull()
                t.column("failureKind", .text)  // for failed: connect | tls | auth | over quota | …
                t.column("message", .text)  // for failed: the error, as the CLI printed it
                t.column("stored", .integer).notNull().defaults(to: 0)
                t.column("storedBytes", .integer).notNull().defaults(to: 0)
                t.column("uploaded", .integer).notNull().defaults(to: 0)
                t.column("uploadedBytes", .integer).notNull().defaults(to: 0)
                t.column("skipped", .integer).notNull().defaults(to: 0)
                t.column("flagUpdates", .integer).notNull().defaults(to: 0)
                t.column("passID", .integer)  // the pull pass it ran, if any
            }
            try db.alter(table: "passIssue") { t in
                t.add(column: "runID", .integer).references("run", onDelete: .setNull)
            }
            try db.create(index: "passIssueByRun", on: "passIssue", columns: ["runID"])
        }
        migrator.registerMigration("v8-late-copy-sweep") { db in
            // A message sent again after its APPEND was cut: the cut session may still save a
            // copy. The row stays until a folder visit has looked for that copy after the
            // landing window, so a visit cut in turn leaves the look to the next one.
            try db.create(table: "lateCopySweep") { t in
                t.column("targetID", .integer).notNull().references("target", onDelete: .cascade)
                t.column("messageRowID", .integer).notNull().references("message", onDelete: .cascade)
                t.column("folderID", .integer).notNull().references("folder", onDelete: .cascade)
                t.column("targetUIDValidity", .integer).notNull()
                t.column("fromUID", .integer).notNull()  // UIDNEXT of the SELECT before the first re-send
                t.column("owedAt", .datetime).notNull()  // the latest re-send
                t.primaryKey(["targetID", "messageRowID"])
            }
            try db.create(index: "lateCopySweepByFolder", on: "lateCopySweep", columns: ["targetID", "folderID"])
        }
        return migrator
    }
}
