import ArgumentParser
import Foundation
import Migration
import Transport

@main
struct Mailferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailferry",
        abstract: "Moves whole mail accounts from any IMAP server to CloudMail, keeping every pass as a backup.",
        version: MailferryVersion.current,
        subcommands: [
            ProbeCommand.self, PullCommand.self, PushCommand.self, MigrateCommand.self, VerifyCommand.self,
            RestoreCommand.self, InspectCommand.self, HistoryCommand.self, BatchCommand.self, DNSCheckCommand.self,
            ServeCommand.self, WorkerCommand.self,
            DemoCommand.self,
        ])

    static func main() async {
        TLSLibrary.initializeForThreadedExit()
        MemoryTuning.apply()
        // A write to a connection the peer reset must be an error, never a dead process: OpenSSL
        // writes with write(2), which raises SIGPIPE on whatever thread does it (a deinit's
        // SSL_shutdown included), so ignore it process-wide.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot(nil)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // ArgumentParser reports usage errors as EX_USAGE (64); the spec says 2 for any bad input.
            if exitCode(for: error) == .validationFailure {
                StandardStreams.err((fullMessage(for: error) + "\n"))
                Foundation.exit(ExitCode.badInput.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// glibc's allocator defaults suit long-lived servers, not a tool with a dozen I/O threads that
/// stream large buffers: one arena per allocating thread, each keeping what was freed in it, and
/// an mmap threshold that rises to the largest block ever freed, after which big temporary
/// buffers are carved from (and kept in) those arenas. Two arenas and a fixed 256 KiB threshold
/// keep peak RSS down without a measurable cost in speed.
enum MemoryTuning {
    static func apply() {
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3  // M_ARENA_MAX, M_MMAP_THRESHOLD in <malloc.h>
        _ = glibcMallopt(arenaMax, 2)
        _ = glibcMallopt(mmapThreshold, 256 * 1024)
    }
}

/// <malloc.h> is not part of Swift's Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

enum MailferryVersion {
    /// The one version number: `--version` prints what archives record.
    static let current = MailferryBuild.version
}
