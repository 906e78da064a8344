import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore
import Testing

@testable import Migration

@Suite("a push round on a listing made before, against two real Dovecots")
struct TargetListingTests {
    @Test("a folder created on the target after the listing was made is taken as there (ALREADYEXISTS), not failed")
    func folderCreatedSinceTheListing() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        let engine = PushEngine(options: fixture.pushOptions(), console: { _ in SwiftLogNoOpLogHandler() })
        let client = try await fixture.target.connectedClient(user: "carol", password: targetPassword)
        let listing = try await TargetListing.fetch(client)
        engine.listings.store(listing)
        // Someone else creates one of the folders the push will need, after the listing.
        let listed = Set(listing.folders.listings.map(\.name.description))
        let database = try StateDatabase(path: fixture.layout.database)
        let missing = try #require(
            try database.folders().filter { $0.state != .unselectable }.map { MigrationFixture.targetName($0.name) }
                .first {
                    !listed.contains($0) && $0 != "INBOX"
                })
        try await client.create(MailboxName(missing))
        await client.logout()

        let context = try JobContext(
            storeRoot: fixture.store, job: "alice", step: "push", user: "carol",
            console: { _ in SwiftLogNoOpLogHandler() })
        let summary = try await engine.run(password: targetPassword, context: context)
        #expect(summary.folders.allSatisfy { $0.error == nil }, "\(summary.folders.compactMap(\.error))")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let log = try String(contentsOfFile: summary.logFile, encoding: .utf8)
        #expect(log.contains("not listed again"), "the round used the listing made before")
    }
}
