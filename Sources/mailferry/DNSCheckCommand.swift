import ArgumentParser
import DNSCheck
import Foundation

/// `dns-check DOMAIN…`: the guide's DNS steps, checked — the MX TTL lowered before the switch,
/// the MX switched, `imap.`/`smtp.`/`pop3.` pointed at CloudMail — with the phase and advice.
struct DNSCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns-check",
        abstract: "Check a domain's MX (TTL, CloudMail or not) and its imap./smtp./pop3. names; say what to do next.",
        discussion: """
            Per domain: the MX records with their TTL and whether they point at CloudMail, where imap., smtp. \
            and pop3. lead (CNAME chain and addresses), the phase of the move (not prepared, ready to switch, \
            switched…) and advice. "!" lines need doing now, "-" lines belong to a later step.

            Exit codes: 0 nothing to do now, 1 findings, 2 bad input, 3 the DNS server did not answer.

            Examples:
              mailferry dns-check example.com example.org
              mailferry dns-check example.com --dns-server 192.0.2.53 --json
            """)

    @Argument(help: "Domains to check.") var domains: [String]
    @Option(help: "Where imap.DOMAIN should lead.") var imapHost = CloudMailHosts.defaults.imap
    @Option(help: "Where smtp.DOMAIN should lead.") var smtpHost = CloudMailHosts.defaults.smtp
    @Option(help: "Where pop3.DOMAIN should lead.") var pop3Host = CloudMailHosts.defaults.pop3
    @Option(
        parsing: .upToNextOption,
        help: "CloudMail's MX hosts (\"*.example\" matches any host under example).")
    var cloudmailMX: [String] = CloudMailHosts.defaults.mx
    @Option(help: "Ask this DNS server (IPv4[:port]) instead of /etc/resolv.conf's.") var dnsServer: String?
    @Option(help: "Seconds to wait for each DNS answer.") var timeout = 3
    @ArgumentParser.Flag(help: "Print the reports as JSON.") var json = false

    func validate() throws {
        for domain in domains where !DomainName.isValid(domain) {
            throw ValidationError("\"\(domain)\" is not a domain name (letters, digits, hyphens and dots)")
        }
    }

    func run() async throws {
        let hosts = CloudMailHosts(imap: imapHost, smtp: smtpHost, pop3: pop3Host, mx: cloudmailMX)
        let reports: [DomainReport]
        do {
            let resolver = try DNSResolver(server: dnsServer, timeoutSeconds: timeout, attempts: 2)
            let check = DomainCheck(resolver: resolver, hosts: hosts)
            reports = try await onOwnThread { try domains.map(check.check) }
        } catch let error as DNSResolverError {
            StandardStreams.err("mailferry: \(error)\n")
            if case .setup = error { throw ExitCode.badInput }
            throw ExitCode.connectionFailure
        }
        try emit(reports, json: json, text: reports.map(\.text).joined(separator: "\n\n"))
        if reports.contains(where: \.needsAction) { throw ExitCode.partialFailure }
    }
}

/// Runs blocking work (libresolv waits on sockets) off the cooperative pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
