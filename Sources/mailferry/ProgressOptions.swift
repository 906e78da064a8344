import ArgumentParser

/// How a long command shows its progress.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    /// A rewritten status line on a terminal, a plain line every 10 s otherwise (on stderr).
    case auto
    /// Every job event as one JSON object per line on stdout (docs/events.md).
    case json
    case none
}

struct ProgressOptions: ParsableArguments {
    @Option(
        help:
            "Progress: auto (status line on a terminal, plain lines otherwise), json (one JSON event per line on stdout; docs/events.md), none."
    )
    var progress: ProgressMode = .auto
}
