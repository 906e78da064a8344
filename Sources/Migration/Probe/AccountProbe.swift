import IMAPClient
import IMAPCore
import Logging

/// Logs in and reports what matters before a migration: capabilities, namespaces, every folder
/// with counts and sizes, and the server traits that will slow or limit the move.
public struct AccountProbe: Sendable {
    public let configuration: IMAPClientConfiguration
    public let logger: Logger

    public init(configuration: IMAPClientConfiguration, logger: Logger = Logger(label: "mailferry.probe")) {
        self.configuration = configuration; self.logger = logger
    }

    public func run(password: String) async throws -> ProbeReport {
        let client = IMAPClient(configuration: configuration, logger: logger)
        try await client.connect()
        try await client.login(password: password)
        let namespaces = try await client.namespace()
        // INBOX first, then the tree in name order, as admins read it.
        let listings = try await client.list().sorted { a, b in
            a.name.isInbox != b.name.isInbox ? a.name.isInbox : a.name.description < b.name.description
        }
        let capabilities = await client.capabilities
        let folders = try await measure(listings, client: client, capabilities: capabilities)
        let report = ProbeReport(
            endpoint: configuration.endpoint.description,
            greeting: await client.greeting?.text ?? "",
            encrypted: await client.isEncrypted,
            capabilities: capabilities.map(\.name).sorted(),
            namespaces: namespaces.map {
                $0.personal.map { ProbeReport.Namespace(prefix: $0.prefix, separator: $0.separator.map(String.init)) }
            } ?? [],
            separator: listings.lazy.compactMap(\.separator).first.map(String.init)
                ?? namespaces?.personal.first?.separator.map(String.init),
            folders: folders,
            totalMessages: folders.reduce(0) { $0 + ($1.messages ?? 0) },
            totalBytes: folders.reduce(0) { $0 + ($1.sizeBytes ?? 0) },
            warnings: ProbeWarnings.list(
                capabilities: capabilities, encrypted: await client.isEncrypted,
                listings: listings, folders: folders, alerts: await client.alerts))
        await client.logout()
        return report
    }

    /// STATUS for every selectable folder in one pipelined round trip; SIZE comes from STATUS
    /// when the server has STATUS=SIZE, else from the folder's RFC822.SIZE values.
    private func measure(
        _ listings: [MailboxListing], client: IMAPClient, capabilities: Set<Capability>
    ) async throws -> [ProbeReport.Folder] {
        let hasStatusSize = capabilities.contains(Capability("STATUS=SIZE"))
        let items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY"] + (hasStatusSize ? ["SIZE"] : [])
        var folders: [ProbeReport.Folder] = []
        for listing in listings {
            var folder = ProbeReport.Folder(
                name: listing.name.description, wireName: String(decoding: listing.name.wireBytes, as: UTF8.self),
                separator: listing.separator.map(String.init), attributes: listing.attributes,
                specialUse: listing.specialUse, selectable: listing.isSelectable)
            if listing.isSelectable {
                do {
                    let status = try await client.status(listing.name, items: items)
                    folder.messages = status.messages
                    folder.uidValidity = status.uidValidity
                    folder.uidNext = status.uidNext
                    folder.sizeBytes = status.size
                    if folder.sizeBytes == nil {
                        folder.sizeBytes = try await sizeByFetch(
                            listing.name, client: client, messages: status.messages ?? 0)
                    }
                } catch let error as IMAPError where error.scope != .account {
                    folder.error = error.description
                }
            }
            folders.append(folder)
        }
        return folders
    }

    private func sizeByFetch(_ mailbox: MailboxName, client: IMAPClient, messages: Int) async throws -> Int64 {
        guard messages > 0 else { return 0 }
        try await client.select(mailbox, readOnly: true)
        let fetched = try await client.uidFetchAttributes(.all, items: ["UID", "RFC822.SIZE"])
        return fetched.reduce(0) { $0 + Int64($1.rfc822Size ?? 0) }
    }
}

extension ProbeReport.Folder {
    init(
        name: String, wireName: String, separator: String?, attributes: [String], specialUse: String?, selectable: Bool
    ) {
        self.init(
            name: name, wireName: wireName, separator: separator, attributes: attributes, specialUse: specialUse,
            selectable: selectable, messages: nil, sizeBytes: nil, uidValidity: nil, uidNext: nil, error: nil)
    }
}
