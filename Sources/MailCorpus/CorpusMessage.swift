import IMAPClient
import IMAPCore

/// One generated message: where it goes, its flags and date, and its bytes (in memory when
/// small, in a file when large).
public struct CorpusMessage: Sendable {
    public var folder: String
    public var flags: [Flag]
    public var internalDate: InternalDate
    public var body: AppendRequest.Body
    public var size: Int

    public var appendRequest: AppendRequest {
        AppendRequest(body: body, size: size, flags: flags, internalDate: internalDate)
    }
}

/// A folder of the corpus, named with the hierarchy written with `/` (translated per server).
public struct CorpusFolder: Sendable {
    public var path: [String]
    public var messages: [CorpusMessage]

    /// The IMAP name on a server with `separator`.
    public func name(separator: Character) -> String { path.joined(separator: String(separator)) }
}
