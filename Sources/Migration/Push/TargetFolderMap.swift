import IMAPClient
import IMAPCore
import MailStore

/// The target's folders as LIST shows them, and the mapping of source folders onto them. Push,
/// verify and restore build it the same way, so they agree on where every folder belongs.
struct TargetFolderMap {
    let listings: [MailboxListing]
    let mapping: FolderMapping

    /// Names that exist on the target, INBOX spelled as INBOX.
    var existingNames: Set<String> {
        Set(listings.map { $0.name.description.uppercased() == "INBOX" ? "INBOX" : $0.name.description })
    }

    /// LIST and NAMESPACE of the target; the source prefix is the override, else what the
    /// store recorded at the last pull (or import), else none.
    static func load(
        _ client: IMAPClient, rules: [FolderMapping.Rule], exclude: [String], sourcePrefix: String?,
        targetPrefix: String?, database: StateDatabase
    ) async throws -> TargetFolderMap {
        let folders = try await TargetFolders.fetch(client)
        return try TargetFolderMap(
            fetched: folders, rules: rules, exclude: exclude, sourcePrefix: sourcePrefix, targetPrefix: targetPrefix,
            database: database)
    }

    /// The mapping onto folders listed before; the source prefix as in `load`, read now.
    init(
        fetched folders: TargetFolders, rules: [FolderMapping.Rule], exclude: [String], sourcePrefix: String?,
        targetPrefix: String?, database: StateDatabase
    ) throws {
        let personal = folders.personalNamespace
        let separator = folders.listings.lazy.compactMap(\.separator).first ?? personal?.separator
        let targetPrefix = targetPrefix ?? personal?.prefix ?? ""
        let sourcePrefix = try sourcePrefix ?? database.job()?.sourceNamespacePrefix ?? ""
        let mapping = FolderMapping(
            rules: rules, exclude: exclude,
            targetRoles: FolderMapping.roles(from: folders.listings, prefix: targetPrefix),
            targetSeparator: separator, sourcePrefix: sourcePrefix, targetPrefix: targetPrefix)
        self.listings = folders.listings
        self.mapping = mapping
    }
}

/// The target's LIST and personal namespace, as fetched: the raw material of a `TargetFolderMap`.
struct TargetFolders: Sendable {
    var listings: [MailboxListing]
    var personalNamespace: NamespaceDescription?

    static func fetch(_ client: IMAPClient) async throws -> TargetFolders {
        let listings = try await client.list()
        let personal: NamespaceDescription?
        do {
            personal = try await client.namespace()?.personal.first
        } catch IMAPError.commandFailed {
            personal = nil
        }
        return TargetFolders(listings: listings, personalNamespace: personal)
    }
}
