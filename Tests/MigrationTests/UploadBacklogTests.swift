import Foundation
import Testing

@testable import Migration

/// How far the pull may run ahead of the uploads, without any server: real threads wait and
/// settle as a pull connection's thread and an upload would.
@Suite("upload backlog")
struct UploadBacklogTests {
    /// Runs `waitForRoom` on a thread of its own (as a pull connection's thread does) and
    /// returns when it does, with the seconds it took.
    private func waitOnThread(_ backlog: UploadBacklog, stop: StopFlag = StopFlag()) async -> TimeInterval {
        let (start, end) = await waitTimes(backlog, stop: stop)
        return end.timeIntervalSince(start)
    }

    /// When the wait began and when it returned.
    private func waitTimes(_ backlog: UploadBacklog, stop: StopFlag = StopFlag()) async -> (Date, Date) {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let start = Date()
                backlog.waitForRoom(stopRequested: { stop.isSet })
                continuation.resume(returning: (start, Date()))
            }
            thread.start()
        }
    }

    @Test("under the limit, or in folders the uploads do not follow, nothing waits")
    func noWait() async {
        let backlog = UploadBacklog(limitBytes: 100)
        backlog.committed(folderID: 1, files: [("/a", 500)])
        #expect(backlog.outstandingBytes == 0, "folder 1 is not followed")
        backlog.follow([1])
        backlog.committed(folderID: 1, files: [("/b", 60), ("/c", 40)])
        #expect(backlog.outstandingBytes == 100)
        let seconds = await waitOnThread(backlog)
        #expect(seconds < 0.25)
        #expect(backlog.waitTotals.count == 0)
        backlog.settled("/b")
        backlog.settled("/b")
        backlog.settled("/unknown")
        #expect(backlog.outstandingBytes == 40, "each file counts once")
    }

    @Test("over the limit, the pull waits until the uploads bring it back under")
    func waitsForUploads() async throws {
        let backlog = UploadBacklog(limitBytes: 100, stallWindow: 5)
        backlog.follow([1])
        backlog.committed(folderID: 1, files: [("/a", 60), ("/b", 60), ("/c", 60)])
        let settledAt = Locked<[Date]>([])
        let uploads = Thread {
            for path in ["/a", "/b", "/c"] {
                Thread.sleep(forTimeInterval: 0.15)
                settledAt.mutate { $0.append(Date()) }
                backlog.settled(path)
            }
        }
        uploads.start()
        let (began, returned) = await waitTimes(backlog)
        let seconds = returned.timeIntervalSince(began)
        let settles = settledAt.value
        // 180 bytes: one settle leaves 120 (still over), the second 60.
        #expect(settles.count >= 2, "returned after \(settles.count) settles")
        if settles.count >= 2 { #expect(returned >= settles[1]) }
        #expect(seconds < 2, "a stall window of 5 s was not what ended it")
        #expect(backlog.waitTotals.count == 1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(backlog.outstandingBytes == 0)
    }

    @Test("uploads that stop moving end the wait after the stall window; so do a stop and an ended round")
    func waitsEnd() async throws {
        let stalled = UploadBacklog(limitBytes: 10, stallWindow: 0.3)
        stalled.follow([1])
        stalled.committed(folderID: 1, files: [("/a", 100)])
        let seconds = await waitOnThread(stalled)
        #expect(seconds >= 0.28 && seconds < 3, "waited \(seconds) s")
        #expect(stalled.outstandingBytes == 100, "nothing was settled")

        let stopping = UploadBacklog(limitBytes: 10, stallWindow: 30)
        stopping.follow([1])
        stopping.committed(folderID: 1, files: [("/a", 100)])
        let stop = StopFlag()
        Thread {
            Thread.sleep(forTimeInterval: 0.2)
            stop.set()
        }.start()
        #expect(await waitOnThread(stopping, stop: stop) < 3, "a stop request ends the wait")

        let ending = UploadBacklog(limitBytes: 10, stallWindow: 30)
        ending.follow([1, 2])
        ending.committed(folderID: 1, files: [("/a", 100)])
        ending.committed(folderID: 2, files: [("/b", 5)])
        ending.stopFollowing(1)
        #expect(ending.outstandingBytes == 5, "a folder the uploads gave up on stops counting")
        ending.committed(folderID: 1, files: [("/c", 100)])
        #expect(ending.outstandingBytes == 5)
        ending.follow([1])
        ending.committed(folderID: 1, files: [("/d", 100)])
        Thread {
            Thread.sleep(forTimeInterval: 0.2)
            ending.stopFollowingAll()
        }.start()
        #expect(await waitOnThread(ending) < 3, "the end of the uploads' round ends the wait")
        #expect(ending.outstandingBytes == 0)
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
