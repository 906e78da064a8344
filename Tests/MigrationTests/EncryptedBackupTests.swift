import Foundation
import MailArchive
import MailStore
import TestSupport
import Testing

/// `--encrypt` from the binary: a migrate seals its archive encrypted with a passphrase from
/// the environment, inspect and restore open it with the passphrase and refuse without it or
/// with another, and a later pull of the job without --encrypt is refused.
@Suite("encrypted backups from the command line")
struct EncryptedBackupTests {
    static let passphrase = "Backup-Passphrase-2026 ünïcode"

    @Test("migrate --encrypt, inspect and restore with the passphrase; no key, a wrong one, or a plain pull refused")
    func encryptedBackup() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        let key = ["MAILFERRY_ARCHIVE_PASSPHRASE": Self.passphrase]
        let missing = try await fixture.runBinary("migrate", extra: ["--encrypt"])
        #expect(missing.status == 2 && missing.stderr.contains("--encrypt needs a key"), "\(missing.stderr)")

        let migrated = try await fixture.runBinary("migrate", extra: ["--encrypt"], environment: key)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let archives = fileTree(fixture.layout.archives).filter { $0.hasSuffix(".tar") }
        try #require(archives.count == 1)
        let archive = "\(fixture.layout.archives)/\(archives[0])"
        #expect(ArchiveReader.encryption(ofArchiveAt: archive)?.contains("PBKDF2") == true)
        let raw = try Data(contentsOf: URL(fileURLWithPath: archive))
        for plaintext in ["Subject:", "Message-ID", "manifest.json", "INBOX"] {
            #expect(raw.range(of: Data(plaintext.utf8)) == nil, "\(plaintext) readable in the encrypted archive")
        }

        let noKey = try await MailferryBinary.run(["inspect", archive])
        #expect(noKey.status == 2 && noKey.stderr.contains("is encrypted (aes-256-gcm-chunked-v1)"), "\(noKey.stderr)")
        let wrong = try await MailferryBinary.run(
            ["inspect", archive], environment: ["MAILFERRY_ARCHIVE_PASSPHRASE": "not the passphrase at all"])
        #expect(wrong.status == 2 && wrong.stderr.contains("wrong key or passphrase"), "\(wrong.stderr)")
        let inspected = try await MailferryBinary.run(["inspect", archive], environment: key)
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.contains("Encrypted  aes-256-gcm-chunked-v1, passphrase"), "\(inspected.stdout)")

        let restoreStore = try TemporaryDirectory()
        let restored = try await MailferryBinary.run(
            [
                "restore", archive, "--target", "imaps://dave@\(fixture.target.host):\(fixture.target.imapsPort)",
                "--ca-file", try fixture.combinedCAFile(), "--store", restoreStore.path,
            ], environment: key.merging(["MAILFERRY_TARGET_PASSWORD": targetPassword]) { $1 })
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(
            try await fixture.targetSnapshot(user: "dave") == (try await fixture.expectedOnTarget()),
            "the encrypted backup restores every message, flag and date")

        _ = try fixture.source.server.save(
            user: "alice", folder: "INBOX", message: Data("Subject: later\r\n\r\nnew\r\n".utf8))
        let plainPull = try await fixture.source.runPull(store: fixture.store)
        #expect(plainPull.status == 2 && plainPull.stderr.contains("its archives are encrypted"), "\(plainPull.stderr)")
        let delta = try await fixture.source.runPull(
            store: fixture.store, extraArguments: ["--encrypt"], environment: key)
        #expect(delta.status == 0, "\(delta.stderr)")
        for name in fileTree(fixture.layout.archives) where name.hasSuffix(".tar") {
            #expect(ArchiveReader.encryption(ofArchiveAt: "\(fixture.layout.archives)/\(name)") != nil, "\(name)")
        }
        for name in fileTree(fixture.store) {
            guard let data = FileManager.default.contents(atPath: "\(fixture.store)/\(name)") else { continue }
            #expect(data.range(of: Data(Self.passphrase.utf8)) == nil, "the passphrase is in \(name)")
        }
        for outcome in [migrated, inspected, restored, delta] {
            #expect(!(outcome.stdout + outcome.stderr).contains(Self.passphrase))
        }
    }

    @Test("batch run --encrypt seals every job's archives; batch rerun without the key leaves no plain archive")
    func encryptedBatch() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 2)
        defer { fixture.stop() }
        let key = ["MAILFERRY_ARCHIVE_PASSPHRASE": Self.passphrase]
        let first = try await fixture.run(["--encrypt"], environment: key)
        #expect(first.status == 1, "the bad-password row fails, the others finish: \(first.stderr)")
        let archives = fileTree(fixture.store).filter { $0.contains("/archives/") && $0.hasSuffix(".tar") }
        #expect(archives.count == 2, "\(archives)")
        for archive in archives {
            #expect(ArchiveReader.encryption(ofArchiveAt: "\(fixture.store)/\(archive)") != nil, "\(archive) is plain")
        }
        _ = try fixture.pair.source.save(
            user: "alice", folder: "INBOX", message: Data("Subject: after\r\n\r\nnew\r\n".utf8))
        let plain = try await MailferryBinary.run(
            [
                "batch", "rerun", "acme", "--store", fixture.store, "--ca-file", try fixture.caFile(), "--json",
            ])
        let jobs = try await fixture.status()
        #expect(plain.status != 0)
        #expect(
            (state(jobs, "alice", target: "carol")["lastError"] as? String ?? "\(jobs)").contains(
                "its archives are encrypted"),
            "\(jobs)")
        let plainArchives = fileTree(fixture.store).filter {
            $0.contains("/archives/") && $0.hasSuffix(".tar")
                && ArchiveReader.encryption(ofArchiveAt: "\(fixture.store)/\($0)") == nil
        }
        #expect(plainArchives.isEmpty, "\(plainArchives)")
    }
}
