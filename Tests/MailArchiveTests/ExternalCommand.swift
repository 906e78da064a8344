import Foundation
@_exported import TestSupport

/// Runs GNU tar and friends, as an independent judge of what our archives contain.
enum ExternalCommand {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// LC_ALL=C.UTF-8 so tar prints UTF-8 names instead of octal escapes.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        let outcome = try ProcessRunner.run(
            arguments[0], Array(arguments.dropFirst()), environment: environment, directory: directory)
        return Output(status: outcome.status, standardOutput: outcome.stdout, standardError: outcome.stderr)
    }

    static func isInstalled(_ name: String) -> Bool {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + name) }
    }
}
