import ArgumentParser
import Foundation

/// Where a password comes from: never argv (process lists show it to every local user).
struct PasswordSource {
    let environmentVariable: String
    let file: String?
    let prompt: String

    func read() throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("cannot read the password file \(file)")
            }
            // One line; a trailing newline from `echo >` is not part of the password.
            var password = text
            while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
            return password
        }
        if let value = ProcessInfo.processInfo.environment[environmentVariable] { return value }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
            throw ValidationError("no password: set \(environmentVariable), pass a password file, or run on a terminal to be asked")
        }
        return String(cString: typed)
    }
}
