import DNSCheck
import Foundation
import TestSupport
import Testing

@Suite("dns-check against a real DNS server (nsd)", .serialized)
struct DomainCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var domain: String
        var phase: DomainReport.Phase
        var needsAction: Bool
        /// Parts of the advice that must be there.
        var advice: [String] = []
        /// name → status, for the names that matter to the case.
        var names: [String: DomainReport.Name.Status] = [:]
        var testDescription: String { domain }
    }

    static let cases: [Case] = [
        Case(
            domain: "notready.test", phase: .notPrepared, needsAction: true,
            advice: ["lower the MX TTL from 60 min to 300 s, at least 60 min before the switch"],
            names: ["imap.notready.test": .elsewhere, "smtp.notready.test": .missing]),
        Case(
            domain: "ready.test", phase: .readyToSwitch, needsAction: false,
            advice: ["ready", "at the switch, point imap.ready.test at mda.vshosting.cloud"],
            names: ["imap.ready.test": .elsewhere, "smtp.ready.test": .elsewhere]),
        Case(
            domain: "switched.test", phase: .switched, needsAction: false,
            advice: ["wait until", "then run the differential sync"],
            names: [
                "imap.switched.test": .cloudMail, "smtp.switched.test": .cloudMail, "pop3.switched.test": .cloudMail,
            ]),
        Case(
            domain: "halfway.test", phase: .switched, needsAction: true,
            advice: [
                "imap.halfway.test leads to mailhost.halfway.test → mail.oldhost.test, not mda.vshosting.cloud",
                "smtp.halfway.test does not exist",
            ],
            names: ["imap.halfway.test": .elsewhere, "smtp.halfway.test": .missing, "pop3.halfway.test": .cloudMail]),
        Case(
            domain: "partly.test", phase: .partlySwitched, needsAction: true,
            advice: ["some MX records still point elsewhere: mail.oldhost.test (20)"]),
        Case(
            domain: "refer.test", phase: .switched, needsAction: true,
            advice: ["imap.refer.test leads to mail.unserved.example, not mda.vshosting.cloud"],
            names: ["imap.refer.test": .elsewhere, "smtp.refer.test": .cloudMail]),
        Case(domain: "nomx.test", phase: .noMX, needsAction: true, advice: ["has no MX record"]),
        Case(
            domain: "gone.ready.test", phase: .unresolvable, needsAction: true,
            advice: ["does not exist in DNS (NXDOMAIN)"]),
        Case(domain: "broken.test", phase: .unresolvable, needsAction: true, advice: ["SERVFAIL"]),
    ]

    @Test("each step of a move: the phase, the names and the advice", arguments: cases)
    func domain(_ example: Case) async throws {
        let server = try await DNSZones.start()
        defer { server.stop() }
        let check = DomainCheck(resolver: try DNSResolver(server: server.address), hosts: .defaults)
        let report = try await detached { try check.check(example.domain) }
        #expect(report.phase == example.phase, "\(report.text)")
        #expect(report.needsAction == example.needsAction, "\(report.text)")
        for advice in example.advice {
            #expect(report.findings.contains { $0.text.contains(advice) }, "\(advice) in \(report.text)")
        }
        for (name, status) in example.names {
            #expect(report.names.first { $0.name == name }?.status == status, "\(name) in \(report.text)")
        }
    }

    @Test("the MX records come with their TTL and CloudMail or not; a CNAME chain is followed to its addresses")
    func recordsAndChains() async throws {
        let server = try await DNSZones.start()
        defer { server.stop() }
        let check = DomainCheck(resolver: try DNSResolver(server: server.address), hosts: .defaults)
        let partly = try await detached { try check.check("partly.test") }
        #expect(
            partly.mx.map { "\($0.preference) \($0.host) \($0.ttl) \($0.atCloudMail)" } == [
                "10 mx1.vshosting.cloud 300 true", "20 mail.oldhost.test 300 false",
            ])
        let halfway = try await detached { try check.check("halfway.test") }
        let imap = try #require(halfway.names.first { $0.name == "imap.halfway.test" })
        #expect(imap.chain == ["imap.halfway.test", "mailhost.halfway.test", "mail.oldhost.test"])
        #expect(imap.addresses == ["192.0.2.1", "2001:db8::1"])
    }

    @Test("a server that never answers is an error, not a finding, within the timeout")
    func silentServer() async throws {
        let silent = try SilentUDPServer()
        let resolver = try DNSResolver(server: silent.address, timeoutSeconds: 1, attempts: 1)
        let started = Date()
        await #expect(throws: DNSResolverError.self) {
            _ = try await detached { try DomainCheck(resolver: resolver).check("example.test") }
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }
}

func detached<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
