import CArchive
import Glibc

/// Small helpers around libarchive's C conventions.
enum Libarchive {
    /// `AE_IFREG` and friends are C cast macros (`((__LA_MODE_T)0100000)`), which Swift does not import.
    static let fileTypeMask: UInt32 = 0o170000
    static let regularFileType: UInt32 = 0o100000
    static let directoryType: UInt32 = 0o040000
    static let symbolicLinkType: UInt32 = 0o120000

    /// ARCHIVE_WARN means "done, but something was odd" (e.g. an unusual header field):
    /// the operation succeeded. Only FAILED, FATAL and RETRY are treated as failures.
    static func succeeded(_ result: Int32) -> Bool {
        result == ARCHIVE_OK || result == ARCHIVE_WARN
    }

    /// libarchive's last error, never nil: `archive_error_string` returns NULL when the
    /// failing code path did not set a message, so fall back to errno, then to the code.
    static func message(_ archive: OpaquePointer?, result: Int32? = nil) -> String {
        guard let archive else { return "libarchive could not allocate its handle" }
        let code = archive_errno(archive)
        if let text = archive_error_string(archive) {
            // I/O failures carry only "Write error" / "Error reading fd 3"; the errno says
            // why (disk full, is a directory). EILSEQ and EINVAL are libarchive's own
            // "bad format" / "misuse" codes, whose strerror text would mislead.
            let message = String(cString: text)
            guard code > 0, code != EILSEQ, code != EINVAL else { return message }
            return "\(message): \(POSIXText.describe(code))"
        }
        if code != 0 { return "no libarchive message; errno \(code) (\(POSIXText.describe(code)))" }
        if let result { return "no libarchive message; result code \(result)" }
        return "no libarchive message"
    }

    /// An entry's path as UTF-8. `archive_entry_pathname_utf8` returns NULL when the stored
    /// bytes are not valid in the locale (e.g. a Latin-1 name from an old GNU tar); then the raw
    /// bytes are decoded with replacement characters, which can never introduce `/` or `..`.
    static func entryPath(_ entry: OpaquePointer) -> String? {
        if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
        if let raw = archive_entry_pathname(entry) { return String(cString: raw) }
        return nil
    }
}
