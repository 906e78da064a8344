import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files of one instance under a short temporary root such as /tmp/dvAb12Cd:
/// dovecot.conf, users (passwd-file), run/ (base_dir with the unix sockets), state/, home/<user>/,
/// tls/, tmp/ (command scratch), dovecot.log and master.out.
struct InstanceLayout {
    let root: String
    let instanceName: String
    let authority: TestCertificateAuthority

    var configFile: String { "\(root)/dovecot.conf" }
    var passwdFile: String { "\(root)/users" }
    var runDirectory: String { "\(root)/run" }
    var stateDirectory: String { "\(root)/state" }
    var homeRoot: String { "\(root)/home" }
    var scratchDirectory: String { "\(root)/tmp" }
    var logFile: String { "\(root)/dovecot.log" }
    var masterOutput: String { "\(root)/master.out" }

    var configPaths: DovecotConfigFile.Paths {
        .init(
            baseDir: runDirectory, stateDir: stateDirectory, logFile: logFile, passwdFile: passwdFile,
            certificateFile: authority.certificateFile, keyFile: authority.keyFile)
    }

    static func create(for configuration: DovecotConfiguration) throws -> InstanceLayout {
        // Short on purpose: base_dir holds unix sockets, whose paths are limited to 108 bytes.
        var template = Array("/tmp/dvXXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw DovecotHarnessError.system("mkdtemp", errno: errno) }
        let root = String(cString: created)
        do {
            // Mail processes run as nobody and must traverse every parent of their Maildir,
            // otherwise logins fail with "Temporary authentication failure".
            try chmod(root, 0o755)
            let mailOwner = Self.mailOwner
            let passwd = try PasswdFile(
                users: configuration.users, homeRoot: "\(root)/home",
                uid: mailOwner.uid, gid: mailOwner.gid)
            for (directory, mode) in [("home", 0o755), ("state", 0o755), ("tls", 0o700), ("tmp", 0o700)] {
                try makeDirectory("\(root)/\(directory)", mode: mode_t(mode))
            }
            for entry in passwd.entries {
                try makeDirectory(entry.home, mode: 0o700)
                guard chown(entry.home, mailOwner.uid, mailOwner.gid) == 0 else {
                    throw DovecotHarnessError.system("chown \(entry.home) (the harness must run as root)", errno: errno)
                }
            }
            let usersFile = "\(root)/users"
            try passwd.text.write(toFile: usersFile, atomically: true, encoding: .utf8)
            // The auth process reads it as the dovecot user; nobody else needs to.
            if let group = Self.dovecotGroup, chown(usersFile, 0, group) == 0 {
                try chmod(usersFile, 0o640)
            } else {
                try chmod(usersFile, 0o644)
            }
            let instanceName = (root as NSString).lastPathComponent
            let addresses =
                configuration.listenAddress == "127.0.0.1" ? ["127.0.0.1"] : ["127.0.0.1", configuration.listenAddress]
            let authority = try TestCertificateAuthority.create(
                in: "\(root)/tls", label: instanceName, dnsNames: ["localhost"], ipAddresses: addresses,
                scratchDirectory: "\(root)/tmp")
            return InstanceLayout(root: root, instanceName: instanceName, authority: authority)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// A fresh base_dir per launch attempt, so a failed attempt's sockets and pid file cannot
    /// confuse the next one.
    func resetRuntimeDirectory() throws {
        try? FileManager.default.removeItem(atPath: runDirectory)
        try Self.makeDirectory(runDirectory, mode: 0o755)
    }

    /// Where the logs end now, to tell one launch attempt's messages from earlier ones.
    struct LogMark {
        var log: UInt64
        var masterOutput: UInt64
    }

    func logMark() -> LogMark {
        LogMark(log: Self.size(of: logFile), masterOutput: Self.size(of: masterOutput))
    }

    func logText(since mark: LogMark) -> String {
        Self.text(of: masterOutput, from: mark.masterOutput) + Self.text(of: logFile, from: mark.log)
    }

    func logTail(lines: Int = 40) -> String {
        (readText(masterOutput) + readText(logFile)).split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines).joined(separator: "\n")
    }

    private static func size(of path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    private static func text(of path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    // Looked up once: getpwnam/getgrnam return static buffers that parallel starts would share.
    static let mailOwner: (uid: uid_t, gid: gid_t) = {
        guard let nobody = getpwnam("nobody") else { return (65534, 65534) }
        return (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
    }()

    private static let dovecotGroup: gid_t? = getgrnam("dovecot")?.pointee.gr_gid

    private static func makeDirectory(_ path: String, mode: mode_t) throws {
        guard mkdir(path, mode) == 0 else { throw DovecotHarnessError.system("mkdir \(path)", errno: errno) }
        // mkdir applies the umask; the modes above are deliberate.
        try chmod(path, mode)
    }

    private static func chmod(_ path: String, _ mode: mode_t) throws {
        #if canImport(Glibc)
            let result = Glibc.chmod(path, mode)
        #else
            let result = Darwin.chmod(path, mode)
        #endif
        guard result == 0 else { throw DovecotHarnessError.system("chmod \(path)", errno: errno) }
    }
}
