/// Renders Dovecot's passwd-file: `user:{PLAIN}password:uid:gid::home::extra fields`.
///
/// Dovecot splits the first fields on ':' with no escaping, so a ':' cannot appear in a password.
/// Everything else is taken byte for byte: quotes, backslashes, spaces (even leading/trailing),
/// '{' after the explicit `{PLAIN}` prefix, '%' (not expanded) and UTF-8. Tabs and other control
/// characters are rejected because a tab-containing password never authenticates.
struct PasswdFile {
    struct Entry {
        var login: String
        var password: String
        var home: String
        var quotaBytes: Int?
    }

    var entries: [Entry]
    var uid: UInt32
    var gid: UInt32

    /// Validates users and assigns each a home under `homeRoot`.
    init(users: [DovecotUser], homeRoot: String, uid: UInt32, gid: UInt32) throws {
        var seen = Set<String>()
        entries = try users.map { user in
            let login = try Self.validatedLogin(user.name)
            guard seen.insert(login).inserted else {
                throw DovecotHarnessError.invalidConfiguration(
                    "duplicate user \"\(user.name)\" (logins are case-insensitive)")
            }
            try Self.validate(password: user.password, of: user.name)
            if let quota = user.quotaBytes, quota < 1 {
                // storage=0 means "unlimited" to Dovecot, the opposite of what 0 suggests.
                throw DovecotHarnessError.invalidConfiguration(
                    "quotaBytes of \(user.name) must be at least 1, or nil for no quota")
            }
            return Entry(
                login: login, password: user.password, home: "\(homeRoot)/\(login)", quotaBytes: user.quotaBytes)
        }
        self.uid = uid
        self.gid = gid
    }

    var text: String {
        entries.map { entry in
            var extra = ""
            if let quota = entry.quotaBytes { extra = "userdb_quota_rule=*:storage=\(quota)B" }
            return "\(entry.login):{PLAIN}\(entry.password):\(uid):\(gid)::\(entry.home)::\(extra)\n"
        }.joined()
    }

    /// Login names double as directory names, so only a conservative ASCII set is accepted.
    static func validatedLogin(_ name: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._@+-")
        let login = name.lowercased()
        guard !login.isEmpty, login.allSatisfy(allowed.contains), !login.hasPrefix("."), !login.hasPrefix("-") else {
            throw DovecotHarnessError.invalidConfiguration(
                "user name \"\(name)\" must be non-empty ASCII letters, digits or . _ @ + - and not start with . or -")
        }
        return login
    }

    static func validate(password: String, of user: String) throws {
        guard !password.isEmpty else {
            throw DovecotHarnessError.invalidConfiguration("password of \(user) is empty")
        }
        guard !password.contains(":") else {
            throw DovecotHarnessError.invalidConfiguration(
                "password of \(user) contains ':', which passwd-file cannot store")
        }
        guard !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw DovecotHarnessError.invalidConfiguration("password of \(user) contains a control character")
        }
    }
}
