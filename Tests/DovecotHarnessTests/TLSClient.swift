import Foundation

/// Drives `openssl s_client` with a scripted session: all input is sent at once (IMAP allows
/// pipelining; literals use LITERAL+), then the output is collected until the server hangs up.
enum TLSClient {
    struct Result {
        var exitStatus: Int32
        /// stdout and stderr interleaved: s_client prints verification results on stderr.
        var output: String
    }

    static func session(host: String, port: Int, caFile: String, starttls: Bool = false,
                        extraArguments: [String] = [], lines: [String], timeout: TimeInterval = 20) throws -> Result {
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
        input.fileHandleForWriting.write(Data(lines.map { $0 + "\r\n" }.joined().utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(exitStatus: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// `tag LOGIN user {n+}` + password: a literal carries any bytes, quoting rules aside.
    static func login(tag: String, user: String, password: String) -> [String] {
        ["\(tag) LOGIN \(user) {\(password.utf8.count)+}", password]
    }
}
