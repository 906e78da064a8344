import ArgumentParser

/// Exit codes from the product spec.
extension ExitCode {
    /// Done with some messages or jobs failed.
    static let partialFailure = ExitCode(1)
    /// Bad input or configuration.
    static let badInput = ExitCode(2)
    /// Could not connect or authenticate.
    static let connectionFailure = ExitCode(3)
    /// Stopped by the user (Ctrl-C, SIGTERM); the next run resumes.
    static let stopped = ExitCode(130)
}
