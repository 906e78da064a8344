import Foundation

/// An executor backed by one dedicated OS thread.
///
/// Socket reads block. On Swift's cooperative pool (one thread per core) a blocking read stalls
/// every other task, so each connection's actor runs its jobs here instead: blocking is then
/// confined to the connection that waits. As a task executor it keeps work that must answer
/// within seconds (a worker's heartbeat and notifications) off a pool that a migration's
/// commits can hold.
public final class DedicatedThread: SerialExecutor, TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isStopping = false

    /// `stackSize`: a connection's thread, which streams bodies in 64 KiB pieces, needs 1 MiB;
    /// the default is the platform's usual 8 MiB for code whose depth is not known here.
    public init(name: String, stackSize: Int = 8 << 20) {
        let thread = Thread { [self] in
            // Named from within: on Linux a name set before start never reaches the OS thread,
            // which then shows its creator's name in `top -H` and in crash reports.
            Thread.current.name = name
            runLoop()
        }
        thread.stackSize = stackSize
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        condition.lock()
        jobs.append(unownedJob)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs it has and exit.
    public func stop() {
        condition.lock()
        isStopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        // OpenSSL writes to the socket with write(2), which raises SIGPIPE (and kills the
        // process) when the server has closed the connection. Blocked on this thread, which does
        // all of the connection's I/O, the write fails with EPIPE and becomes a dropped link.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        while true {
            condition.lock()
            while jobs.isEmpty && !isStopping { condition.wait() }
            if jobs.isEmpty && isStopping { condition.unlock(); return }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
        }
    }
}
