import Foundation
import MailStore

/// What a running pull has made durable and the uploader has not yet taken, per folder.
/// The uploader claims the folder with the most bytes waiting; a claimed folder is held by
/// one connection at a time, so no message is ever appended by two workers.
final class PullFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var listed = false
    /// Folders the pull is about to select; nil until it has planned.
    private var planned: Int?
    private var finished = false
    private var waitingBytes: [Int64: Int64] = [:]
    private var held: Set<Int64> = []
    /// Folders a pull worker is on now, in the order they were started.
    private var pulling: [Int64] = []
    private var excluded: Set<Int64> = []

    var events: PullEvents {
        PullEvents(
            foldersListed: { [self] _ in locked { listed = true } },
            willPull: { [self] count in locked { planned = count } },
            folderStarted: { [self] folderID in locked { if !pulling.contains(folderID) { pulling.append(folderID) } }
            },
            folderEnded: { [self] folderID in locked { pulling.removeAll { $0 == folderID } } },
            committed: { [self] folderID, _, bytes in locked { waitingBytes[folderID, default: 0] += max(1, bytes) } },
            foldersPulled: { [self] in finish() })
    }

    /// The pull stored everything, or failed: nothing more will arrive.
    func finish() { locked { finished = true } }

    var isFinished: Bool { locked { finished } }

    /// The folder (of `candidates`) with the most bytes waiting that no worker holds, now held.
    func claim(among candidates: Set<Int64>) -> Int64? {
        locked {
            let best = waitingBytes.filter { isTakeable($0.key, $0.value, among: candidates) }.max {
                $0.value < $1.value
            }?.key
            if let best {
                held.insert(best)
                waitingBytes[best] = 0
            }
            return best
        }
    }

    /// A folder (of `candidates`) that a pull worker is on but that has nothing waiting yet and
    /// no uploader, now held: the uploader selects it on the target while the pull fetches, and
    /// then waits for its first commit (`waitForCommit`). Only when nothing is waiting anywhere.
    func claimBeingPulled(among candidates: Set<Int64>) -> Int64? {
        locked {
            guard !waitingBytes.contains(where: { isTakeable($0.key, $0.value, among: candidates) }) else { return nil }
            let next = pulling.first {
                candidates.contains($0) && !held.contains($0) && !excluded.contains($0) && (waitingBytes[$0] ?? 0) == 0
            }
            if let next { held.insert(next) }
            return next
        }
    }

    /// For a folder claimed while being pulled: waits until a commit of it is waiting (taken
    /// now), its pull worker is done with it, or the pull is over.
    func waitForCommit(_ folderID: Int64) async throws {
        while true {
            let done: Bool = locked {
                if (waitingBytes[folderID] ?? 0) > 0 {
                    waitingBytes[folderID] = 0
                    return true
                }
                return finished || !pulling.contains(folderID)
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func release(_ folderID: Int64) { locked { _ = held.remove(folderID) } }

    /// A folder that failed while uploading is left to the final round, which reports it.
    func exclude(_ folderID: Int64) { locked { _ = excluded.insert(folderID) } }

    /// Waits until the pull has planned its folders; true when it will select any (and so may
    /// store new mail), false when it selects none or ended first.
    func waitForPlan() async throws -> Bool {
        while true {
            let (count, over): (Int?, Bool) = locked { (planned, finished) }
            if let count { return count > 0 }
            if over { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until a folder (of `candidates`, or any) has work or the pull is over; true when
    /// there is work.
    func waitForWork(among candidates: Set<Int64>? = nil) async throws -> Bool {
        while true {
            let (ready, over): (Bool, Bool) = locked {
                (waitingBytes.contains { isTakeable($0.key, $0.value, among: candidates) }, finished)
            }
            if ready { return true }
            if over { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Has bytes waiting, is one of `candidates` (any when nil), and nobody holds or gave it up.
    private func isTakeable(_ folderID: Int64, _ bytes: Int64, among candidates: Set<Int64>?) -> Bool {
        bytes > 0 && (candidates?.contains(folderID) ?? true) && !held.contains(folderID)
            && !excluded.contains(folderID)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
