import Foundation
import MailStore
import Testing

/// One run per job: the exclusive `flock` on `<job>/lock` and the holder's pid in it.
@Suite("StoreLock")
struct StoreLockTests {
    static func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("the lock file holds the holder's pid")
    func writesPID() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("lock")
        try "99999999 stale text from an older run\n".write(toFile: path, atomically: false, encoding: .utf8)
        let lock = try StoreLock(path: path, job: "job")
        defer { lock.release() }
        #expect(lock.path == path)
        #expect(try Self.contents(path) == "\(getpid())\n")
    }

    /// flock belongs to the open file description, so a second StoreLock in the same process
    /// conflicts just as another process would.
    @Test("a second lock on the same path is refused with the holder's pid")
    func secondLockRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("lock")
        let first = try StoreLock(path: path, job: "alice@example.com")
        defer { first.release() }
        #expect(throws: StoreError.locked(job: "alice@example.com", holderPID: getpid())) {
            try StoreLock(path: path, job: "alice@example.com")
        }
        // The refused attempt must not have clobbered the holder's pid.
        #expect(try Self.contents(path) == "\(getpid())\n")
    }

    @Test("a released lock can be taken again")
    func releaseThenRetake() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("lock")
        let first = try StoreLock(path: path, job: "job")
        first.release()
        first.release()  // twice is harmless
        let second = try StoreLock(path: path, job: "job")
        second.release()
    }

    @Test("dropping the lock object releases it")
    func deinitReleases() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("lock")
        do { _ = try StoreLock(path: path, job: "job") }
        let again = try StoreLock(path: path, job: "job")
        again.release()
    }

    @Test("locks of different jobs do not conflict")
    func independentJobs() throws {
        let directory = try TemporaryDirectory()
        let one = try StoreLock(path: directory.file("one.lock"), job: "one")
        let two = try StoreLock(path: directory.file("two.lock"), job: "two")
        one.release(); two.release()
    }

    @Test("a lock in a missing directory is an open error")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("gone/lock")
        #expect(throws: StoreError.io(path: path, operation: "open lock file", errno: ENOENT)) {
            try StoreLock(path: path, job: "job")
        }
    }

    /// flock(1) takes the same kind of lock from another process; the kernel drops it when that
    /// process is killed.
    @Test(
        "another process's lock is honoured, and dropped when it is killed",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs flock(1)"))
    func otherProcess() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("lock")
        try "4242\n".write(toFile: path, atomically: false, encoding: .utf8)
        let ready = directory.file("ready")
        let holder = Process()
        // One process holds the lock: the shell opens fd 9, flock(1) locks that open file
        // description, and the shell then becomes `sleep`, keeping fd 9.
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9<>'\(path)'; /usr/bin/flock --exclusive 9; touch '\(ready)'; exec sleep 30"]
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(FileManager.default.fileExists(atPath: ready))

        #expect(throws: StoreError.locked(job: "job", holderPID: 4242)) { try StoreLock(path: path, job: "job") }

        kill(holder.processIdentifier, SIGKILL)
        holder.waitForExit()
        let lock = try StoreLock(path: path, job: "job")
        #expect(try Self.contents(path) == "\(getpid())\n")
        lock.release()
    }
}
