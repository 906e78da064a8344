import ArgumentParser
import Batch
import Foundation

struct BatchStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a batch's jobs: state, messages, bytes, skips, last error (all batches when none is named).",
        discussion: """
            Examples:
              mailferry batch status acme
              mailferry batch status acme --watch
              mailferry batch status --json
            """)

    @Argument(help: "Batch name.") var batch: String?
    @OptionGroup var batchStore: BatchStoreOptions
    @ArgumentParser.Flag(help: "Print as JSON.") var json = false
    @ArgumentParser.Flag(help: "Print again every 2 seconds until every job has ended.") var watch = false

    func run() async throws {
        try await reportingFailures {
            let batches = try await batchStore.open()
            guard let name = batch else {
                let all = try await batches.batches()
                var lines: [String] = []
                for batch in all {
                    lines.append(
                        "\(batch.name)  \(BatchStatusText.counts(try await batches.jobs(batchID: batch.id)))  runs \(batch.runs)"
                            + (batch.closedAt == nil ? "" : "  (closed)"))
                }
                if let shared = batches as? PostgresBatchStore, !json {
                    lines.append(contentsOf: BatchStatusText.workers(try await shared.workers(), now: Date()))
                }
                try emit(
                    all, json: json,
                    text: ((all.isEmpty ? ["No batches in \(batchStore.place)."] : []) + lines)
                        .joined(separator: "\n"))
                return
            }
            let record = try await batchStore.batch(named: name, in: batches)
            while true {
                let jobs = try await batches.jobs(batchID: record.id)
                try emit(
                    jobs, json: json,
                    text: "Batch \(record.name) → \(record.targetServer)\n" + BatchStatusText.table(jobs))
                guard watch, jobs.contains(where: { !$0.state.isFinal }) else { break }
                try await Task.sleep(for: .seconds(2))
                if !json { print("") }
            }
        }
    }
}

/// `batch pause` and `batch stop`: a request the running batch process acts on within seconds.
struct BatchPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract:
            "Pause a batch's jobs (all, or those named by source account) at their next commit; `batch resume` goes on."
    )
    @Argument(help: "Batch name.") var batch: String
    @Argument(help: "Jobs, by source account (default: all).") var jobs: [String] = []
    @OptionGroup var batchStore: BatchStoreOptions

    func run() async throws {
        try await reportingFailures { try await requestBatch(.pause, batch: batch, jobs: jobs, options: batchStore) }
    }
}

struct BatchStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a batch's jobs (all, or those named) at their next commit; they stay stopped until resumed.")
    @Argument(help: "Batch name.") var batch: String
    @Argument(help: "Jobs, by source account (default: all).") var jobs: [String] = []
    @OptionGroup var batchStore: BatchStoreOptions

    func run() async throws {
        try await reportingFailures { try await requestBatch(.stop, batch: batch, jobs: jobs, options: batchStore) }
    }
}

func requestBatch(
    _ request: BatchRequest, batch name: String, jobs names: [String], options: BatchStoreOptions
) async throws {
    let batches = try await options.open()
    let batch = try await options.batch(named: name, in: batches)
    try await batches.request(
        request, batchID: batch.id, jobIDs: try await options.jobIDs(names, batch: batch, in: batches))
    print(
        "\(request == .pause ? "Pausing" : "Stopping") \(names.isEmpty ? "every job" : names.joined(separator: ", ")) of batch \(batch.name); running jobs end at their next commit."
    )
}

struct BatchResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract:
            "Queue a batch's paused and stopped jobs again and run them here (or let the running batch process take them).",
        discussion: """
            Jobs that were running when their process died are taken up again too; every job is finished exactly once.
            Examples:
              mailferry batch resume acme
              mailferry batch resume acme user@example.com
            """)
    @Argument(help: "Batch name.") var batch: String
    @Argument(help: "Jobs, by source account (default: all).") var jobs: [String] = []
    @OptionGroup var running: BatchRunningOptions
    var json: Bool { running.json }

    func run() async throws {
        try await reportingFailures {
            let batchStore = running.batchStore
            let batches = try await batchStore.open()
            let record = try await batchStore.batch(named: batch, in: batches)
            try await batches.requeue(
                batchID: record.id, jobIDs: try await batchStore.jobIDs(jobs, batch: record, in: batches))
            try await running.run(record, batches: batches)
        }
    }
}

struct BatchCloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Wipe a batch's kept credentials; its jobs, logs and history stay. Run the file again to reopen it.")
    @Argument(help: "Batch name.") var batch: String
    @OptionGroup var batchStore: BatchStoreOptions

    func run() async throws {
        try await reportingFailures {
            let batches = try await batchStore.open()
            let record = try await batchStore.batch(named: batch, in: batches)
            try await batches.close(batchID: record.id)
            print("Batch \(record.name) closed: its credentials are wiped.")
        }
    }
}

