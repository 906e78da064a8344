/// What an archive entry is. Only regular files and directories are ever written by
/// `ArchiveWriter`; the other kinds exist so foreign archives can be recognised and refused.
public enum ArchiveEntryKind: Sendable, Equatable {
    case regularFile
    case directory
    case symbolicLink
    case hardLink
    /// Devices, FIFOs, sockets: the raw `AE_IF*` file type bits.
    case other(fileType: UInt32)
}
