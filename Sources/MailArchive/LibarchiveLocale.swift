import Glibc

/// libarchive converts entry names through the process locale, and its pax writer crashes
/// (strlen on NULL inside `archive_write_header`) when a non-ASCII name cannot be converted,
/// which is the case in the "C" locale every process starts in. `LANG` does not help: only
/// `setlocale` changes the locale of a running process.
enum LibarchiveLocale {
    /// Runs once, thread-safely (Swift lazily initialises statics with `swift_once`), at the
    /// first archive use. setlocale is process-wide and must not race with itself, hence once.
    /// C.UTF-8 differs from C only in the character set, so number formatting and collation
    /// elsewhere in the process stay as they were. A locale that is already UTF-8 is kept.
    private static let initialCodeset: String = {
        if isUTF8(currentCodeset) { return currentCodeset }
        _ = setlocale(LC_ALL, "C.UTF-8")
        return currentCodeset
    }()

    /// Throws instead of letting libarchive crash if the locale is not UTF-8 (setlocale failed
    /// or other code changed the locale later). Checked per archive and per written entry: it
    /// is one `nl_langinfo` call.
    static func require(archivePath: String) throws {
        _ = initialCodeset
        let codeset = currentCodeset
        guard isUTF8(codeset) else {
            throw ArchiveError.localeUnavailable(archivePath: archivePath, codeset: codeset)
        }
    }

    private static var currentCodeset: String {
        guard let text = nl_langinfo(nl_item(CODESET)) else { return "unknown" }
        return String(cString: text)
    }

    private static func isUTF8(_ codeset: String) -> Bool {
        let normalised = codeset.lowercased().filter { $0 != "-" && $0 != "_" }
        return normalised == "utf8"
    }
}
