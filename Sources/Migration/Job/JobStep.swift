/// The steps a job runs; `migrate` runs `pull` and `push` together and reports both.
public enum JobStep: String, Codable, Sendable, CaseIterable {
    case probe, pull, push, migrate, verify, restore
}
