import COpenSSL
import Foundation

/// Incremental SHA-256 through the system OpenSSL, fed while a message streams.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    public func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest as 64 lower-case hex characters; the hasher is spent afterwards.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Self.hex(digest[0..<Int(length)])
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hashes a file in 64 KiB reads; returns (hex digest, byte count).
    public static func hashFile(atPath path: String) throws -> (sha256: String, size: Int) {
        let hasher = SHA256Hasher()
        var total = 0
        try FileChunks.forEach(inFileAt: path) { chunk in
            chunk.withUnsafeBytes { hasher.update($0) }
            total += chunk.count
        }
        return (hasher.finalizeHex(), total)
    }
}
