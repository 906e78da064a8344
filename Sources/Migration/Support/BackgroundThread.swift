import Foundation
import Logging

/// A serial queue on a dedicated OS thread. Not a dispatch queue: dispatch's worker threads are
/// shared (Swift's concurrency runs on them too), and a per-thread setting such as the I/O
/// priority must not leak into unrelated work.
final class BackgroundThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var normalPriorityWanted = false
    private var lowered = false

    init(name: String, idleIOPriority: Bool, logger: Logger) {
        let thread = Thread { [self] in
            if idleIOPriority {
                lowered = IOPriority.setIdleForCurrentThread()
                if !lowered {
                    logger.debug(
                        "\(name): could not lower the thread's I/O priority (errno \(errno)); running at normal priority"
                    )
                }
            }
            loop()
        }
        thread.name = name
        thread.start()
    }

    /// Runs `job` after everything submitted before it; returns at once.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `job` after everything submitted before it and waits for it.
    func run(_ job: @escaping () -> Void) {
        let done = DispatchSemaphore(value: 0)
        condition.lock()
        let accepted = !stopping
        if accepted {
            jobs.append {
                job(); done.signal()
            }
            condition.signal()
        }
        condition.unlock()
        if accepted { done.wait() }
    }

    /// From the next job on, the thread's I/O runs at normal priority again: someone now waits
    /// for the queue to drain, and an idle-class thread could be kept waiting by a busy disk.
    func restoreNormalIOPriority() {
        condition.lock()
        normalPriorityWanted = true
        condition.unlock()
    }

    /// Lets the thread end once its queue is empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            let raise = normalPriorityWanted && lowered
            condition.unlock()
            if raise {
                lowered = !IOPriority.setNormalForCurrentThread()
            }
            job()
        }
    }
}

/// Linux I/O priorities (ioprio_set(2)), which glibc does not wrap.
enum IOPriority {
    /// The "idle" class for the calling thread: its disk requests are served only when no one
    /// else's are waiting. Needs no privilege.
    static func setIdleForCurrentThread() -> Bool { setForCurrentThread(class: 3, level: 0) }

    /// Back to the default "best effort" class, middle level, for the calling thread.
    static func setNormalForCurrentThread() -> Bool { setForCurrentThread(class: 2, level: 4) }

    private static func setForCurrentThread(class ioClass: Int, level: Int) -> Bool {
        #if arch(x86_64)
            let ioprioSet = 251
        #elseif arch(arm64)
            let ioprioSet = 30
        #else
            return false
        #endif
        let whoProcess = 1, currentThread = 0, classShift = 13
        return linuxSyscall(ioprioSet, whoProcess, currentThread, (ioClass << classShift) | level) == 0
    }
}

/// glibc's syscall(2) is variadic; on the x86_64 and arm64 Linux ABIs integer arguments are
/// passed the same way either way, and glibc's implementation only moves registers.
@_silgen_name("syscall")
private func linuxSyscall(_ number: Int, _ first: Int, _ second: Int, _ third: Int) -> Int
