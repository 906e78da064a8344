/// How long network operations may take before the connection gives up.
public struct Timeouts: Sendable, Hashable {
    public var connect: Double
    /// Longest silence while reading or writing; long enough for a slow server's FETCH of a big
    /// mailbox to start, short enough to notice a dead link.
    public var io: Double

    public init(connect: Double = 15, io: Double = 120) {
        self.connect = connect; self.io = io
    }
}
