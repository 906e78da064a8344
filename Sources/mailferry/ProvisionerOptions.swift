import ArgumentParser
import Batch
import Foundation

/// How a batch creates the mailboxes its file asks for (`create_mailbox`).
struct ProvisionerOptions: ParsableArguments {
    @Option(help: "Provisioner configuration (JSON) that creates missing target mailboxes.") var provisioner: String?
    @Option(help: "The target administrator's login, for the provisioner.") var admin: String?
    @Option(
        help: "File whose first line is the administrator's password (else MAILFERRY_ADMIN_PASSWORD, else a prompt).")
    var adminPasswordFile: String?

    func make() throws -> MailboxProvisioner? {
        guard let provisioner else { return nil }
        do {
            let configuration = try ProvisionerConfiguration.load(provisioner)
            var password: String?
            if admin != nil || configuration.needsAdminPassword {
                password = try PasswordSource(
                    environmentVariable: "MAILFERRY_ADMIN_PASSWORD", file: adminPasswordFile,
                    prompt: "Administrator password: "
                ).readForCommand()
            }
            return try configuration.provisioner(adminUser: admin, adminPassword: password)
        } catch var error as ProvisioningConfigurationError {
            if error.path.isEmpty { error.path = provisioner }
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
    }
}