struct BatchLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Write every log of a batch (its own and each job's per step) into one zip, newest last.",
        discussion: """
            Examples:
              mailferry batch logs acme -o acme-logs.zip
            """)
    @Argument(help: "Batch name.") var batch: String
    @Option(name: .shortAndLong, help: "The zip to write (must not exist).") var output: String
    @OptionGroup var batchStore: BatchStoreOptions

    func run() async throws {
        try await reportingFailures {
            guard !FileManager.default.fileExists(atPath: output) else {
                throw CommandFailure(message: "\(output) exists; name a new file", exitCode: .badInput)
            }
            let batches = try await batchStore.open()
            let record = try await batchStore.batch(named: batch, in: batches)
            let entries = try BatchLogBundle.write(
                batch: record, jobs: try await batches.jobs(batchID: record.id), storeRoot: batchStore.store, to: output
            )
            print("Wrote \(entries.count) logs of batch \(record.name) to \(output)")
        }
    }
}

struct BatchReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a batch's last report, or send it again (--resend) after a failed delivery.",
        discussion: """
            Examples:
              mailferry batch report acme
              mailferry batch report acme --resend --report-to admin@example.com --smtp-server smtp://smtp.example.com:587 --smtp-user reports
            """)
    @Argument(help: "Batch name.") var batch: String
    @ArgumentParser.Flag(help: "Send the last report again.") var resend = false
    @OptionGroup var report: ReportOptions
    @OptionGroup var batchStore: BatchStoreOptions

    func run() async throws {
        try await reportingFailures {
            let batches = try await batchStore.open()
            let record = try await batchStore.batch(named: batch, in: batches)
            let directory = BatchReports.directory(storeRoot: batchStore.store, batch: record.name)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
                $0.hasSuffix(".eml")
            }.sorted()
            guard let last = names.last else {
                throw CommandFailure(
                    message: "batch \(record.name) has no report yet (it is written when a run ends)",
                    exitCode: .badInput)
            }
            let path = "\(directory)/\(last)"
            guard resend else {
                let jobs = try await batches.jobs(batchID: record.id)
                print(BatchReport(batch: record, jobs: jobs, started: record.createdAt, finished: Date()).text)
                print("\n(last report sent or kept: \(path))")
                return
            }
            guard !report.reportTo.isEmpty, let sender = try report.sender() else {
                throw CommandFailure(message: "--resend needs --report-to and --smtp-server", exitCode: .badInput)
            }
            let message = try Data(contentsOf: URL(fileURLWithPath: path))
            try BatchReports.send(message, path: path, sender: sender, from: report.reportFrom, to: report.reportTo)
        }
    }
}

struct BatchRerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract:
            "The differential pass after the MX switch, without the file: every job runs again with its kept credentials.",
        discussion: """
            Only what is new or changed at the source moves. Needs the credentials a run keeps until `batch close`.
            Examples:
              mailferry batch rerun acme --report-to admin@example.com --smtp-server smtp://smtp.example.com:587
            """)
    @Argument(help: "Batch name.") var batch: String
    @OptionGroup var running: BatchRunningOptions
    var json: Bool { running.json }

    func run() async throws {
        try await reportingFailures {
            let batchStore = running.batchStore
            let batches = try await batchStore.open()
            let record = try await batchStore.batch(named: batch, in: batches)
            guard record.closedAt == nil else {
                throw CommandFailure(
                    message: "batch \(record.name) is closed (its credentials are wiped): run its file again",
                    exitCode: .badInput)
            }
            _ = try await batches.rerun(batchID: record.id)
            try await running.run(try await batchStore.batch(named: batch, in: batches), batches: batches)
        }
    }
}

/// What `batch resume` and `batch rerun` share: how to run the queue here, and its report.
struct BatchRunningOptions: ParsableArguments {
    @Option(help: "Mailboxes migrated at once.") var concurrency = 4
    @Option(help: "Connections all running jobs may hold on one source server together.") var perHostConnections = 8
    @OptionGroup var batchStore: BatchStoreOptions
    @OptionGroup var provisioning: ProvisionerOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var encryption: EncryptOptions
    @ArgumentParser.Flag(help: "Print the final job table as JSON.") var json = false
    @ArgumentParser.Flag(help: "With --db: queue the jobs for the workers and return at once.") var detach = false

    /// Runs the batch's queued jobs in this process, then the table and the exit code.
    func run(_ record: BatchRecord, batches: any BatchStore) async throws {
        let jobs = try await runBatchHere(
            record, batches: batches, box: try batchStore.secretBox(), server: try parseServer(record.targetServer),
            connection: connection, concurrency: concurrency, storeRoot: batchStore.store,
            provisioner: try provisioning.make(), report: report, perHostConnections: perHostConnections,
            archiveKey: try encryption.sealingKey(), detach: detach)
        try finishBatch(jobs, json: json)
    }
}
