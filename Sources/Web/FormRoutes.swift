import Batch
import DNSCheck
import Foundation
import Hummingbird
import IMAPClient

extension WebApp {
    func showForm(_ request: Request) throws -> Response {
        let (session, cookie) = sessionCookie(request)
        var form = MailboxForm()
        form.reportTo = configuration.prefillReportTo
        if !configuration.prefill.isEmpty {
            form.rows = configuration.prefill.map {
                MailboxForm.Row(
                    server: $0.server, sourceEmail: $0.sourceEmail, targetEmail: $0.targetEmail, port: String($0.port),
                    tls: $0.tls)
            }
        }
        return Self.html(formPage(form, errors: [:], session: session), headers: cookie)
    }

    /// The session of the request, or a new one with the header that sets it.
    func sessionCookie(_ request: Request) -> (String, HTTPFields) {
        if let session = CSRFProtection.session(fromCookieHeader: request.headers[.cookie]), session.count == 32 {
            return (session, [:])
        }
        let session = CSRFProtection.newSession()
        return (session, [.setCookie: CSRFProtection.setCookie(session, secure: configuration.secureCookies)])
    }

    func verifiedForm(_ request: Request) async throws -> (FormBody, String)? {
        let body = try await FormBody.read(request, limit: configuration.maxBodyBytes)
        let session = CSRFProtection.session(fromCookieHeader: request.headers[.cookie])
        guard csrf.isValid(token: body.fields["csrf"], session: session), let session else { return nil }
        return (body, session)
    }

    func expired() -> Response {
        Self.html(
            page(
                "Form expired", "notFound", [:]
            ).replacingOccurrences(
                of: "<h1>Not found</h1>",
                with: "<h1>This form has expired</h1><p>It was not sent: load the page again and resubmit.</p>"),
            status: .forbidden)
    }

    func postForm(_ request: Request) async throws -> Response {
        let body: FormBody, session: String
        do {
            guard let verified = try await verifiedForm(request) else { return expired() }
            (body, session) = verified
        } catch is FormBody.TooLarge {
            return Self.html(
                page("Too large", "notFound", [:]).replacingOccurrences(
                    of: "<h1>Not found</h1>",
                    with:
                        "<h1>Too large</h1><p>The form or file is over \(configuration.maxBodyBytes / 1_048_576) MiB.</p>"
                ),
                status: .contentTooLarge)
        }
        var form = MailboxForm(fields: body.fields)
        let action = body.fields["action"] ?? "submit"
        if action == "add" {
            form.rows.append(MailboxForm.Row())
            return Self.html(formPage(form, errors: [:], session: session))
        }
        if action.hasPrefix("remove_"), let index = Int(action.dropFirst(7)), form.rows.indices.contains(index) {
            if form.rows.count > 1 { form.rows.remove(at: index) }
            return Self.html(formPage(form, errors: [:], session: session))
        }
        var (file, errors) = form.validate()
        var csvProblems: [String] = []
        if let csv = body.csv {
            let uploaded = BatchFile(text: csv)
            csvProblems = uploaded.problems.map(\.description)
            file = uploaded
            // The rows typed are not used with a file: only their errors about the file count.
            errors = errors.filter { !$0.key.hasPrefix("row") }
            if !uploaded.rows.contains(where: \.createMailbox) {
                errors["admin_login"] = nil
                errors["admin_password"] = nil
            } else if form.adminLogin.isEmpty || form.adminPassword.isEmpty {
                errors["admin_login"] = errors["admin_login"] ?? "Login: required to create mailboxes"
            }
        }
        if file.rows.contains(where: \.createMailbox) && configuration.makeProvisioner == nil {
            errors["form"] =
                "This server cannot create mailboxes (it runs without a provisioner): create them first, or untick “Create mailbox if it does not exist”."
        }
        guard errors.isEmpty && csvProblems.isEmpty && file.isValid else {
            return Self.html(
                formPage(form, errors: errors, session: session, csvProblems: csvProblems),
                status: .unprocessableContent)
        }
        if action == "check" {
            let results = await connectionTest(file.rows, form: form)
            return Self.html(formPage(form, errors: [:], session: session, connectionTest: results))
        }
        let token = try await startBatch(file.rows, form: form)
        return Self.redirect("/status/\(token)")
    }

    /// Stores the batch (credentials sealed), gives it a status page and starts it.
    func startBatch(_ rows: [BatchRow], form: MailboxForm) async throws -> String {
        let sealed = try rows.map {
            ($0, SealedCredentials(source: try box.seal($0.sourcePassword), target: try box.seal($0.targetPassword)))
        }
        let name = "web-" + StoreLayoutName.timestamp() + "-" + String(CSRFProtection.newSession().prefix(6))
        let batch = try await store.upsertBatch(
            name: name, targetServer: Self.serverText(configuration.targetServer), rows: sealed)
        let access = try await store.grantWebAccess(batchID: batch.id, reportTo: form.reportTo)
        if rows.contains(where: \.createMailbox) {
            try await store.saveAdministrator(
                batchID: batch.id, user: form.adminLogin.isEmpty ? nil : form.adminLogin,
                sealedPassword: form.adminPassword.isEmpty ? nil : try box.seal(form.adminPassword))
        }
        Task { await supervisor.start(batch) }
        return access.token
    }

