/// Picks a provisioner by the address's domain, for providers whose domains live on several
/// panels (or some on a self-hosted server); `*` is every other domain.
public struct DomainRoutedProvisioner: MailboxProvisioner {
    public var routes: [String: MailboxProvisioner]

    public init(routes: [String: MailboxProvisioner]) {
        self.routes = Dictionary(routes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    func route(for address: String) throws -> MailboxProvisioner {
        let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        guard let provisioner = address.contains("@") ? routes[domain] ?? routes["*"] : routes["*"] else {
            throw ProvisioningFailed(
                address: address,
                reason: "no provisioner is configured for the domain \"\(domain)\" (and no \"*\" route)")
        }
        return provisioner
    }

    public func ensureMailbox(address: String, password: String) async throws -> ProvisionResult {
        try await route(for: address).ensureMailbox(address: address, password: password)
    }

    public func checkAccess(for address: String) async throws -> AdminAccess {
        try await route(for: address).checkAccess(for: address)
    }
}
