import Foundation
import IMAPCore
import Logging
import MailArchive
import MailStore

/// Loads a chain of pass archives (full, then deltas) into a job of the store, as if pulled:
/// folders, Maildir files (re-hashed against the manifest) and rows; later manifests' flag
/// updates applied. Importing an archive twice adds nothing.
struct ArchiveImporter {
    let context: JobContext
    /// Opens encrypted archives of the chain.
    var key: ArchiveKey?

    struct Outcome { var archives = 0; var messages = 0; var flagUpdates = 0 }

    func importChain(_ paths: [String]) throws -> Outcome {
        var outcome = Outcome()
        // Oldest pass first, by the pass number in each archive's metadata (names can tie).
        let ordered = try paths.map { ($0, try Self.metadata(of: $0, key: key)) }.sorted { $0.1.pass < $1.1.pass }.map(
            \.0)
        for path in ordered {
            let (messages, updates) = try importArchive(path)
            outcome.archives += 1
            outcome.messages += messages
            outcome.flagUpdates += updates
        }
        return outcome
    }

    /// Reads only `metadata.json` (the first entry, or one of the last).
    static func metadata(of path: String, key: ArchiveKey? = nil) throws -> PassMetadata {
        guard let metadata = try PassArchiveDocuments.read(path, manifest: false, key: key).metadata else {
            throw StoreError.corrupt(path: path, reason: "no metadata.json: not a mailferry archive")
        }
        return metadata
    }

    private func importArchive(_ path: String) throws -> (Int, Int) {
        let database = context.database
        let marker = "imported:" + (path as NSString).lastPathComponent
        // An archive is imported once: its later rekeys and deletions would not apply twice.
        if try database.passes().contains(where: { $0.archiveName == marker }) { return (0, 0) }
        let documents = try PassArchiveDocuments.read(path, key: key)
        guard let metadata = documents.metadata else {
            throw StoreError.corrupt(path: path, reason: "no metadata.json: not a mailferry archive")
        }
        guard let manifest = documents.manifest else {
            throw StoreError.corrupt(path: path, reason: "no manifest.json: not a mailferry archive")
        }
        try database.bindJob(host: metadata.sourceHost, port: metadata.sourcePort, user: metadata.sourceUser)
        if let prefix = metadata.sourceNamespacePrefix { try database.recordSourceNamespacePrefix(prefix) }
        let pass = try database.openPass()
        let folders = try recordFolders(manifest.folders, passID: pass.id)
        let byPath = Dictionary(manifest.messages.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var pending: [(MaildirFolder, String, MaildirFileName, MessageRecord)] = []
        var imported = 0
        try ArchiveReader(path: path, key: key).forEachEntry { info, stream in
            switch info.path {
            case let keywordsPath where keywordsPath.hasSuffix("/dovecot-keywords"):
                // Keyword letters of the archived file names: keep the same order in this store.
                let folderPath = String(keywordsPath.dropFirst("Maildir/".count).dropLast("/dovecot-keywords".count))
                let relative = keywordsPath == "Maildir/dovecot-keywords" ? "" : folderPath
                guard let folder = folders.values.first(where: { $0.maildirPath == relative }) else { return }
                let lines = String(decoding: try stream.readAll(limit: 1 << 20), as: UTF8.self).split(separator: "\n")
                let keywords = lines.compactMap { $0.split(separator: " ", maxSplits: 1).last.map(String.init) }
                let known = try database.addKeywords(keywords, folderID: folder.id)
                try MaildirFolder(root: context.layout.maildir, relativePath: relative).create()
                try MaildirFolder(root: context.layout.maildir, relativePath: relative).writeKeywords(known)
            default:
                guard info.isRegularFile, let message = byPath[info.path], let folder = folders[message.folder],
                    let name = MaildirFileName(parsing: (info.path as NSString).lastPathComponent)
                else { return }
                if try database.message(
                    folderID: folder.id, uidValidity: Int64(message.uidValidity), uid: Int64(message.uid)) != nil
                {
                    return
                }
                let maildir = MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath)
                try maildir.create()
                let file = try IncomingMessageFile(directory: maildir.tmp)
                try stream.read { try file.write($0) }
                let date = InternalDate(message.internalDate)?.secondsSince1970 ?? info.modificationTime
                let (sha, messageID) = try file.finish(modificationTime: date)
                guard sha == message.sha256, file.bytesWritten == Int(message.size) else {
                    file.discard()
                    throw StoreError.corrupt(
                        path: path, reason: "\(info.path) does not match its manifest (size or SHA-256)")
                }
                let record = MessageRecord(
                    folderID: folder.id, uidValidity: Int64(message.uidValidity), uid: Int64(message.uid),
                    flags: FlagList(message.flags.map { Flag($0) }), internalDate: message.internalDate,
                    size: message.size, sha256: sha, messageID: messageID ?? message.messageID,
                    maildirFile: name.fileName, passID: pass.id)
                pending.append((maildir, file.temporaryPath, name, record))
                if pending.count >= 500 { imported += try commit(&pending, passID: pass.id) }
            }
        }
        imported += try commit(&pending, passID: pass.id)
        try applyRekeys(manifest.rekeyed ?? [], folders: folders)
        try applyDeletions(manifest.deletions ?? [], folders: folders, passID: pass.id)
        let updates = try applyFlagUpdates(manifest.flagUpdates, folders: folders, passID: pass.id)
        try database.sealPass(pass.id, archiveName: marker)
        context.logger.info(
            "imported \((path as NSString).lastPathComponent): \(imported) messages, \(updates) flag updates")
        return (imported, updates)
    }

