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
}
