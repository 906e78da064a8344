import TestSupport

/// The zones every dns-check test serves: CloudMail's hosts, an old mail host, and domains at
/// each step of a move.
enum DNSZones {
    static let zones: [String: String] = [
        "vshosting.cloud": """
        mda IN A 10.0.0.10
        msa IN A 10.0.0.11
        mx1 IN A 10.0.0.12
        """,
        "oldhost.test": """
        mail IN A 192.0.2.1
        mail IN AAAA 2001:db8::1
        """,
        // MX elsewhere with an hour's TTL; imap. to the old host; no smtp.
        "notready.test": """
        @ 3600 IN MX 10 mail.oldhost.test.
        imap IN CNAME mail.oldhost.test.
        pop3 IN CNAME mail.oldhost.test.
        """,
        // MX elsewhere with 300 s: ready; the names still lead to the old host (fine before the switch).
        "ready.test": """
        @ 300 IN MX 10 mail.oldhost.test.
        @ 300 IN MX 20 mail.oldhost.test.
        imap IN CNAME mail.oldhost.test.
        smtp IN CNAME mail.oldhost.test.
        pop3 IN CNAME mail.oldhost.test.
        """,
        // Everything at CloudMail, pop3. by address rather than by name.
        "switched.test": """
        @ 300 IN MX 10 mx1.vshosting.cloud.
        imap IN CNAME mda.vshosting.cloud.
        smtp IN CNAME msa.vshosting.cloud.
        pop3 IN A 10.0.0.10
        """,
        // MX switched, but imap. still to the old host through a chain, and no smtp.
        "halfway.test": """
        @ 600 IN MX 10 mx1.vshosting.cloud.
        imap IN CNAME mailhost.halfway.test.
        mailhost IN CNAME mail.oldhost.test.
        pop3 IN CNAME mda.vshosting.cloud.
        """,
        // One MX moved, one not.
        "partly.test": """
        @ 300 IN MX 10 mx1.vshosting.cloud.
        @ 300 IN MX 20 mail.oldhost.test.
        imap IN CNAME mda.vshosting.cloud.
        smtp IN CNAME msa.vshosting.cloud.
        pop3 IN CNAME mda.vshosting.cloud.
        """,
        // imap. leads to a host whose zone this server refuses to answer for.
        "refer.test": """
        @ 300 IN MX 10 mx1.vshosting.cloud.
        imap IN CNAME mail.unserved.example.
        smtp IN CNAME msa.vshosting.cloud.
        pop3 IN CNAME mda.vshosting.cloud.
        """,
        "nomx.test": """
        @ IN A 192.0.2.7
        """,
    ]

    static func start() async throws -> NSDServer {
        try await NSDServer.start(zones: zones, broken: ["broken.test"])
    }
}
