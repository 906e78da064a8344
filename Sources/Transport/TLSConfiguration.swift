/// How the server's certificate is checked.
public struct TLSConfiguration: Sendable, Hashable {
    /// Verify the chain and the host name (the default). Off only with `--insecure`.
    public var verifiesCertificate: Bool
    /// PEM file of trusted CAs; nil uses the system's CA store.
    public var caFile: String?

    public init(verifiesCertificate: Bool = true, caFile: String? = nil) {
        self.verifiesCertificate = verifiesCertificate; self.caFile = caFile
    }
}
