/// The compression filter of a backup archive. The tar inside is always pax-restricted.
public enum ArchiveCompression: String, Sendable, CaseIterable {
    case none
    case gzip
    case zstd

    /// The file name suffix conventionally used for this compression, so the name tells
    /// `tar` and humans what they are holding.
    public var fileSuffix: String {
        switch self {
        case .none: return ".tar"
        case .gzip: return ".tar.gz"
        case .zstd: return ".tar.zst"
        }
    }
}
