import IMAPClient
import Logging

/// Runs a step that needs a logged-in connection (listing folders, planning), again on a new
/// login after a dropped link, with the folder workers' back-off. The step must be safe to
/// repeat. Returns the connection it finished on, for the next step to reuse.
func withReconnects<T>(
    first: IMAPClient? = nil, retry: RetryPolicy = .standard, logger: Logger, step: String,
    control: JobControl, jobStep: JobStep,
    connect: () async throws -> IMAPClient,
    _ body: (IMAPClient) async throws -> T
) async throws -> (client: IMAPClient, value: T) {
    let retries = retry.attempts
    var budget = RetryBudget(retries: retries, baseDelay: retry.baseDelay, mark: 0)
    var client = first
    var everConnected = first != nil
    while true {
        do {
            let current: IMAPClient
            if let client { current = client } else { current = try await connect() }
            client = current
            everConnected = true
            ReachedEndpoints.shared.insert(
                host: current.configuration.endpoint.host, port: current.configuration.endpoint.port)
            return (current, try await body(current))
        } catch let error as IMAPError where error.isTransient {
            try control.stop.check()
            // Nothing listening at the very first try is a wrong host or port far more often
            // than a server restarting: say so now rather than after a minute of back-off.
            if case .connectionRefused(let host, let port) = error, !everConnected,
                !ReachedEndpoints.shared.contains(host: host, port: port)
            {
                throw error
            }
            guard let delay = budget.nextDelay(progress: 0) else {
                throw RetriesExhausted(step: step, attempts: retries, seconds: budget.secondsFailing, underlying: error)
            }
            logger.warning(
                "\(step): \(error); reconnecting in \(String(format: "%.1f", delay)) s (attempt \(budget.attempt) of \(retries))"
            )
            control.events.emit(
                jobStep,
                .retry(folder: nil, error: "\(step): \(error)", delay: delay, attempt: budget.attempt, of: retries))
            client = nil
            try await control.stop.sleep(seconds: delay)
        }
    }
}
