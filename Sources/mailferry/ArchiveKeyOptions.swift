import ArgumentParser
import Foundation
import MailArchive

/// Where the archive key comes from: a key file, or a passphrase from MAILFERRY_ARCHIVE_PASSPHRASE
/// or a file. Never argv: process lists show it to every local user.
struct ArchiveKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("archive-key-file"),
        help: ArgumentHelp(
            "File holding the archive key: 32 bytes, or 64 hex digits (make one: openssl rand -hex 32 > FILE).",
            valueName: "file"))
    var keyFile: String?

    @Option(
        name: .customLong("archive-passphrase-file"),
        help: ArgumentHelp(
            "File whose first line is the archive passphrase (else MAILFERRY_ARCHIVE_PASSPHRASE).", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if keyFile != nil && passphraseFile != nil {
            throw ValidationError("--archive-key-file and --archive-passphrase-file: give one of them")
        }
    }

    /// The key given, if any; errors name the file at fault.
    func key() throws -> ArchiveKey? {
        do {
            if let keyFile { return try ArchiveKey.load(keyFile: keyFile) }
            if let passphraseFile {
                guard let data = FileManager.default.contents(atPath: passphraseFile) else {
                    throw CommandFailure(
                        message: "cannot read the passphrase file \(passphraseFile)", exitCode: .badInput)
                }
                return try ArchiveKey(
                    passphrase: try PasswordSource.firstLine(
                        of: String(decoding: data, as: UTF8.self), file: passphraseFile))
            }
            if let passphrase = ProcessInfo.processInfo.environment["MAILFERRY_ARCHIVE_PASSPHRASE"] {
                return try ArchiveKey(passphrase: passphrase)
            }
            return nil
        } catch let error as ArchiveKeyError {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
    }
}

/// `--encrypt` and its key, for the commands that seal archives.
struct EncryptOptions: ParsableArguments {
    @ArgumentParser.Flag(
        help: "Seal the archives encrypted (AES-256-GCM in authenticated chunks) with the archive key or passphrase.")
    var encrypt = false

    @OptionGroup var archiveKey: ArchiveKeyOptions

    func validate() throws {
        let given =
            archiveKey.keyFile != nil || archiveKey.passphraseFile != nil
            || ProcessInfo.processInfo.environment["MAILFERRY_ARCHIVE_PASSPHRASE"] != nil
        if !encrypt && (archiveKey.keyFile != nil || archiveKey.passphraseFile != nil) {
            throw ValidationError("an archive key was given without --encrypt: add --encrypt to seal archives with it")
        }
        if encrypt && !given {
            throw ValidationError(
                "--encrypt needs a key: --archive-key-file FILE, --archive-passphrase-file FILE, or MAILFERRY_ARCHIVE_PASSPHRASE"
            )
        }
    }

    /// The key to seal with, nil without --encrypt.
    func sealingKey() throws -> ArchiveKey? {
        encrypt ? try archiveKey.key() : nil
    }
}
