import Foundation
import MailStore

/// Issues of one run, kept for its summary (and recorded in the job's database as they occur).
public final class IssueLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [PullSummary.Issue] = []

    public init() {}

    func append(_ issue: PullSummary.Issue) { lock.lock(); items.append(issue); lock.unlock() }

    public var all: [PullSummary.Issue] { lock.lock(); defer { lock.unlock() }; return items }
}
