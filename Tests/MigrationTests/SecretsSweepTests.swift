import Foundation
import TestSupport
import Testing

/// The password must not leave the process in any form: not in logs, archives (their entries
/// read raw), the state database and its WAL, stdout/stderr, or the process list.
@Suite("no password anywhere", .serialized)
struct SecretsSweepTests {
    /// The password as text, URL-encoded, SASL PLAIN base64 ("\0user\0password") and hex.
    static func forms(user: String, password: String) -> [String: [UInt8]] {
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

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
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

@Suite("no password anywhere: batch and serve", .serialized)
struct BatchServeSecretsSweepTests {
    @Test(
        "batch run, its logs zip and report, and a web batch through serve over HTTPS: 0 hits for any password in any form in files, zips (extracted), answers, outputs or ps"
    )
    func sweep() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 2)
        defer { fixture.stop() }
        try await fixture.addEmailAccounts(seed: 30, messagesPerFolder: 2)
        let listings = ProcessListSampler()
        listings.start()
        var outputs: [(String, String)] = []
        let ran = try await fixture.run()
        outputs.append(("batch run", ran.stdout + ran.stderr))
        let zip = fixture.directory.file("batch-logs.zip")
        let logs = try await MailferryBinary.run(["batch", "logs", "acme", "--store", fixture.store, "-o", zip])
        outputs.append(("batch logs", logs.stdout + logs.stderr))
        let status = try await MailferryBinary.run(["batch", "status", "acme", "--store", fixture.store, "--json"])
        outputs.append(("batch status", status.stdout + status.stderr))
        // The same store served over HTTPS, and a batch submitted through the form.
        let target = fixture.pair.target
        let serve = try await RunningServe.start(
            [
                "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file", try fixture.caFile(),
                "--tls-cert", target.certificateFile, "--tls-key", target.keyFile,
            ], environment: [:])
        defer { serve.stop() }
        let submitted = try await serve.submit(
            RunningServe.formFields(fixture, users: ["ann@example.test"]), caFile: target.caFile,
            scratch: fixture.directory.path)
        let page = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.hasPrefix("/status/"), "\(submitted.stderr)")
        #expect(
            await waitUntil {
                await serve.get(page + "/jobs.json", caFile: target.caFile).contains(#""state":"done""#)
            })
        for path in ["", "/jobs.json", "/events", "/report"] {
            outputs.append(("GET status\(path)", await serve.get(page + path, caFile: target.caFile)))
        }
        outputs.append(("GET /", await serve.get("/", caFile: target.caFile)))
        let webZip = fixture.directory.file("web-logs.zip")
        try await serve.download(page + "/logs.zip", caFile: target.caFile, to: webZip)
        listings.stop()
        #expect(outputs.allSatisfy { !$0.1.isEmpty }, "\(outputs.filter { $0.1.isEmpty }.map(\.0))")

        var searched: [(String, [UInt8])] =
            outputs.map { ($0.0, Array($0.1.utf8)) } + [("ps", Array(listings.text.utf8))]
        let extracted = fixture.directory.file("extracted")
        for (name, file) in [("batch", zip), ("web", webZip)] {
            let unzip = try await ProcessRunner.runDetached(
                "/usr/bin/python3",
                [
                    "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", file,
                    "\(extracted)/\(name)",
                ])
            #expect(unzip.status == 0, "\(name) logs zip: \(unzip.stderr)")
        }
        for root in [fixture.store, extracted] {
            for path in fileTree(root) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory),
                    !isDirectory.boolValue, let data = FileManager.default.contents(atPath: root + "/" + path)
                else { continue }
                searched.append((path, Array(data)))
            }
        }
        #expect(searched.contains { $0.0.hasSuffix("batches.sqlite") } && searched.contains { $0.0.hasSuffix(".eml") })
        #expect(searched.contains { $0.0.hasPrefix("web/") || $0.0.contains("batch/") }, "zip entries searched")
        var hits = 0
        for (user, password) in [
            ("alice", sourcePassword), ("ann@example.test", sourcePassword), ("carol", targetPassword),
            ("bob", BatchFixture.bobPassword),
        ] {
            for (form, needle) in SecretsSweepTests.forms(user: user, password: password) {
                for (name, bytes) in searched where SecretsSweepTests.contains(bytes, needle) {
                    hits += 1
                    Issue.record("\(user)'s password (\(form)) is in \(name)")
                }
            }
        }
        #expect(hits == 0)
        #expect(searched.count > 30, "searched \(searched.count) files and answers")
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
