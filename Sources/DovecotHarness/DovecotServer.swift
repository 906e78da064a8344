import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private, throw-away Dovecot IMAP server on a loopback address.
///
/// The master runs as root in the foreground (`dovecot -F`) as our child, so `stop()` can reap
/// it; login processes run as `dovenull`, mail processes as `nobody`. All state — config, TLS
/// files, sockets, logs, Maildirs — lives in `root`, which `stop()` deletes.
public final class DovecotServer: @unchecked Sendable {
    /// `configuration.listenAddress`, "127.0.0.1" unless configured otherwise.
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
    public var masterProcessID: Int32 { stateLock.withLock { master.pid } }

    /// The passwd-file the server authenticates against (read at every login), the folder of
    /// the users' homes, and the owner a home must have: what a test's provisioner script needs
    /// to add a mailbox while the server runs.
    public var usersFile: String { root + "/users" }
    /// The server's certificate and key (for 127.0.0.1 and localhost, signed by `caFile`): a
    /// test's other servers (SMTP) can present them.
    public var certificateFile: String { root + "/tls/server.pem" }
    public var keyFile: String { root + "/tls/server.key" }
    public var homeRoot: String { root + "/home" }
    public var mailOwner: (uid: UInt32, gid: UInt32) { (InstanceLayout.mailOwner.uid, InstanceLayout.mailOwner.gid) }

    /// The imap processes serving logged-in clients right now (not the login processes): what a
    /// test pauses with SIGSTOP to make the server go silent mid-transfer.
    public func imapProcessIDs() -> [Int32] {
        let title = "dovecot-\(instanceName)/imap"
        return ProcessTable().titled(instance: instanceName)
            .filter { $0.commandLine == title || $0.commandLine.hasPrefix(title + " ") }.map(\.pid)
    }

    private var master: ChildProcess
    private let layout: InstanceLayout
    private let scratchDirectory: String
    private let stateLock = NSLock()
    private var stopped = false
    /// save() predicts the new UID from UIDNEXT; serialising saves keeps that prediction right.
    private let saveLock = NSLock()

    private init(configuration: DovecotConfiguration, layout: InstanceLayout, ports: [Int], master: ChildProcess) {
        self.configuration = configuration
        host = configuration.listenAddress
        imapPort = ports[0]
        imapsPort = ports[1]
        caFile = configuration.customCertificate?.caFile ?? layout.authority.caFile
        root = layout.root
        configFile = layout.configFile
        logFile = layout.logFile
        instanceName = layout.instanceName
        scratchDirectory = layout.scratchDirectory
        self.layout = layout
        self.master = master
    }

