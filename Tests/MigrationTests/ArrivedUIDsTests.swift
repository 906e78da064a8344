import IMAPClient
import IMAPCore
import Testing

@testable import Migration

/// A prefetch's bodies arrive with the survey, before the folder's plan is known: each is
/// planned as it arrives, so the progress line never shows more done than planned.
@Suite("prefetched messages in the progress")
struct ArrivedUIDsTests {
    @Test("a message with its body is planned before the sink counts it; one without is neither planned nor noted")
    func plannedOnArrival() throws {
        let progress = TransferProgress()
        let recorder = PlanAtFinish(progress)
        let arrived = ArrivedUIDs(recorder, progress: progress)
        var withBody = FetchedMessage(sequenceNumber: 1)
        withBody.uid = 41
        try arrived.beginBody(BodySection(item: "BODY", section: "", origin: nil), size: 3, of: withBody)
        try arrived.appendBody(ArraySlice(Array("abc".utf8)))
        try arrived.endBody()
        try arrived.finishMessage(withBody)
        var flagsOnly = FetchedMessage(sequenceNumber: 2)
        flagsOnly.uid = 42
        try arrived.finishMessage(flagsOnly)
        #expect(recorder.plannedAtFinish == [1, 1], "planned when the sink counted the first done, not again after")
        #expect(arrived.uids == [41])
        #expect(progress.snapshot.messagesPlanned == 1)
    }
}

/// Counts each message done, as the Maildir sink does, and notes what was planned by then.
private final class PlanAtFinish: FetchSink, @unchecked Sendable {
    let progress: TransferProgress
    var plannedAtFinish: [Int] = []
    init(_ progress: TransferProgress) { self.progress = progress }
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {}
    func appendBody(_ bytes: ArraySlice<UInt8>) throws {}
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        plannedAtFinish.append(progress.snapshot.messagesPlanned)
    }
}
