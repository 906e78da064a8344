extension BatchStore {
    /// The batch's jobs once none is queued or running, polled every `interval` while
    /// `keepWaiting` holds (a follower that was told to stop gets the jobs as they are).
    public func jobsWhenSettled(
        batchID: Int64, every interval: Duration = .seconds(1), keepWaiting: @Sendable () -> Bool = { true }
    ) async throws -> [BatchJob] {
        var current = try await jobs(batchID: batchID)
        while keepWaiting(), current.contains(where: { $0.state == .queued || $0.state.isActive }) {
            try await Task.sleep(for: interval)
            current = try await jobs(batchID: batchID)
        }
        return current
    }
}
