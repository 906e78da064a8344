import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process started with `posix_spawn`, owned and reaped by us.
///
/// Not Foundation's `Process`, for two guarantees: we alone reap the child, so `stop()` knows
/// when the master's pid stops being ours; and the child inherits nothing but stdin, stdout and
/// stderr. Tests start servers in parallel, and a Dovecot master holding some other thread's
/// pipe end would keep that pipe open (its reader never sees EOF) for as long as it runs.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let command: [String]
    private let lock = NSLock()
    /// Set once reaped; from then on the pid may belong to a stranger and is never signalled.
    private var exitStatus: Int32?

    private init(pid: pid_t, command: [String]) {
        self.pid = pid
        self.command = command
    }

    /// `stdinPath` nil means /dev/null; `outputPath`/`errorPath` are files the child writes to
    /// (files, not pipes, so nobody has to drain them while waiting).
    static func spawn(
        _ command: [String], stdinPath: String? = nil,
        outputPath: String, errorPath: String
    ) throws -> ChildProcess {
        precondition(!command.isEmpty)
        let executable = try Executables.locate(command[0])

        let inputFD = open(stdinPath ?? "/dev/null", O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw DovecotHarnessError.system("open \(stdinPath ?? "/dev/null")", errno: errno) }
        defer { close(inputFD) }
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else { throw DovecotHarnessError.system("open \(outputPath)", errno: errno) }
        defer { close(outputFD) }
        let errorFD: Int32
        if errorPath == outputPath {
            errorFD = outputFD
        } else {
            errorFD = open(errorPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard errorFD >= 0 else { throw DovecotHarnessError.system("open \(errorPath)", errno: errno) }
        }
        defer { if errorFD != outputFD { close(errorFD) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears FD_CLOEXEC on the target, so the O_CLOEXEC above only protects other spawns.
        posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errorFD, 2)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Ignored signals and blocked masks survive exec; Dovecot expects a pristine set.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGUSR1] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + command.dropFirst()).map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw DovecotHarnessError.system("posix_spawn \(executable)", errno: result) }
        return ChildProcess(pid: pid, command: command)
    }

    /// Reaps the child if it has exited; returns its shell-style status (128+n for signal n).
    func exitStatusIfExited() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            exitStatus = Self.decode(status)
        } else if result < 0 && errno == ECHILD {
            exitStatus = -1  // reaped by someone else
        }
        return exitStatus
    }

    /// Polls rather than blocking in waitpid so a timeout is possible without a helper thread.
    func waitForExit(timeout: TimeInterval?) -> Int32? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var pause: useconds_t = 1_000
        while true {
            if let status = exitStatusIfExited() { return status }
            if let deadline, Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    func signal(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { kill(pid, signal) }
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but the Glibc module does not
/// declare it (it needs _GNU_SOURCE), so it is looked up at run time.
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

private let addCloseFrom: AddCloseFrom? = {
    #if canImport(Glibc)
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    #else
        return nil
    #endif
}()

private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    if let addCloseFrom {
        _ = addCloseFrom(&actions, 3)
        return
    }
    // Fallback is racy against descriptors opened meanwhile, which is acceptable for a test tool.
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in fds.compactMap(Int32.init) where fd > 2 {
        posix_spawn_file_actions_addclose(&actions, fd)
    }
}
