import ArgumentParser
import Batch
import Foundation
import IMAPCore
import Migration

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
extension HistoryCommand: ReportsJSON {}
extension BatchCheckCommand: ReportsJSON {}
extension BatchRunCommand: ReportsJSON {}
extension BatchResumeCommand: ReportsJSON {}
extension BatchStatusCommand: ReportsJSON {}

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
        } catch let interrupted as BatchInterrupted {
            try? emit(
                interrupted.jobs, json: (self as? ReportsJSON)?.json == true,
                text: BatchStatusText.table(interrupted.jobs))
            StandardStreams.err(
                "mailferry: batch \(interrupted.name) paused; `mailferry batch resume \(interrupted.name)` goes on\n")
            throw ExitCode.stopped
        } catch let invalid as BatchFileInvalid {
            // Every problem, one per line, then the summary below.
            for problem in invalid.problems { StandardStreams.err("mailferry: \(invalid.file): \(problem)\n") }
            if invalid.json { try? emit(["problems": invalid.problems.map(\.description)], json: true, text: "") }
            (message, code) = ("\(invalid.file): \(invalid.problems.count) problem(s); nothing was started", .badInput)
            let safe = message.terminalSafe()
            StandardStreams.err("mailferry: \(safe)\n")
            throw code
        } catch let error as ExitCode {
            throw error
        } catch {
            // The library grades every error; this is the one place it becomes an exit code.
            let outcome = JobOutcome(ending: error)
            switch outcome {
            case .failed(let failure): message = failure.message
            default: message = JobStopped().description
            }
            code = ExitCode(outcome.exitCode)
        }
        let safe = message.terminalSafe()
        StandardStreams.err("mailferry: \(safe)\n")
        if (self as? ReportsJSON)?.json == true {
            try? emit(FailureReport(error: .init(message: message, exitCode: code.rawValue)), json: true, text: "")
        }
        throw code
    }
}

/// A summary's outcome as the process's exit status (nothing to do for "done").
func finish(with outcome: JobOutcome) throws {
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}
