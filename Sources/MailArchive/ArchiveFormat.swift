/// The container an `ArchiveWriter` writes: tar for backups (with `ArchiveCompression`), zip
/// for log bundles people open with a double click.
public enum ArchiveFormat: Sendable, Equatable {
    case tar
    case zip
}
