import Foundation

/// One message being written into a Maildir's `tmp/`: created exclusively, hashed and scanned
/// for its Message-ID as the bytes arrive, never held in memory.
public final class IncomingMessageFile {
    public let temporaryPath: String
    private var descriptor: Int32
    private let hasher = SHA256Hasher()
    private var scanner = MessageIDScanner()
    private let buffer: MessageWriteBuffer?
    public private(set) var bytesWritten = 0

    /// With a `buffer` (one per writer, reused for each message) the bytes reach the file in
    /// page-aligned 128 KiB writes: a network read's worth at a time (often 16 KiB at some odd
    /// offset) made the kernel zero the part of each new page the write did not cover, about
    /// a third of the system time of writing a Maildir.
    public init(directory: String, buffer: MessageWriteBuffer? = nil) throws {
        buffer?.count = 0
        self.buffer = buffer
        // mbsync-style unique tmp name; O_EXCL so two writers can never share a file.
        temporaryPath =
            "\(directory)/\(Int(Date().timeIntervalSince1970)).P\(Self.processID)R\(UInt32.random(in: 0...UInt32.max)).mailferry"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: temporaryPath, operation: "create") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor); unlink(temporaryPath) }
    }

    /// Read once: mailferry never forks, and getpid(2) per message is a syscall each.
    private static let processID = getpid()

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        scanner.consume(bytes)
        bytesWritten += bytes.count
        guard let buffer else { return try writeToFile(bytes) }
        var rest = bytes
        while !rest.isEmpty {
            let room = buffer.capacity - buffer.count
            let taken = min(room, rest.count)
            (buffer.bytes.baseAddress! + buffer.count).copyMemory(from: rest.baseAddress!, byteCount: taken)
            buffer.count += taken
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if buffer.count == buffer.capacity { try flush() }
        }
    }

    private func flush() throws {
        guard let buffer, buffer.count > 0 else { return }
        try writeToFile(UnsafeRawBufferPointer(start: buffer.bytes.baseAddress, count: buffer.count))
        buffer.count = 0
    }

    private func writeToFile(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard count > 0 else { throw StoreError.fromErrno(path: temporaryPath, operation: "write") }
            offset += count
        }
    }

    /// Closes the file; returns its SHA-256 and Message-ID. The file stays in `tmp/` until the
    /// batch it belongs to is committed.
    public func finish(modificationTime: Int) throws -> (sha256: String, messageID: String?) {
        do { try flush() } catch {
            discard()
            throw error
        }
        FileSystem.startWriteback(descriptor)
        FileSystem.setModificationTime(descriptor, secondsSince1970: modificationTime)
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw StoreError.fromErrno(path: temporaryPath, operation: "close")
        }
        descriptor = -1
        return (hasher.finalizeHex(), scanner.messageID)
    }

    /// Removes a message that will not be kept (size mismatch, cut connection).
    public func discard() {
        buffer?.count = 0
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporaryPath)
    }
}

/// The reusable write buffer of `IncomingMessageFile`: one per writer, never shared between
/// two files being written at once.
public final class MessageWriteBuffer {
    public let capacity = 128 * 1024
    let bytes: UnsafeMutableRawBufferPointer
    var count = 0

    public init() { bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 4096) }

    deinit { bytes.deallocate() }
}
