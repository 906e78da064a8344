import Foundation
import Testing

@Suite("the demo as a new user runs it")
struct DemoCommandTests {
    /// `demo --keep-running`, then SIGTERM: the printed commands work when pasted, and both
    /// Dovecots stop with the demo instead of being orphaned.
    @Test("the demo's printed commands work, and SIGTERM stops both demo servers")
    func keepRunningThenTerminate() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MailferryBinary.path)
        process.arguments = ["demo", "--keep-running"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(90)
        while !text.contains("rm -rf"), Date() < deadline, process.isRunning {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let verify = try #require(lines.last { $0.contains(" verify ") && !$0.hasPrefix("$") }, "\(text)")
        let ports = verify.split(separator: " ").compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
        #expect(!ports.isEmpty)
        // Pasted as printed (the binary's path stands first), with the passwords the demo names.
        let arguments = verify.split(separator: " ").dropFirst().map(String.init)
        let outcome = try await MailferryBinary.run(
            arguments, environment: ["MAILFERRY_TARGET_PASSWORD": "Demo-Passw0rd"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("EQUAL"))
        let store = try #require(lines.first { $0.hasPrefix("Remove it with: rm -rf ") }).dropFirst(
            "Remove it with: rm -rf ".count)
        #expect(
            FileManager.default.fileExists(atPath: String(store) + "/demo/state.sqlite"), "the store it names is kept")

        kill(process.processIdentifier, SIGTERM)
        #expect(process.waitForExit().status == 130)
        for port in ports {
            #expect(!isListening(port: port), "port \(port) still answers after the demo stopped")
        }
        try? FileManager.default.removeItem(atPath: String(store))
    }

    private func isListening(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
