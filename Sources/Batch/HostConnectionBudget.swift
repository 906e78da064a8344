/// Connections the running jobs hold on each source server, against a cap, so a batch of many
/// mailboxes on one server does not hammer it into throttling. A host with nothing running may
/// always start a job, even when one job alone needs more than the cap.
struct HostConnectionBudget {
    let cap: Int
    let perJob: Int
    private(set) var inUse: [String: Int] = [:]

    init(cap: Int, perJob: Int) {
        self.cap = max(1, cap); self.perJob = max(1, perJob)
    }

    /// Hosts that cannot take one more job now.
    var fullHosts: Set<String> {
        Set(inUse.filter { $0.value > 0 && $0.value + perJob > cap }.keys)
    }

    mutating func start(_ host: String) { inUse[host.lowercased(), default: 0] += perJob }

    mutating func finish(_ host: String) {
        let key = host.lowercased()
        inUse[key] = max(0, (inUse[key] ?? 0) - perJob)
    }
}
