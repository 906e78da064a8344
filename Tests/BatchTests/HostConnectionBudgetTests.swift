import Foundation
import Testing

@testable import Batch

@Suite("per-host connection cap across a batch's jobs")
struct HostConnectionBudgetTests {
    @Test("a host is full when one more job would pass the cap; an idle host always takes one; names case-insensitive")
    func budget() {
        var budget = HostConnectionBudget(cap: 5, perJob: 2)
        #expect(budget.fullHosts.isEmpty)
        budget.start("imap.example.com")
        budget.start("IMAP.example.com")
        #expect(budget.fullHosts == ["imap.example.com"], "4 in use, a third job would make 6")
        budget.finish("imap.example.com")
        #expect(budget.fullHosts.isEmpty)
        var tight = HostConnectionBudget(cap: 1, perJob: 2)
        #expect(tight.fullHosts.isEmpty, "one job may always start, even above the cap")
        tight.start("a.example")
        #expect(tight.fullHosts == ["a.example"])
    }

    @Test("claims skip full hosts and take the next job of another host, in line order")
    func claimsSkipFullHosts() throws {
        let directory = NSTemporaryDirectory() + "hostcap-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteBatchStore(path: directory + "/batches.sqlite")
        let sealed = SealedCredentials(source: Data([1]), target: Data([2]))
        func row(_ line: Int, _ host: String, _ user: String) -> (BatchRow, SealedCredentials) {
            (
                BatchRow(
                    line: line, sourceServer: host, sourceUser: user, sourcePassword: "", sourcePort: 993,
                    sourceTLS: true,
                    targetUser: user, targetPassword: "", createMailbox: false), sealed
            )
        }
        let batch = try store.upsertBatch(
            name: "b", targetServer: "imaps://t:993",
            rows: [row(1, "Busy.example", "a"), row(2, "busy.example", "b"), row(3, "quiet.example", "c")])
        #expect(try store.claimNextJob(batchID: batch.id, skippingHosts: [])?.line == 1)
        #expect(try store.claimNextJob(batchID: batch.id, skippingHosts: ["busy.example"])?.line == 3)
        #expect(
            try store.claimNextJob(batchID: batch.id, skippingHosts: ["busy.example"]) == nil,
            "only busy.example's job is left")
        #expect(try store.claimNextJob(batchID: batch.id, skippingHosts: [])?.line == 2)
    }
}
