import Foundation
import NIOSSL
import PostgresNIO

/// Where the shared batch database is: `postgres://user@host[:port]/database[?sslmode=…]`. The
/// password never travels in the URL (process lists show arguments): it comes from
/// MAILFERRY_DB_PASSWORD, or the first line of a password file.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode

    public enum TLSMode: String, Sendable {
        /// Loopback or a private network the admin trusts.
        case disable
        /// TLS with the server's certificate verified against the system CAs (the default off loopback).
        case require
    }

    /// Parses the URL; a password inside it is refused, so it cannot leak through `ps`.
    public init(url text: String, password: String?) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else {
            throw PostgresLocationInvalid(
                url: text, reason: "give postgres://user@host[:port]/database (the password in MAILFERRY_DB_PASSWORD)")
        }
        guard components.password == nil else {
            throw PostgresLocationInvalid(
                url: "postgres://\(user):…@\(host)",
                reason: "a password in the URL shows in every process list; put it in MAILFERRY_DB_PASSWORD instead")
        }
        self.host = host
        port = components.port ?? 5432
        self.user = user
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        self.password = password
        let isLoopback = ["127.0.0.1", "::1", "localhost"].contains(host)
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
        case nil: tls = isLoopback ? .disable : .require
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require
        case let other?:
            throw PostgresLocationInvalid(url: text, reason: "sslmode=\(other): use disable or require")
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: tls == .require ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// One connection, for the reachability check before the pool starts (the pool retries a
    /// refused connection forever instead of saying so).
    var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: user, password: password, database: database,
                tls: tls == .require ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
            )
            configuration.options.connectTimeout = .seconds(10)
            return configuration
        }
    }

    /// Never with a password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

public struct PostgresLocationInvalid: Error, CustomStringConvertible, Sendable {
    public var url: String
    public var reason: String
    public var description: String { "--db \(url): \(reason)" }
}

/// A PostgreSQL operation that failed, with the database named (never its password).
public struct PostgresStoreError: Error, CustomStringConvertible, @unchecked Sendable {
    public var location: PostgresLocation
    public var operation: String
    public var underlying: Error

    public var description: String {
        "\(location): \(operation) failed: \(Self.describe(underlying))"
    }

    /// What went wrong, in words: the server's message, else what broke the connection
    /// (PSQLError's own description says nothing, to keep queries out of logs).
    public static func describe(_ error: Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        return error.underlying.map { "\($0)" } ?? "\(error.code)"
    }
}
