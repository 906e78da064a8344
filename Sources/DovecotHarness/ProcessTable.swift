import Foundation

/// A snapshot of /proc, used to find every process of one Dovecot instance.
///
/// Dovecot's master does not wait for all children before it exits (the stats process was seen
/// outliving it), so stop() must track them itself rather than trust the master's exit.
struct ProcessTable {
    struct Entry: Hashable {
        var pid: pid_t
        var parent: pid_t
        /// Clock ticks since boot; with the pid it identifies a process despite pid reuse.
        var startTime: UInt64
        var isZombie: Bool
        var commandLine: String
    }

    let entries: [Entry]

    init() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        entries = names.compactMap { pid_t($0) }.compactMap(Self.read)
    }

    /// The master's descendants plus anything titled `dovecot-<instance>/…` (covers children
    /// already re-parented to init).
    func members(ofInstance instanceName: String, master: pid_t) -> [Entry] {
        var family: Set<pid_t> = [master]
        var changed = true
        while changed {
            changed = false
            for entry in entries where !family.contains(entry.pid) && family.contains(entry.parent) {
                family.insert(entry.pid)
                changed = true
            }
        }
        let titled = Set(titled(instance: instanceName).map(\.pid))
        return entries.filter { entry in
            entry.pid != master && (family.contains(entry.pid) || titled.contains(entry.pid))
        }
    }

    /// Processes whose title marks them as part of the instance.
    func titled(instance instanceName: String) -> [Entry] {
        let titlePrefix = "dovecot-\(instanceName)/"
        return entries.filter { $0.commandLine.hasPrefix(titlePrefix) }
    }

    /// Still running (zombies count as gone: they only wait for their parent to reap them).
    static func isRunning(_ entry: Entry) -> Bool {
        guard let now = read(entry.pid) else { return false }
        return now.startTime == entry.startTime && !now.isZombie
    }

    static func read(_ pid: pid_t) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let commEnd = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...
        let fields = stat[stat.index(after: commEnd)...].split(separator: " ")
        guard fields.count > 19, let parent = pid_t(fields[1]), let start = UInt64(fields[19]) else { return nil }
        let rawCommandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        let commandLine = String(decoding: rawCommandLine.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return Entry(
            pid: pid, parent: parent, startTime: start, isZombie: fields[0] == "Z",
            commandLine: commandLine.trimmingCharacters(in: .whitespaces))
    }
}
