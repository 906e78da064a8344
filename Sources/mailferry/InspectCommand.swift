import ArgumentParser
import Foundation
import MailArchive
import Migration

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Show an archive's folders, counts, sizes and pass info, and re-hash every message against its manifest.",
        discussion: """
            Exit 0 when every message matches its manifest, 1 when one does not (listed), 2 when the file is not a \
            mailferry archive.

            Examples:
              mailferry inspect mailferry-data/user@imap.example.com/archives/2026-11-25T10-15-00Z-full.tar
              mailferry inspect ARCHIVE --extract /tmp/restored --json
            """)

    @Argument(help: "An archive written by pull.") var archive: String
    @Option(help: "Also unpack the archive into this folder.") var extract: String?
    @ArgumentParser.Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var archiveKey: ArchiveKeyOptions

    func run() async throws {
        try await reportingFailures {
            let inspection: ArchiveInspection
            let key = try archiveKey.key()
            do { inspection = try ArchiveInspection.inspect(archive: archive, key: key) } catch {
                throw CommandFailure(message: "\(error)", exitCode: .badInput)
            }
            try emit(inspection, json: json, text: inspection.text)
            if let extract {
                let count = try ArchiveExtractor.extract(archive: archive, to: extract, key: key)
                if !json { print("Extracted \(count) files into \(extract)") }
            }
            if !inspection.isIntact { throw ExitCode.partialFailure }
        }
    }
}
