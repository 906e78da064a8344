import CCurl
import Foundation

/// Sends one message by SMTP through libcurl: `smtps://` (implicit TLS) or `smtp://` with
/// STARTTLS required, AUTH when a user is given, the certificate verified (against `caFile`
/// when given). The message is a report, kilobytes: it is held in memory, unlike mail.
public struct SMTPSender: Sendable {
    public var server: String
    public var user: String?
    public var password: String?
    public var caFile: String?
    public var verifiesCertificate: Bool
    public var timeout: Int

    public init(
        server: String, user: String? = nil, password: String? = nil, caFile: String? = nil,
        verifiesCertificate: Bool = true, timeout: Int = 60
    ) {
        self.server = server; self.user = user; self.password = password; self.caFile = caFile
        self.verifiesCertificate = verifiesCertificate; self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var server: String
        public var reason: String
        public var description: String { "sending the report by \(server) failed: \(reason)" }
    }

    public func send(_ message: Data, from: String, to recipients: [String]) throws {
        guard server.hasPrefix("smtp://") || server.hasPrefix("smtps://") else {
            throw Failure(
                server: server, reason: "the server must be smtp://host[:port] (STARTTLS) or smtps://host[:port]")
        }
        guard let curl = curl_easy_init() else { throw Failure(server: server, reason: "libcurl did not start") }
        defer { curl_easy_cleanup(curl) }
        let source = MessageSource(message)
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let result: CURLcode = errorText.withUnsafeMutableBufferPointer { buffer in
            var code = mf_curl_setopt_string(curl, CURLOPT_URL, server)
            func set(_ option: CURLoption, _ value: Int) {
                if code == CURLE_OK { code = mf_curl_setopt_long(curl, option, value) }
            }
            func set(_ option: CURLoption, _ value: String?) {
                if code == CURLE_OK, let value { code = mf_curl_setopt_string(curl, option, value) }
            }
            set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
            set(CURLOPT_SSL_VERIFYPEER, verifiesCertificate ? 1 : 0)
            set(CURLOPT_SSL_VERIFYHOST, verifiesCertificate ? 2 : 0)
            set(CURLOPT_CAINFO, caFile)
            set(CURLOPT_USERNAME, user)
            set(CURLOPT_PASSWORD, password)
            set(CURLOPT_MAIL_FROM, "<\(from)>")
            set(CURLOPT_UPLOAD, 1)
            set(CURLOPT_TIMEOUT, timeout)
            set(CURLOPT_NOSIGNAL, 1)
            if code == CURLE_OK { code = mf_curl_setopt_pointer(curl, CURLOPT_MAIL_RCPT, list) }
            if code == CURLE_OK { code = mf_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress) }
            if code == CURLE_OK { code = mf_curl_setopt_read_function(curl, messageReader) }
            if code == CURLE_OK {
                code = mf_curl_setopt_pointer(curl, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
            }
            return code == CURLE_OK ? curl_easy_perform(curl) : code
        }
        guard result == CURLE_OK else {
            var detail = String(cString: errorText)
            if detail.isEmpty { detail = String(cString: curl_easy_strerror(result)) }
            for secret in [password].compactMap({ $0 }) where !secret.isEmpty {
                detail = detail.replacingOccurrences(of: secret, with: "********")
            }
            throw Failure(server: server, reason: detail)
        }
    }
}

/// The bytes libcurl reads, piece by piece, from the read callback.
private final class MessageSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ data: Data) { bytes = [UInt8](data) }
}

private let messageReader: mf_curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBufferPointer { pointer in
        UnsafeMutableRawPointer(buffer).copyMemory(from: pointer.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
