import Foundation

/// What `serve` writes for `fetch` to find the seeded server.
struct BenchServerState: Codable {
    var host: String
    var port: Int
    var caFile: String
    var user: String
    var password: String
    var folders: [String: Int]
    /// Set when `serve --with-target` also started an empty target server.
    var targetPort: Int?
    var targetCAFile: String?
    var targetUser: String?
    /// All target accounts (`target`, `target2`, …), one per tool in comparisons.
    var targetUsers: [String]?
    /// The target instance's dovecot.conf and its source's, for `doveadm -c`.
    var targetConfigFile: String?
    var sourceConfigFile: String?
    /// All source accounts (`bench`, `bench2`, …) when `serve --source-accounts` seeded several.
    var sourceUsers: [String]?
}
