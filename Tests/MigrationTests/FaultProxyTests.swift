import Foundation
import TestSupport
import Testing

/// `scripts/fault-proxy.py` between mailferry and each real Dovecot: TLS both ways, links cut
/// with a FIN or a RST at seeded offsets in either direction, stalled, or drip-fed. One run
/// must end exact however often its links break.
struct FaultProxy {
    let server: HelperServer
    let log: String
    var port: Int { server.port }

    static func start(
        target: Int, seed: Int, faults: Int, mode: String = "cut", minBytes: Int = 500, maxBytes: Int = 60_000,
        in directory: String, name: String
    ) async throws -> FaultProxy {
        let log = "\(directory)/\(name)-faults.log"
        let server = try await HelperServer.start(
            "fault-proxy.py",
            [
                "--target", "\(target)", "--seed", "\(seed)", "--faults", "\(faults)", "--mode", mode,
                "--min-bytes", "\(minBytes)", "--max-bytes", "\(maxBytes)", "--log", log,
            ])
        return FaultProxy(server: server, log: log)
    }

    /// One entry per fault that fired: (kind, direction).
    func faults() -> [(kind: String, direction: String)] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[1]), String(parts[2]))
        }
    }

    func stop() { server.stop() }
}

@Suite("migrate through a fault proxy")
struct FaultProxyTests {
    @Test("one migrate over TLS survives at least 100 cut links, FIN and RST, both directions, both servers")
    func hundredCuts() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 80, extraFolders: 2))
        defer { fixture.stop() }
        let sourceProxy = try await FaultProxy.start(
            target: fixture.source.server.imapsPort, seed: 7, faults: 100, maxBytes: 30_000, in: fixture.store,
            name: "source")
        defer { sourceProxy.stop() }
        let targetProxy = try await FaultProxy.start(
            target: fixture.target.imapsPort, seed: 11, faults: 100, maxBytes: 30_000, in: fixture.store, name: "target"
        )
        defer { targetProxy.stop() }

        let outcome = try await fixture.runBinary(
            "migrate", extra: ["--retry-delay", "0.05", "--timeout", "10"], sourcePort: sourceProxy.port,
            targetPort: targetProxy.port)
        let faults = sourceProxy.faults() + targetProxy.faults()
        #expect(
            outcome.status == 0, "exit \(outcome.status) after \(faults.count) cuts: \(outcome.stderr.suffix(3000))")
        #expect(faults.count >= 100, "only \(faults.count) cuts fired")
        for side in [sourceProxy.faults(), targetProxy.faults()] {
            #expect(Set(side.map(\.kind)) == ["fin", "rst"])
            #expect(Set(side.map(\.direction)) == ["c2s", "s2c"])
        }
        let onTarget = try await fixture.targetSnapshot(), expected = try await fixture.expectedOnTarget()
        #expect(
            onTarget == expected,
            "missing: \(expected.filter { !onTarget.contains($0) }), extra: \(onTarget.filter { !expected.contains($0) })"
        )
        let verify = try await fixture.runBinary("verify")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let again = try await fixture.runBinary("migrate")
        #expect(again.stdout.contains("Uploaded   0 messages"), "\(again.stdout)")
        #expect(again.stdout.contains("Copied     0 messages"), "\(again.stdout)")
    }

    /// A slow link, not a broken one: the run must notice and go on.
    struct SlowLink: Sendable, CustomTestStringConvertible {
        var mode: String
        var seed: Int
        var timeout: Int
        /// What stderr says of it (either phrase).
        var says: [String]
        var bound: Double
        var testDescription: String { mode }
    }

    @Test(
        "a link that goes silent mid-response, or drip-feeds one byte every 300 ms, is cut within --timeout and the run goes on",
        arguments: [
            SlowLink(mode: "stall", seed: 3, timeout: 2, says: ["timed out", "timeout"], bound: 30),
            SlowLink(mode: "drip", seed: 5, timeout: 3, says: ["too slowly"], bound: 40),
        ])
    func slowLink(_ link: SlowLink) async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 20))
        defer { fixture.stop() }
        let proxy = try await FaultProxy.start(
            target: fixture.source.server.imapsPort, seed: link.seed, faults: 1, mode: link.mode, minBytes: 20_000,
            maxBytes: 30_000, in: fixture.store, name: "source")
        defer { proxy.stop() }
        let started = Date()
        let outcome = try await fixture.runBinary(
            "migrate", extra: ["--timeout", "\(link.timeout)", "--retry-delay", "0.05", "--connections", "1"],
            sourcePort: proxy.port)
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(proxy.faults().count == 1)
        #expect(link.says.contains { outcome.stderr.contains($0) }, "\(outcome.stderr)")
        #expect(elapsed < link.bound, "the \(link.mode) took \(elapsed) s to notice")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }
}
