import Foundation
import IMAPClient

/// The APPENDs of one batch the server has answered OK so far, by request index: filled from
/// the connection's thread as answers arrive, read after the batch ended or broke.
final class ConfirmedAppends: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int: (uidValidity: UInt32?, uid: UInt32?)] = [:]

    func add(_ index: Int, _ outcome: AppendOutcome) {
        guard case .appended(let validity, let uid) = outcome else { return }
        lock.withLock { storage[index] = (validity, uid) }
    }

    var appended: [Int: (uidValidity: UInt32?, uid: UInt32?)] { lock.withLock { storage } }
}
