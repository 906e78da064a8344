import IMAPClient
import IMAPCore

/// Passes a prefetch's messages to the folder's sink and notes each UID that came with its
/// body, so the fetch after the survey asks only for the rest. Each such message is planned as
/// it arrives, before the sink counts it done: the folder's plan is only known once the survey
/// has answered, after these bodies.
final class ArrivedUIDs: FetchSink, @unchecked Sendable {
    private let sink: any FetchSink
    private let progress: TransferProgress
    private var bodyStarted = false
    private(set) var uids: Set<UInt32> = []

    init(_ sink: any FetchSink, progress: TransferProgress) { self.sink = sink; self.progress = progress }

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        bodyStarted = true
        try sink.beginBody(section, size: size, of: message)
    }

    func appendBody(_ bytes: ArraySlice<UInt8>) throws { try sink.appendBody(bytes) }

    func endBody() throws { try sink.endBody() }

    func finishMessage(_ message: FetchedMessage) throws {
        defer { bodyStarted = false }
        if bodyStarted { progress.update { $0.messagesPlanned += 1 } }
        try sink.finishMessage(message)
        if bodyStarted, let uid = message.uid { uids.insert(uid) }
    }
}
