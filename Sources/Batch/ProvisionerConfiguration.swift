import Foundation

/// `--provisioner FILE`: which provisioner, and how to reach it. JSON, one of:
///
///     {"type": "command", "command": ["/usr/local/bin/make-mailbox"], "timeoutSeconds": 60}
///     {"type": "http", "baseURL": "https://panel.example/api", "create": {...}}   (HTTPProvisionerSettings)
///     {"type": "domains", "domains": {"example.org": {"type": "command", ...}, "*": {"type": "http", ...}}}
public indirect enum ProvisionerConfiguration: Decodable, Sendable {
    case command([String], timeoutSeconds: Double)
    case http(HTTPProvisionerSettings)
    case domains([String: ProvisionerConfiguration])

    enum CodingKeys: String, CodingKey { case type, command, timeoutSeconds, domains }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "command":
            let command = try container.decodeIfPresent([String].self, forKey: .command) ?? []
            guard !command.isEmpty else {
                throw ProvisioningConfigurationError(path: "", reason: "\"command\" needs a non-empty \"command\" list")
            }
            self = .command(
                command, timeoutSeconds: try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 60)
        case "http":
            self = .http(try HTTPProvisionerSettings(from: decoder))
        case "domains":
            let domains = try container.decode([String: ProvisionerConfiguration].self, forKey: .domains)
            guard !domains.isEmpty else {
                throw ProvisioningConfigurationError(path: "", reason: "\"domains\" needs at least one domain")
            }
            self = .domains(domains)
        default:
            throw ProvisioningConfigurationError(
                path: "", reason: "unknown provisioner type \"\(type)\" (known: command, http, domains)")
        }
    }

    public static func load(_ path: String) throws -> ProvisionerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProvisioningConfigurationError(path: path, reason: "cannot read it")
        }
        do {
            return try JSONDecoder().decode(ProvisionerConfiguration.self, from: data)
        } catch var error as ProvisioningConfigurationError {
            error.path = path
            throw error
        } catch DecodingError.keyNotFound(let key, let context) {
            throw ProvisioningConfigurationError(
                path: path, reason: "\"\(Self.path(context.codingPath + [key]))\" is missing")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw ProvisioningConfigurationError(
                path: path, reason: "\"\(Self.path(context.codingPath))\": \(context.debugDescription)")
        } catch DecodingError.dataCorrupted(let context) {
            let place = context.codingPath.isEmpty ? "" : "\"\(Self.path(context.codingPath))\": "
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw ProvisioningConfigurationError(
                path: path, reason: place + (underlying ?? context.debugDescription))
        } catch {
            throw ProvisioningConfigurationError(path: path, reason: "not the expected JSON: \(error)")
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Whether an admin API here authenticates with the administrator's password.
    public var needsAdminPassword: Bool {
        switch self {
        case .command: return false
        case .http(let settings): return settings.auth != .none
        case .domains(let domains): return domains.values.contains { $0.needsAdminPassword }
        }
    }

    public func provisioner(adminUser: String?, adminPassword: String?) throws -> MailboxProvisioner {
        switch self {
        case .command(let command, let timeout):
            return CommandProvisioner(
                command: command, adminUser: adminUser, adminPassword: adminPassword, timeout: timeout)
        case .http(let settings):
            var problems = settings.problems()
            if settings.auth == .basic && adminUser == nil {
                problems.append("\"auth\": \"basic\" needs the administrator's login: --admin USER")
            }
            if settings.auth != .none && adminPassword == nil {
                problems.append(
                    "the admin API needs the administrator's password: --admin with MAILFERRY_ADMIN_PASSWORD")
            }
            if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                problems.append("\"caFile\" \(caFile) cannot be read")
            }
            guard problems.isEmpty else {
                throw ProvisioningConfigurationError(path: "", reason: problems.joined(separator: "; "))
            }
            return HTTPProvisioner(settings: settings, adminUser: adminUser, adminPassword: adminPassword)
        case .domains(let domains):
            return DomainRoutedProvisioner(
                routes: try domains.mapValues { try $0.provisioner(adminUser: adminUser, adminPassword: adminPassword) }
            )
        }
    }
}

public struct ProvisioningConfigurationError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "provisioner configuration\(path.isEmpty ? "" : " " + path): \(reason)" }
}
