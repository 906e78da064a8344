import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import MailStore
import Migration

let targetPassword = "Target-Passw0rd"

/// Target-side special-use names unlike the source's, and "/" instead of ".".
let targetSpecialUse = [
    "Sent Items": "\\Sent", "Drafts": "\\Drafts", "Deleted Items": "\\Trash",
    "Junk E-mail": "\\Junk", "Archive": "\\Archive",
]

/// A source (separator ".") and a target (separator "/", other special-use names).
struct MigrationFixture {
    let source: PullFixture
    let target: DovecotServer
    let pair: DovecotPair

    static func start(
        spec: CorpusSpec = CorpusSpec(), targetQuota: Int? = nil, targetSettings: String = "",
        extraTargetUsers: [String] = [], compression: Bool = false
    ) async throws -> MigrationFixture {
        var sourceConfiguration = PullFixture.configuration(separator: ".")
        var targetConfiguration = DovecotConfiguration(
            users: [
                DovecotUser(name: "carol", password: targetPassword, quotaBytes: targetQuota),
                DovecotUser(name: "dave", password: targetPassword),
            ] + extraTargetUsers.map { DovecotUser(name: $0, password: targetPassword) },
            hierarchySeparator: "/", specialUseFolders: targetSpecialUse, extraSettings: targetSettings)
        sourceConfiguration.offersCompression = compression
        targetConfiguration.offersCompression = compression
        let pair = try await DovecotPair.launch(source: sourceConfiguration, target: targetConfiguration)
        do {
            let source = try await PullFixture.load(spec: spec, into: pair.source, separator: ".")
            return MigrationFixture(source: source, target: pair.target, pair: pair)
        } catch {
            pair.stop()
            throw error
        }
    }

    var store: String { source.store }
    var layout: StoreLayout { source.layout() }

    func pushOptions(user: String = "carol", propagateDeletes: Bool = false, connections: Int = 3) -> PushOptions {
        PushOptions(
            target: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: target.host, port: target.imapsPort, user: user, security: .implicitTLS),
                tls: TLSConfiguration(caFile: target.caFile)), storeRoot: store, job: "alice", connections: connections,
            propagateDeletes: propagateDeletes)
    }

    func push(user: String = "carol", propagateDeletes: Bool = false, connections: Int = 3) async throws -> PushSummary
    {
        try await PushEngine(
            options: pushOptions(user: user, propagateDeletes: propagateDeletes, connections: connections),
            console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(password: targetPassword)
    }

    func migrate(commitEvery: Int = 500) async throws -> MigrateEngine.Summary {
        try await MigrateEngine(
            pull: source.options(commitEvery: commitEvery), push: pushOptions(),
            console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(sourcePassword: sourcePassword, targetPassword: targetPassword)
    }

    func runBinary(
        _ command: String, extra: [String] = [], environment: [String: String] = [:], sourcePort: Int? = nil,
        targetPort: Int? = nil
    ) async throws -> MailferryBinary.Outcome {
        var arguments = [command]
        if command != "push" {
            arguments += ["--source", "imaps://alice@\(source.server.host):\(sourcePort ?? source.server.imapsPort)"]
        }
        arguments +=
            [
                "--target", "imaps://carol@\(target.host):\(targetPort ?? target.imapsPort)", "--ca-file",
                try combinedCAFile(),
                "--store", store, "--job", "alice",
            ] + (command == "verify" ? [] : ["--connections", "2"]) + extra
        return try await MailferryBinary.run(
            arguments,
            environment: [
                "MAILFERRY_SOURCE_PASSWORD": sourcePassword,
                "MAILFERRY_TARGET_PASSWORD": targetPassword,
            ].merging(environment) { $1 })
    }

    /// Both test CAs in one PEM bundle, as `--ca-file` takes for commands that talk to both sides.
    func combinedCAFile() throws -> String { try pair.combinedCAFile(in: store) }

    /// The source's messages with folder names as they should appear on the target.
    func expectedOnTarget() async throws -> [MessageFacts] {
        try await snapshot(of: source.server).map { fact in
            var fact = fact
            fact.folder = Self.targetName(fact.folder)
            return fact
        }.sorted()
    }

    func targetSnapshot(user: String = "carol") async throws -> [MessageFacts] {
        try await snapshot(of: target, user: user, password: targetPassword)
    }

    static func targetName(_ source: String) -> String {
        switch source {
        case "Sent": return "Sent Items"
        case "Trash": return "Deleted Items"
        case "Junk": return "Junk E-mail"
        default: return source.replacingOccurrences(of: ".", with: "/")
        }
    }

    func stop() { pair.stop() }
}
