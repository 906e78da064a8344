import Foundation
import MailStore
import Testing

/// SHA-256 over OpenSSL: known vectors, incremental feeding, and whole files.
@Suite("SHA256Hasher")
struct SHA256HasherTests {
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test("known vectors, in one piece", arguments: vectors)
    func vector(_ text: String, _ digest: String) {
        let hasher = SHA256Hasher()
        hasher.update(Array(text.utf8))
        #expect(hasher.finalizeHex() == digest)
    }

    @Test("known vectors, fed byte by byte", arguments: vectors)
    func vectorByteByByte(_ text: String, _ digest: String) {
        let hasher = SHA256Hasher()
        feed(Array(text.utf8), chunk: 1) { hasher.update($0) }
        #expect(hasher.finalizeHex() == digest)
    }

    @Test("empty updates change nothing")
    func emptyUpdates() {
        let hasher = SHA256Hasher()
        hasher.update([UInt8]())
        hasher.update(Array("ab".utf8))
        [UInt8]().withUnsafeBytes { hasher.update($0) }
        hasher.update(Data("c".utf8))
        #expect(hasher.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the digest is 64 lower-case hex digits")
    func format() {
        let hasher = SHA256Hasher()
        hasher.update(Array("mailferry".utf8))
        let hex = hasher.finalizeHex()
        #expect(hex.count == 64)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test("hashes a file larger than one read")
    func hashFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("million-a")
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: URL(fileURLWithPath: path))
        let result = try SHA256Hasher.hashFile(atPath: path)
        #expect(result.sha256 == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(result.size == 1_000_000)
    }

    @Test("hashes an empty file")
    func hashEmptyFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("empty")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let result = try SHA256Hasher.hashFile(atPath: path)
        #expect(result.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(result.size == 0)
    }

    @Test("a missing file is an open error naming the path")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("absent")
        #expect(throws: StoreError.io(path: path, operation: "open", errno: ENOENT)) {
            try SHA256Hasher.hashFile(atPath: path)
        }
    }

    @Test("a directory is a read error naming the path")
    func directoryIsNotAFile() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: StoreError.io(path: directory.path, operation: "read", errno: EISDIR)) {
            try SHA256Hasher.hashFile(atPath: directory.path)
        }
    }
}
