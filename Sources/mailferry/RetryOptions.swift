import ArgumentParser
import Migration

/// `--retries` and `--retry-delay` of the commands that move mail.
struct RetryOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Retries of a dropped link with no mail moved in between (progress refills them).",
            valueName: "n"))
    var retries = 5

    @Option(
        name: .customLong("retry-delay"),
        help: ArgumentHelp("Seconds before the first retry; each further one doubles it (at most 30).", valueName: "s"))
    var retryDelay: Double = 1

    func validate() throws {
        guard (0...1000).contains(retries) else {
            throw ValidationError("--retries \(retries): must be between 0 and 1000")
        }
        guard retryDelay.isFinite, (0...600).contains(retryDelay) else {
            throw ValidationError("--retry-delay \(retryDelay): must be a number of seconds from 0 to 600")
        }
    }

    var policy: RetryPolicy { RetryPolicy(attempts: retries, baseDelay: retryDelay) }
}
