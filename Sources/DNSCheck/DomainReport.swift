import Foundation

/// What dns-check found for one domain.
public struct DomainReport: Sendable, Equatable, Codable {
    /// Where the domain is in the move, from its MX records.
    public enum Phase: String, Sendable, Codable {
        /// MX elsewhere with a TTL above the switch TTL: lower it first.
        case notPrepared = "not prepared"
        /// MX elsewhere with a short TTL: the first sync can run and the MX can be switched.
        case readyToSwitch = "ready to switch"
        /// Some MX records point at CloudMail, some elsewhere.
        case partlySwitched = "partly switched"
        /// Every MX points at CloudMail: wait out the old TTL, then the differential sync.
        case switched
        /// No MX records: mail goes to the domain's own address, if anywhere.
        case noMX = "no MX"
        /// The domain does not exist, or its DNS fails.
        case unresolvable
    }

    public struct MX: Sendable, Equatable, Codable {
        public var host: String
        public var preference: Int
        public var ttl: UInt32
        public var atCloudMail: Bool
    }

    /// One of imap., smtp., pop3. of the domain.
    public struct Name: Sendable, Equatable, Codable {
        public enum Status: String, Sendable, Codable {
            case cloudMail = "CloudMail", elsewhere, missing, failed
        }
        public var name: String
        public var expected: String
        /// The CNAME chain from the name, then its addresses.
        public var chain: [String]
        public var addresses: [String]
        public var status: Status
    }

    public struct Finding: Sendable, Equatable, Codable {
        public enum Severity: String, Sendable, Codable {
            /// Needs doing now.
            case action
            /// For a later step (at the switch), or for information.
            case note
        }
        public var severity: Severity
        public var text: String
    }

    public var domain: String
    public var phase: Phase
    public var mx: [MX]
    public var names: [Name]
    public var findings: [Finding]
    public var checkedAt: Date

    public var needsAction: Bool { findings.contains { $0.severity == .action } }
}
