import Batch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import MailStore
import Mustache
import NIOSSL

/// `serve`'s application: the form, the status pages and their actions, the assets. One
/// `WebApp` is built by the command and by the tests alike.
public struct WebApp: Sendable {
    public let configuration: WebConfiguration
    let store: any BatchStore
    let box: SecretBox
    let supervisor: BatchSupervisor
    let templates: MustacheLibrary
    let csrf: CSRFProtection

    public init(configuration: WebConfiguration) throws {
        self.configuration = configuration
        try FileManager.default.createDirectory(
            atPath: configuration.storeRoot, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        store = try configuration.sharedStore ?? SQLiteBatchStore(path: configuration.storeRoot + "/batches.sqlite")
        box = try configuration.secretBox ?? SecretBox.load(keyFile: configuration.storeRoot + "/batch.key")
        supervisor = BatchSupervisor(configuration: configuration, store: store, box: box)
        templates = try PageTemplates.library()
        csrf = CSRFProtection(key: configuration.csrfKey)
    }

    /// The Hummingbird application listening on `host:port`, with TLS when given a PEM
    /// certificate chain and key.
    /// `onRunning` is told the port once the server listens (the one the system chose for port 0).
    public func application(
        host: String, port: Int, tls: (certificate: String, key: String)? = nil, logger: Logger? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var server: HTTPServerBuilder = .http1()
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            server = try .tls(
                .http1(),
                tlsConfiguration: TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(key)))
        }
        return Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "mailferry"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// Every batch started from the web that still has work goes on (after a restart).
    public func resumeUnfinished() async throws { try await supervisor.resumeUnfinished() }

    /// Waits for the batches this process runs (tests).
    public func waitForBatches() async { await supervisor.waitForAll() }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.get("/") { request, _ in try self.showForm(request) }
        router.post("/") { request, _ in try await self.postForm(request) }
        router.get("/assets/style.css") { _, _ in Self.asset(Assets.style, type: "text/css; charset=utf-8") }
        router.get("/assets/app.js") { _, _ in Self.asset(Assets.script, type: "text/javascript; charset=utf-8") }
        router.get("/status/:token") { request, context in
            try await self.statusPage(request, token: context.parameters.require("token"))
        }
        router.get("/status/:token/jobs.json") { _, context in
            try await self.statusJSON(token: context.parameters.require("token"))
        }
        router.get("/status/:token/events") { _, context in
            try await self.statusEvents(token: context.parameters.require("token"))
        }
        router.get("/status/:token/logs.zip") { _, context in
            try await self.logsZip(token: context.parameters.require("token"))
        }
        router.get("/status/:token/report") { _, context in
            try await self.report(token: context.parameters.require("token"))
        }
        router.post("/status/:token/:action") { request, context in
            try await self.batchAction(
                request, token: context.parameters.require("token"), action: context.parameters.require("action"),
                jobID: nil)
        }
        router.post("/status/:token/jobs/:job/:action") { request, context in
            try await self.batchAction(
                request, token: context.parameters.require("token"), action: context.parameters.require("action"),
                jobID: Int64(context.parameters.require("job")))
        }
        return router
    }

    // MARK: rendering

    func page(_ title: String, _ template: String, _ values: [String: Any], extra: [String: Any] = [:]) -> String {
        let content = templates.render(values, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "content": content]
        for (key, value) in extra { layout[key] = value }
        return templates.render(layout, withTemplate: "layout") ?? content
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func notFound() -> Response {
        Self.html(page("Not found", "notFound", [:]), status: .notFound)
    }
}

/// Headers every answer carries: no framing, no inline script, no sniffing, no referrer.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }
}
