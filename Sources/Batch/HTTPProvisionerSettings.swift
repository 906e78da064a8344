import Foundation

/// The `"type": "http"` provisioner's configuration: a hosting panel's admin API.
///
///     {"type": "http", "baseURL": "https://panel.example/api/v1", "auth": "basic",
///      "create": {"method": "POST", "path": "/mailboxes",
///                 "json": {"address": "{{address}}", "password": "{{password}}", "quotaMB": 2048}},
///      "check": {"method": "GET", "path": "/whoami"},
///      "statuses": {"created": [201], "exists": [409], "badPassword": [422], "noRights": [401, 403]}}
///
/// Placeholders: `{{address}}`, `{{local}}` and `{{domain}}` (the address's two halves),
/// `{{password}}` (the new mailbox's), `{{adminUser}}`. In a path they are percent-encoded, in a
/// JSON body they become the string's content (JSON-escaped by the encoder), in a form body
/// form-encoded.
public struct HTTPProvisionerSettings: Decodable, Sendable, Equatable {
    public var baseURL: String
    /// `basic` (admin login and password), `bearer` (the admin password is the token),
    /// `header` (the admin password in `authHeader`), or `none`.
    public var auth: Auth = .basic
    public var authHeader: String?
    /// A PEM file of the CAs that vouch for the panel; the system's trust store when absent.
    public var caFile: String?
    public var create: RequestTemplate
    /// A request that needs the admin rights but changes nothing, for `batch check`.
    public var check: RequestTemplate?
    public var statuses: StatusMeaning = StatusMeaning()
    public var timeoutSeconds: Double = 30
    /// Tries of a request the panel answered 429 or 5xx to, or that met a network failure.
    public var attempts: Int = 3

    public enum Auth: String, Decodable, Sendable {
        case basic, bearer, header, none
    }

    public struct RequestTemplate: Decodable, Sendable, Equatable {
        public var method: String = "POST"
        public var path: String
        public var headers: [String: String] = [:]
        /// A JSON body whose strings may hold placeholders.
        public var json: JSONTemplate?
        /// A form body (application/x-www-form-urlencoded), its values may hold placeholders.
        public var form: [String: String]?

        enum CodingKeys: String, CodingKey { case method, path, headers, json, form }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            method = try container.decodeIfPresent(String.self, forKey: .method)?.uppercased() ?? "POST"
            path = try container.decode(String.self, forKey: .path)
            headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
            json = try container.decodeIfPresent(JSONTemplate.self, forKey: .json)
            form = try container.decodeIfPresent([String: String].self, forKey: .form)
        }
    }

    /// Which HTTP statuses mean what. Any other status is a failure that names it.
    public struct StatusMeaning: Decodable, Sendable, Equatable {
        public var created: [Int] = [200, 201, 204]
        public var exists: [Int] = [409]
        public var badPassword: [Int] = [422]
        public var noRights: [Int] = [401, 403]

        public init() {}

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = StatusMeaning()
            created = try container.decodeIfPresent([Int].self, forKey: .created) ?? defaults.created
            exists = try container.decodeIfPresent([Int].self, forKey: .exists) ?? defaults.exists
            badPassword = try container.decodeIfPresent([Int].self, forKey: .badPassword) ?? defaults.badPassword
            noRights = try container.decodeIfPresent([Int].self, forKey: .noRights) ?? defaults.noRights
        }

        enum CodingKeys: String, CodingKey { case created, exists, badPassword, noRights }
    }

    enum CodingKeys: String, CodingKey {
        case baseURL, auth, authHeader, caFile, create, check, statuses, timeoutSeconds, attempts
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try container.decode(String.self, forKey: .baseURL)
        auth = try container.decodeIfPresent(Auth.self, forKey: .auth) ?? .basic
        authHeader = try container.decodeIfPresent(String.self, forKey: .authHeader)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        create = try container.decode(RequestTemplate.self, forKey: .create)
        check = try container.decodeIfPresent(RequestTemplate.self, forKey: .check)
        statuses = try container.decodeIfPresent(StatusMeaning.self, forKey: .statuses) ?? StatusMeaning()
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30
        attempts = max(1, try container.decodeIfPresent(Int.self, forKey: .attempts) ?? 3)
    }

    /// What the configuration cannot be used for, found before any mailbox is created.
    func problems() -> [String] {
        var problems: [String] = []
        if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        {
            if scheme == "http" && !["127.0.0.1", "::1", "localhost"].contains(url.host ?? "") {
                problems.append("\"baseURL\" is plain http: the admin password would cross the network in clear")
            }
        } else {
            problems.append("\"baseURL\" \"\(baseURL)\" is not an http(s) URL")
        }
        if auth == .header && (authHeader ?? "").isEmpty {
            problems.append("\"auth\": \"header\" needs \"authHeader\", the header's name")
        }
        for (name, template) in [("create", create)] + (check.map { [("check", $0)] } ?? []) {
            if !template.path.hasPrefix("/") { problems.append("\"\(name).path\" must start with \"/\"") }
            if template.json != nil && template.form != nil {
                problems.append("\"\(name)\" has both \"json\" and \"form\": pick one body")
            }
        }
        return problems
    }
}

/// A JSON value whose strings may hold `{{placeholders}}`.
public indirect enum JSONTemplate: Decodable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONTemplate])
    case object([String: JSONTemplate])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONTemplate].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONTemplate].self))
        }
    }

    /// The value with placeholders filled, for JSONSerialization.
    func filled(_ fill: (String) -> String) -> Any {
        switch self {
        case .string(let text): return fill(text)
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? Int64(number) as Any : number as Any
        case .bool(let value): return value
        case .null: return NSNull()
        case .array(let items): return items.map { $0.filled(fill) }
        case .object(let members): return members.mapValues { $0.filled(fill) }
        }
    }
}
