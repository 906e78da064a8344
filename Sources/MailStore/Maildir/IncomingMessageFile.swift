import Foundation

/// One message being written into a Maildir's `tmp/`: created exclusively, hashed and scanned
/// for its Message-ID as the bytes arrive, never held in memory.
public final class IncomingMessageFile {
    public let temporaryPath: String
    private var descriptor: Int32
    private let hasher = SHA256Hasher()
    private var scanner = MessageIDScanner()
    public private(set) var bytesWritten = 0

    public init(directory: String) throws {
        // mbsync-style unique tmp name; O_EXCL so two writers can never share a file.
        temporaryPath =
            "\(directory)/\(Int(Date().timeIntervalSince1970)).P\(getpid())R\(UInt32.random(in: 0...UInt32.max)).mailferry"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: temporaryPath, operation: "create") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor); unlink(temporaryPath) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        scanner.consume(bytes)
        var offset = 0
        while offset < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard count > 0 else { throw StoreError.fromErrno(path: temporaryPath, operation: "write") }
            offset += count
        }
        bytesWritten += bytes.count
    }

    /// Closes the file; returns its SHA-256 and Message-ID. The file stays in `tmp/` until the
    /// batch it belongs to is committed.
    public func finish(modificationTime: Int) throws -> (sha256: String, messageID: String?) {
        FileSystem.startWriteback(descriptor)
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw StoreError.fromErrno(path: temporaryPath, operation: "close")
        }
        descriptor = -1
        FileSystem.setModificationTime(temporaryPath, secondsSince1970: modificationTime)
        return (hasher.finalizeHex(), scanner.messageID)
    }

    /// Removes a message that will not be kept (size mismatch, cut connection).
    public func discard() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporaryPath)
    }
}
