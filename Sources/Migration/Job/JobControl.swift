/// What a caller holds to watch and steer a running step: its events and its stop token.
public struct JobControl: Sendable {
    public let events: JobEventHub
    public let stop: StopToken

    public init(events: JobEventHub = JobEventHub(), stop: StopToken = StopToken()) {
        self.events = events; self.stop = stop
    }

    /// The same events, a stop token of its own that still stops with this one.
    func withChildStop() -> JobControl { JobControl(events: events, stop: stop.child()) }
}
