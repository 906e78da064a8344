import CResolv
import Foundation

/// Asks one DNS server (or resolv.conf's) through libresolv on a private `res_state`, so
/// several resolvers work at once and `--dns-server` reaches only its own. Blocking: call it
/// off the cooperative pool.
public final class DNSResolver: @unchecked Sendable {
    private let state: UnsafeMutablePointer<__res_state>
    private let lock = NSLock()
    /// What error messages name: the `--dns-server` given, or "the system resolver".
    public let serverDescription: String

    /// `server`: "IPv4[:port]" (port 53 by default); nil: the servers of /etc/resolv.conf.
    public init(server: String? = nil, timeoutSeconds: Int = 2, attempts: Int = 2) throws {
        // Everything that can fail happens before the state exists: once every property is set,
        // a throwing init runs deinit, which frees the state.
        let target = try server.map(Self.parse)
        if let target, target.0.split(separator: ".").count != 4 || inet_addr(target.0) == INADDR_NONE {
            throw DNSResolverError.setup(reason: "--dns-server \(server!) is not an IPv4 address[:port]")
        }
        let state = UnsafeMutablePointer<__res_state>.allocate(capacity: 1)
        guard mf_res_init(state, Int32(timeoutSeconds), Int32(attempts)) == 0 else {
            state.deallocate()
            throw DNSResolverError.setup(reason: "res_ninit failed (is /etc/resolv.conf readable?)")
        }
        if let (address, port) = target { _ = mf_res_use_server(state, address, port) }
        self.state = state
        serverDescription = server ?? "of /etc/resolv.conf"
    }

    deinit {
        mf_res_close(state)
        state.deallocate()
    }

    static func parse(_ server: String) throws -> (String, UInt16) {
        let parts = server.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = parts.first, !address.isEmpty else {
            throw DNSResolverError.setup(
                reason: "--dns-server \(server): give an IPv4 address with an optional port, e.g. 127.0.0.1:5353")
        }
        var port: UInt16 = 53
        if parts.count == 2 {
            guard let value = UInt16(parts[1]), value > 0 else {
                throw DNSResolverError.setup(reason: "--dns-server \(server): the port must be 1–65535")
            }
            port = value
        }
        return (String(address), port)
    }

    /// One question; the records of the answer section.
    public func lookup(_ name: String, _ kind: DNSRecord.Kind) throws -> DNSLookup {
        let type: Int32
        switch kind {
        case .a: type = Int32(ns_t_a.rawValue)
        case .aaaa: type = Int32(ns_t_aaaa.rawValue)
        case .cname: type = Int32(ns_t_cname.rawValue)
        case .mx: type = Int32(ns_t_mx.rawValue)
        case .other: throw DNSResolverError.badName(name)
        }
        lock.lock(); defer { lock.unlock() }
        var query = [UInt8](repeating: 0, count: 512)
        let queryLength = mf_res_mkquery(state, name, type, &query, Int32(query.count))
        guard queryLength > 0 else { throw DNSResolverError.badName(name) }
        var answer = [UInt8](repeating: 0, count: 65_535)
        errno = 0
        let length = mf_res_send(state, query, queryLength, &answer, Int32(answer.count))
        guard length > 0 else {
            let reason =
                errno == ETIMEDOUT || errno == 0
                ? "timed out" : errno == ECONNREFUSED ? "connection refused" : String(cString: strerror(errno))
            throw DNSResolverError.unreachable(server: serverDescription, reason: reason)
        }
        return try Self.parseAnswer(Array(answer.prefix(Int(length))), server: serverDescription)
    }

    /// The answer section of a raw DNS message.
    static func parseAnswer(_ bytes: [UInt8], server: String) throws -> DNSLookup {
        try bytes.withUnsafeBufferPointer { buffer -> DNSLookup in
            var message = ns_msg()
            guard ns_initparse(buffer.baseAddress, Int32(buffer.count), &message) == 0 else {
                throw DNSResolverError.unreachable(server: server, reason: "an answer that is not a DNS message")
            }
            let rcode = Int(mf_msg_rcode(&message))
            if rcode == Int(ns_r_nxdomain.rawValue) { return .nonexistent }
            if rcode != 0 { return .failed(rcode: rcode) }
            var records: [DNSRecord] = []
            for index in 0..<mf_msg_count(&message, ns_s_an) {
                var record = ns_rr()
                guard ns_parserr(&message, ns_s_an, index, &record) == 0 else { continue }
                let owner = withUnsafeBytes(of: record.name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                let data = UnsafeBufferPointer(start: record.rdata, count: Int(record.rdlength))
                func name(at offset: Int) -> String {
                    var out = [CChar](repeating: 0, count: Int(NS_MAXDNAME) + 1)
                    guard mf_expand_name(&message, record.rdata! + offset, &out, Int32(out.count)) > 0 else {
                        return ""
                    }
                    return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
                switch UInt32(record.type) {
                case ns_t_a.rawValue where data.count == 4:
                    records.append(
                        DNSRecord(
                            name: owner, kind: .a, ttl: record.ttl, value: data.map(String.init).joined(separator: "."))
                    )
                case ns_t_aaaa.rawValue where data.count == 16:
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    inet_ntop(AF_INET6, data.baseAddress, &text, socklen_t(text.count))
                    records.append(DNSRecord(name: owner, kind: .aaaa, ttl: record.ttl, value: String(cString: text)))
                case ns_t_cname.rawValue:
                    records.append(DNSRecord(name: owner, kind: .cname, ttl: record.ttl, value: name(at: 0)))
                case ns_t_mx.rawValue where data.count > 2:
                    let preference = Int(data[0]) << 8 | Int(data[1])
                    records.append(
                        DNSRecord(name: owner, kind: .mx, ttl: record.ttl, value: name(at: 2), preference: preference))
                default:
                    records.append(DNSRecord(name: owner, kind: .other, ttl: record.ttl, value: ""))
                }
            }
            return .records(records)
        }
    }
}
