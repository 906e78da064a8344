import Foundation
import IMAPClient
import IMAPCore
import MailArchive
import MailStore
import Migration
import Testing

/// Kill -9 at chosen points, resume, and compare with an uninterrupted run (mbsync's method).
@Suite("pull survives kill -9", .serialized)
struct CrashResumeTests {
    @Test(
        "resume after a kill leaves the same Maildir, manifest and archive as an uninterrupted run",
        arguments: ["after-commit:1", "after-commit:6", "mid-message:1", "mid-message:40", "while-sealing:1"])
    func killAndResume(fault: String) async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 8))
        defer { fixture.stop() }
        let reference = fixture.store + "/reference"
        let interrupted = fixture.store + "/interrupted"
        let clean = try await fixture.runPull(store: reference, extraArguments: ["--commit-every", "5"])
        #expect(clean.status == 0, "\(clean.stderr)")

        let killed = try await fixture.runPull(
            store: interrupted, extraArguments: ["--commit-every", "5"], environment: ["MAILFERRY_FAULT": fault])
        #expect(killed.killedBySignal && killed.status == SIGKILL, "the fault \(fault) was reached: \(killed.stderr)")
        let resumed = try await fixture.runPull(store: interrupted, extraArguments: ["--commit-every", "5"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed"), "the second run continues the interrupted pass")

        let referenceLayout = StoreLayout(storeRoot: reference, job: "alice")
        let interruptedLayout = StoreLayout(storeRoot: interrupted, job: "alice")
        #expect(try snapshot(of: interruptedLayout) == (try snapshot(of: referenceLayout)))
        #expect(
            fileTree(interruptedLayout.maildir) == fileTree(referenceLayout.maildir),
            "same files, no leftovers in tmp/, no duplicates")
        let archives = fileTree(interruptedLayout.archives)
        #expect(
            archives.count == 1 && archives[0].hasSuffix("-full.tar"),
            "exactly one sealed archive, no partial: \(archives)")
        let inspection = try ArchiveInspection.inspect(archive: "\(interruptedLayout.archives)/\(archives[0])")
        let referenceArchive = fileTree(referenceLayout.archives)[0]
        let referenceInspection = try ArchiveInspection.inspect(
            archive: "\(referenceLayout.archives)/\(referenceArchive)")
        #expect(inspection.isIntact)
        #expect(inspection.messages == referenceInspection.messages)
        // The uninterrupted pass built its archive as it went (documents last); the resumed one
        // wrote it from the Maildir at the seal (documents first). Same messages either way.
        let referenceEntries = try entryPaths(of: "\(referenceLayout.archives)/\(referenceArchive)")
        let resumedEntries = try entryPaths(of: "\(interruptedLayout.archives)/\(archives[0])")
        #expect(Array(referenceEntries.suffix(2)) == ["manifest.json", "metadata.json"], "\(referenceEntries)")
        #expect(Array(resumedEntries.prefix(2)) == ["metadata.json", "manifest.json"], "\(resumedEntries)")
        #expect(Set(referenceEntries) == Set(resumedEntries))
        #expect(referenceEntries.count == resumedEntries.count, "no entry twice")

        // And a run after that has nothing left to do.
        let again = try await fixture.runPull(store: interrupted)
        #expect(again.status == 0)
        #expect(again.stdout.contains("Copied     0 messages"), "\(again.stdout)")
    }

    @Test(
        "a delta pass killed after its first commit resumes above the rows it committed: the prefetch with the survey stores nothing twice"
    )
    func killedDeltaResumes() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 4))
        defer { fixture.stop() }
        let first = try await fixture.runPull(store: fixture.store)
        #expect(first.status == 0, "\(first.stderr)")
        let database = try StateDatabase(path: fixture.layout().database)
        let inbox = try #require(try database.folders().first { $0.name == "INBOX" })
        let before = try database.messageCount(folderID: inbox.id)
        let client = try await fixture.server.connectedClient()
        _ = try await client.append(
            (1...12).map {
                AppendRequest(
                    bytes: Array("Subject: late \($0)\r\nMessage-ID: <late-\($0)@x>\r\n\r\nbody \($0)\r\n".utf8),
                    flags: $0.isMultiple(of: 2) ? [.seen] : [])
            }, to: .inbox)
        await client.logout()

        // The first commit of 5 lands the prefetched messages above the folder's highest known
        // UID, which is saved only when the folder ends: the kill leaves rows above it.
        let killed = try await fixture.runPull(
            store: fixture.store, extraArguments: ["--commit-every", "5"],
            environment: ["MAILFERRY_FAULT": "after-commit:1"])
        #expect(killed.killedBySignal && killed.status == SIGKILL, "\(killed.stderr)")
        #expect(try database.messageCount(folderID: inbox.id) == before + 5, "one group of the new messages committed")

        let resumed = try await fixture.runPull(store: fixture.store, extraArguments: ["--commit-every", "5"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try database.messageCount(folderID: inbox.id) == before + 12, "every new message once")
        #expect(try snapshot(of: fixture.layout()) == (try await snapshot(of: fixture.server)))
        let inboxDirectory = MaildirFolder(root: fixture.layout().maildir, relativePath: inbox.maildirPath)
        #expect(fileTree(inboxDirectory.cur).count == before + 12, "no file twice")
        let again = try await fixture.runPull(store: fixture.store)
        #expect(again.stdout.contains("Copied     0 messages"), "\(again.stdout)")
    }
}

private func entryPaths(of archive: String) throws -> [String] {
    var paths: [String] = []
    try ArchiveReader(path: archive).forEachEntry { info, _ in paths.append(info.path) }
    return paths
}
