import Foundation

/// An exclusive lock on one job, so two runs never write the same Maildir and manifest.
/// The kernel drops it when the process dies, even by kill -9.
public final class StoreLock {
    private let descriptor: Int32
    public let path: String

    public init(path: String, job: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: path, operation: "open lock file") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &buffer, buffer.count)
            close(descriptor)
            let pid =
                count > 0
                ? Int32(
                    String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                : nil
            throw StoreError.locked(job: job, holderPID: pid)
        }
        ftruncate(descriptor, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { release() }

    private var released = false
    public func release() {
        guard !released else { return }
        released = true
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
