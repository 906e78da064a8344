#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A private, throw-away Dovecot IMAP server on a loopback address.
///
/// The master runs as root in the foreground (`dovecot -F`) as our child, so `stop()` can reap
/// it; login processes run as `dovenull`, mail processes as `nobody`. All state — config, TLS
/// files, sockets, logs, Maildirs — lives in `root`, which `stop()` deletes.
public final class DovecotServer: @unchecked Sendable {
    public let host: String
    /// Plain IMAP; offers STARTTLS when the configuration says so.
    public let imapPort: Int
    /// Implicit TLS.
    public let imapsPort: Int
    /// PEM of the instance's own CA, which signed the server certificate
    /// (subjectAltName DNS:localhost, IP:127.0.0.1 and IP:<listenAddress>).
    public let caFile: String
    /// The temporary directory holding everything of this instance.
    public let root: String
    public let configuration: DovecotConfiguration
    public let configFile: String
    public let logFile: String
    /// Unique while the instance runs; its processes are titled `dovecot-<instanceName>/…`.
    public let instanceName: String
    public var masterProcessID: Int32 { master.pid }

    private let master: ChildProcess
    private let scratchDirectory: String
    private let stateLock = NSLock()
    private var stopped = false
    /// save() reads back the UID it just created; serialising saves keeps that unambiguous.
    private let saveLock = NSLock()

    private init(configuration: DovecotConfiguration, layout: InstanceLayout, ports: [Int], master: ChildProcess) {
        self.configuration = configuration
        host = configuration.listenAddress
        imapPort = ports[0]
        imapsPort = ports[1]
        caFile = layout.authority.caFile
        root = layout.root
        configFile = layout.configFile
        logFile = layout.logFile
        instanceName = layout.instanceName
        scratchDirectory = layout.scratchDirectory
        self.master = master
    }

    deinit {
        stop()
    }

    /// Starts an instance and returns once both ports greet with `* OK`.
    public static func start(_ configuration: DovecotConfiguration = DovecotConfiguration()) throws -> DovecotServer {
        try DovecotConfigFile.validate(configuration)
        let layout = try InstanceLayout.create(for: configuration)
        do {
            for _ in 1...5 {
                let ports = try FreePort.pick(2, on: configuration.listenAddress)
                switch try launch(configuration, layout: layout, ports: ports) {
                case .ready(let master):
                    let server = DovecotServer(configuration: configuration, layout: layout, ports: ports, master: master)
                    LiveInstances.shared.add(server)
                    return server
                case .portTaken:
                    continue
                }
            }
            throw DovecotHarnessError.startFailed(reason: "free ports were taken by others five times in a row",
                                                  logTail: layout.logTail())
        } catch {
            try? FileManager.default.removeItem(atPath: layout.root)
            throw error
        }
    }

    public func maildirPath(of user: String) -> String {
        "\(root)/home/\(user.lowercased())/Maildir"
    }

