import ArgumentParser

/// `--source-prefix`: for a source that keeps folders under a personal namespace prefix but does
/// not announce it with NAMESPACE (or announces a wrong one).
struct SourcePrefixOption: ParsableArguments {
    @Option(
        name: .customLong("source-prefix"),
        help:
            "The source's personal namespace prefix, e.g. \"INBOX.\" (default: what NAMESPACE announced at the last pull)."
    )
    var sourcePrefix: String?
}

/// `--target-prefix`: the same for the target; every folder but INBOX is created under it.
struct TargetPrefixOption: ParsableArguments {
    @Option(
        name: .customLong("target-prefix"),
        help:
            "The target's personal namespace prefix, e.g. \"INBOX.\" (default: what the target's NAMESPACE announces).")
    var targetPrefix: String?
}
