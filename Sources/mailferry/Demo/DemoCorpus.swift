import IMAPClient
import IMAPCore

/// A small mailbox with the things that trip migrations up: nested and non-ASCII folder names,
/// special-use folders, keywords, every system flag, 8-bit bodies, a duplicate Message-ID and
/// an attachment-sized message.
enum DemoCorpus {
    struct Folder {
        let name: String
        let messages: [AppendRequest]
    }

    static func folders() -> [Folder] {
        let date = InternalDate("05-Nov-2026 10:15:00 +0100")!
        func message(_ index: Int, _ subject: String, flags: [Flag] = [], body: String = "Hello from the mailferry demo.\r\n",
                     messageID: String? = nil) -> AppendRequest {
            let id = messageID ?? "demo-\(index)@example.com"
            let text = "From: Demo Sender <sender@example.com>\r\nTo: demo@example.com\r\nSubject: \(subject)\r\n"
                + "Message-ID: <\(id)>\r\nDate: Thu, 05 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
            return AppendRequest(bytes: Array(text.utf8), flags: flags, internalDate: date)
        }
        let attachment = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n", count: 4_000)
        return [
            Folder(name: "INBOX", messages: (1...12).map { message($0, "Inbox message \($0)", flags: $0 % 3 == 0 ? [.seen] : []) }
                + [message(13, "Flagged and answered", flags: [.seen, .flagged, .answered]),
                   message(14, "Same Message-ID as 15", messageID: "duplicate@example.com"),
                   message(15, "Same Message-ID as 14", messageID: "duplicate@example.com")]),
            Folder(name: "Sent", messages: (20...24).map { message($0, "Sent \($0)", flags: [.seen]) }),
            Folder(name: "Drafts", messages: [message(30, "Unfinished", flags: [.draft])]),
            Folder(name: "Přijatá pošta", messages: [message(40, "Žluťoučký kůň", flags: [.seen, "$Forwarded"],
                                                            body: "Příliš žluťoučký kůň úpěl ďábelské ódy.\r\n")]),
            Folder(name: "Projects.2026.Q4", messages: [message(50, "Quarterly plan", flags: ["$label1"]),
                                                        message(51, "Report with attachment", body: attachment)]),
            Folder(name: "Архив", messages: [message(60, "Старое письмо", flags: [.seen])]),
        ]
    }
}
