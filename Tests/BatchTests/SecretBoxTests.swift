import Foundation
import Testing

@testable import Batch

@Suite("secret box: AES-256-GCM for kept credentials")
struct SecretBoxTests {
    @Test("seals and opens; a fresh nonce each time; the plaintext is nowhere in the sealed bytes")
    func roundTrip() throws {
        let box = try SecretBox(key: Array(repeating: 7, count: 32))
        let secret = "pa,ss\"wörd-Passw0rd"
        let one = try box.seal(secret), two = try box.seal(secret)
        #expect(try box.open(one) == secret)
        #expect(try box.open(two) == secret)
        #expect(one != two, "nonce is fresh")
        #expect(one.range(of: Data(secret.utf8)) == nil)
    }

    @Test("a changed byte, another key or a short blob does not open")
    func tampering() throws {
        let box = try SecretBox(key: Array(repeating: 7, count: 32))
        var sealed = try box.seal("Secret-Passw0rd")
        sealed[sealed.count / 2] ^= 1
        #expect(throws: SecretBox.Failure.tampered) { try box.open(sealed) }
        let other = try SecretBox(key: Array(repeating: 8, count: 32))
        #expect(throws: SecretBox.Failure.tampered) { try other.open(try box.seal("x")) }
        #expect(throws: SecretBox.Failure.tampered) { try box.open(Data([1, 2, 3])) }
    }

    @Test("the key file is made once, 0600, and reused; MAILFERRY_SECRET_KEY wins; a bad key is refused")
    func keyFile() throws {
        let directory = NSTemporaryDirectory() + "secretbox-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/batch.key"
        let first = try SecretBox.load(keyFile: path, environment: [:])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let sealed = try first.seal("Secret-Passw0rd")
        #expect(
            try SecretBox.load(keyFile: path, environment: [:]).open(sealed) == "Secret-Passw0rd", "same key next time")
        let fromEnvironment = try SecretBox.load(
            keyFile: path, environment: ["MAILFERRY_SECRET_KEY": String(repeating: "ab", count: 32)])
        #expect(throws: SecretBox.Failure.tampered) { try fromEnvironment.open(sealed) }
        #expect(throws: SecretBox.Failure.self) {
            try SecretBox.load(keyFile: path, environment: ["MAILFERRY_SECRET_KEY": "short"])
        }
    }
}
