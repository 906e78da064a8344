import IMAPCore

/// Bodies asked for together with a folder's survey, on the bet that the folder is still the
/// generation the caller knows: the messages above the highest UID it holds, which a delta pass
/// would otherwise ask for one round trip later. They reach `sink` only if the EXAMINE shows
/// `expectedUIDValidity`; under another generation those UIDs name other messages, and what
/// the server sends for them is dropped.
public struct SurveyPrefetch: Sendable {
    public var uids: UIDSet
    public var items: [String]
    public var expectedUIDValidity: UInt32
    public var sink: any FetchSink

    public init(uids: UIDSet, items: [String], expectedUIDValidity: UInt32, sink: any FetchSink) {
        self.uids = uids; self.items = items; self.expectedUIDValidity = expectedUIDValidity; self.sink = sink
    }
}

/// Where a survey's FETCH answers go: a response with a body belongs to the prefetch (bodies
/// only while its generation holds), one without to the changed flags. Dovecot may run the
/// two FETCH commands side by side, so their answers can come in any order.
final class SurveyFetchRouter: FetchSink, @unchecked Sendable {
    private let flags: AttributeCollector
    private let bodies: (any FetchSink)?
    var deliversBodies = false
    private var bodyOpen = false

    init(flags: AttributeCollector, bodies: (any FetchSink)?) {
        self.flags = flags; self.bodies = bodies
    }

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        bodyOpen = true
        if deliversBodies { try bodies?.beginBody(section, size: size, of: message) }
    }

    func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        if deliversBodies { try bodies?.appendBody(bytes) }
    }

    func endBody() throws {
        if deliversBodies { try bodies?.endBody() }
    }

    func finishMessage(_ message: FetchedMessage) throws {
        guard bodyOpen else { return try flags.finishMessage(message) }
        bodyOpen = false
        if deliversBodies { try bodies?.finishMessage(message) }
    }
}
