import Batch
import Foundation
import Hummingbird
import MailStore

extension WebApp {
    /// The batch behind a status token; nil for an unknown one (a 404, whatever the reason).
    func batch(token: String) async -> (BatchRecord, BatchWebAccess)? {
        guard token.count == 32, token.allSatisfy(\.isHexDigit) else { return nil }
        return (try? await store.batch(accessToken: token)) ?? nil
    }

    func statusPage(_ request: Request, token: String) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        let (session, cookie) = sessionCookie(request)
        let jobs = try await store.jobs(batchID: batch.id)
        let snapshot = StatusSnapshot(jobs: jobs, dns: await supervisor.dnsVerdict(batch, jobs: jobs))
        let base = "/status/\(token)"
        var values: [String: Any] = [
            "name": batch.name, "totals": snapshot.totals, "base": base, "csrf": csrf.token(for: session),
            "canRerun": batch.closedAt == nil,
            "jobs": snapshot.jobs.map { job -> [String: Any] in
                var values: [String: Any] = [
                    "id": job.id, "source": job.source, "target": job.target, "state": job.state,
                    "stateKey": job.stateKey, "percent": job.percent, "messages": job.messages, "bytes": job.bytes,
                    "rate": job.rate, "eta": job.eta, "base": base, "csrf": csrf.token(for: session),
                ]
                if let error = job.error { values["error"] = error }
                if let hint = job.hint { values["hint"] = hint }
                if let worker = job.worker { values["worker"] = worker }
                return values
            },
        ]
        if let dns = snapshot.dns { values["dns"] = dns }
        return Self.html(
            page(
                "Batch \(batch.name)", "status", values,
                extra: ["eventsURL": base + "/events", "pollURL": base + "/jobs.json"]),
            headers: cookie)
    }

    func statusJSON(token: String) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        let jobs = try await store.jobs(batchID: batch.id)
        let snapshot = StatusSnapshot(jobs: jobs, dns: await supervisor.dnsVerdict(batch, jobs: jobs))
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: snapshot.json)))
    }

    /// Server-sent events: the batch's snapshot whenever it changes (the runner writes progress
    /// every second), a comment every 15 s to keep proxies from closing an idle stream.
    func statusEvents(token: String) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        let store = self.store, supervisor = self.supervisor
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var last = ""
                var quiet = 0
                while !Task.isCancelled {
                    let jobs = (try? await store.jobs(batchID: batch.id)) ?? []
                    let snapshot = StatusSnapshot(jobs: jobs, dns: await supervisor.dnsVerdict(batch, jobs: jobs))
                    let json = snapshot.json
                    if json != last {
                        try await writer.write(ByteBuffer(string: "event: jobs\ndata: \(json)\n\n"))
                        last = json
                        quiet = 0
                    }
                    if snapshot.finished {
                        // Nothing more will change until someone resumes: end the stream and ask the
                        // browser not to reconnect for a day (a resume reloads the page anyway).
                        try await writer.write(ByteBuffer(string: "retry: 86400000\n\n"))
                        break
                    }
                    if quiet >= 15 {
                        try await writer.write(ByteBuffer(string: ": still here\n\n"))
                        quiet = 0
                    }
                    try await Task.sleep(for: .seconds(1))
                    quiet += 1
                }
                try await writer.finish(nil)
            })
    }

    func logsZip(token: String) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        let path = NSTemporaryDirectory() + "mailferry-logs-\(UUID().uuidString).zip"
        try BatchLogBundle.write(
            batch: batch, jobs: try await store.jobs(batchID: batch.id), storeRoot: configuration.storeRoot, to: path)
        defer { unlink(path) }
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/zip", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(StoreLayout.safeFileName(batch.name))-logs.zip\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The report as it is emailed (its HTML part), for the batch as it stands.
    func report(token: String) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        let jobs = try await store.jobs(batchID: batch.id)
        let started = jobs.compactMap(\.startedAt).min() ?? batch.createdAt
        let finished = jobs.compactMap(\.finishedAt).max() ?? Date()
        let report = BatchReport(batch: batch, jobs: jobs, started: started, finished: finished)
        return Self.html(report.html)
    }

    /// Pause, resume, stop (the batch or one job) and the differential sync; back to the page.
    func batchAction(_ request: Request, token: String, action: String, jobID: Int64?) async throws -> Response {
        guard let (batch, _) = await batch(token: token) else { return notFound() }
        guard try await verifiedForm(request) != nil else { return expired() }
        let jobs = jobID.map { [$0] }
        if let jobID, !(try await store.jobs(batchID: batch.id)).contains(where: { $0.id == jobID }) {
            return notFound()
        }
        switch action {
        case "pause": try await store.request(.pause, batchID: batch.id, jobIDs: jobs)
        case "stop": try await store.request(.stop, batchID: batch.id, jobIDs: jobs)
        case "resume":
            try await store.requeue(batchID: batch.id, jobIDs: jobs)
            await supervisor.start(batch)
        case "rerun" where jobID == nil:
            guard batch.closedAt == nil else { return Self.redirect("/status/\(token)") }
            if try await store.rerun(batchID: batch.id) > 0 { await supervisor.start(batch) }
        default:
            return notFound()
        }
        return Self.redirect("/status/\(token)")
    }
}
