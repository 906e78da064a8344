// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mailferry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mailferry", targets: ["mailferry"]),
        .executable(name: "mailferry-bench", targets: ["mailferry-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib: COMPRESS=DEFLATE (RFC 4978) on slow links.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libresolv (glibc): raw DNS answers for dns-check.
        .systemLibrary(name: "CResolv"),
        .systemLibrary(
            name: "CArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]),
        // I/O-free protocol layer: grammar types, response parser, command encoder.
        .target(name: "IMAPCore"),
        // TCP, TLS over OpenSSL, timeouts, a thread per connection; knows no protocol.
        .target(name: "Transport", dependencies: ["COpenSSL", "CZlib"]),
        // IMAP commands and pipelining over a Transport connection.
        .target(
            name: "IMAPClient",
            dependencies: [
                "IMAPCore", "Transport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // tar archives through libarchive: streamed writing, reading, safe extraction.
        .target(name: "MailArchive", dependencies: ["CArchive", "COpenSSL"]),
        // The local store: Maildir, manifest/state database (SQLite), per-pass archives, locks.
        .target(
            name: "MailStore",
            dependencies: [
                "IMAPCore", "COpenSSL",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // Migration engine: probe, pull; push and verify later.
        .target(
            name: "Migration",
            dependencies: [
                "IMAPClient", "IMAPCore", "MailStore", "MailArchive",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Batches of many mailboxes: the CSV file, jobs, state, provisioners (command, HTTP admin API), logs, report.
        .target(
            name: "Batch",
            dependencies: [
                "Migration", "IMAPClient", "MailStore", "MailArchive", "Transport", "COpenSSL", "CCurl",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // dns-check: MX TTLs, the move's phase, and where imap./smtp./pop3. lead, through libresolv.
        .target(name: "DNSCheck", dependencies: ["CResolv"]),
        // `serve`: the provider's form, CSV upload and the live status page (Hummingbird 2).
        .target(
            name: "Web",
            dependencies: [
                "Batch", "Migration", "IMAPClient", "DNSCheck", "MailStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Deterministic test/benchmark mailboxes and a loader that APPENDs them.
        .target(name: "MailCorpus", dependencies: ["IMAPClient", "IMAPCore"]),
        // Starts a private Dovecot on 127.0.0.1 for tests, the demo and benchmarks.
        .target(name: "DovecotHarness"),
        .executableTarget(
            name: "mailferry",
            dependencies: [
                "Migration", "IMAPClient", "IMAPCore", "MailStore", "MailArchive", "DovecotHarness", "MailCorpus",
                "Batch", "DNSCheck", "Web", "Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Benchmark driver used by bench/*.sh; not part of the product.
        .executableTarget(
            name: "mailferry-bench",
            dependencies: [
                "IMAPClient", "IMAPCore", "DovecotHarness", "MailCorpus", "Migration", "MailStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // What every test target shares: temporary directories, the one process runner.
        .target(name: "TestSupport", dependencies: ["DovecotHarness"], path: "Tests/TestSupport"),
        .testTarget(name: "IMAPCoreTests", dependencies: ["IMAPCore"]),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "TestSupport"]),
        .testTarget(name: "DNSCheckTests", dependencies: ["DNSCheck", "TestSupport"]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "Batch", "IMAPClient", "IMAPCore", "MailCorpus", "DovecotHarness", "TestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "DovecotHarness"]),
        .testTarget(name: "MailArchiveTests", dependencies: ["MailArchive", "TestSupport"]),
        .testTarget(
            name: "MailStoreTests",
            dependencies: ["MailStore", "IMAPCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "MigrationTests",
            dependencies: [
                "Migration", "MailStore", "MailArchive", "IMAPClient", "IMAPCore", "DovecotHarness", "MailCorpus",
                "TestSupport", "Batch", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "DovecotHarnessTests", dependencies: ["DovecotHarness"]),
        .testTarget(
            name: "IMAPClientTests",
            dependencies: [
                "IMAPClient", "IMAPCore", "DovecotHarness", "Migration", "Transport",
            ]),
    ]
)
