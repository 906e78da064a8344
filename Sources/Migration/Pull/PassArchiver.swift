import Foundation
import Logging
import MailArchive
import MailStore

/// Seals a pass into `archives/<UTC>-<full|delta>.tar[.zst|.gz]`: metadata and manifest first
/// (so a reader can check every entry as it streams by), then the pass's new Maildir files
/// in standard layout. Written under a temporary name and renamed by `ArchiveWriter.seal()`.
struct PassArchiver {
    let database: StateDatabase
    let layout: StoreLayout
    let compression: ArchiveCompression
    var archiveKey: ArchiveKey?
    let logger: Logger

    /// A run that died after its archive was renamed into place but before the pass was marked
    /// sealed: the archive is complete, so the pass is sealed now instead of being continued
    /// (new messages then go into a new pass and a new archive).
    func sealCompletedArchive() throws {
        for pass in try database.passes() where pass.status == .running {
            guard let name = pass.archiveName, !name.isEmpty,
                FileManager.default.fileExists(atPath: "\(layout.archives)/\(name)")
            else { continue }
            try database.sealPass(pass.id, archiveName: name)
            logger.info("pass \(pass.id) had written \(name) before it stopped; recorded as sealed")
        }
    }

    /// Where a fresh pass's archive goes, for a `PassArchiveBuilder` that writes it as the pass runs.
    /// A job whose archives are encrypted keeps them so: a pass without the key would leave a
    /// plain copy of new mail next to the encrypted backups.
    static func requireConsistentEncryption(layout: StoreLayout, encrypting: Bool) throws {
        guard !encrypting else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.archives)) ?? []
        if let encrypted = names.sorted().first(where: {
            !$0.hasPrefix(".") && ArchiveReader.encryption(ofArchiveAt: "\(layout.archives)/\($0)") != nil
        }) {
            throw ArchiveEncryptionRequired(job: layout.job, archive: encrypted)
        }
    }

    func plannedPath(for pass: PassRecord) throws -> String {
        "\(layout.archives)/\(try pass.archiveName.flatMap { $0.isEmpty ? nil : $0 } ?? archiveName(for: pass))"
    }

    /// Returns the archive's file name, or nil when the pass changed nothing. With `built`, the
    /// messages it already holds are kept when they are exactly the pass's; otherwise the
    /// archive is written from the Maildir.
    func seal(_ pass: PassRecord, finishedAt: Date, built: PassArchiveBuilder? = nil) throws -> String? {
        let passID = pass.id
        var prebuilt = built?.take()
        defer { prebuilt?.writer.abandon() }
        let content = try database.passContent(passID: passID)
        let flagUpdates = content.flagUpdates
        let folders = try database.folders()
        let foldersByID = Dictionary(uniqueKeysWithValues: folders.map { ($0.id, $0) })
        let foldersChanged = folders.contains {
            $0.firstSeenPass == passID || ($0.state == .gone && $0.lastSeenPass == passID - 1)
        }
        if content.isEmpty && !foldersChanged && pass.kind == .delta {
            try database.sealPass(passID, archiveName: "")
            return nil
        }
        let name = try pass.archiveName.flatMap { $0.isEmpty ? nil : $0 } ?? archiveName(for: pass)
        let finalPath = "\(layout.archives)/\(name)"
        if let built = prebuilt,
            try built.writer.finalPath != finalPath || built.entries != storedEntries(passID: passID, foldersByID)
        {
            logger.info("archive: the one built during the pull does not match the pass; writing it from the Maildir")
            built.writer.abandon()
            prebuilt = nil
        }
        removeStalePartials(keeping: prebuilt?.writer.temporaryPath)
        try database.recordArchiveIntent(passID, archiveName: name)
        if FileManager.default.fileExists(atPath: finalPath) {
            // A previous attempt of this pass sealed the file but died before recording it.
            try database.sealPass(passID, archiveName: name)
            return name
        }
        let writer =
            try prebuilt?.writer
            ?? ArchiveWriter(finalPath: finalPath, compression: compression, encryption: archiveKey)
        let now = Int(finishedAt.timeIntervalSince1970)
        let manifestPath = "\(layout.jobRoot)/.manifest-\(passID).json"
        try writeManifest(to: manifestPath, pass: pass, content: content, folders: folders, byID: foldersByID)
        defer { unlink(manifestPath) }
        let job = try database.job()
        var metadata = PassMetadata(
            tool: "mailferry", toolVersion: MailferryBuild.version, sourceHost: job?.sourceHost ?? "",
            sourcePort: job?.sourcePort ?? 0, sourceUser: job?.sourceUser ?? "", pass: passID,
            kind: pass.kind.rawValue, startedAt: pass.startedAt, finishedAt: finishedAt,
            folders: folders.count, messages: content.storedCount, bytes: content.storedBytes,
            flagUpdates: flagUpdates.count, sourceNamespacePrefix: job?.sourceNamespacePrefix)
        metadata.encryption = writer.encryptionScheme.map { "\($0), \(archiveKey?.description ?? "")" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .utcISO8601
        let metadataBytes = Array(try encoder.encode(metadata))
        if prebuilt == nil {
            // Written at the end of the pass: documents first, so a reader meets them before any message.
            try writer.addData(entryPath: "metadata.json", bytes: metadataBytes, modificationTime: now)
            try writer.addFile(entryPath: "manifest.json", sourcePath: manifestPath, modificationTime: now)
        }
        for folder in folders where folder.state != .unselectable {
            let base = folder.maildirPath.isEmpty ? "Maildir" : "Maildir/\(folder.maildirPath)"
            for sub in ["cur", "new", "tmp"] {
                try writer.addDirectory(entryPath: "\(base)/\(sub)", modificationTime: now)
            }
            let keywords =
                "\(layout.maildir)/\(folder.maildirPath.isEmpty ? "" : folder.maildirPath + "/")dovecot-keywords"
            if FileManager.default.fileExists(atPath: keywords) {
                try writer.addFile(entryPath: "\(base)/dovecot-keywords", sourcePath: keywords, modificationTime: now)
            }
        }
        if prebuilt == nil {
            let stored = try database.storedFiles(passID: passID)
            for (index, message) in stored.enumerated() {
                guard let folder = foldersByID[message.folderID] else { continue }
                let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
                let seconds = MaildirFileName(parsing: message.maildirFile)?.internalDateSeconds ?? now
                try writer.addFile(
                    entryPath: Self.entryPath(maildirPath: folder.maildirPath, file: message.maildirFile),
                    sourcePath: maildir.storedPath(message.maildirFile), modificationTime: seconds)
                if index == stored.count / 2 { FaultInjection.reach(.whileSealing) }
            }
        } else {
            // Built during the pull: the messages are in, the documents that describe them go last.
            FaultInjection.reach(.whileSealing)
            try writer.addFile(entryPath: "manifest.json", sourcePath: manifestPath, modificationTime: now)
            try writer.addData(entryPath: "metadata.json", bytes: metadataBytes, modificationTime: now)
        }
        try writer.seal()
        DurableStep.reached(.archive, name)
        prebuilt = nil
        try database.sealPass(passID, archiveName: name)
        logger.info("sealed \(name): \(content.storedCount) messages, \(flagUpdates.count) flag updates")
        return name
    }

    /// The entries the pass's stored messages have in its archive, streamed from the database.
    private func storedEntries(passID: Int64, _ folders: [Int64: FolderRecord]) throws -> ArchiveEntrySet {
        try database.withStoredMessages(passID: passID) { rows in
            var entries = ArchiveEntrySet()
            for message in rows {
                entries.insert(
                    folders[message.folderID].map {
                        Self.entryPath(maildirPath: $0.maildirPath, file: message.maildirFile)
                    } ?? "")
            }
            return entries
        }
    }

    /// `<UTC start>-<kind>.tar[.zst]`; when another pass already owns that name (two passes
    /// in one second) `-2`, `-3`… is added before `.tar`.
    private func archiveName(for pass: PassRecord) throws -> String {
        let taken = Set(try database.passes().filter { $0.id != pass.id }.compactMap(\.archiveName))
        let base = "\(StoreLayout.timestamp(pass.startedAt))-\(pass.kind.rawValue)"
        let suffix = ".tar" + compression.fileSuffix.dropFirst(4)
        var candidate = base + suffix
        var counter = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(counter)\(suffix)"
            counter += 1
        }
        return candidate
    }

    static func entryPath(maildirPath: String, file: String) -> String {
        (maildirPath.isEmpty ? "Maildir" : "Maildir/\(maildirPath)") + "/cur/\(file)"
    }

    /// The pass's manifest, streamed to a file: records are turned into entries one at a time.
    private func writeManifest(
        to path: String, pass: PassRecord, content: StateDatabase.PassContent,
        folders: [FolderRecord], byID: [Int64: FolderRecord]
    ) throws {
        try database.withStoredMessages(passID: pass.id) { stored in
            try PassManifestWriter(path: path).write(
                pass: pass.id, kind: pass.kind.rawValue,
                folders: folders.map { folder in
                    PassManifest.Folder(
                        name: folder.name, wireName: folder.wireName.base64EncodedString(), separator: folder.separator,
                        attributes: folder.attributes.split(separator: " ").map(String.init),
                        specialUse: folder.specialUse,
                        uidValidity: folder.uidValidity.map { UInt32(truncatingIfNeeded: $0) },
                        highestUID: UInt32(truncatingIfNeeded: folder.highestUID),
                        highestModSeq: folder.highestModSeq.map { UInt64(bitPattern: $0) },
                        maildirPath: folder.maildirPath, state: folder.state.rawValue)
                },
                messages: stored.lazy.compactMap { message -> PassManifest.Message? in
                    guard let folder = byID[message.folderID] else { return nil }
                    return PassManifest.Message(
                        folder: folder.name, uidValidity: UInt32(truncatingIfNeeded: message.uidValidity),
                        uid: UInt32(truncatingIfNeeded: message.uid),
                        flags: message.flags.names,
                        internalDate: message.internalDate, size: message.size, sha256: message.sha256,
                        messageID: message.messageID,
                        path: Self.entryPath(maildirPath: folder.maildirPath, file: message.maildirFile))
                },
                flagUpdates: content.flagUpdates.lazy.compactMap { message -> PassManifest.FlagUpdate? in
                    guard let folder = byID[message.folderID] else { return nil }
                    return PassManifest.FlagUpdate(
                        folder: folder.name, uidValidity: UInt32(truncatingIfNeeded: message.uidValidity),
                        uid: UInt32(truncatingIfNeeded: message.uid),
                        flags: message.flags.names)
                },
                deletions: content.deletions.compactMap { message in
                    byID[message.folderID].map {
                        PassManifest.Deletion(
                            folder: $0.name, uidValidity: UInt32(truncatingIfNeeded: message.uidValidity),
                            uid: UInt32(truncatingIfNeeded: message.uid))
                    }
                },
                rekeyed: content.rekeyed.compactMap { message in
                    guard let folder = byID[message.folderID], let fromValidity = message.previousUIDValidity,
                        let fromUID = message.previousUID
                    else { return nil }
                    return PassManifest.Rekey(
                        folder: folder.name, fromUIDValidity: UInt32(truncatingIfNeeded: fromValidity),
                        fromUID: UInt32(truncatingIfNeeded: fromUID),
                        toUIDValidity: UInt32(truncatingIfNeeded: message.uidValidity),
                        toUID: UInt32(truncatingIfNeeded: message.uid))
                })
        }
    }

    /// Temporary archives of a run that died while sealing (but not the one this run is building).
    private func removeStalePartials(keeping current: String? = nil) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.archives)) ?? []
        where name.hasSuffix(".partial") && "\(layout.archives)/\(name)" != current {
            unlink("\(layout.archives)/\(name)")
            logger.info("removed the unfinished archive \(name) of an interrupted run")
        }
    }
}

/// A pull without `--encrypt` on a job whose archives are encrypted.
public struct ArchiveEncryptionRequired: Error, CustomStringConvertible, Sendable {
    public let job: String
    public let archive: String
    public var description: String {
        "job \(job): its archives are encrypted (\(archive)); pull again with --encrypt and the same key or passphrase"
    }
}
