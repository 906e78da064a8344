import Foundation
import MailArchive
import MailStore
import Migration
import Testing

@Suite("archives and folders over passes")
struct ArchiveOptionsTests {
    @Test("--compress zstd and gzip seal compressed archives that inspect re-hashes", arguments: ["zstd", "gzip"])
    func compressed(compression: String) async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        let outcome = try await fixture.runPull(store: fixture.store, extraArguments: ["--compress", compression])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let archives = fileTree(fixture.layout().archives)
        #expect(archives.count == 1)
        #expect(archives[0].hasSuffix(compression == "zstd" ? "-full.tar.zst" : "-full.tar.gz"))
        let inspect = try await MailferryBinary.run(["inspect", "\(fixture.layout().archives)/\(archives[0])"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("Integrity  OK"))
    }

    @Test("inspect finds a tampered message and exits 1")
    func tamperedArchive() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        let summary = try await fixture.pull()
        let path = "\(fixture.layout().archives)/\(try #require(summary.archive))"
        // Flip one byte of the first message body inside the uncompressed tar.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let marker = Data("Folder INBOX, message".utf8)
        let range = try #require(bytes.range(of: marker))
        bytes[range.lowerBound] = UInt8(ascii: "X")
        try bytes.write(to: URL(fileURLWithPath: path))
        let inspect = try await MailferryBinary.run(["inspect", path])
        #expect(inspect.status == 1)
        #expect(inspect.stdout.contains("SHA-256 differs"))
    }

    @Test("a folder deleted or renamed at the source is recorded as gone and kept locally")
    func folderGone() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        _ = try await fixture.pull()
        let client = try await fixture.server.connectedClient()
        try await client.delete(.init("Přijatá pošta"))
        await client.logout()
        let summary = try await fixture.pull()
        #expect(summary.foldersGone == ["Přijatá pošta"])
        let database = try StateDatabase(path: fixture.layout().database)
        let drafts = try #require(try database.folders().first { $0.name == "Přijatá pošta" })
        #expect(drafts.state == .gone)
        let maildir = MaildirFolder(root: fixture.layout().maildir, relativePath: drafts.maildirPath)
        #expect(maildir.storedFiles().count == 2, "the local copy is never erased")
    }
}
