import COpenSSL
import Foundation

/// The layout of an encrypted archive file (see docs/store.md), "aes-256-gcm-chunked-v1":
///
///     header  "MFERRYE1", version 1, KDF (0 key file, 1 PBKDF2-HMAC-SHA256), rounds (u32 BE),
///             salt (16), nonce prefix (8), chunk size (u32 BE), key check (16)
///     chunks  length (u32 BE, top bit set on the last chunk), ciphertext, GCM tag (16)
///
/// Each chunk is sealed on its own with AES-256-GCM under nonce = prefix ‖ chunk number and
/// authenticates the whole header, its length field and its number: chunks cannot be altered,
/// reordered, dropped or cut off (the last one says it is last) without failing. The key check
/// is the tag of an empty chunk numbered 0xFFFFFFFF, so a wrong key is told apart from damage.
enum EncryptedArchiveFormat {
    static let magic = Array("MFERRYE1".utf8)
    static let scheme = "aes-256-gcm-chunked-v1"
    static let headerSize = 8 + 1 + 1 + 4 + 16 + 8 + 4 + 16
    static let tagSize = 16
    static let chunkSize = 64 * 1024
    static let finalFlag: UInt32 = 0x8000_0000
    static let keyCheckChunk: UInt32 = 0xFFFF_FFFF

    struct Header {
        var kdf: UInt8
        var iterations: UInt32
        var salt: [UInt8]
        var noncePrefix: [UInt8]
        var chunkSize: UInt32
        var keyCheck: [UInt8]

        /// The bytes before the key check, which the key check authenticates.
        var unsignedBytes: [UInt8] {
            magic + [1, kdf] + iterations.bigEndianBytes + salt + noncePrefix + chunkSize.bigEndianBytes
        }
        var bytes: [UInt8] { unsignedBytes + keyCheck }

        init(kdf: UInt8, iterations: UInt32, salt: [UInt8], noncePrefix: [UInt8], chunkSize: UInt32) {
            self.kdf = kdf; self.iterations = iterations; self.salt = salt; self.noncePrefix = noncePrefix
            self.chunkSize = chunkSize; keyCheck = []
        }

        init?(parsing bytes: [UInt8]) {
            guard bytes.count == headerSize, Array(bytes[0..<8]) == magic, bytes[8] == 1, bytes[9] <= 1 else {
                return nil
            }
            kdf = bytes[9]
            iterations = UInt32(bigEndianBytes: bytes[10..<14])
            salt = Array(bytes[14..<30])
            noncePrefix = Array(bytes[30..<38])
            chunkSize = UInt32(bigEndianBytes: bytes[38..<42])
            keyCheck = Array(bytes[42..<58])
            guard chunkSize > 0, chunkSize <= 16 * 1024 * 1024 else { return nil }
        }

        var kdfDescription: String { kdf == 1 ? "passphrase, PBKDF2-HMAC-SHA256 × \(iterations)" : "key file" }
    }

    /// True when the file at `path` starts with the encrypted archive's magic.
    static func isEncrypted(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 8)
        return pread(fd, &head, 8, 0) == 8 && head == magic
    }
}

/// AES-256-GCM over one chunk at a time, with one reusable OpenSSL context.
final class ChunkCipher {
    private let context: OpaquePointer
    private let key: [UInt8]
    private let noncePrefix: [UInt8]
    private let header: [UInt8]

    init(key: [UInt8], noncePrefix: [UInt8], header: [UInt8]) throws {
        guard let context = EVP_CIPHER_CTX_new() else { throw ArchiveKeyError.cryptoFailed("EVP_CIPHER_CTX_new") }
        self.context = context; self.key = key; self.noncePrefix = noncePrefix; self.header = header
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    private func additionalData(length: UInt32, number: UInt32) -> [UInt8] {
        header + length.bigEndianBytes + number.bigEndianBytes
    }

    /// Ciphertext and tag of `plaintext` as chunk `number` with length field `length`.
    func seal(_ plaintext: UnsafeRawBufferPointer, length: UInt32, number: UInt32) throws -> [UInt8] {
        let nonce = noncePrefix + number.bigEndianBytes
        let aad = additionalData(length: length, number: number)
        var output = [UInt8](repeating: 0, count: plaintext.count + EncryptedArchiveFormat.tagSize)
        var produced: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_EncryptUpdate(context, nil, &produced, aad, Int32(aad.count)) == 1
        else { throw ArchiveKeyError.cryptoFailed("EVP_EncryptInit_ex") }
        var written = 0
        if plaintext.count > 0 {
            guard
                EVP_EncryptUpdate(
                    context, &output, &produced, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    Int32(plaintext.count)) == 1
            else { throw ArchiveKeyError.cryptoFailed("EVP_EncryptUpdate") }
            written = Int(produced)
        }
        let finished = output.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + written, &produced)
        }
        guard finished == 1 else { throw ArchiveKeyError.cryptoFailed("EVP_EncryptFinal_ex") }
        written += Int(produced)
        let tagged = output.withUnsafeMutableBufferPointer { buffer in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, buffer.baseAddress! + written)
        }
        guard tagged == 1 else { throw ArchiveKeyError.cryptoFailed("EVP_CTRL_GCM_GET_TAG") }
        return output
    }

    /// The plaintext of a chunk, or nil when its tag does not authenticate it.
    func open(_ sealed: [UInt8], length: UInt32, number: UInt32) throws -> [UInt8]? {
        guard sealed.count >= EncryptedArchiveFormat.tagSize else { return nil }
        let cipherCount = sealed.count - EncryptedArchiveFormat.tagSize
        let nonce = noncePrefix + number.bigEndianBytes
        let aad = additionalData(length: length, number: number)
        var output = [UInt8](repeating: 0, count: cipherCount + 16)
        var produced: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_DecryptUpdate(context, nil, &produced, aad, Int32(aad.count)) == 1
        else { throw ArchiveKeyError.cryptoFailed("EVP_DecryptInit_ex") }
        var written = 0
        if cipherCount > 0 {
            guard EVP_DecryptUpdate(context, &output, &produced, sealed, Int32(cipherCount)) == 1 else { return nil }
            written = Int(produced)
        }
        var tag = Array(sealed[cipherCount...])
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1 else {
            throw ArchiveKeyError.cryptoFailed("EVP_CTRL_GCM_SET_TAG")
        }
        let verified = output.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + written, &produced)
        }
        guard verified == 1 else {
            ERR_clear_error()
            return nil
        }
        return Array(output[0..<written])
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] {
        [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)]
    }

    init(bigEndianBytes bytes: ArraySlice<UInt8>) {
        self = bytes.reduce(0) { ($0 << 8) | UInt32($1) }
    }
}
