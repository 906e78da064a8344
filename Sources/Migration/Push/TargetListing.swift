import Foundation
import IMAPClient
import IMAPCore

/// What a push round learns of the target before it maps the folders: LIST and NAMESPACE,
/// STATUS (MESSAGES UIDVALIDITY) of the listed folders, and the folders created since. One
/// round of a `migrate` hands it to the next, and the connection opened ahead of the first
/// round fetches it while the pull runs: a no-op or a delta does not wait for those round trips
/// after the pull.
struct TargetListing: Sendable {
    var folders: TargetFolders
    var statuses: [String: MailboxStatus]
    var created: Set<String> = []
    var fetchedAt = Date()

    /// LIST, NAMESPACE, then STATUS of every listed folder. Opening each listed folder once on
    /// one connection also lets Dovecot create its `auto = subscribe` folders before parallel
    /// connections SELECT them (two sessions creating one at once race there).
    static func fetch(_ client: IMAPClient) async throws -> TargetListing {
        let folders = try await TargetFolders.fetch(client)
        let names = Set(
            folders.listings.filter { !$0.attributes.contains { $0.lowercased() == "\\noselect" } }.map {
                $0.name.description.uppercased() == "INBOX" ? "INBOX" : $0.name.description
            }
        ).sorted()
        var statuses: [String: MailboxStatus] = [:]
        if !names.isEmpty,
            let answers = try? await client.statuses(
                of: names.map(MailboxName.init), items: ["MESSAGES", "UIDVALIDITY"])
        {
            statuses = Dictionary(zip(names, answers)) { first, _ in first }
        }
        return TargetListing(folders: folders, statuses: statuses)
    }
}

/// The latest `TargetListing` of one engine, taken once by the next round while it is fresh.
final class TargetListingCache: @unchecked Sendable {
    /// Older than this, the target may have changed under the listing: it is fetched again.
    static let maximumAge: TimeInterval = 60

    private let lock = NSLock()
    private var listing: TargetListing?
    private var fetching: Task<TargetListing?, Never>?

    /// A listing on its way (from the connection opened ahead); `take` waits for it.
    func fetch(_ body: @escaping @Sendable () async -> TargetListing?) {
        lock.withLock { fetching = Task { await body() } }
    }

    func store(_ new: TargetListing) {
        lock.withLock {
            fetching = nil
            listing = new
        }
    }

    /// The listing if one is fresh, else nil: list again.
    func take() async -> TargetListing? {
        let (pending, known) = lock.withLock { (fetching, listing) }
        var candidate = known
        if let pending, let fetched = await pending.value { candidate = fetched }
        lock.withLock {
            fetching = nil
            listing = nil
        }
        guard let candidate, Date().timeIntervalSince(candidate.fetchedAt) <= Self.maximumAge else { return nil }
        return candidate
    }
}
