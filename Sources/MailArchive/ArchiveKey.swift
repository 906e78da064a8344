import COpenSSL
import Foundation

/// What an encrypted archive is sealed with: 32 random bytes from a key file, or a passphrase
/// stretched with PBKDF2-HMAC-SHA256 and a random salt per archive. Never printed.
public struct ArchiveKey: Sendable, CustomStringConvertible {
    public enum Source: Sendable {
        case key([UInt8])
        case passphrase(String)
    }

    public let source: Source
    /// PBKDF2 rounds for a passphrase (OWASP's 2023 figure for SHA-256).
    public static let passphraseIterations: UInt32 = 600_000

    public init(key bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw ArchiveKeyError.badKeyFile(path: "(key)", reason: "a key has 32 bytes, this one \(bytes.count)")
        }
        source = .key(bytes)
    }

    public init(passphrase: String) throws {
        guard passphrase.utf8.count >= 12 else { throw ArchiveKeyError.weakPassphrase }
        source = .passphrase(passphrase)
    }

    /// A key file holds 32 raw bytes, or 64 hexadecimal digits (one line).
    public static func load(keyFile path: String) throws -> ArchiveKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArchiveKeyError.badKeyFile(path: path, reason: "cannot be read")
        }
        if data.count == 32 { return try ArchiveKey(key: Array(data)) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let bytes = hexBytes(text) else {
            throw ArchiveKeyError.badKeyFile(
                path: path, reason: "must hold 32 raw bytes or 64 hex digits (make one: openssl rand -hex 32)")
        }
        return try ArchiveKey(key: bytes)
    }

    /// The 256-bit key for one archive: the key itself, or the passphrase stretched with `salt`.
    func derive(salt: [UInt8], iterations: UInt32) throws -> [UInt8] {
        switch source {
        case .key(let bytes): return bytes
        case .passphrase(let passphrase):
            var output = [UInt8](repeating: 0, count: 32)
            let utf8 = Array(passphrase.utf8)
            let ok = utf8.withUnsafeBufferPointer { pass in
                PKCS5_PBKDF2_HMAC(
                    UnsafeRawPointer(pass.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(pass.count),
                    salt, Int32(salt.count), Int32(iterations), EVP_sha256(), 32, &output)
            }
            guard ok == 1 else { throw ArchiveKeyError.cryptoFailed("PKCS5_PBKDF2_HMAC") }
            return output
        }
    }

    var isPassphrase: Bool {
        if case .passphrase = source { return true }
        return false
    }

    public var description: String { isPassphrase ? "passphrase" : "key file" }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

public enum ArchiveKeyError: Error, CustomStringConvertible, Sendable {
    case badKeyFile(path: String, reason: String)
    case weakPassphrase
    case cryptoFailed(String)

    public var description: String {
        switch self {
        case .badKeyFile(let path, let reason): return "archive key file \(path): \(reason)"
        case .weakPassphrase: return "the archive passphrase is too short: use at least 12 characters"
        case .cryptoFailed(let call): return "OpenSSL \(call) failed: \(OpenSSLErrorText.drain())"
        }
    }
}

enum OpenSSLErrorText {
    static func drain() -> String {
        var parts: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(String(cString: buffer))
        }
        return parts.isEmpty ? "no OpenSSL error recorded" : parts.joined(separator: "; ")
    }
}
