import Foundation
import IMAPCore
import Logging

/// An IMAP client for one connection. Its methods run on the connection's own thread, so
/// blocking socket I/O never stalls Swift's shared cooperative pool.
public actor IMAPClient {
    public nonisolated let configuration: IMAPClientConfiguration
    private let thread: DedicatedThread
    var logger: Logger
    var connection: IMAPConnection?
    private var encoder = CommandEncoder()
    public private(set) var capabilities: Set<Capability> = []
    /// The NAMESPACE answer learned right after login (`.some(nil)`: the server sent none).
    var learnedNamespace: NamespaceResponse??
    /// The link's compression, when COMPRESS=DEFLATE is on (IMAPClient+Compression.swift).
    var compression: DeflateStream?
    /// The round trip of the ID and NAMESPACE sent together after login (the server does next to
    /// nothing for them), else of the login itself: how far the server is.
    var roundTrip: Duration?
    /// How long the TLS handshake took: about one round trip, the server doing next to nothing.
    var handshakeRoundTrip: Duration?
    var compressionDecided = false
    /// Whether the link is encrypted (implicit TLS or after STARTTLS).
    public private(set) var isEncrypted = false
    public private(set) var greeting: ResponseCondition?
    public internal(set) var selected: SelectedMailbox?
    /// The answer to a SELECT sent at the end of the last flight (`thenSelect:`), for the next
    /// `select` of that mailbox; any other command drops it.
    var selectedAhead: SelectedMailbox?
    /// `[ALERT]` texts the server sent; RFC 3501 says they must reach the user.
    public private(set) var alerts: [String] = []

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    private nonisolated let link = InterruptibleLink()

    var host: String { configuration.endpoint.host }

    public init(configuration: IMAPClientConfiguration, logger: Logger = Logger(label: "mailferry.imap")) {
        self.configuration = configuration
        self.logger = logger
        self.logger[metadataKey: "host"] = .string(configuration.endpoint.host)
        self.thread = DedicatedThread(name: "imap \(configuration.endpoint.host)", stackSize: 1 << 20)
    }

    deinit {
        // The connection's streams close themselves when released.
        thread.stop()
    }

    /// From any thread or task, without waiting for the client's thread: whatever the client is
    /// blocked on (a read from a stalled server, a write into a full link) fails at once with
    /// `connectionClosed`, and so does everything after. Used to make a stop prompt.
    public nonisolated func interrupt() { link.interrupt() }

    // MARK: - Connecting

    /// A new client, connected and logged in: what every step needs before its first command.
    public static func loggedIn(
        _ configuration: IMAPClientConfiguration, password: String,
        logger: Logger = Logger(label: "mailferry.imap")
    ) async throws -> IMAPClient {
        let client = IMAPClient(configuration: configuration, logger: logger)
        try await client.connect()
        try await client.login(password: password)
        return client
    }

    /// Opens TCP, TLS or STARTTLS, reads the greeting and the capabilities.
    public func connect() throws {
        learnedNamespace = nil
        compression = nil
        roundTrip = nil
        handshakeRoundTrip = nil
        compressionDecided = false
        let endpoint = configuration.endpoint
        let socket = try overTransport {
            try TCPSocket.connect(host: endpoint.host, port: endpoint.port, timeouts: configuration.timeouts)
        }
        link.attach(socket)
        var stream: ByteStream = socket
        if endpoint.security == .implicitTLS {
            let context = try overTransport { try TLSContext(configuration.tls, host: endpoint.host) }
            do {
                let started = ContinuousClock.now
                stream = try overTransport { try TLSStream(over: socket, host: endpoint.host, context: context) }
                handshakeRoundTrip = ContinuousClock.now - started
            } catch let error as IMAPError {
                throw error.hintingPlainPort(endpoint)
            }
            isEncrypted = true
        }
        let connection = IMAPConnection(
            host: host, stream: stream, logger: logger, slowWindow: configuration.timeouts.io)
        self.connection = connection
        do {
            try readGreeting(connection)
        } catch let error as IMAPError where endpoint.security == .startTLSWhenOffered {
            throw error.hintingTLSPort(endpoint)
        }
        if capabilities.isEmpty { try refreshCapabilities() }
        if !isEncrypted && capabilities.contains(.startTLS) {
            try startTLS(over: socket)
        }
    }

    private func readGreeting(_ connection: IMAPConnection) throws {
        guard case .untagged(.condition(let condition)) = try connection.readEvent() else {
            throw IMAPError.protocolViolation(host: host, detail: "no greeting")
        }
        greeting = condition
        if condition.kind == .bye {
            throw IMAPError.connectionClosed(host: host, detail: "server said BYE: \(condition.text)")
        }
        if case .capability(let list)? = condition.code { setCapabilities(list) }
    }

    private func startTLS(over socket: TCPSocket) throws {
        let response = try run(.startTLS)
        guard response.status == .ok else {
            throw IMAPError.tlsHandshakeFailed(host: host, reason: "STARTTLS refused: \(response.text)")
        }
        let context = try overTransport { try TLSContext(configuration.tls, host: host) }
        let started = ContinuousClock.now
        let tls = try overTransport { try TLSStream(over: socket, host: host, context: context) }
        handshakeRoundTrip = ContinuousClock.now - started
        try requireConnection().upgrade(to: tls, after: "STARTTLS")
        isEncrypted = true
        // Capabilities from before TLS may have been forged; ask again (RFC 3501 §6.2.1).
        capabilities = []
        try refreshCapabilities()
    }

    public func refreshCapabilities() throws {
        try requireOK(run(.capability), command: "CAPABILITY")
    }

    func setCapabilities(_ list: [Capability]) {
        capabilities = Set(list)
        encoder = CommandEncoder(capabilities: capabilities)
    }

    /// Sends LOGOUT and closes without waiting for the answer, which tells nothing (every
    /// earlier command was answered) and would cost a round trip per connection.
    public func logout() {
        if let compression {
            logger.info(
                "\(host): compressed link sent \(compression.plainBytesWritten) bytes as \(compression.compressedBytesWritten), received \(compression.compressedBytesRead) bytes for \(compression.plainBytesRead)"
            )
        }
        if let connection {
            connection.sendAndClose(encoder.encode(.logout, tag: connection.nextTag()))
        }
        connection = nil
        selected = nil
    }

    // MARK: - Account-level commands

    @discardableResult
    public func id(_ parameters: [IDParameter]) throws -> [IDParameter]? {
        var server: [IDParameter]?
        try requireOK(
            run(.id(parameters)) { event in
                if case .untagged(.id(let values)) = event { server = values }
            }, command: "ID")
        return server
    }

    @discardableResult
    public func enable(_ extensions: [Capability]) throws -> [Capability] {
        var enabled: [Capability] = []
        try requireOK(
            run(.enable(extensions)) { event in
                if case .untagged(.enabled(let list)) = event { enabled += list }
            }, command: "ENABLE")
        return enabled
    }

    public func namespace() throws -> NamespaceResponse? {
        guard capabilities.contains(.namespace) else { return nil }
        if let learnedNamespace { return learnedNamespace }
        var result: NamespaceResponse?
        try requireOK(
            run(.namespace) { event in
                if case .untagged(.namespace(let value)) = event { result = value }
            }, command: "NAMESPACE")
        return result
    }

    /// Every mailbox, with special-use attributes when the server has SPECIAL-USE.
    /// More folders than any real mailbox has (Dovecot's own default limit is far lower): a
    /// server listing past it is broken or hostile, and holding its answer would grow without bound.
    public static let folderLimit = 100_000

    public func list(reference: String = "", pattern: String = "*") throws -> [MailboxListing] {
        try listing(reference: reference, pattern: pattern, status: []).listings
    }

    /// LIST with the STATUS of every listed folder in the same round trip where the server has
    /// LIST-STATUS (RFC 5819); without it, `statuses` is empty and the caller asks STATUS itself.
    public func listWithStatus(
        _ items: [String], reference: String = "", pattern: String = "*"
    ) throws -> (listings: [MailboxListing], statuses: [MailboxName: MailboxStatus]) {
        try listing(
            reference: reference, pattern: pattern, status: capabilities.contains(.listStatus) ? items : [])
    }

    private func listing(
        reference: String, pattern: String, status items: [String]
    ) throws -> (listings: [MailboxListing], statuses: [MailboxName: MailboxStatus]) {
        var listings: [MailboxListing] = []
        var statuses: [MailboxName: MailboxStatus] = [:]
        let specialUse = capabilities.contains(.specialUse)
        let limit = Self.folderLimit
        try requireOK(
            run(.list(reference: reference, pattern: pattern, returnSpecialUse: specialUse, returnStatus: items)) {
                event in
                if case .untagged(.status(let name, let status)) = event {
                    statuses[name] = status
                    return
                }
                guard case .untagged(.list(let listing)) = event else { return }
                guard listings.count < limit else {
                    throw IMAPError.protocolViolation(
                        host: self.host,
                        detail:
                            "LIST returned more than \(limit) folders; refusing to go on (a broken or hostile server?)")
                }
                listings.append(listing)
            }, command: "LIST")
        return (listings, statuses)
    }

    public func status(
        _ mailbox: MailboxName, items: [String] = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"]
    ) throws -> MailboxStatus {
        try statuses(of: [mailbox], items: items)[0]
    }

    /// STATUS of many mailboxes, pipelined: one round trip for all of them. A mailbox that fails
    /// yields its error in place.
    public func statuses(of mailboxes: [MailboxName], items: [String]) throws -> [MailboxStatus] {
        let connection = try requireConnection()
        let commands = mailboxes.map {
            (encoder.encode(.status($0, items: items), tag: connection.nextTag()), [AppendRequest]())
        }
        var found: [MailboxName: MailboxStatus] = [:]
        let responses = try connection.execute(commands) { event in
            if case .untagged(.status(let name, let status)) = event {
                found[name] = status
            } else {
                try self.observe(event)
            }
        }
        return try zip(mailboxes, responses).map { mailbox, response in
            guard response.status == .ok else {
                throw IMAPError.commandFailed(
                    host: host, command: "STATUS", mailbox: mailbox.description, response: response)
            }
            return found[mailbox] ?? MailboxStatus()
        }
    }

    public func create(_ mailbox: MailboxName) throws {
        try requireOK(run(.create(mailbox)), command: "CREATE", mailbox: mailbox)
    }

    public func delete(_ mailbox: MailboxName) throws {
        try requireOK(run(.delete(mailbox)), command: "DELETE", mailbox: mailbox)
    }

    public func subscribe(_ mailbox: MailboxName) throws {
        try requireOK(run(.subscribe(mailbox)), command: "SUBSCRIBE", mailbox: mailbox)
    }

    public func noop() throws {
        try requireOK(run(.noop), command: "NOOP")
    }

    // MARK: - Plumbing

    func requireConnection() throws -> IMAPConnection {
        guard let connection else { throw IMAPError.notConnected(host: host) }
        selectedAhead = nil
        try compressIfSlowLink()
        return connection
    }

    /// Runs one command; untagged data updates the client's state and is also handed to `onEvent`.
    func run(
        _ command: Command, bodies: [AppendRequest] = [],
        onEvent: (ResponseEvent) throws -> Void = { _ in }
    ) throws -> TaggedResponse {
        let connection = try requireConnection()
        do {
            return try connection.execute(command, encoder: encoder, bodies: bodies) { event in
                try observe(event)
                try onEvent(event)
            }
        } catch let error as IMAPError where error.scope == .account && error.isTransient {
            // The connection is unusable after a dropped link or timeout.
            connection.close()
            self.connection = nil
            throw error
        }
    }

    /// Keeps capabilities, alerts and the selected mailbox's counters current.
    func observe(_ event: ResponseEvent) throws {
        switch event {
        case .untagged(.capability(let list)):
            setCapabilities(list)
        case .untagged(.condition(let condition)):
            if condition.code == .alert {
                alerts.append(condition.text); logger.warning("server alert: \(condition.text)")
            }
        case .untagged(.exists(let count)):
            selected?.exists = count
        case .tagged(let response):
            if case .capability(let list)? = response.code { setCapabilities(list) }
        default:
            break
        }
    }

    func requireOK(_ response: TaggedResponse, command: String, mailbox: MailboxName? = nil) throws {
        guard response.status == .ok else {
            throw IMAPError.commandFailed(
                host: host, command: command, mailbox: mailbox?.description, response: response)
        }
    }

    var currentEncoder: CommandEncoder { encoder }

    /// The connection is unusable after a dropped link or timeout.
    func dropConnection() {
        connection?.close()
        connection = nil
    }
}
