/// A step ended early because a stop was requested (Ctrl-C, `batch pause`, a failed partner
/// step). Everything committed so far is kept; the next run resumes from there.
public struct JobStopped: Error, CustomStringConvertible, Equatable, Sendable {
    public init() {}
    public var description: String { "stopped; run again to resume" }
}
