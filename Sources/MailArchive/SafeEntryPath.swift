/// Decides whether an entry path stays inside the extraction destination. Archives are
/// untrusted input (a restore may be handed any file), and tar permits `/etc/passwd` and
/// `../../x` as entry names.
enum SafeEntryPath {
    enum Verdict: Equatable {
        /// Path components below the destination; empty for `.` (the destination itself).
        case inside([String])
        case outside(reason: String)
    }

    static func check(_ path: String) -> Verdict {
        if path.hasPrefix("/") { return .outside(reason: "absolute path") }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
            .map(String.init)
            .filter { $0 != "." }
        // Refused anywhere, even where "a/../b" would stay inside: no legitimate backup has it,
        // and resolving it would need the very path logic attackers target.
        if components.contains("..") { return .outside(reason: "contains a \"..\" component") }
        return .inside(components)
    }
}
