/// What a pre-flight probe learned about one account; printed as text or JSON.
public struct ProbeReport: Codable, Sendable {
    public struct Namespace: Codable, Sendable {
        public var prefix: String
        public var separator: String?
    }

    public struct Folder: Codable, Sendable {
        /// Unicode name (modified UTF-7 decoded); the raw name when it does not decode.
        public var name: String
        /// The name exactly as the server sends it.
        public var wireName: String
        public var separator: String?
        public var attributes: [String]
        public var specialUse: String?
        public var selectable: Bool
        public var messages: Int?
        public var sizeBytes: Int64?
        public var uidValidity: UInt32?
        public var uidNext: UInt32?
        /// Why STATUS failed for this folder, if it did.
        public var error: String?
    }

    public var endpoint: String
    public var greeting: String
    public var encrypted: Bool
    public var capabilities: [String]
    public var namespaces: [Namespace]
    public var separator: String?
    public var folders: [Folder]
    public var totalMessages: Int
    public var totalBytes: Int64
    public var warnings: [String]
}
