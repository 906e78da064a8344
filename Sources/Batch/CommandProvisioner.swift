import Foundation

/// A provisioner for self-hosted targets: runs a configured program for each mailbox to create.
/// The address and passwords are in its environment (`MAILFERRY_MAILBOX`,
/// `MAILFERRY_MAILBOX_PASSWORD`, `MAILFERRY_ADMIN_USER`, `MAILFERRY_ADMIN_PASSWORD`), never in its
/// arguments, which every local user can read. Exit 0: created; exit 3: it existed already;
/// anything else: failed, with the first line of its stderr (passwords blanked) as the reason.
public struct CommandProvisioner: MailboxProvisioner {
    public var command: [String]
    public var adminUser: String?
    public var adminPassword: String?
    public var timeout: TimeInterval

    public init(command: [String], adminUser: String? = nil, adminPassword: String? = nil, timeout: TimeInterval = 60) {
        self.command = command; self.adminUser = adminUser; self.adminPassword = adminPassword; self.timeout = timeout
    }

    public func ensureMailbox(address: String, password: String) async throws -> ProvisionResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(address: address, password: password) })
            }
        }
    }

    /// A program has no way to test the rights without creating the mailbox.
    public func checkAccess(for address: String) async throws -> AdminAccess { .notCheckable }

    private func run(address: String, password: String) throws -> ProvisionResult {
        guard let executable = command.first else {
            throw ProvisioningFailed(address: address, reason: "no command configured")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["MAILFERRY_MAILBOX"] = address
        environment["MAILFERRY_MAILBOX_PASSWORD"] = password
        if let adminUser { environment["MAILFERRY_ADMIN_USER"] = adminUser }
        if let adminPassword { environment["MAILFERRY_ADMIN_PASSWORD"] = adminPassword }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ProvisioningFailed(
                address: address, reason: "cannot run \(executable): \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            throw ProvisioningFailed(address: address, reason: "\(executable) did not finish within \(Int(timeout)) s")
        }
        switch process.terminationStatus {
        case 0: return .created
        case 3: return .existed
        case let status:
            var text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for secret in [password, adminPassword].compactMap({ $0 }) where !secret.isEmpty {
                text = text.replacingOccurrences(of: secret, with: "********")
            }
            let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw ProvisioningFailed(
                address: address, reason: "\(executable) exited \(status)" + (first.isEmpty ? "" : ": \(first)"))
        }
    }
}