    /// Stops every process of the instance (connections drop, the ports refuse), waits
    /// `downFor` seconds, and starts it again on the same ports with the same mail: a server
    /// restart, or a short outage, in the middle of a test.
    public func restart(downFor seconds: Double = 0) throws {
        let old = stateLock.withLock { master }
        Self.shutDown(old, instanceName: instanceName)
        if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) }
        for attempt in 1...20 {
            switch try Self.launch(configuration, layout: layout, ports: [imapPort, imapsPort]) {
            case .ready(let fresh):
                stateLock.withLock { master = fresh }
                return
            case .portTaken where attempt < 20:
                usleep(250_000)
            case .portTaken:
                throw DovecotHarnessError.startFailed(
                    reason: "port \(imapPort) or \(imapsPort) stayed taken after the restart", logTail: layout.logTail()
                )
            }
        }
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
                    let server = DovecotServer(
                        configuration: configuration, layout: layout, ports: ports, master: master)
                    LiveInstances.shared.add(server)
                    return server
                case .portTaken:
                    continue
                }
            }
            throw DovecotHarnessError.startFailed(
                reason: "free ports were taken by others five times in a row",
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
        // UIDNEXT before the save is the UID the message gets, as long as nothing else appends
        // to the folder meanwhile; it costs one doveadm run instead of a search afterwards.
        let status: [String: String]
        do {
            status = try mailboxStatus(user: user, folder: folder)
        } catch DovecotHarnessError.commandFailed(_, _, let stderr, _) where stderr.contains("Mailbox doesn't exist") {
            _ = try doveadm(["mailbox", "create", "-u", user, folder])
            status = try mailboxStatus(user: user, folder: folder)
        }
        guard let guid = status["guid"], let uid = status["uidnext"].flatMap({ Int($0) }) else {
            throw DovecotHarnessError.unexpectedOutput(command: ["doveadm", "mailbox", "status"], output: "\(status)")
        }
        _ = try doveadm(["save", "-u", user, "-m", folder], stdinPath: messageFile)
        if !flags.isEmpty {
            // By GUID, because doveadm's `mailbox` search key treats * and % as wildcards.
            _ = try doveadm([
                "flags", "add", "-u", user, flags.joined(separator: " "),
                "mailbox-guid", guid, "uid", String(uid),
            ])
        }
        return uid
    }

    private func mailboxStatus(user: String, folder: String) throws -> [String: String] {
        let output = try doveadm(["-f", "flow", "mailbox", "status", "-u", user, "guid uidnext", folder])
        let pairs = output.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, String)? in
            let parts = field.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
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
        return try CommandRunner.check(
            ["doveadm", "-c", configFile] + arguments, stdinPath: stdinPath,
            scratchDirectory: scratchDirectory)
    }

    /// Stops Dovecot and every process of this instance, then deletes `root`. Idempotent.
    public func stop() {
        stateLock.lock()
        let alreadyStopped = stopped
        stopped = true
        stateLock.unlock()
        guard !alreadyStopped else { return }
        Self.shutDown(stateLock.withLock { master }, instanceName: instanceName)
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

    private static func launch(
        _ configuration: DovecotConfiguration, layout: InstanceLayout,
        ports: [Int]
    ) throws -> LaunchOutcome {
        try layout.resetRuntimeDirectory()
        let config = DovecotConfigFile(
            configuration: configuration, paths: layout.configPaths,
            instanceName: layout.instanceName, imapPort: ports[0], imapsPort: ports[1])
        try config.text.write(toFile: layout.configFile, atomically: true, encoding: .utf8)
        let logMark = layout.logMark()
        let master = try ChildProcess.spawn(
            ["dovecot", "-F", "-c", layout.configFile],
            outputPath: layout.masterOutput, errorPath: layout.masterOutput)
        let deadline = Date().addingTimeInterval(configuration.startTimeout)
        var pause: useconds_t = 2_000
        while true {
            let exited = master.exitStatusIfExited() != nil
            let output = layout.logText(since: logMark)
            // A fatal line ends this attempt even if the master has not exited yet.
            if exited || output.contains("Fatal: ") {
                shutDown(master, instanceName: layout.instanceName)
                if output.contains("Address already in use") { return .portTaken }
                throw DovecotHarnessError.startFailed(
                    reason: "dovecot exited during start-up", logTail: layout.logTail())
            }
            if GreetingProbe.plainGreeting(
                host: configuration.listenAddress, port: ports[0],
                marker: layout.instanceName) != nil
            {
                break
            }
            if Date() >= deadline {
                shutDown(master, instanceName: layout.instanceName)
                throw DovecotHarnessError.startFailed(
                    reason:
                        "no greeting on \(configuration.listenAddress):\(ports[0]) within \(configuration.startTimeout) s",
                    logTail: layout.logTail())
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        do {
            _ = try GreetingProbe.tlsGreeting(
                host: configuration.listenAddress, port: ports[1],
                marker: layout.instanceName, caFile: layout.authority.caFile,
                verify: configuration.customCertificate == nil,
                scratchDirectory: layout.scratchDirectory,
                timeout: max(deadline.timeIntervalSinceNow, 3))
        } catch {
            shutDown(master, instanceName: layout.instanceName)
            throw DovecotHarnessError.startFailed(
                reason: "implicit-TLS port \(ports[1]) failed: \(error)",
                logTail: layout.logTail())
        }
        return .ready(master)
    }

    /// Stops the master and every process of the instance.
    ///
    /// SIGTERM to the master alone is not enough: it leaves imap processes with a logged-in
    /// client (and the stats process they talk to) running, and it pauses a fixed second for its
    /// log process before exiting. So every process but the log process gets SIGTERM directly;
    /// once only the log process remains, the master is killed, which closes the last writers'
    /// pipes so the log process drains and exits by itself.
    private static func shutDown(_ master: ChildProcess, instanceName: String) {
        let table = ProcessTable()
        let snapshot =
            master.exitStatusIfExited() == nil
            ? table.members(ofInstance: instanceName, master: master.pid)
            : table.titled(instance: instanceName)
        // Titles only from here on: once the master is reaped its pid may belong to a stranger.
        func running() -> [ProcessTable.Entry] {
            Array(Set(snapshot + ProcessTable().titled(instance: instanceName))).filter(ProcessTable.isRunning)
        }
        let logTitle = "dovecot-\(instanceName)/log"
        master.signal(SIGTERM)
        var signalled = Set<pid_t>()
        let deadline = Date().addingTimeInterval(3)
        while true {
            let alive = running()
            for entry in alive where !entry.commandLine.hasPrefix(logTitle) && !signalled.contains(entry.pid) {
                kill(entry.pid, SIGTERM)
                signalled.insert(entry.pid)
            }
            var masterGone = master.exitStatusIfExited() != nil
            if !masterGone && alive.allSatisfy({ $0.commandLine.hasPrefix(logTitle) }) {
                master.signal(SIGKILL)
                masterGone = master.waitForExit(timeout: 5) != nil
            }
            if masterGone && alive.isEmpty { return }
            if Date() >= deadline {
                alive.forEach { kill($0.pid, SIGKILL) }
                master.signal(SIGKILL)
                _ = master.waitForExit(timeout: 5)
                return
            }
            usleep(5_000)
        }
    }
}
