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
}
