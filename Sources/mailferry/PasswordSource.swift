import ArgumentParser
import Foundation
import IMAPClient

/// Where a password comes from: never argv (process lists show it to every local user).
struct PasswordSource {
    let environmentVariable: String
    let file: String?
    let prompt: String

    func read() throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw ValidationError("cannot read the password file \(file)")
            }
            return try Self.firstLine(of: text, file: file)
        }
        if let value = ProcessInfo.processInfo.environment[environmentVariable] { return value }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
            throw ValidationError(
                "no password: set \(environmentVariable), pass a password file, or run on a terminal to be asked")
        }
        return String(cString: typed)
    }

    /// The password is the file's first line, without its line ending (LF or CRLF, as editors
    /// on either system write it); later lines are ignored.
    static func firstLine(of text: String, file: String) throws -> String {
        // "\r\n" is one Character in Swift; isNewline covers it, LF and CR alike.
        let password =
            text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(
                String.init) ?? ""
        guard !password.isEmpty else {
            throw ValidationError("the password file \(file) is empty (its first line holds the password)")
        }
        return password
    }
}

extension PasswordSource {
    /// The source account's password: `file`, else MAILFERRY_SOURCE_PASSWORD, else a prompt.
    static func source(file: String?, for endpoint: IMAPEndpoint) -> PasswordSource {
        PasswordSource(
            environmentVariable: "MAILFERRY_SOURCE_PASSWORD", file: file, prompt: "Password for \(endpoint): ")
    }

    /// The target account's password: `file`, else MAILFERRY_TARGET_PASSWORD, else a prompt.
    static func target(file: String?, for endpoint: IMAPEndpoint) -> PasswordSource {
        PasswordSource(
            environmentVariable: "MAILFERRY_TARGET_PASSWORD", file: file, prompt: "Password for \(endpoint): ")
    }

    /// `read()`, with a failure worded for the user as bad input (exit 2).
    func readForCommand() throws -> String {
        do { return try read() } catch { throw CommandFailure(message: "\(error)", exitCode: .badInput) }
    }
}
