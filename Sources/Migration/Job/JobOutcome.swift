/// How a step ended. The CLI's exit code, a batch job's final state and the run ledger's
/// outcome column all come from this one value.
public enum JobOutcome: Sendable, Equatable {
    case done
    /// Finished; `skipped` messages or folders were refused or failed on their own (listed).
    case doneWithSkips(skipped: Int)
    /// Verify found the target different from the source or store (`problems` listed).
    case different(problems: Int)
    /// Stopped on request at a commit boundary; the next run resumes.
    case stopped
    case failed(JobFailure)

    public init(ending error: Error) {
        self = error is JobStopped ? .stopped : .failed(JobFailure(classifying: error))
    }

    /// The spec's exit codes: 0 done, 1 done with failures, 2 bad input, 3 connect/auth, 130 stopped.
    public var exitCode: Int32 {
        switch self {
        case .done: return 0
        case .doneWithSkips, .different: return 1
        case .stopped: return 130
        case .failed(let failure):
            switch failure.grade {
            case .configuration: return 2
            case .connection: return 3
            case .job: return 1
            }
        }
    }

    /// The job-state words of the spec: "done", "done with skips", "stopped", "failed" (and
    /// verify's "different").
    public var word: String {
        switch self {
        case .done: return "done"
        case .doneWithSkips: return "done with skips"
        case .different: return "different"
        case .stopped: return "stopped"
        case .failed: return "failed"
        }
    }
}
