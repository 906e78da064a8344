import Foundation
import IMAPClient
import IMAPCore
import MailStore

/// Everything verify needs of one folder's messages, from either side.
struct MessageView {
    var uid: UInt32
    var size: Int
    var messageID: String?
    var flags: Set<String>
    var dateSeconds: Int?
    var sha256: String?
}

/// Fetches a selected folder's messages: attributes, Message-ID, and the body hash when deep.
final class MessageViewSink: FetchSink, @unchecked Sendable {
    let deep: Bool
    var views: [MessageView] = []
    private var scanner = MessageIDScanner()
    private var hasher: SHA256Hasher?
    private var sha: String?
    private var sawHeaderSection = false

    init(deep: Bool) { self.deep = deep }

    static func items(deep: Bool) -> [String] {
        ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE"]
            + (deep ? ["BODY.PEEK[]"] : ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    }

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        scanner = MessageIDScanner()
        hasher = section.isWholeMessage ? SHA256Hasher() : nil
        sawHeaderSection = !section.isWholeMessage
    }

    func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        bytes.withUnsafeBytes {
            scanner.consume($0); hasher?.update($0)
        }
    }

    func endBody() throws { sha = hasher?.finalizeHex() }

    func finishMessage(_ message: FetchedMessage) throws {
        guard let uid = message.uid else { return }
        views.append(
            MessageView(
                uid: uid, size: message.rfc822Size ?? -1,
                messageID: sawHeaderSection ? scanner.messageIDInHeaderFields : scanner.messageID,
                flags: Set((message.flags ?? []).filter { $0 != .recent }.map(\.name)),
                dateSeconds: message.internalDate?.secondsSince1970, sha256: sha))
        sha = nil
    }
}
