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
        let flagChoices: [[Flag]] = [
            [], [.seen], [.seen, .flagged], [.seen, .answered], [.draft], ["$Forwarded", .seen], ["$label1"],
            [.seen, .flagged, .answered, "$label1"],
        ]
        let flags = flagChoices[Int(random.next() % UInt64(flagChoices.count))]
        // Every 7th has no Message-ID; every 5th repeats the one before it.
        let messageID: String? = serial % 7 == 0 ? nil : "<corpus-\(serial % 5 == 0 ? serial - 1 : serial)@example.com>"
        let bareLF = serial % 11 == 0
        let eightBit = serial % 3 == 0
        let bodySize = bodyBytes(random: &random)
        let zone = [-420, 0, 60, 330][serial % 4]
        let date = InternalDate(
            year: 2024 + serial % 3, month: 1 + serial % 12, day: 1 + serial % 28,
            hour: serial % 24, minute: serial % 60, second: (serial * 7) % 60, zoneMinutes: zone)!
        var header = "From: Sender \(serial) <sender\(serial)@example.com>\r\nTo: user@example.com\r\n"
        header += "Subject: \(eightBit ? "Zpráva č. \(serial) — žluťoučký kůň" : "Message \(serial)")\r\n"
        if let messageID { header += "Message-ID: \(messageID)\r\n" }
        header += "Date: Thu, 05 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\n"
        header +=
            bodySize >= Self.attachmentThreshold
            ? "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            : "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: \(eightBit ? "8bit" : "7bit")\r\n\r\n"
        var bytes = Array((header + "Folder \(folder), message \(serial).\r\n").utf8)
        if bodySize >= Self.attachmentThreshold {
            // Attachment-sized mail carries attachment-like bytes: base64 of random data, which
            // compresses no better than real attachments do (about 3:4).
            Self.appendBase64Lines(of: bodySize - bytes.count, to: &bytes, random: &random)
        } else {
            Self.appendProse(until: bodySize, to: &bytes, eightBit: eightBit, random: &random)
        }
        if bareLF { bytes = bytes.filter { $0 != UInt8(ascii: "\r") } }
        return CorpusMessage(folder: folder, flags: flags, internalDate: date, body: .bytes(bytes), size: bytes.count)
    }

    /// Bodies from this size on are generated as base64 attachments rather than prose.
    static let attachmentThreshold = 100_000

    private static let englishWords =
        ("the of and to in is that it for on with as was at by be this from or have an are not which but "
        + "meeting invoice project schedule update report review budget contract delivery customer server migration account "
        + "mailbox folder message attached please regards thanks tomorrow monday friday quarter numbers draft final version "
        + "team office travel expense approval deadline proposal agenda minutes action items follow-up question answer")
        .split(separator: " ").map(String.init)
    private static let otherWords =
        ("příliš žluťoučký kůň úpěl ďábelské ódy schůzka faktura projekt termín zpráva děkuji pozdravem "
        + "съешь же ещё этих мягких булок встреча счёт проект отчёт письмо спасибо завтра").split(separator: " ").map(
            String.init)

    /// Lines of randomly chosen words (about 70 characters each), like real text in entropy.
    private static func appendProse(
        until size: Int, to bytes: inout [UInt8], eightBit: Bool, random: inout SeededRandom
    ) {
        var line: [UInt8] = []
        while bytes.count < size {
            let pool = eightBit && random.next() % 3 == 0 ? otherWords : englishWords
            let word = pool[Int(random.next() % UInt64(pool.count))]
            if !line.isEmpty { line.append(UInt8(ascii: " ")) }
            line += word.utf8
            if line.count >= 70 {
                bytes += line
                bytes += [13, 10]
                line.removeAll(keepingCapacity: true)
            }
        }
        if !line.isEmpty { bytes += line + [13, 10] }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// About `count` bytes of 76-character base64 lines encoding random data.
    static func appendBase64Lines(of count: Int, to bytes: inout [UInt8], random: inout SeededRandom) {
        bytes.reserveCapacity(bytes.count + count + 80)
        var written = 0
        while written < count {
            let lineLength = min(76, max(4, (count - written - 2) / 4 * 4))
            var word: UInt64 = 0, bits = 0
            for _ in 0..<lineLength {
                if bits < 6 { word = random.next(); bits = 64 }
                bytes.append(base64Alphabet[Int(word & 63)])
                word >>= 6; bits -= 6
            }
            bytes += [13, 10]
            written += lineLength + 2
        }
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
        let header =
            "From: big@example.com\r\nTo: user@example.com\r\nSubject: Large attachment\r\nMessage-ID: <corpus-large-\(serial)@example.com>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        try handle.write(contentsOf: Data(header.utf8))
        var written = header.utf8.count
        // Random base64 in 1 MiB pieces: streamed to the file, never held whole.
        var random = SeededRandom(seed: spec.seed &+ UInt64(serial))
        var block: [UInt8] = []
        while written < bytes {
            block.removeAll(keepingCapacity: true)
            Self.appendBase64Lines(of: min(1 << 20, bytes - written), to: &block, random: &random)
            try handle.write(contentsOf: block)
            written += block.count
        }
        let date = InternalDate(year: 2025, month: 6, day: 30, hour: 23, minute: 59, second: 59, zoneMinutes: 120)!
        return CorpusMessage(
            folder: "Archive", flags: [.seen], internalDate: date, body: .file(path: path), size: written)
    }
}
