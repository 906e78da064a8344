import Foundation

/// `--provisioner FILE`: which provisioner, and how to reach it. JSON:
/// `{"type": "command", "command": ["/usr/local/bin/make-mailbox"], "timeoutSeconds": 60}`.
/// (The HTTP admin-API provisioner is the next step; its configuration will sit beside this one.)
public struct ProvisionerConfiguration: Decodable, Sendable {
    public var type: String
    public var command: [String]?
    public var timeoutSeconds: Double?

    public static func load(_ path: String) throws -> ProvisionerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProvisioningConfigurationError(path: path, reason: "cannot read it")
        }
        do {
            return try JSONDecoder().decode(ProvisionerConfiguration.self, from: data)
        } catch {
            throw ProvisioningConfigurationError(path: path, reason: "not the expected JSON: \(error)")
        }
    }

    public func provisioner(adminUser: String?, adminPassword: String?) throws -> MailboxProvisioner {
        switch type {
        case "command":
            guard let command, !command.isEmpty else {
                throw ProvisioningConfigurationError(path: "", reason: "\"command\" needs a non-empty \"command\" list")
            }
            return CommandProvisioner(
                command: command, adminUser: adminUser, adminPassword: adminPassword, timeout: timeoutSeconds ?? 60)
        default:
            throw ProvisioningConfigurationError(
                path: "", reason: "unknown provisioner type \"\(type)\" (known: command)")
        }
    }
}

public struct ProvisioningConfigurationError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "provisioner configuration \(path): \(reason)" }
}
