import Foundation

/// dns-check's questions for one domain: its MX records (TTL, CloudMail or not, hence the
/// phase of the move) and where `imap.`, `smtp.` and `pop3.` lead, with advice in plain words.
public struct DomainCheck: Sendable {
    public var resolver: DNSResolver
    public var hosts: CloudMailHosts
    /// The MX TTL to have before the switch (the guide's 300 s).
    public var switchTTL: UInt32 = 300
    public var now: @Sendable () -> Date = { Date() }
    /// CloudMail's own hosts' addresses, looked up once for every domain checked.
    private let cloudMailAddresses = AddressCache()

    public init(resolver: DNSResolver, hosts: CloudMailHosts = .defaults) {
        self.resolver = resolver; self.hosts = hosts
    }

    /// Throws only when the DNS cannot be asked (`DNSResolverError`); everything about the
    /// domain itself is in the report.
    public func check(_ domain: String) throws -> DomainReport {
        let domain = canonicalHost(domain)
        var report = DomainReport(
            domain: domain, phase: .unresolvable, mx: [], names: [], findings: [], checkedAt: now())
        switch try resolver.lookup(domain, .mx) {
        case .nonexistent:
            report.findings.append(
                .init(
                    severity: .action,
                    text:
                        "\(domain) does not exist in DNS (NXDOMAIN): check its spelling; no mail can be delivered to it"
                ))
            return report
        case .failed(let rcode):
            report.findings.append(
                .init(
                    severity: .action,
                    text:
                        "the DNS answered \(Self.rcodeName(rcode)) for \(domain): its name servers fail; have them fixed before the switch"
                ))
            return report
        case .records(let records):
            report.mx = records.filter { $0.kind == .mx && canonicalHost($0.name) == domain }
                .map {
                    .init(
                        host: canonicalHost($0.value), preference: $0.preference ?? 0, ttl: $0.ttl,
                        atCloudMail: hosts.isCloudMailMX($0.value))
                }
                .sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
        }
        report.phase = phase(report.mx)
        report.findings += mxFindings(report)
        let expected = [("imap", hosts.imap), ("smtp", hosts.smtp), ("pop3", hosts.pop3)]
        for (prefix, host) in expected {
            let target = canonicalHost(host)
            let addresses = cloudMailAddresses.addresses(of: target) { (try? follow(target))?.addresses ?? [] }
            let name = try nameReport("\(prefix).\(domain)", expected: target, expectedAddresses: addresses)
            report.names.append(name)
            if let finding = finding(for: name, phase: report.phase) { report.findings.append(finding) }
        }
        return report
    }

    func phase(_ mx: [DomainReport.MX]) -> DomainReport.Phase {
        if mx.isEmpty { return .noMX }
        if mx.allSatisfy(\.atCloudMail) { return .switched }
        if mx.contains(where: \.atCloudMail) { return .partlySwitched }
        return (mx.map(\.ttl).max() ?? 0) > switchTTL ? .notPrepared : .readyToSwitch
    }

    private func mxFindings(_ report: DomainReport) -> [DomainReport.Finding] {
        let ttl = report.mx.map(\.ttl).max() ?? 0
        let elsewhere = report.mx.filter { !$0.atCloudMail }.map { "\($0.host) (\($0.preference))" }
        switch report.phase {
        case .noMX:
            return [
                .init(
                    severity: .action,
                    text:
                        "\(report.domain) has no MX record: senders fall back to its address record; add an MX pointing at CloudMail at the switch"
                )
            ]
        case .notPrepared:
            return [
                .init(
                    severity: .action,
                    text:
                        "lower the MX TTL from \(Self.duration(ttl)) to \(switchTTL) s, at least \(Self.duration(ttl)) before the switch: resolvers keep the old MX that long"
                )
            ]
        case .readyToSwitch:
            return [
                .init(
                    severity: .note,
                    text:
                        "the MX TTL is \(Self.duration(ttl)): ready. Run the first sync, then switch the MX to CloudMail"
                )
            ]
        case .partlySwitched:
            return [
                .init(
                    severity: .action,
                    text:
                        "some MX records still point elsewhere: \(elsewhere.joined(separator: ", ")); mail may still arrive there — remove them"
                )
            ]
        case .switched:
            let until = report.checkedAt.addingTimeInterval(TimeInterval(ttl))
            return [
                .init(
                    severity: .note,
                    text:
                        "the MX points at CloudMail. Resolvers may hold the old MX for its TTL: wait until \(Self.time(until)) (\(Self.duration(ttl)) from now, if the TTL was not raised at the switch), then run the differential sync"
                )
            ]
        case .unresolvable:
            return []
        }
    }

