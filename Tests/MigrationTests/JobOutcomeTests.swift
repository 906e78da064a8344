import Foundation
import IMAPClient
import IMAPCore
import MailArchive
import MailStore
import Testing

@testable import Migration

@Suite("job outcomes: every error graded in one place")
struct JobOutcomeTests {
    static let refusedOverQuota = TaggedResponse(tag: "A1", status: .no, code: .overQuota, text: "quota")
    static let refusedAppend = TaggedResponse(tag: "A1", status: .no, code: nil, text: "no")

    @Test(
        "error → grade, kind, exit code",
        arguments: [
            (
                IMAPError.caFileUnusable(path: "/x", reason: "empty") as Error, JobFailure.Grade.configuration,
                JobFailure.Kind.configuration, Int32(2)
            ),
            (IMAPError.connectionRefused(host: "h", port: 1), .connection, .connect, 3),
            (IMAPError.timedOut(host: "h", operation: "read"), .connection, .connect, 3),
            (IMAPError.certificateRejected(host: "h", reason: "expired"), .connection, .tls, 3),
            (IMAPError.authenticationFailed(host: "h", user: "u", serverText: "no"), .connection, .auth, 3),
            (
                IMAPError.commandFailed(host: "h", command: "APPEND", mailbox: "INBOX", response: refusedOverQuota),
                .job, .overQuota, 1
            ),
            (
                IMAPError.commandFailed(host: "h", command: "APPEND", mailbox: "INBOX", response: refusedAppend), .job,
                .refused, 1
            ),
            (IMAPError.protocolViolation(host: "h", detail: "junk"), .connection, .protocolError, 3),
            (StoreError.locked(job: "j", holderPID: 1), .configuration, .configuration, 2),
            (StoreError.unknownJob(store: "s", job: "j"), .configuration, .configuration, 2),
            (StoreError.diskFull(path: "/s"), .job, .store, 1),
            (StoreError.corrupt(path: "/s", reason: "bad"), .job, .store, 1),
            (TargetOverQuota(host: "h", folder: "INBOX", serverText: "full"), .job, .overQuota, 1),
            (
                ArchiveError.libarchive(archivePath: "/a.tar", entryPath: nil, operation: "write", message: "bad"),
                .job, .archive, 1
            ),
            (CocoaError(.fileWriteUnknown), .job, .internal, 1),
        ])
    func grading(error: Error, grade: JobFailure.Grade, kind: JobFailure.Kind, exitCode: Int32) {
        let failure = JobFailure(classifying: error)
        #expect(failure.grade == grade)
        #expect(failure.kind == kind)
        #expect(JobOutcome(ending: error).exitCode == exitCode)
        #expect(!failure.message.isEmpty)
    }

    @Test("outcomes map to the spec's codes and job-state words")
    func outcomes() {
        #expect(JobOutcome(ending: JobStopped()) == .stopped)
        let table: [(JobOutcome, Int32, String)] = [
            (.done, 0, "done"), (.doneWithSkips(skipped: 2), 1, "done with skips"),
            (.different(problems: 1), 1, "different"),
            (.stopped, 130, "stopped"),
            (.failed(JobFailure(grade: .connection, kind: .auth, message: "x")), 3, "failed"),
        ]
        for (outcome, code, word) in table {
            #expect(outcome.exitCode == code && outcome.word == word, "\(outcome)")
        }
    }
}

@Suite("stop token")
struct StopTokenTests {
    @Test("a child stops with its parent, and alone without stopping the parent")
    func children() throws {
        let parent = StopToken()
        let alone = parent.child(), withParent = parent.child()
        alone.requestStop()
        #expect(alone.isStopRequested && !parent.isStopRequested && !withParent.isStopRequested)
        parent.requestStop()
        #expect(withParent.isStopRequested)
        #expect(throws: JobStopped.self) { try withParent.check() }
        #expect(parent.child().isStopRequested, "a child of a stopped token starts stopped")
    }

    @Test("a back-off sleep wakes at once when a stop is asked")
    func sleepWakes() async throws {
        let token = StopToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { token.requestStop() }
        let begin = Date()
        await #expect(throws: JobStopped.self) { try await token.sleep(seconds: 900) }
        // Generous: a saturated CI machine stalled every test for 20 s at start-up; the bound
        // only has to tell a woken sleep from one that ran its quarter of an hour.
        #expect(Date().timeIntervalSince(begin) < 180)
    }

    @Test("interrupters run once the grace period is over, not before, and not once cancelled")
    func overdue() async throws {
        let token = StopToken(grace: 0.3)
        let fired = Timestamps(), cancelledFired = Timestamps()
        _ = token.whenOverdue { fired.record() }
        let cancelled = token.whenOverdue { cancelledFired.record() }
        cancelled.cancel()
        let requested = Date()
        token.requestStop()
        let deadline = Date().addingTimeInterval(20)
        while fired.all.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(fired.all.count == 1, "ran once")
        #expect(fired.all.allSatisfy { $0.timeIntervalSince(requested) >= 0.29 }, "not during the grace period")
        #expect(cancelledFired.all.isEmpty, "a cancelled one never runs")
    }
}

final class Timestamps: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Date] = []
    func record() { lock.lock(); values.append(Date()); lock.unlock() }
    var all: [Date] { lock.lock(); defer { lock.unlock() }; return values }
}

@Suite("event JSON lines")
struct JobEventJSONTests {
    @Test(
        "each kind encodes as one flat object with the schema version",
        arguments: [
            (JobEvent.Kind.stepStarted, #""event":"step-started""#),
            (.folderPlanned(folder: "INBOX", target: "INBOX"), #""target":"INBOX""#),
            (.messagesMoved(folder: "Sent", messages: 3, bytes: 4096), #""bytes":4096"#),
            (.messageSkipped(folder: "Sent", uid: 7, reason: "too big"), #""uid":7"#),
            (.retry(folder: nil, error: "reset", delay: 1.234, attempt: 2, of: 5), #""delay":1.2"#),
            (
                .stepFinished(outcome: .failed(JobFailure(grade: .connection, kind: .auth, message: "bad login"))),
                #""failureKind":"auth""#
            ),
            (.stepFinished(outcome: .stopped), #""exitCode":130"#),
        ])
    func encoding(kind: JobEvent.Kind, contains fragment: String) throws {
        let line = JobEvent(time: Date(timeIntervalSince1970: 1_764_000_000), step: .push, kind: kind).jsonLine
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"at":"2025-11-24T16:00:00.000Z""#), "UTC with milliseconds: \(line)")
        #expect(line.contains(#""v":1"#) && line.contains(#""step":"push""#))
        #expect(line.contains(fragment), "\(line)")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?.values.allSatisfy { !($0 is [String: Any]) && !($0 is [Any]) } == true, "flat")
    }
}