    private func recordFolders(_ entries: [PassManifest.Folder], passID: Int64) throws -> [String: FolderRecord] {
        var known = Dictionary(uniqueKeysWithValues: try context.database.folders().map { ($0.wireName, $0) })
        var result: [String: FolderRecord] = [:]
        for entry in entries {
            let wire = Data(base64Encoded: entry.wireName) ?? Data(entry.name.utf8)
            let folder: FolderRecord
            if var existing = known[wire] {
                existing.uidValidity = entry.uidValidity.map(Int64.init)
                existing.lastSeenPass = passID
                try context.database.saveFolder(existing)
                folder = existing
            } else {
                folder = try context.database.insertFolder(
                    FolderRecord.New(
                        wireName: wire, name: entry.name, separator: entry.separator,
                        attributes: entry.attributes.joined(separator: " "), specialUse: entry.specialUse,
                        maildirPath: entry.maildirPath,
                        state: entry.state == "unselectable" ? .unselectable : .active, pass: passID,
                        uidValidity: entry.uidValidity.map(Int64.init)))
            }
            known[wire] = folder
            result[entry.name] = folder
        }
        return result
    }

    private func commit(
        _ pending: inout [(MaildirFolder, String, MaildirFileName, MessageRecord)], passID: Int64
    ) throws -> Int {
        guard let first = pending.first else { return 0 }
        _ = first
        try MaildirFolder.syncFilesBeforeRename(pending.map(\.1))
        for (maildir, temporary, name, _) in pending { try maildir.commit(temporaryPath: temporary, as: name) }
        for folderID in Set(pending.map(\.3.folderID)) {
            let records = pending.filter { $0.3.folderID == folderID }
            try records[0].0.syncDirectories()
            try context.database.commitBatch(
                inserted: records.map(\.3), rekeyed: [], folderID: folderID,
                highestUID: records.map(\.3.uid).max() ?? 0, passID: passID)
        }
        defer { pending.removeAll() }
        return pending.count
    }

    /// Messages that a later pass found under a new UIDVALIDITY/UID move there (file renamed too).
    private func applyRekeys(_ rekeys: [PassManifest.Rekey], folders: [String: FolderRecord]) throws {
        for rekey in rekeys {
            guard let folder = folders[rekey.folder],
                var record = try context.database.message(
                    folderID: folder.id, uidValidity: Int64(rekey.fromUIDValidity), uid: Int64(rekey.fromUID)),
                let name = MaildirFileName(parsing: record.maildirFile)
            else { continue }
            let renamed = MaildirFileName(
                internalDateSeconds: name.internalDateSeconds, uid: rekey.toUID, uidValidity: rekey.toUIDValidity,
                size: name.size, info: name.info)
            try MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath).rename(name, to: renamed)
            record.uidValidity = Int64(rekey.toUIDValidity)
            record.uid = Int64(rekey.toUID)
            record.maildirFile = renamed.fileName
            try context.database.commitBatch(
                inserted: [], rekeyed: [record], folderID: folder.id, highestUID: record.uid, passID: record.passID)
        }
    }

    /// Messages a later pass found deleted at the source are not restored.
    private func applyDeletions(
        _ deletions: [PassManifest.Deletion], folders: [String: FolderRecord], passID: Int64
    ) throws {
        var ids: [Int64] = []
        for deletion in deletions {
            guard let folder = folders[deletion.folder],
                let record = try context.database.message(
                    folderID: folder.id, uidValidity: Int64(deletion.uidValidity), uid: Int64(deletion.uid)),
                record.sourceState == .present
            else { continue }
            ids.append(record.id!)
        }
        try context.database.markSourceGone(ids: ids, passID: passID)
    }

    /// Flags from a later pass replace the stored ones (and the file's info suffix).
    private func applyFlagUpdates(
        _ updates: [PassManifest.FlagUpdate], folders: [String: FolderRecord], passID: Int64
    ) throws -> Int {
        var changes: [(id: Int64, flags: FlagList, maildirFile: String)] = []
        for update in updates {
            guard let folder = folders[update.folder],
                let record = try context.database.message(
                    folderID: folder.id, uidValidity: Int64(update.uidValidity), uid: Int64(update.uid)),
                let name = MaildirFileName(parsing: record.maildirFile)
            else { continue }
            let flags = FlagList(update.flags.map { Flag($0) })
            guard flags != record.flags else { continue }
            let keywords = try context.database.keywords(folderID: folder.id)
            let renamed = name.withInfo(
                MaildirFlags.infoLetters(
                    for: update.flags.map { .init($0) }, keywordIndex: { keywords.firstIndex(of: $0) }))
            try MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath).rename(name, to: renamed)
            changes.append((record.id!, flags, renamed.fileName))
        }
        try context.database.updateFlags(changes, passID: passID)
        return changes.count
    }
}
