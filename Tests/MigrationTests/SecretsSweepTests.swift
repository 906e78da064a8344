import Foundation
import Testing

/// The password must not leave the process in any form: not in logs, archives (their entries
/// read raw), the state database and its WAL, stdout/stderr, or the process list.
@Suite("no password anywhere", .serialized)
struct SecretsSweepTests {
    /// The password as text, URL-encoded, SASL PLAIN base64 ("\0user\0password") and hex.
    private static func forms(user: String, password: String) -> [String: [UInt8]] {
        let plain = Array(password.utf8)
        let sasl = Data([0] + Array(user.utf8) + [0] + plain).base64EncodedString()
        return [
            "plain": plain,
            "url-encoded": Array(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!.utf8),
            "SASL PLAIN base64": Array(sasl.utf8),
            "base64": Array(Data(plain).base64EncodedString().utf8),
            "hex": Array(plain.map { String(format: "%02x", $0) }.joined().utf8),
        ]
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return haystack.withUnsafeBufferPointer { hay in
            (0...(hay.count - needle.count)).contains { start in
                hay[start] == needle[0] && Array(hay[start..<start + needle.count]) == needle
            }
        }
    }

    @Test(
        "after migrate and verify: 0 hits for either password, in any form, in every store file, output and ps listing")
    func sweep() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        let environment = ["MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword]
        // Sample the process list while migrate runs.
        let listings = ProcessListSampler()
        listings.start()
        let migrated = try await fixture.runBinary("migrate", environment: environment)
        let verified = try await fixture.runBinary("verify", extra: ["--deep", "--json"], environment: environment)
        listings.stop()
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(verified.status == 0)
        #expect(listings.samples > 0)
        var searched: [(String, [UInt8])] = [
            ("migrate stdout+stderr", Array((migrated.stdout + migrated.stderr).utf8)),
            ("verify output", Array((verified.stdout + verified.stderr).utf8)),
            ("ps listings", Array(listings.text.utf8)),
        ]
        for path in fileTree(fixture.store) {
            let full = fixture.store + "/" + path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: full)
            else { continue }
            searched.append((path, Array(data)))
        }
        #expect(
            searched.contains { $0.0.hasSuffix(".tar") } && searched.contains { $0.0.hasSuffix(".log") }
                && searched.contains { $0.0.hasSuffix("state.sqlite") })
        let forms =
            Self.forms(user: "alice", password: sourcePassword).map { ("source \($0.key)", $0.value) }
            + Self.forms(user: "carol", password: targetPassword).map { ("target \($0.key)", $0.value) }
        // The search itself finds a planted copy, so 0 hits means 0 copies.
        #expect(Self.contains(Array("log line with \(sourcePassword) inside".utf8), Array(sourcePassword.utf8)))
        var hits = 0
        for (form, needle) in forms {
            for (name, bytes) in searched where Self.contains(bytes, needle) {
                hits += 1
                Issue.record("the password (\(form)) is in \(name)")
            }
        }
        #expect(hits == 0)
        #expect(searched.count > 20, "searched \(searched.count) files and outputs")
    }
}

/// `ps -eo args` every 20 ms on a thread of its own, until stopped.
final class ProcessListSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""
    private var count = 0
    private var running = true

    var text: String { lock.withLock { collected } }
    var samples: Int { lock.withLock { count } }

    func start() {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                guard let output = try? ProcessRunner.run("/bin/ps", ["-eo", "args"]).stdout else { return }
                lock.withLock {
                    collected += output; count += 1
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    func stop() { lock.withLock { running = false } }
}
