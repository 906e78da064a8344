import DovecotHarness
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LifecycleTests {
    @Test func twoServersRunSideBySide() async throws {
        async let first = DovecotServer.start(DovecotConfiguration(users: [Fixtures.alice]))
        async let second = DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob], hierarchySeparator: "/"))
        let servers = try await [first, second]
        defer { servers.forEach { $0.stop() } }
        #expect(Set(servers.flatMap { [$0.imapPort, $0.imapsPort] }).count == 4)
        #expect(servers[0].root != servers[1].root)
        for server in servers {
            let client = try LineClient(host: server.host, port: server.imapPort)
            #expect(try client.greeting().hasPrefix("* OK"))
        }
        let aliceOnSecond = try? servers[1].doveadm(["user", "alice"])
        #expect(aliceOnSecond == nil)
        #expect(try servers[0].doveadm(["user", "alice"]).contains(servers[0].root))
    }

    @Test func stopLeavesNoProcessAndNoFiles() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        // A logged-in session means an imap process exists at stop time as well.
        let client = try LineClient(host: server.host, port: server.imapPort)
        _ = try client.greeting()
        _ = try client.command("a", "LOGIN bob \(Fixtures.bob.password)")
        let master = server.masterProcessID
        #expect(kill(master, 0) == 0)
        #expect(!Self.processes(of: server.instanceName).isEmpty)

        server.stop()
        #expect(kill(master, 0) == -1 && errno == ESRCH)
        #expect(Self.processes(of: server.instanceName).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: server.root))
        server.stop()
        #expect(throws: DovecotHarnessError.self) { try server.doveadm(["user", "bob"]) }
    }

    @Test func deinitStopsTheServer() throws {
        var server: DovecotServer? = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        let master = server!.masterProcessID, root = server!.root, instance = server!.instanceName
        server = nil
        #expect(kill(master, 0) == -1)
        #expect(Self.processes(of: instance).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func withoutSTARTTLSThePlainPortOffersNoTLSButImapsStillWorks() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob], offersSTARTTLS: false))
        defer { server.stop() }
        let client = try LineClient(host: server.host, port: server.imapPort)
        _ = try client.greeting()
        let capabilities = try client.command("a", "CAPABILITY")
        #expect(!capabilities.joined().contains("STARTTLS"), "\(capabilities)")
        #expect(try client.command("b", "STARTTLS").last?.hasPrefix("b BAD") == true)
        #expect(try client.command("c", "LOGIN bob \(Fixtures.bob.password)").last?.hasPrefix("c OK") == true)

        let tls = try TLSClient.session(
            host: server.host, port: server.imapsPort, caFile: server.caFile,
            extraArguments: ["-verify_return_error"], commands: [["a LOGOUT"]])
        #expect(tls.output.contains("a OK"), "\(tls.output)")
    }

    @Test func onAnotherLoopbackAddressPlainLoginIsDisabled() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob], listenAddress: "127.0.0.2"))
        defer { server.stop() }
        let client = try LineClient(host: server.host, port: server.imapPort)
        _ = try client.greeting()
        let capabilities = try client.command("a", "CAPABILITY").joined(separator: "\n")
        #expect(capabilities.contains("STARTTLS") && capabilities.contains("LOGINDISABLED"), "\(capabilities)")
        let login = try client.command("b", "LOGIN bob \(Fixtures.bob.password)")
        #expect(login.last?.hasPrefix("b NO [PRIVACYREQUIRED]") == true, "\(login)")

        let result = try TLSClient.session(
            host: server.host, port: server.imapPort, caFile: server.caFile, starttls: true,
            extraArguments: ["-verify_return_error", "-verify_ip", "127.0.0.2"],
            commands: [TLSClient.login(tag: "a", user: "bob", password: Fixtures.bob.password), ["b LOGOUT"]])
        #expect(result.output.contains("a OK"), "\(result.output)")
    }

    /// Processes titled `dovecot-<instance>/…` that are not zombies.
    static func processes(of instance: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.compactMap { pid -> String? in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first, state != "Z"
            else { return nil }
            let title = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return title.hasPrefix("dovecot-\(instance)/") ? "\(pid) \(title)" : nil
        }
    }
}
