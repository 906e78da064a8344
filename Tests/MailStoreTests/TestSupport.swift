import Foundation
import MailStore
@_exported import TestSupport

/// A tiny tmpfs mounted for one test, so a full disk is real (ENOSPC) rather than simulated.
/// Needs root and a kernel that lets this process mount; `available` tells whether it can.
final class SmallFileSystem {
    let path: String
    private let parent: TemporaryDirectory

    init?(kilobytes: Int) {
        guard let parent = try? TemporaryDirectory() else { return nil }
        self.parent = parent
        path = parent.file("fs")
        guard mkdir(path, 0o755) == 0, mount("tmpfs", path, "tmpfs", 0, "size=\(kilobytes)k") == 0 else { return nil }
    }

    deinit { umount2(path, 0) }

    static let available: Bool = SmallFileSystem(kilobytes: 16) != nil
}

/// Feeds `bytes` to `consume` in pieces of at most `chunk` bytes.
func feed(_ bytes: [UInt8], chunk: Int, into consume: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + max(1, chunk))
        try bytes[start..<end].withUnsafeBytes { try consume($0) }
        start = end
    }
}

/// `errno` text for failure messages.
func errnoName(_ code: Int32) -> String { String(cString: strerror(code)) }

extension StoreError {
    /// The errno of an `.io` error, nil for any other case.
    var ioErrno: Int32? {
        if case .io(_, _, let code) = self { return code }
        return nil
    }
}
