import Foundation
import Testing

@testable import Batch

@Suite("provisioner configuration files")
struct ProvisionerConfigurationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var json: String
        var admin: String? = "admin"
        var password: String? = "Adm1n-pass"
        /// nil: accepted; else a part of the error every admin must be shown.
        var error: String?
        var testDescription: String { name }
    }

    static let create = #""create": {"path": "/mailboxes", "json": {"address": "{{address}}"}}"#

    static let cases: [Case] = [
        Case(name: "command", json: #"{"type": "command", "command": ["/bin/true"]}"#),
        Case(name: "command without a program", json: #"{"type": "command", "command": []}"#, error: "non-empty"),
        Case(name: "http", json: #"{"type": "http", "baseURL": "https://panel.example/api", \#(create)}"#),
        Case(
            name: "http without create", json: #"{"type": "http", "baseURL": "https://panel.example/api"}"#,
            error: "\"create\" is missing"),
        Case(
            name: "http create without a path",
            json: #"{"type": "http", "baseURL": "https://p.example", "create": {"method": "PUT"}}"#,
            error: "\"create.path\" is missing"),
        Case(
            name: "plain http to a remote panel",
            json: #"{"type": "http", "baseURL": "http://panel.example/api", \#(create)}"#, error: "in clear"),
        Case(
            name: "plain http to loopback is allowed",
            json: #"{"type": "http", "baseURL": "http://127.0.0.1:8080/api", \#(create)}"#),
        Case(
            name: "not a URL", json: #"{"type": "http", "baseURL": "panel.example", \#(create)}"#,
            error: "not an http(s) URL"),
        Case(
            name: "basic auth without --admin",
            json: #"{"type": "http", "baseURL": "https://p.example", \#(create)}"#, admin: nil,
            error: "--admin USER"),
        Case(
            name: "bearer needs no login",
            json: #"{"type": "http", "baseURL": "https://p.example", "auth": "bearer", \#(create)}"#, admin: nil),
        Case(
            name: "header auth without a header name",
            json: #"{"type": "http", "baseURL": "https://p.example", "auth": "header", \#(create)}"#,
            error: "\"authHeader\""),
        Case(
            name: "an unknown auth",
            json: #"{"type": "http", "baseURL": "https://p.example", "auth": "digest", \#(create)}"#, error: "auth"),
        Case(
            name: "path without a slash",
            json: #"{"type": "http", "baseURL": "https://p.example", "create": {"path": "mailboxes"}}"#,
            error: "must start with \"/\""),
        Case(
            name: "an unreadable CA file",
            json: #"{"type": "http", "baseURL": "https://p.example", "caFile": "/nonexistent/ca.pem", \#(create)}"#,
            error: "cannot be read"),
        Case(name: "an unknown type", json: #"{"type": "ldap"}"#, error: "known: command, http, domains"),
        Case(
            name: "domains",
            json: #"{"type": "domains", "domains": {"a.example": {"type": "command", "command": ["/bin/true"]}}}"#
        ),
        Case(
            name: "a bad route names its place",
            json: #"{"type": "domains", "domains": {"a.example": {"type": "http", "baseURL": "https://p"}}}"#,
            error: "domains.a.example.create"),
        Case(name: "not JSON", json: "type = command", error: "provisioner configuration"),
    ]

    @Test("each file is accepted or refused with the reason", arguments: cases)
    func configuration(_ example: Case) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("provisioner.json").path
        try example.json.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ProvisionerConfiguration.load(path).provisioner(
                adminUser: example.admin, adminPassword: example.password)
            #expect(example.error == nil, "accepted, expected: \(example.error ?? "")")
        } catch let error as ProvisioningConfigurationError {
            let text = error.description
            #expect(example.error.map(text.contains) == true, "\(text)")
            #expect(!text.contains("Adm1n-pass"))
        }
    }

    @Test("routes go by the address's domain, any case; * takes the rest; no route is a clear failure")
    func routing() async throws {
        struct Fixed: MailboxProvisioner {
            var result: ProvisionResult
            func ensureMailbox(address: String, password: String) async throws -> ProvisionResult { result }
            func checkAccess(for address: String) async throws -> AdminAccess { .notCheckable }
        }
        let routed = DomainRoutedProvisioner(routes: ["Example.ORG": Fixed(result: .created)])
        #expect(try await routed.ensureMailbox(address: "a@example.org", password: "x") == .created)
        #expect(try await routed.ensureMailbox(address: "b@EXAMPLE.org", password: "x") == .created)
        await #expect(throws: ProvisioningFailed.self) {
            try await routed.ensureMailbox(address: "c@example.net", password: "x")
        }
        let withDefault = DomainRoutedProvisioner(routes: [
            "example.org": Fixed(result: .created), "*": Fixed(result: .existed),
        ])
        #expect(try await withDefault.ensureMailbox(address: "c@example.net", password: "x") == .existed)
        #expect(try await withDefault.ensureMailbox(address: "no-domain", password: "x") == .existed)
    }
}
