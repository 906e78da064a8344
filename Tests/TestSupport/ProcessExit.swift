import Foundation

extension Process {
    /// How a child ended: its exit status, or the signal that killed it.
    public struct Exit: Sendable, Equatable {
        public var status: Int32
        public var killedBySignal: Bool
    }

    /// Waits for the child to end without depending on Foundation's watcher thread, and says how
    /// it ended. That thread learns of an exit when the child's end of a socketpair closes, then
    /// blocks in waitpid for that child: one child that closes the descriptor while it goes on
    /// running stalls the exit of every other Process in the test run. Seen once here: threads
    /// spinning in waitUntilExit for ten minutes beside reapable zombies, while the watcher sat in
    /// wait4 on a `mailferry serve` that was still serving. This looks with waitid(WNOWAIT),
    /// leaving the reaping to Foundation.
    @discardableResult
    public func waitForExit() -> Exit {
        let pid = processIdentifier
        while true {
            if !isRunning {
                return Exit(status: terminationStatus, killedBySignal: terminationReason == .uncaughtSignal)
            }
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
                info._sifields._sigchld.si_pid == pid
            {
                let code = info.si_code
                return Exit(
                    status: info._sifields._sigchld.si_status,
                    killedBySignal: code == Int32(CLD_KILLED) || code == Int32(CLD_DUMPED))
            }
            usleep(2_000)
        }
    }
}
