import Foundation
import Logging
import MailStore

/// Brings the Maildir back in line with the database after a killed run: the database is the
/// truth. Uncommitted files (in `tmp/`, or renamed into `cur/` before their transaction) are
/// removed and fetched again; a file renamed for new flags whose update was not recorded is
/// found again by its UID.
struct StoreReconciler {
    let database: StateDatabase
    let layout: StoreLayout
    let logger: Logger

    func reconcile() throws {
        for folder in try database.folders() {
            let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
            guard FileManager.default.fileExists(atPath: maildir.cur) else { continue }
            maildir.clearTemporaryFiles()
            if try maildir.repairKeywords(database.keywords(folderID: folder.id)) {
                logger.info("\(folder.name): rewrote dovecot-keywords, which an interrupted run had not finished")
            }
            let records = try database.storedFiles(folderID: folder.id)
            var byKey: [StoredMessageFile.Key: StoredMessageFile] = [:]
            byKey.reserveCapacity(records.count)
            for record in records { byKey[record.key] = record }
            var found = Set<StoredMessageFile.Key>()
            found.reserveCapacity(records.count)
            for file in maildir.storedFiles() {
                let key = StoredMessageFile.Key(file)
                guard let record = byKey[key] else {
                    maildir.remove(file)
                    logger.info(
                        "\(folder.name): removed UID \(file.uid), stored by an interrupted run but never recorded; it is fetched again"
                    )
                    continue
                }
                if found.contains(key) {
                    maildir.remove(file)
                    continue
                }
                found.insert(key)
                if record.maildirFile != file.fileName {
                    try database.setMaildirFile(messageID: record.id, to: file.fileName)
                }
            }
            let missing = records.filter { !found.contains($0.key) }
            if !missing.isEmpty {
                logger.warning(
                    "\(folder.name): \(missing.count) recorded messages have no file in the Maildir; they are fetched again"
                )
                try database.forget(messageIDs: missing.map(\.id))
            }
        }
    }
}
