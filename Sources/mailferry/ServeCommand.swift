import ArgumentParser
import Batch
import Foundation
import Hummingbird
import Logging
import Transport
import Web

/// `serve`: the provider's web form and live status pages, running the submitted batches here.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the migration form and live status pages; run the submitted batches.",
        discussion: """
            Opens the form of the provider's guide at http://127.0.0.1:8080/: the CloudMail administrator \
            login, the results address and the mailboxes (or a CSV). Test connections, submit, and follow the \
            batch on its status page (its address is the only way back to it). Batches live in the store: a \
            restarted serve shows them and goes on with their jobs.

            Listens on 127.0.0.1 unless told otherwise; bound elsewhere it serves plain HTTP, so put it behind \
            a TLS proxy.

            Examples:
              mailferry serve --store /srv/mailferry
              mailferry serve --listen 127.0.0.1:8080 --target-server imaps://imap.example.net:993 --ca-file ca.pem \\
                --smtp-server smtp://smtp.example.net:587 --smtp-user reports
            """)

    @Option(help: "Address and port to listen on.") var listen = "127.0.0.1:8080"
    @Option(help: "The target IMAP server, imaps://host[:port].") var targetServer = cloudMailTargetServer
    @Option(help: "Mailboxes migrated at once per batch.") var concurrency = 4
    @Option(help: "Connections all running jobs of a batch may hold on one source server.") var perHostConnections = 8
    @Option(help: "Provisioner configuration (JSON) for rows that ask to create their mailbox.") var provisioner:
        String?
    @Option(help: "Ask this DNS server (IPv4[:port]) about the batches' domains.") var dnsServer: String?
    @Option(help: "Serve HTTPS with this PEM certificate chain (with --tls-key).") var tlsCert: String?
    @Option(help: "The PEM private key of --tls-cert.") var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }
    @OptionGroup var batchStore: BatchStoreOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await reportingFailures {
            let server = try parseServer(targetServer)
            let (host, port) = try Self.parseListen(listen)
            let connection = self.connection
            var configuration = WebConfiguration(storeRoot: batchStore.store, targetServer: server) {
                endpoint, isSource in
                connection.clientConfiguration(for: endpoint, side: isSource ? .source : .target)
            }
            configuration.concurrency = concurrency
            if try batchStore.sharedDatabase != nil {
                configuration.sharedStore = try await batchStore.open(creating: true)
                configuration.secretBox = try batchStore.secretBox()
            }
            configuration.perHostConnections = perHostConnections
            configuration.dnsServer = dnsServer
            if let provisioner {
                let loaded: ProvisionerConfiguration
                do { loaded = try ProvisionerConfiguration.load(provisioner) } catch {
                    throw CommandFailure(message: "\(error)", exitCode: .badInput)
                }
                configuration.makeProvisioner = { user, password in
                    try loaded.provisioner(adminUser: user, adminPassword: password)
                }
            }
            let report = self.report, store = batchStore.store
            configuration.onBatchEnded = { batch, jobs, access, started in
                var options = report
                options.reportTo = access.reportTo.map { [$0] } ?? []
                if options.smtpServer == nil { options.reportTo = [] }
                try? BatchReports.deliver(
                    BatchReport(batch: batch, jobs: jobs, started: started, finished: Date()), options: options,
                    storeRoot: store)
            }
            configuration.secureCookies = tlsCert != nil
            let app = try WebApp(configuration: configuration)
            let tls = tlsCert.map { cert in (certificate: cert, key: tlsKey ?? "") }
            if !["127.0.0.1", "::1", "localhost"].contains(host) && tls == nil {
                StandardStreams.err(
                    "mailferry: warning: listening on \(host) without TLS; passwords typed into the form cross the network in clear. Use --tls-cert/--tls-key, put serve behind a TLS proxy, or listen on 127.0.0.1.\n"
                )
            }
            var logger = Logger(label: "mailferry.serve")
            logger.logLevel = .notice
            let scheme = tls == nil ? "http" : "https"
            let shownHost = host.contains(":") ? "[\(host)]" : host
            // Said once the socket listens, with the port bound (the system's choice for port 0).
            let application = try Self.tlsChecked {
                try app.application(host: host, port: port, tls: tls, logger: logger) { bound in
                    StandardStreams.err("mailferry: serving \(scheme)://\(shownHost):\(bound)/\n")
                }
            }
            try await app.resumeUnfinished()
            try await Self.runOnWebThread(application)
        }
    }

    /// Runs the web application with its pages answered on a thread of their own: the batches'
    /// commits block the pool's threads (2 on 2 cores), and a status page waited 0.4-0.8 s behind
    /// them. The batches run in detached tasks, which keep to the pool.
    static func runOnWebThread(_ application: some ApplicationProtocol) async throws {
        try await withTaskExecutorPreference(DedicatedThread(name: "web")) {
            try await application.runService()
        }
    }

    /// A certificate or key that cannot be used is the admin's input at fault (exit 2).
    static func tlsChecked<T>(_ build: () throws -> T) throws -> T {
        do { return try build() } catch {
            throw CommandFailure(message: "cannot use --tls-cert/--tls-key: \(error)", exitCode: .badInput)
        }
    }

    static func parseListen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw CommandFailure(
                message: "--listen \(text): give host:port, e.g. 127.0.0.1:8080 (port 0: any free port)",
                exitCode: .badInput)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
