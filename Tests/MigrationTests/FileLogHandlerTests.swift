import Foundation
import Logging
import Migration
import TestSupport
import Testing

@Suite("the job log file")
struct FileLogHandlerTests {
    @Test("a write error (a full disk: /dev/full) drops the line instead of trapping the process")
    func writeErrorDoesNotTrap() throws {
        let handler = try FileLogHandler(path: "/dev/full")
        let logger = Logger(label: "test") { _ in handler }
        // FileHandle.write(_:) would end this test process here; the lines are dropped instead.
        for index in 0..<3 { logger.error("the disk is full \(index)") }
    }

    @Test("lines lost while the disk was full are counted in the log once there is space again")
    func lostLinesAreCounted() throws {
        let directory = try TemporaryDirectory()
        let mountPoint = directory.path + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        _ = try run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", mountPoint])
        defer { _ = try? run(["umount", "-l", mountPoint]) }
        let path = mountPoint + "/job.log"
        let handler = try FileLogHandler(path: path)
        let logger = Logger(label: "test") { _ in handler }
        let filler = String(repeating: "x", count: 1000)
        for index in 0..<20 { logger.info("line \(index) \(filler)") }
        let full = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!full.contains("line 19 "), "the tmpfs holds fewer than 20 such lines")
        _ = try run(["mount", "-o", "remount,size=1m", mountPoint])
        logger.info("space again")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("log line(s) were lost to a write error"), "\(text.suffix(300))")
        #expect(text.hasSuffix("space again\n"))
    }
}
