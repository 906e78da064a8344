import Foundation

/// Drives `openssl s_client` through a scripted IMAP session, one command at a time.
///
/// Each command waits for its tagged reply before the next is sent: Dovecot drops a client
/// whose pre-login input exceeds 4 KB ("* BYE Input buffer full"), so blind pipelining of
/// APPENDs behind LOGIN is not safe.
enum TLSClient {
    struct Result {
        var exitStatus: Int32
        /// stdout and stderr interleaved: s_client prints verification results on stderr.
        var output: String
    }

    /// `commands`: each entry is one command's lines (more than one when it sends a literal);
    /// its first word is the tag. The session should end with LOGOUT so the server hangs up.
    static func session(
        host: String, port: Int, caFile: String, starttls: Bool = false,
        extraArguments: [String] = [], commands: [[String]], timeout: TimeInterval = 20
    ) throws -> Result {
        var arguments = ["s_client", "-connect", "\(host):\(port)", "-CAfile", caFile, "-ign_eof"]
        if starttls { arguments += ["-starttls", "imap"] }
        arguments += extraArguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        defer { killer.cancel() }

        var received = Data()
        func readUntil(tag: String) -> Bool {
            while true {
                let text = String(decoding: received, as: UTF8.self)
                if text.split(whereSeparator: \.isNewline).contains(where: { $0.hasPrefix("\(tag) ") }) { return true }
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                received += chunk
            }
        }
        for command in commands {
            let tag = String(command[0].prefix { $0 != " " })
            input.fileHandleForWriting.write(Data(command.map { $0 + "\r\n" }.joined().utf8))
            if !readUntil(tag: tag) { break }
        }
        try input.fileHandleForWriting.close()
        received += output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(exitStatus: process.terminationStatus, output: String(decoding: received, as: UTF8.self))
    }

    /// `tag LOGIN user {n+}` + password: a literal carries any bytes, quoting rules aside.
    static func login(tag: String, user: String, password: String) -> [String] {
        ["\(tag) LOGIN \(user) {\(password.utf8.count)+}", password]
    }

    static func append(tag: String, folder: String = "INBOX", message: Data) -> [String] {
        ["\(tag) APPEND \(folder) {\(message.count)+}", String(decoding: message, as: UTF8.self)]
    }
}
