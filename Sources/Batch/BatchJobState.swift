/// A batch job's state, in the words of the product spec.
public enum BatchJobState: String, Codable, Sendable, CaseIterable {
    case queued, checking, provisioning, migrating, verifying, done
    case doneWithSkips = "done with skips"
    case failed, paused, stopped

    /// A process is working on it (or was, when it died).
    public var isActive: Bool { [.checking, .provisioning, .migrating, .verifying].contains(self) }
    /// Nothing more happens to it until it is run again.
    public var isFinal: Bool { [.done, .doneWithSkips, .failed, .paused, .stopped].contains(self) }
}

/// What someone asked of a job from any terminal; the runner acts on it within seconds.
public enum BatchRequest: String, Codable, Sendable {
    case none, pause, stop
}
