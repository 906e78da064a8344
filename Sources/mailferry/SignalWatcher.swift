import Foundation

/// The write end of the self-pipe; a signal handler may touch nothing else.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Delivers signals to a plain thread through a self-pipe. Dispatch signal sources are not
/// used: on Linux they read a signalfd, which sees a signal only if every thread blocks it, and
/// the connection threads started earlier do not — an ignored SIGTERM was then simply lost.
final class SignalWatcher: @unchecked Sendable {
    private let signals: [Int32]
    private var pipeEnds: [Int32] = [-1, -1]

    /// `handler` runs on the watcher's thread (not in signal context), once per signal.
    init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        guard pipe(&pipeEnds) == 0 else { return }
        let readEnd = pipeEnds[0]
        signalPipeWriteEnd = pipeEnds[1]
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        Thread.detachNewThread { [set] in
            // A parent may have started us with these signals blocked (the mask survives exec
            // and every thread inherits it); then they would stay pending for ever. This
            // thread takes them whatever the others block.
            var mask = set
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 { handler(Int32(byte)) }
        }
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    /// Back to the default actions; the watcher thread ends.
    func cancel() {
        for number in signals { signal(number, SIG_DFL) }
        guard pipeEnds[1] >= 0 else { return }
        signalPipeWriteEnd = -1
        close(pipeEnds[1])
        pipeEnds = [-1, -1]
    }
}
