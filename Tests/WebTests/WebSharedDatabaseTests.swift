import Batch
import DovecotHarness
import Foundation
import Hummingbird
import HummingbirdTesting
import IMAPClient
import Logging
import MailCorpus
import TestSupport
import Testing

@testable import Web

@Suite("serve on a shared PostgreSQL: workers run the form's batches", .serialized)
struct WebSharedDatabaseTests {
    @Test("a batch from the form is queued in PostgreSQL, run by a worker, and the status page names the worker")
    func formToWorker() async throws {
        let password = WebBatchTests.sourcePassword, targetPassword = WebBatchTests.targetPassword
        let pair = try await DovecotPair.launch(
            source: DovecotConfiguration(users: [DovecotUser(name: "ann@example.com", password: password)]),
            target: DovecotConfiguration(users: [DovecotUser(name: "ann@example.com", password: targetPassword)]))
        defer { pair.stop() }
        let postgres = try await PostgresServer.start()
        defer { postgres.stop() }
        let scratch = try TemporaryDirectory()
        let client = try await WebBatchTests.login(pair.source, user: "ann@example.com", password: password)
        let folders = try CorpusGenerator(
            spec: CorpusSpec(messagesPerFolder: 2, seed: 7), scratchDirectory: scratch.path
        ).folders()
        _ = try await CorpusLoader(client: client).load(folders, separator: ".")
        await client.logout()
        let ca = try pair.combinedCAFile(in: scratch.path)
        let store = try await PostgresBatchStore.connect(try PostgresLocation(url: postgres.url, password: nil))
        defer { store.shutdown() }
        let box = try SecretBox(key: (0..<32).map { UInt8($0) })
        let target = IMAPEndpoint(host: pair.target.host, port: pair.target.imapsPort, user: "", security: .implicitTLS)
        let fixture = try WebFixture(targetServer: target, caFile: ca, sharedStore: store, secretBox: box)
        let configure: @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration = { endpoint, _ in
            IMAPClientConfiguration(
                endpoint: endpoint, tls: TLSConfiguration(verifiesCertificate: true, caFile: ca),
                timeouts: Timeouts(connect: 5, io: 30))
        }
        let worker = BatchWorker(
            store: store,
            settings: BatchWorker.Settings(name: "web-w1", storeRoot: scratch.file("worker-store"), concurrency: 2),
            box: box, log: Logger(label: "test.worker"), targetServer: { _ in target }, configure: configure)
        let running = Task { try await worker.run() }
        let port = pair.source.imapsPort
        try await fixture.app.application(host: "127.0.0.1", port: 0).test(.router) { client in
            var session = BrowserSession()
            try await client.execute(uri: "/", method: .get) { session.take($0) }
            let (headers, body) = session.multipart([
                ("action", "submit"), ("row_count", "1"), ("report_to", "admin@example.com"),
                ("server_0", pair.source.host),
                ("source_email_0", "ann@example.com"), ("source_password_0", password),
                ("target_password_0", targetPassword), ("port_0", "\(port)"), ("tls_0", "on"),
            ])
            var location = ""
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther, "\(String(buffer: response.body))")
                location = response.headers[.location] ?? ""
            }
            try #require(!location.isEmpty)
            var jobs: [[String: Any]] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                try await client.execute(uri: location + "/jobs.json", method: .get) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
                    jobs = ((object as? [String: Any])?["jobs"] as? [[String: Any]]) ?? []
                }
                if jobs.first?["state"] as? String == "done" { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(jobs.count == 1 && jobs.first?["state"] as? String == "done", "\(jobs)")
            #expect(jobs.first?["worker"] as? String == "web-w1", "the live update names the worker")
            try await client.execute(uri: location, method: .get) { response in
                #expect(String(buffer: response.body).contains("worker web-w1"), "the page names the worker")
            }
            await fixture.app.waitForBatches()
        }
        worker.drain()
        try await running.value
        #expect(
            FileManager.default.fileExists(atPath: scratch.file("worker-store")),
            "the job's store is the worker's, not serve's")
        let source = try await WebBatchTests.count(pair.source, user: "ann@example.com", password: password)
        let moved = try await WebBatchTests.count(pair.target, user: "ann@example.com", password: targetPassword)
        #expect(source > 0 && moved == source, "\(source) → \(moved)")
    }
}