    static func serverText(_ endpoint: IMAPEndpoint) -> String {
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        return "\(endpoint.security == .implicitTLS ? "imaps" : "imap")://\(host):\(endpoint.port)"
    }

    func connectionTest(_ rows: [BatchRow], form: MailboxForm) async -> [String: Any] {
        var check = BatchCheck(
            targetServer: configuration.targetServer, concurrency: 8, configure: configuration.configure)
        if let make = configuration.makeProvisioner {
            check.provisioner = try? make(
                form.adminLogin.isEmpty ? nil : form.adminLogin, form.adminPassword.isEmpty ? nil : form.adminPassword)
        }
        let lines = await check.run(rows)
        func words(_ result: LoginCheck) -> (String, String?) {
            switch result {
            case .ok: return ("ok", nil)
            case .toBeCreated: return ("to be created", nil)
            case .failed(let kind, let message, let hint): return ("failed (\(kind.rawValue)): \(message)", hint)
            }
        }
        return [
            "lines": lines.map { line -> [String: Any] in
                let (source, sourceHint) = words(line.source), (target, targetHint) = words(line.target)
                var values: [String: Any] = [
                    "row": line.row.line, "source": line.row.sourceUser, "sourceResult": source, "targetResult": target,
                ]
                if line.isOK { values["ok"] = true }
                if let sourceHint { values["sourceHint"] = sourceHint }
                if let targetHint { values["targetHint"] = targetHint }
                return values
            }
        ]
    }

    func formPage(
        _ form: MailboxForm, errors: MailboxForm.Errors, session: String, csvProblems: [String] = [],
        connectionTest: [String: Any]? = nil
    ) -> String {
        func field(
            _ id: String, _ name: String, _ label: String, type: String, value: String, autocomplete: String? = nil,
            placeholder: String? = nil
        ) -> [String: Any] {
            var values: [String: Any] = ["id": id, "name": name, "label": label, "type": type, "value": value]
            if let error = errors[id] { values["error"] = error }
            if let autocomplete { values["autocomplete"] = autocomplete }
            if let placeholder { values["placeholder"] = placeholder }
            return values
        }
        func check(_ id: String, _ name: String, _ label: String, checked: Bool) -> [String: Any] {
            var values: [String: Any] = ["id": id, "name": name, "label": label]
            if checked { values["checked"] = true }
            if let error = errors[id] { values["error"] = error }
            return values
        }
        let rows = form.rows.enumerated().map { index, row -> [String: Any] in
            let prefix = "row\(index + 1)-"
            var values: [String: Any] = [
                "index": index, "number": index + 1,
                "fields": [
                    field(
                        prefix + "server", "server_\(index)", "IMAP server", type: "text", value: row.server,
                        placeholder: "imap.example.com"),
                    field(
                        prefix + "source_email", "source_email_\(index)", "Source email", type: "email",
                        value: row.sourceEmail, autocomplete: "off"),
                    field(
                        prefix + "source_password", "source_password_\(index)", "Source password", type: "password",
                        value: "", autocomplete: "new-password"),
                    field(
                        prefix + "target_email", "target_email_\(index)", "Destination email", type: "email",
                        value: row.targetEmail, autocomplete: "off", placeholder: "the source email"),
                    field(
                        prefix + "target_password", "target_password_\(index)", "Destination password",
                        type: "password", value: "", autocomplete: "new-password", placeholder: "the source password"),
                    field(prefix + "port", "port_\(index)", "Port", type: "number", value: row.port),
                ],
                "checks": [
                    check(prefix + "tls", "tls_\(index)", "Use TLS", checked: row.tls),
                    check(
                        prefix + "create", "create_\(index)", "Create mailbox if it does not exist", checked: row.create
                    ),
                ],
            ]
            if let error = errors["row\(index + 1)"] { values["rowError"] = error }
            return values
        }
        var values: [String: Any] = [
            "csrf": csrf.token(for: session), "rowCount": form.rows.count, "rows": rows,
            "admin": [
                field(
                    "admin_login", "admin_login", "Login", type: "text", value: form.adminLogin,
                    autocomplete: "username"),
                field(
                    "admin_password", "admin_password", "Password", type: "password", value: "",
                    autocomplete: "current-password"),
            ],
            "report": [
                field(
                    "report_to", "report_to", "Email address to receive migration results", type: "email",
                    value: form.reportTo, autocomplete: "email")
            ],
        ]
        let count = errors.count + (csvProblems.isEmpty ? 0 : 1)
        if count > 0 { values["errorCount"] = count }
        if let formError = errors["form"] { values["notice"] = formError }
        if !csvProblems.isEmpty {
            values["csvError"] = true
            values["csvProblems"] = csvProblems
        }
        if let connectionTest { values["connectionTest"] = connectionTest }
        return page("Migrate mailboxes", "form", values)
    }
}

/// Batch names from the web: `web-20261201T101500Z-1a2b3c`.
enum StoreLayoutName {
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