    private func finding(for name: DomainReport.Name, phase: DomainReport.Phase) -> DomainReport.Finding? {
        let afterSwitch = phase == .switched || phase == .partlySwitched
        let leads = name.chain.count > 1 ? name.chain.dropFirst().joined(separator: " → ") : ""
        let now = leads.isEmpty ? name.addresses.joined(separator: ", ") : leads
        switch name.status {
        case .cloudMail:
            return afterSwitch
                ? nil
                : .init(
                    severity: .note,
                    text:
                        "\(name.name) already leads to CloudMail while mail still arrives at the old server: clients using it see the new mailbox before the sync"
                )
        case .elsewhere:
            return afterSwitch
                ? .init(
                    severity: .action,
                    text:
                        "\(name.name) leads to \(now), not \(name.expected): mail clients set to \(name.name) still reach the old server; make it a CNAME to \(name.expected)"
                )
                : .init(
                    severity: .note,
                    text: "at the switch, point \(name.name) at \(name.expected) (now it leads to \(now))")
        case .missing:
            return afterSwitch
                ? .init(
                    severity: .action,
                    text:
                        "\(name.name) does not exist: mail clients that try it find nothing; add a CNAME to \(name.expected)"
                )
                : .init(severity: .note, text: "at the switch, add \(name.name) as a CNAME to \(name.expected)")
        case .failed:
            return .init(
                severity: .action, text: "the DNS fails for \(name.name): have the domain's name servers fixed")
        }
    }

    private func nameReport(_ name: String, expected: String, expectedAddresses: [String]) throws -> DomainReport.Name {
        var report = DomainReport.Name(name: name, expected: expected, chain: [name], addresses: [], status: .missing)
        do {
            let (chain, addresses) = try follow(name)
            report.chain = chain
            report.addresses = addresses
            if chain.contains(expected) || !Set(addresses).isDisjoint(with: expectedAddresses) {
                report.status = .cloudMail
            } else {
                report.status = addresses.isEmpty ? .missing : .elsewhere
            }
        } catch FollowFailure.missing(let chain) {
            report.chain = chain
            report.status = chain.contains(expected) ? .cloudMail : .missing
        } catch FollowFailure.failed(let chain) {
            report.chain = chain
            // A chain that leads somewhere before its end fails still tells where it leads.
            report.status = chain.contains(expected) ? .cloudMail : chain.count > 1 ? .elsewhere : .failed
        }
        return report
    }

    enum FollowFailure: Error {
        case missing([String])
        case failed([String])
    }

    /// The CNAME chain from `name` (at most 8 links) and the addresses at its end.
    func follow(_ name: String) throws -> (chain: [String], addresses: [String]) {
        var chain = [canonicalHost(name)]
        for _ in 0..<8 {
            let current = chain.last!
            let answer = try resolver.lookup(current, .a)
            switch answer {
            case .nonexistent: throw FollowFailure.missing(chain)
            case .failed: throw FollowFailure.failed(chain)
            case .records(let records):
                var last = current
                while let next = records.first(where: { $0.kind == .cname && canonicalHost($0.name) == last }) {
                    last = canonicalHost(next.value)
                    if chain.contains(last) { throw FollowFailure.failed(chain) }  // a CNAME loop
                    chain.append(last)
                }
                let addresses = records.filter { $0.kind == .a && canonicalHost($0.name) == last }.map(\.value)
                if !addresses.isEmpty || last == current {
                    let v6 =
                        (try? resolver.lookup(last, .aaaa))?.records
                        .filter { $0.kind == .aaaa && canonicalHost($0.name) == last }.map(\.value) ?? []
                    return (chain, addresses + v6)
                }
            }
        }
        throw FollowFailure.failed(chain)
    }

    static func rcodeName(_ rcode: Int) -> String {
        switch rcode {
        case 2: return "SERVFAIL"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        default: return "error \(rcode)"
        }
    }

    static func duration(_ seconds: UInt32) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        if seconds % 3600 == 0 || seconds >= 86_400 { return "\(seconds / 3600) h" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// Host → addresses, filled on first use; shared by the copies of one DomainCheck.
final class AddressCache: @unchecked Sendable {
    private let lock = NSLock()
    private var known: [String: [String]] = [:]

    func addresses(of host: String, lookUp: () -> [String]) -> [String] {
        lock.lock()
        if let found = known[host] { lock.unlock(); return found }
        lock.unlock()
        let found = lookUp()
        lock.lock(); known[host] = found; lock.unlock()
        return found
    }
}
