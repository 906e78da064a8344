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
        let listings = try await client.list()
        let personal: NamespaceDescription?
        do {
            personal = try await client.namespace()?.personal.first
        } catch IMAPError.commandFailed {
            personal = nil
        }
        let separator = listings.lazy.compactMap(\.separator).first ?? personal?.separator
        let targetPrefix = targetPrefix ?? personal?.prefix ?? ""
        let sourcePrefix = try sourcePrefix ?? database.job()?.sourceNamespacePrefix ?? ""
        let mapping = FolderMapping(
            rules: rules, exclude: exclude, targetRoles: FolderMapping.roles(from: listings, prefix: targetPrefix),
            targetSeparator: separator, sourcePrefix: sourcePrefix, targetPrefix: targetPrefix)
        return TargetFolderMap(listings: listings, mapping: mapping)
    }
}
