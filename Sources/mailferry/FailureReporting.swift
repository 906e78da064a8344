import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore

/// Commands with a `--json` flag: a failure is reported on stdout as JSON too, so a script that
/// reads stdout learns why a run ended (a lost link, OVERQUOTA) and not just that it did.
protocol ReportsJSON {
    var json: Bool { get }
}

extension ProbeCommand: ReportsJSON {}
extension PullCommand: ReportsJSON {}
extension PushCommand: ReportsJSON {}
extension MigrateCommand: ReportsJSON {}
extension VerifyCommand: ReportsJSON {}
extension RestoreCommand: ReportsJSON {}
extension InspectCommand: ReportsJSON {}

/// What `--json` prints on stdout when a command fails.
struct FailureReport: Encodable {
    struct Failure: Encodable {
        var message: String
        var exitCode: Int32
    }
    var error: Failure
}

extension AsyncParsableCommand {
    /// Runs `body`, turning mailferry's typed errors into a message on stderr (and with `--json`
    /// a JSON object on stdout) and the spec's exit code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        let message: String, code: ExitCode
        do {
            try await body()
            return
        } catch let failure as CommandFailure {
            (message, code) = (failure.message, failure.exitCode)
        } catch let error as IMAPError {
            let exit: ExitCode = error.isConfigurationError ? .badInput : error.scope == .account ? .connectionFailure : .partialFailure
            (message, code) = (error.description, exit)
        } catch let error as ExitCode {
            throw error
        } catch {
            (message, code) = ("\(error)", .badInput)
        }
        let safe = message.terminalSafe()
        FileHandle.standardError.write(Data("mailferry: \(safe)\n".utf8))
        if (self as? ReportsJSON)?.json == true {
            try? emit(FailureReport(error: .init(message: message, exitCode: code.rawValue)), json: true, text: "")
        }
        throw code
    }
}
