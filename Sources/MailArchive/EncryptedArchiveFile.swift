import CArchive
import COpenSSL
import Foundation

/// Encrypts what libarchive writes into chunks of `EncryptedArchiveFormat` on the way to `output`.
final class EncryptingFileSink: ArchiveWriteSink {
    private let output: ArchiveFileOutput
    private let cipher: ChunkCipher
    private var buffer: [UInt8] = []
    private var number: UInt32 = 0
    /// The first failure, in words; libarchive only learns that the write failed.
    private(set) var failure: String?

    init(output: ArchiveFileOutput, key: ArchiveKey) throws {
        var salt = [UInt8](repeating: 0, count: 16), prefix = [UInt8](repeating: 0, count: 8)
        guard RAND_bytes(&salt, 16) == 1, RAND_bytes(&prefix, 8) == 1 else {
            throw ArchiveKeyError.cryptoFailed("RAND_bytes")
        }
        let iterations = key.isPassphrase ? ArchiveKey.passphraseIterations : 0
        var header = EncryptedArchiveFormat.Header(
            kdf: key.isPassphrase ? 1 : 0, iterations: iterations, salt: salt, noncePrefix: prefix,
            chunkSize: UInt32(EncryptedArchiveFormat.chunkSize))
        let derived = try key.derive(salt: salt, iterations: iterations)
        let checker = try ChunkCipher(key: derived, noncePrefix: prefix, header: header.unsignedBytes)
        header.keyCheck = try [UInt8]().withUnsafeBytes {
            try checker.seal($0, length: 0, number: EncryptedArchiveFormat.keyCheckChunk)
        }
        cipher = try ChunkCipher(key: derived, noncePrefix: prefix, header: header.bytes)
        self.output = output
        buffer.reserveCapacity(EncryptedArchiveFormat.chunkSize)
        guard writeAll(header.bytes) else {
            throw ArchiveKeyError.cryptoFailed("write of the header: \(failure ?? "")")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let room = EncryptedArchiveFormat.chunkSize - buffer.count
            let take = min(room, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
            offset += take
            if buffer.count == EncryptedArchiveFormat.chunkSize && !emit(final: false) { return false }
        }
        return true
    }

    /// Seals what is buffered as the last chunk (possibly empty), so a cut-off file is detected.
    func finish() -> Bool { emit(final: true) && output.finish() }

    private func emit(final: Bool) -> Bool {
        let length = UInt32(buffer.count) | (final ? EncryptedArchiveFormat.finalFlag : 0)
        do {
            let sealed = try buffer.withUnsafeBytes { try cipher.seal($0, length: length, number: number) }
            number += 1
            buffer.removeAll(keepingCapacity: true)
            return writeAll(length.bigEndianBytes) && writeAll(sealed)
        } catch {
            failure = "\(error)"
            return false
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        guard bytes.withUnsafeBytes({ output.write($0) }) else {
            failure = output.failure
            return false
        }
        return true
    }

}

/// Decrypts and checks an encrypted archive chunk by chunk for libarchive's reader.
final class DecryptingFileSource {
    let header: EncryptedArchiveFormat.Header
    private let fd: Int32
    private let path: String
    private let cipher: ChunkCipher
    private var number: UInt32 = 0
    private var finished = false
    /// The chunk handed to libarchive, valid until its next read: a buffer of our own, since
    /// libarchive keeps the pointer past the callback.
    private let plaintext: UnsafeMutableBufferPointer<UInt8>
    /// Why reading stopped, when it was the encryption (libarchive only sees a failed read).
    private(set) var failure: ArchiveError?

    init(fd: Int32, path: String, key: ArchiveKey) throws {
        self.fd = fd
        self.path = path
        var bytes = [UInt8](repeating: 0, count: EncryptedArchiveFormat.headerSize)
        guard Self.readExactly(fd, &bytes), let header = EncryptedArchiveFormat.Header(parsing: bytes) else {
            throw ArchiveError.archiveTampered(archivePath: path, detail: "the encryption header is damaged")
        }
        if header.kdf == 1 && !key.isPassphrase || header.kdf == 0 && key.isPassphrase {
            throw ArchiveError.wrongArchiveKey(
                archivePath: path, detail: "it was sealed with a \(header.kdf == 1 ? "passphrase" : "key file")")
        }
        let derived = try key.derive(salt: header.salt, iterations: header.iterations)
        let checker = try ChunkCipher(key: derived, noncePrefix: header.noncePrefix, header: header.unsignedBytes)
        let expected = try [UInt8]().withUnsafeBytes {
            try checker.seal($0, length: 0, number: EncryptedArchiveFormat.keyCheckChunk)
        }
        guard CRYPTO_memcmp(expected, header.keyCheck, 16) == 0 else {
            throw ArchiveError.wrongArchiveKey(archivePath: path, detail: "the key does not open it")
        }
        self.header = header
        cipher = try ChunkCipher(key: derived, noncePrefix: header.noncePrefix, header: header.bytes)
        plaintext = .allocate(capacity: Int(header.chunkSize))
    }

    deinit { plaintext.deallocate() }

    /// Decrypts the next chunk into `plaintext`: its size, 0 at the end, nil on damage (see `failure`).
    func readChunk() -> Int? {
        guard let chunk = nextChunk() else { return nil }
        _ = plaintext.initialize(from: chunk)
        return chunk.count
    }

    /// The next chunk's plaintext; empty at the end. Nil on damage (see `failure`).
    private func nextChunk() -> [UInt8]? {
        while true {
            if finished {
                var extra: UInt8 = 0
                if Glibc.read(fd, &extra, 1) > 0 {
                    failure = .archiveTampered(archivePath: path, detail: "data follows the last chunk")
                    return nil
                }
                return []
            }
            var field = [UInt8](repeating: 0, count: 4)
            guard Self.readExactly(fd, &field) else {
                failure = .archiveTampered(
                    archivePath: path, detail: "it ends after chunk \(number) without its last chunk (cut off)")
                return nil
            }
            let length = UInt32(bigEndianBytes: field[...])
            let size = Int(length & ~EncryptedArchiveFormat.finalFlag)
            guard size <= Int(header.chunkSize) else {
                failure = .archiveTampered(archivePath: path, detail: "chunk \(number) claims \(size) bytes")
                return nil
            }
            var sealed = [UInt8](repeating: 0, count: size + EncryptedArchiveFormat.tagSize)
            guard Self.readExactly(fd, &sealed) else {
                failure = .archiveTampered(archivePath: path, detail: "chunk \(number) is cut off")
                return nil
            }
            let opened: [UInt8]?
            do { opened = try cipher.open(sealed, length: length, number: number) } catch {
                failure = .archiveTampered(archivePath: path, detail: "\(error)")
                return nil
            }
            guard let opened else {
                failure = .archiveTampered(
                    archivePath: path, detail: "chunk \(number) fails authentication (altered or reordered)")
                return nil
            }
            number += 1
            finished = length & EncryptedArchiveFormat.finalFlag != 0
            if !opened.isEmpty { return opened }
        }
    }

    /// Feeds libarchive from `source`.
    static func open(_ archive: OpaquePointer, source: DecryptingFileSource) -> Int32 {
        archive_read_open(
            archive, Unmanaged.passUnretained(source).toOpaque(), nil,
            { _, context, buffer in
                let source = Unmanaged<DecryptingFileSource>.fromOpaque(context!).takeUnretainedValue()
                guard let count = source.readChunk() else { return -1 }
                buffer?.pointee = UnsafeRawPointer(source.plaintext.baseAddress)
                return count
            }, nil)
    }

    private static func readExactly(_ fd: Int32, _ bytes: inout [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}