    /// Delivers a message file into `folder` (created if missing) with `doveadm save`, then adds
    /// `flags` (e.g. `["\\Seen", "$Forwarded"]`). Returns the new message's UID.
    @discardableResult
    public func save(user: String, folder: String, messageFile: String, flags: [String] = []) throws -> Int {
        saveLock.lock()
        defer { saveLock.unlock() }
        let save = ["save", "-u", user, "-m", folder]
        do {
            _ = try doveadm(save, stdinPath: messageFile)
        } catch DovecotHarnessError.commandFailed(_, _, let stderr, _) where stderr.contains("Mailbox doesn't exist") {
            // Trying first and creating on demand saves a doveadm run for existing folders.
            _ = try doveadm(["mailbox", "create", "-u", user, folder])
            _ = try doveadm(save, stdinPath: messageFile)
        }
        // Selecting by GUID, because doveadm's `mailbox` search key treats * and % as wildcards.
        let status = try doveadm(["mailbox", "status", "-u", user, "guid", folder])
        guard let guid = status.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw DovecotHarnessError.invalidConfiguration("unexpected `doveadm mailbox status` output: \(status)")
        }
        let search = try doveadm(["search", "-u", user, "mailbox-guid", guid, "all"])
        let uids = search.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        guard let uid = uids.max() else {
            throw DovecotHarnessError.invalidConfiguration("saved message not found in \(folder) of \(user)")
        }
        if !flags.isEmpty {
            _ = try doveadm(["flags", "add", "-u", user, flags.joined(separator: " "),
                             "mailbox-guid", guid, "uid", String(uid)])
        }
        return uid
    }

    /// Like `save(user:folder:messageFile:flags:)` for a message held in memory.
    @discardableResult
    public func save(user: String, folder: String, message: Data, flags: [String] = []) throws -> Int {
        let file = "\(scratchDirectory)/message-\(UUID().uuidString)"
        try message.write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        return try save(user: user, folder: folder, messageFile: file, flags: flags)
    }

    /// Runs `doveadm -c <this instance's config> arguments…` and returns its stdout.
    public func doveadm(_ arguments: [String]) throws -> String {
        try doveadm(arguments, stdinPath: nil)
    }

    private func doveadm(_ arguments: [String], stdinPath: String?) throws -> String {
        if isStopped { throw DovecotHarnessError.serverStopped(root) }
        return try CommandRunner.check(["doveadm", "-c", configFile] + arguments, stdinPath: stdinPath,
                                       scratchDirectory: scratchDirectory)
    }

    /// Stops Dovecot and every process of this instance, then deletes `root`. Idempotent.
    public func stop() {
        stateLock.lock()
        let alreadyStopped = stopped
        stopped = true
        stateLock.unlock()
        guard !alreadyStopped else { return }
        Self.shutDown(master, instanceName: instanceName)
        try? FileManager.default.removeItem(atPath: root)
        LiveInstances.shared.remove(ObjectIdentifier(self))
    }

    public var isStopped: Bool {
        stateLock.lock()
        defer { stateLock.unlock() }
        return stopped
    }

    /// Dovecot's log (plus anything the master printed before its log process was up).
    public var logContents: String {
        readText("\(root)/master.out") + readText(logFile)
    }

    // MARK: - Launching

    private enum LaunchOutcome {
        case ready(ChildProcess)
        case portTaken
    }

    private static func launch(_ configuration: DovecotConfiguration, layout: InstanceLayout,
                               ports: [Int]) throws -> LaunchOutcome {
        try layout.resetRuntimeDirectory()
        let config = DovecotConfigFile(configuration: configuration, paths: layout.configPaths,
                                       instanceName: layout.instanceName, imapPort: ports[0], imapsPort: ports[1])
        try config.text.write(toFile: layout.configFile, atomically: true, encoding: .utf8)
        let logMark = layout.logMark()
        let master = try ChildProcess.spawn(["dovecot", "-F", "-c", layout.configFile],
                                            outputPath: layout.masterOutput, errorPath: layout.masterOutput)
        let deadline = Date().addingTimeInterval(configuration.startTimeout)
        var pause: useconds_t = 2_000
        while true {
            if master.exitStatusIfExited() != nil {
                let output = layout.logText(since: logMark)
                if output.contains("Address already in use") { return .portTaken }
                throw DovecotHarnessError.startFailed(reason: "dovecot exited during start-up", logTail: layout.logTail())
            }
            if GreetingProbe.plainGreeting(host: configuration.listenAddress, port: ports[0]) != nil { break }
            if Date() >= deadline {
                shutDown(master, instanceName: layout.instanceName)
                throw DovecotHarnessError.startFailed(
                    reason: "no greeting on \(configuration.listenAddress):\(ports[0]) within \(configuration.startTimeout) s",
                    logTail: layout.logTail())
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        do {
            _ = try GreetingProbe.tlsGreeting(host: configuration.listenAddress, port: ports[1],
                                              caFile: layout.authority.caFile,
                                              scratchDirectory: layout.scratchDirectory,
                                              timeout: max(deadline.timeIntervalSinceNow, 3))
        } catch {
            shutDown(master, instanceName: layout.instanceName)
            throw DovecotHarnessError.startFailed(reason: "implicit-TLS port \(ports[1]) failed: \(error)",
                                                  logTail: layout.logTail())
        }
        return .ready(master)
    }

    /// SIGTERM to the master, then make sure none of its processes survives it.
    private static func shutDown(_ master: ChildProcess, instanceName: String) {
        let snapshot = ProcessTable().members(ofInstance: instanceName, master: master.pid)
        // Titles only from here on: once the master is reaped its pid may belong to a stranger.
        func running() -> [ProcessTable.Entry] {
            Array(Set(snapshot + ProcessTable().titled(instance: instanceName))).filter(ProcessTable.isRunning)
        }
        let logTitle = "dovecot-\(instanceName)/log"
        master.signal(SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while master.exitStatusIfExited() == nil {
            // After its children are gone the master SIGQUITs the log process and then sleeps a
            // fixed second so it can drain. Killing the master instead closes the last writer
            // pipes, and the log process drains and exits just the same — a second faster.
            if Date() >= deadline || running().allSatisfy({ $0.commandLine.hasPrefix(logTitle) }) {
                master.signal(SIGKILL)
                _ = master.waitForExit(timeout: 5)
                break
            }
            usleep(5_000)
        }
        let stragglerDeadline = Date().addingTimeInterval(3)
        var remaining = running()
        while !remaining.isEmpty && Date() < stragglerDeadline {
            usleep(5_000)
            remaining = running()
        }
        for entry in remaining { kill(entry.pid, SIGKILL) }
    }
}
