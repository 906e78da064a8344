import MailStore

/// A step's summary as the run ledger and the outcome see it.
public protocol StepResult: Sendable {
    var outcome: JobOutcome { get }
    /// The counts the ledger keeps (the outcome words are filled in by the job).
    var ledgerCounts: RunEnding { get }
}

extension PullSummary: StepResult {
    public var outcome: JobOutcome { issues.isEmpty ? .done : .doneWithSkips(skipped: issues.count) }
    public var ledgerCounts: RunEnding {
        var ending = RunEnding(outcome: outcome.word)
        ending.stored = Int64(messages); ending.storedBytes = bytes; ending.flagUpdates = Int64(flagUpdates)
        ending.skipped = Int64(issues.count); ending.passID = pass
        return ending
    }
}

extension PushSummary: StepResult {
    public var outcome: JobOutcome { issues.isEmpty ? .done : .doneWithSkips(skipped: issues.count) }
    public var ledgerCounts: RunEnding {
        var ending = RunEnding(outcome: outcome.word)
        ending.uploaded = Int64(uploaded); ending.uploadedBytes = bytes; ending.flagUpdates = Int64(flagUpdates)
        ending.skipped = Int64(skipped)
        return ending
    }
}

extension MigrateEngine.Summary: StepResult {
    public var outcome: JobOutcome {
        let count = pull.issues.count + push.issues.count
        return count == 0 ? .done : .doneWithSkips(skipped: count)
    }
    public var ledgerCounts: RunEnding {
        var ending = pull.ledgerCounts
        ending.outcome = outcome.word
        ending.uploaded = Int64(push.uploaded); ending.uploadedBytes = push.bytes
        ending.flagUpdates += Int64(push.flagUpdates); ending.skipped += Int64(push.skipped)
        return ending
    }
}

extension VerifyReport: StepResult {
    public var outcome: JobOutcome { isEqual ? .done : .different(problems: max(1, problems.count)) }
    public var ledgerCounts: RunEnding {
        var ending = RunEnding(outcome: outcome.word)
        ending.skipped = Int64(problems.count)
        return ending
    }
}

extension RestoreEngine.Summary: StepResult {
    public var outcome: JobOutcome { push.outcome }
    public var ledgerCounts: RunEnding {
        var ending = push.ledgerCounts
        ending.stored = Int64(imported)
        return ending
    }
}
