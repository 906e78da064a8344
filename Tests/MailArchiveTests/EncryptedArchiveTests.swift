import Foundation
import MailArchive
import TestSupport
import Testing

/// Encrypted archives (aes-256-gcm-chunked-v1): round trips with a key file and a passphrase,
/// and every way an encrypted file can be wrong: no key, the wrong key, a flipped byte,
/// chunks swapped, a file cut short or lengthened.
@Suite("encrypted archives")
struct EncryptedArchiveTests {
    static let passphrase = "correct horse battery staple"

    /// 200 KB of entries (several 64 KiB chunks), with a zstd filter under the encryption.
    func write(_ path: String, key: ArchiveKey?, compression: ArchiveCompression = .zstd) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        let writer = try ArchiveWriter(finalPath: path, compression: compression, encryption: key)
        for index in 0..<20 {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let name = "INBOX/cur/\(index):2,S"
            try writer.addData(entryPath: name, bytes: bytes, modificationTime: 1_700_000_000)
            contents[name] = bytes
        }
        try writer.seal()
        return contents
    }

    func read(_ path: String, key: ArchiveKey?) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        try ArchiveReader(path: path, key: key).forEachEntry { info, stream in
            contents[info.path] = try stream.readAll(limit: 1 << 20)
        }
        return contents
    }

    func keyFile(in directory: TemporaryDirectory) throws -> ArchiveKey {
        let path = directory.file("archive.key")
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        try bytes.map { String(format: "%02x", $0) }.joined().write(toFile: path, atomically: true, encoding: .utf8)
        return try ArchiveKey.load(keyFile: path)
    }

    @Test("a key file and a passphrase both round-trip; the file holds no plaintext and names its scheme")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        for (name, key) in [("key", try keyFile(in: directory)), ("pass", try ArchiveKey(passphrase: Self.passphrase))]
        {
            let path = directory.file("\(name).tar")
            let written = try write(path, key: key, compression: .none)
            #expect(try read(path, key: key) == written)
            let raw = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(raw.range(of: Data("INBOX/cur".utf8)) == nil, "entry names are encrypted too")
            #expect(raw.range(of: Data(written["INBOX/cur/3:2,S"]!.prefix(64))) == nil)
            let scheme = ArchiveReader.encryption(ofArchiveAt: path)
            #expect(scheme?.hasPrefix("aes-256-gcm-chunked-v1") == true)
            #expect(scheme?.contains(name == "pass" ? "PBKDF2" : "key file") == true, "\(scheme ?? "")")
        }
        let plain = directory.file("plain.tar")
        let written = try write(plain, key: nil)
        #expect(ArchiveReader.encryption(ofArchiveAt: plain) == nil)
        #expect(try read(plain, key: try keyFile(in: directory)) == written, "a key does not stop a plain archive")
    }

    @Test("no key, the wrong key, or the wrong kind of key: a clear error naming the archive")
    func wrongKeys() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.tar")
        _ = try write(path, key: try ArchiveKey(passphrase: Self.passphrase))
        let cases: [(ArchiveKey?, String)] = [
            (nil, "is encrypted (aes-256-gcm-chunked-v1): give its key"),
            (
                try ArchiveKey(passphrase: "another long passphrase"),
                "wrong key or passphrase (the key does not open it)"
            ),
            (try keyFile(in: directory), "wrong key or passphrase (it was sealed with a passphrase)"),
        ]
        for (key, message) in cases {
            let error = #expect(throws: ArchiveError.self) { _ = try read(path, key: key) }
            #expect("\(error.map { "\($0)" } ?? "")".contains(message), "\(String(describing: error))")
            #expect("\(String(describing: error))".contains(path))
        }
        #expect(throws: ArchiveKeyError.self) { _ = try ArchiveKey(passphrase: "short") }
    }

    @Test(
        "a flipped byte, swapped chunks, a cut-off file or trailing bytes are all detected",
        arguments: [
            "flip", "swap", "truncate-chunk", "truncate-at-boundary", "drop-last", "append",
        ])
    func tampering(_ damage: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.tar")
        let key = try keyFile(in: directory)
        _ = try write(path, key: key, compression: .none)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let header = 58, record = 4 + 64 * 1024 + 16
        try #require(bytes.count > header + 3 * record)
        switch damage {
        case "flip": bytes[header + record + 1000] ^= 0x01
        case "swap":
            let first = Array(bytes[header..<header + record])
            bytes.replaceSubrange(header..<header + record, with: bytes[header + record..<header + 2 * record])
            bytes.replaceSubrange(header + record..<header + 2 * record, with: first)
        case "truncate-chunk": bytes.removeLast(100)
        case "truncate-at-boundary": bytes = Array(bytes[..<(header + 2 * record)])
        case "drop-last": bytes = Array(bytes[..<(header + 3 * record)])
        default: bytes += [0, 1, 2]
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ArchiveError.self) { _ = try read(path, key: key) }
        #expect("\(String(describing: error))".contains("damaged or was tampered with"), "\(String(describing: error))")
    }
}
