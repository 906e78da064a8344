import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Creates mailboxes through a hosting panel's admin API (`HTTPProvisionerSettings`). The
/// certificate is verified (system trust or the configured CA file), redirects are refused so
/// the admin credentials go nowhere else, and every text the panel answers with is cleared of
/// the passwords before it reaches a status, log or report.
public struct HTTPProvisioner: MailboxProvisioner {
    public var settings: HTTPProvisionerSettings
    var adminUser: String?
    var adminPassword: String?

    public init(settings: HTTPProvisionerSettings, adminUser: String?, adminPassword: String?) {
        self.settings = settings; self.adminUser = adminUser; self.adminPassword = adminPassword
    }

    public func ensureMailbox(address: String, password: String) async throws -> ProvisionResult {
        let answer = try await send(settings.create, address: address, password: password)
        let statuses = settings.statuses
        if statuses.created.contains(answer.status) { return .created }
        if statuses.exists.contains(answer.status) { return .existed }
        throw failure(answer, address: address, password: password)
    }

    public func checkAccess(for address: String) async throws -> AdminAccess {
        guard let check = settings.check else { return .notCheckable }
        let answer = try await send(check, address: address, password: "")
        if (200..<300).contains(answer.status) { return .accepted }
        throw failure(answer, address: address, password: "")
    }

    struct Answer {
        var status: Int
        var text: String
    }

    private func failure(_ answer: Answer, address: String, password: String) -> ProvisioningFailed {
        let statuses = settings.statuses
        let detail = answer.text.isEmpty ? "" : ": \(answer.text)"
        let reason: String
        if statuses.badPassword.contains(answer.status) {
            reason = "the admin API rejected the new mailbox's password (HTTP \(answer.status))\(detail)"
        } else if statuses.noRights.contains(answer.status) {
            reason =
                "the admin API refused the administrator credentials (HTTP \(answer.status)): check --admin and its password\(detail)"
        } else {
            reason = "the admin API answered HTTP \(answer.status)\(detail)"
        }
        return ProvisioningFailed(address: address, reason: reason)
    }

    /// One request, tried again on 429, 5xx and network failures (not on a rejected certificate).
    private func send(
        _ template: HTTPProvisionerSettings.RequestTemplate, address: String, password: String
    ) async throws -> Answer {
        let request = try makeRequest(template, address: address, password: password)
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
        configuration.tlsConfiguration = tls
        configuration.redirectConfiguration = .disallow
        // The pool would retry a failed connection (a rejected certificate too) until the
        // connect timeout; the tries here are counted and a certificate failure is final.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(
            connect: .seconds(Int64(min(settings.timeoutSeconds, 30))), read: .seconds(Int64(settings.timeoutSeconds)))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        defer { _ = client.shutdown() }
        var attempt = 1
        while true {
            do {
                let response = try await client.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
                let body = try await response.body.collect(upTo: 64 * 1024)
                let answer = Answer(
                    status: Int(response.status.code),
                    text: summary(String(buffer: body), secrets: [password, adminPassword]))
                let transient = answer.status == 429 || answer.status >= 500
                let meaningful = settings.statuses.created + settings.statuses.exists
                if transient && !meaningful.contains(answer.status) && attempt < settings.attempts {
                    try await Task.sleep(for: .seconds(attempt))
                    attempt += 1
                    continue
                }
                return answer
            } catch let error as CancellationError {
                throw error
            } catch {
                let text = describe(error)
                if text.certificateRejected || attempt >= settings.attempts {
                    throw ProvisioningFailed(
                        address: address,
                        reason: "cannot reach the admin API at \(settings.baseURL): \(text.message)"
                            + (attempt > 1 ? " (after \(attempt) tries)" : ""))
                }
                try await Task.sleep(for: .seconds(attempt))
                attempt += 1
            }
        }
    }

    private func makeRequest(
        _ template: HTTPProvisionerSettings.RequestTemplate, address: String, password: String
    ) throws -> HTTPClientRequest {
        let local = address.split(separator: "@", maxSplits: 1).first.map(String.init) ?? address
        let domain = address.contains("@") ? String(address.split(separator: "@").last!) : ""
        let values = [
            "address": address, "local": local, "domain": domain, "password": password, "adminUser": adminUser ?? "",
        ]
        func fill(_ text: String, encode: (String) -> String) -> String {
            var result = text
            for (name, value) in values { result = result.replacingOccurrences(of: "{{\(name)}}", with: encode(value)) }
            return result
        }
        let base = settings.baseURL.hasSuffix("/") ? String(settings.baseURL.dropLast()) : settings.baseURL
        var request = HTTPClientRequest(url: base + fill(template.path, encode: Self.percentEncoded))
        request.method = HTTPMethod(rawValue: template.method)
        for (name, value) in template.headers {
            let filled = fill(value) { $0 }
            guard !filled.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw ProvisioningFailed(address: address, reason: "the header \(name) would hold a line break")
            }
            request.headers.add(name: name, value: filled)
        }
        switch settings.auth {
        case .basic:
            let pair = Data("\(adminUser ?? ""):\(adminPassword ?? "")".utf8).base64EncodedString()
            request.headers.replaceOrAdd(name: "Authorization", value: "Basic \(pair)")
        case .bearer:
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(adminPassword ?? "")")
        case .header:
            request.headers.replaceOrAdd(name: settings.authHeader ?? "X-API-Key", value: adminPassword ?? "")
        case .none:
            break
        }
        if let json = template.json {
            let body = try JSONSerialization.data(
                withJSONObject: json.filled { fill($0) { $0 } }, options: [.sortedKeys, .withoutEscapingSlashes])
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        } else if let form = template.form {
            let body = form.keys.sorted().map {
                Self.formEncoded($0) + "=" + Self.formEncoded(fill(form[$0]!) { $0 })
            }.joined(separator: "&")
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }

    static func percentEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func formEncoded(_ value: String) -> String {
        percentEncoded(value)
    }

    /// The panel's answer cut to one line of at most 200 characters, the passwords blanked.
    private func summary(_ text: String, secrets: [String?]) -> String {
        var line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        for secret in secrets.compactMap({ $0 }) where !secret.isEmpty {
            line = line.replacingOccurrences(of: secret, with: "********")
            let escaped = String(data: try! JSONSerialization.data(withJSONObject: [secret]), encoding: .utf8)!
                .dropFirst(2).dropLast(2)
            if !escaped.isEmpty { line = line.replacingOccurrences(of: String(escaped), with: "********") }
        }
        line = line.trimmingCharacters(in: .whitespaces)
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    private func describe(_ error: Error) -> (message: String, certificateRejected: Bool) {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return (
                "its certificate was rejected (for a private CA set \"caFile\" in the provisioner configuration)",
                true
            )
        }
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("readTimeout") {
            return ("no answer within \(Int(settings.timeoutSeconds)) s", false)
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return ("the connection was refused", false)
        }
        return (text.count > 200 ? String(text.prefix(200)) + "…" : text, false)
    }
}
