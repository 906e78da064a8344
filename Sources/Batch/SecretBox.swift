import COpenSSL
import Foundation

/// Seals the credentials a batch keeps for its differential pass: AES-256-GCM, a fresh 12-byte
/// nonce per secret, the 16-byte tag checked on opening. The key is never in the batch database:
/// it comes from `MAILFERRY_SECRET_KEY` (64 hex digits) or a 0600 key file beside it.
public struct SecretBox: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case badKey(String)
        case tampered
        case openSSL(String)

        public var description: String {
            switch self {
            case .badKey(let why): return "the batch secret key is unusable: \(why)"
            case .tampered:
                return "a stored credential does not open with this key (another key, or the database was changed)"
            case .openSSL(let what): return "encryption failed: \(what)"
            }
        }
    }

    private let key: [UInt8]

    public init(key: [UInt8]) throws {
        guard key.count == 32 else { throw Failure.badKey("it has \(key.count) bytes, not 32") }
        self.key = key
    }

    /// `MAILFERRY_SECRET_KEY` when set, else the key file at `path`, created (0600) on first use.
    public static func load(
        keyFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws -> SecretBox
    {
        if let hex = environment["MAILFERRY_SECRET_KEY"] {
            guard let key = bytes(hex: hex) else { throw Failure.badKey("MAILFERRY_SECRET_KEY must be 64 hex digits") }
            return try SecretBox(key: key)
        }
        if let data = FileManager.default.contents(atPath: path) {
            guard
                let key = bytes(
                    hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else { throw Failure.badKey("\(path) must hold 64 hex digits") }
            return try SecretBox(key: key)
        }
        var key = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&key, 32) == 1 else { throw Failure.openSSL("no random bytes") }
        let temporary = path + ".tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure.badKey("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let text = Array((key.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
        let written = write(descriptor, text, text.count)
        fsync(descriptor)
        close(descriptor)
        guard written == text.count, rename(temporary, path) == 0 else { throw Failure.badKey("cannot write \(path)") }
        return try SecretBox(key: key)
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: String) throws -> Data {
        var nonce = [UInt8](repeating: 0, count: 12)
        guard RAND_bytes(&nonce, 12) == 1 else { throw Failure.openSSL("no random bytes") }
        let input = Array(plaintext.utf8)
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure.openSSL("no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var length: Int32 = 0, total: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_EncryptUpdate(context, &output, &length, input, Int32(input.count)) == 1
        else { throw Failure.openSSL("encrypt") }
        total = length
        var tail = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(context, &tail, &length) == 1 else { throw Failure.openSSL("encrypt final") }
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw Failure.openSSL("tag") }
        return Data(nonce + output[0..<Int(total)] + tag)
    }

    public func open(_ sealed: Data) throws -> String {
        let bytes = [UInt8](sealed)
        guard bytes.count >= 28 else { throw Failure.tampered }
        let nonce = Array(bytes[0..<12]), tag = Array(bytes[(bytes.count - 16)...])
        let ciphertext = Array(bytes[12..<(bytes.count - 16)])
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure.openSSL("no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            EVP_DecryptUpdate(context, &output, &length, ciphertext, Int32(ciphertext.count)) == 1
        else { throw Failure.tampered }
        let total = Int(length)
        var expected = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &expected) == 1 else { throw Failure.tampered }
        var tail = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context, &tail, &length) == 1 else { throw Failure.tampered }
        return String(decoding: output[0..<total], as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var result: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            result.append(byte)
        }
        return result
    }
}
