import Testing

@testable import Migration

/// The uploader's claim rules while a pull runs, without any server: the folder with the most
/// committed bytes first, one worker per folder, a released folder claimable again only with new
/// bytes, a folder given up on never claimed again.
@Suite("pull feed claim rules")
struct PullFeedClaimTests {
    @Test("most bytes first, held folders skipped, released ones need new bytes, excluded ones never")
    func claims() throws {
        let feed = PullFeed()
        let events = feed.events
        events.foldersListed([])
        events.committed(1, 10, 1_000)
        events.committed(2, 10, 5_000)
        events.committed(3, 10, 3_000)
        #expect(feed.claim(among: [1, 2, 3]) == 2, "the most bytes waiting")
        #expect(feed.claim(among: [1, 2, 3]) == 3, "2 is held by the first worker")
        events.committed(2, 5, 9_000)
        #expect(feed.claim(among: [1, 2, 3]) == 1, "2 has new bytes but is still held")
        #expect(feed.claim(among: [1, 2, 3]) == nil)
        feed.release(2)
        #expect(feed.claim(among: [1, 2, 3]) == 2, "released with bytes waiting: claimable again")
        feed.release(3)
        #expect(feed.claim(among: [3]) == nil, "released without new bytes: nothing to do")
        events.committed(3, 1, 10)
        feed.exclude(3)
        #expect(feed.claim(among: [3]) == nil, "given up on: the final round reports it")
        #expect(feed.claim(among: [4]) == nil, "not a candidate")
        #expect(!feed.isFinished)
        events.foldersPulled()
        #expect(feed.isFinished)
    }

    @Test(
        "with nothing waiting, a folder being pulled is claimed ahead, and its uploader waits for its first commit or its end"
    )
    func claimsAhead() async throws {
        let feed = PullFeed()
        let events = feed.events
        #expect(feed.claimBeingPulled(among: [1, 2]) == nil, "nothing is being pulled")
        events.folderStarted(1)
        events.folderStarted(2)
        events.committed(3, 1, 100)
        #expect(feed.claimBeingPulled(among: [1, 2, 3]) == nil, "a commit is waiting: that comes first")
        #expect(feed.claim(among: [1, 2, 3]) == 3)
        #expect(feed.claimBeingPulled(among: [1, 2, 3]) == 1, "the first started")
        #expect(feed.claimBeingPulled(among: [1, 2, 3]) == 2, "1 is held")
        #expect(feed.claimBeingPulled(among: [1, 2, 3]) == nil, "both held")

        // Folder 1's commit ends the wait, and is taken by it: nobody else claims those bytes.
        let waiting = Task { try await feed.waitForCommit(1) }
        try await Task.sleep(for: .milliseconds(30))
        events.committed(1, 5, 500)
        try await waiting.value
        feed.release(1)
        #expect(feed.claim(among: [1]) == nil, "the commit was taken by the wait")

        // Folder 2 ends without a commit (flag changes only): the wait ends too.
        let ending = Task { try await feed.waitForCommit(2) }
        try await Task.sleep(for: .milliseconds(30))
        events.folderEnded(2)
        try await ending.value
        feed.release(2)
        #expect(feed.claimBeingPulled(among: [1, 2]) == 1, "1 is still being pulled, 2 no longer")
        events.folderStarted(4)
        let atTheEnd = Task { try await feed.waitForCommit(4) }
        events.foldersPulled()
        try await atTheEnd.value
    }
}
