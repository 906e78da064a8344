import Foundation
import Migration

/// Ctrl-C and SIGTERM stop a run at its next commit (exit 130, resumable); a second Ctrl-C
/// ends the process at once — still safe, as after a kill, only the work since the last
/// commit is done again.
final class StopSignals: @unchecked Sendable {
    private let stop: StopToken
    private var watcher: SignalWatcher?
    private var received = 0
    private let lock = NSLock()

    init(stop: StopToken) { self.stop = stop }

    func install() {
        watcher = SignalWatcher([SIGINT, SIGTERM]) { [self] number in received(number) }
    }

    func remove() {
        watcher?.cancel()
        watcher = nil
    }

    private func received(_ number: Int32) {
        lock.lock(); received += 1; let count = received; lock.unlock()
        if count == 1 {
            StandardStreams.err("\nmailferry: stopping at the next commit (Ctrl-C again to stop at once)…\n")
            stop.requestStop()
        } else {
            StandardStreams.err("mailferry: stopped at once; run again to resume\n")
            // _exit, not exit: atexit handlers racing the running threads crashed the process (SIGSEGV);
            // at once means as after a kill, which every store write is safe against.
            _exit(130)
        }
    }
}
