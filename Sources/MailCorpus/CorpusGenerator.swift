import Foundation
import IMAPClient
import IMAPCore

/// Builds a mailbox with what trips migrations up: nested and non-ASCII folder names, every
/// system flag and keywords (`$Forwarded`, `$label1`), messages without Message-ID, repeated
/// Message-IDs, bare-LF line ends, 8-bit bodies, and optionally one very large message.
public struct CorpusGenerator {
    public let spec: CorpusSpec
    /// Where large message files are written (they are streamed, never held in memory).
    public let scratchDirectory: String

    public init(spec: CorpusSpec, scratchDirectory: String) {
        self.spec = spec; self.scratchDirectory = scratchDirectory
    }

    public static let fixedFolders: [[String]] = [
        ["INBOX"], ["Sent"], ["Drafts"], ["Archive"], ["Archive", "2025"],
        ["Přijatá pošta"], ["Входящие", "Подпапка"], ["Projects", "Q4 & later"],
    ]

    public func folders() throws -> [CorpusFolder] {
        var random = SeededRandom(seed: spec.seed)
        var paths = Self.fixedFolders
        for index in 0..<spec.extraFolders { paths.append(["Lists", "list-\(index)"]) }
        var serial = 0
        return try paths.map { path in
            let count = path == ["INBOX"] ? spec.messagesPerFolder * 2 : spec.messagesPerFolder
            var messages: [CorpusMessage] = []
            for _ in 0..<count {
                serial += 1
                messages.append(message(serial, folder: path.joined(separator: "/"), random: &random))
            }
            if path == ["Archive"], let large = spec.largeMessageBytes {
                serial += 1
                messages.append(try largeMessage(serial, bytes: large))
            }
            return CorpusFolder(path: path, messages: messages)
        }
    }

    private func message(_ serial: Int, folder: String, random: inout SeededRandom) -> CorpusMessage {
        let flagChoices: [[Flag]] = [[], [.seen], [.seen, .flagged], [.seen, .answered], [.draft], ["$Forwarded", .seen], ["$label1"], [.seen, .flagged, .answered, "$label1"]]
        let flags = flagChoices[Int(random.next() % UInt64(flagChoices.count))]
        // Every 7th has no Message-ID; every 5th repeats the one before it.
        let messageID: String? = serial % 7 == 0 ? nil : "<corpus-\(serial % 5 == 0 ? serial - 1 : serial)@example.com>"
        let bareLF = serial % 11 == 0
        let eightBit = serial % 3 == 0
        let bodySize = bodyBytes(random: &random)
        let zone = [-420, 0, 60, 330][serial % 4]
        let date = InternalDate(year: 2024 + serial % 3, month: 1 + serial % 12, day: 1 + serial % 28,
                                hour: serial % 24, minute: serial % 60, second: (serial * 7) % 60, zoneMinutes: zone)!
        var header = "From: Sender \(serial) <sender\(serial)@example.com>\r\nTo: user@example.com\r\n"
        header += "Subject: \(eightBit ? "Zpráva č. \(serial) — žluťoučký kůň" : "Message \(serial)")\r\n"
        if let messageID { header += "Message-ID: \(messageID)\r\n" }
        header += "Date: Thu, 05 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\n"
        header += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: \(eightBit ? "8bit" : "7bit")\r\n\r\n"
        let line = eightBit ? "Příliš žluťoučký kůň úpěl ďábelské ódy; Съешь же ещё этих мягких булок.\r\n"
                            : "The quick brown fox jumps over the lazy dog while the mail keeps moving.\r\n"
        var text = header + "Folder \(folder), message \(serial).\r\n"
        while text.utf8.count < bodySize { text += line }
        if bareLF { text = text.replacingOccurrences(of: "\r\n", with: "\n") }
        let bytes = Array(text.utf8)
        return CorpusMessage(folder: folder, flags: flags, internalDate: date, body: .bytes(bytes), size: bytes.count)
    }

    private func bodyBytes(random: inout SeededRandom) -> Int {
        switch spec.sizes {
        case .small:
            return 600 + Int(random.next() % 7000)
        case .realistic:
            let roll = random.next() % 1000
            if roll < 2 { return 20_000_000 + Int(random.next() % 20_000_000) }
            if roll < 40 { return 100_000 + Int(random.next() % 4_900_000) }
            return 2_000 + Int(random.next() % 48_000)
        }
    }

    private func largeMessage(_ serial: Int, bytes: Int) throws -> CorpusMessage {
        let path = "\(scratchDirectory)/corpus-large-\(serial).eml"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = "From: big@example.com\r\nTo: user@example.com\r\nSubject: Large attachment\r\nMessage-ID: <corpus-large-\(serial)@example.com>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        try handle.write(contentsOf: Data(header.utf8))
        var written = header.utf8.count
        let block = Data(String(repeating: "TWFpbGZlcnJ5IG1vdmVzIHdob2xlIG1haWwgYWNjb3VudHMgd2l0aG91dCBsb3NpbmcgYSBieXRlLg==\r\n", count: 8192).utf8)
        while written + block.count <= bytes { try handle.write(contentsOf: block); written += block.count }
        let tail = Data((String(repeating: "A", count: max(0, bytes - written - 2)) + "\r\n").utf8)
        try handle.write(contentsOf: tail)
        written += tail.count
        let date = InternalDate(year: 2025, month: 6, day: 30, hour: 23, minute: 59, second: 59, zoneMinutes: 120)!
        return CorpusMessage(folder: "Archive", flags: [.seen], internalDate: date, body: .file(path: path), size: written)
    }
}
