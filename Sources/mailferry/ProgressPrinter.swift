import Foundation
import Migration

/// Prints transfer progress: a rewritten status line on a terminal, plain lines otherwise.
final class ProgressPrinter: @unchecked Sendable {
    /// One set of counters and the word it is shown under ("pull", "push"; none alone).
    struct Line {
        var label: String?
        var progress: TransferProgress
    }

    private let lines: [Line]
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var task: Task<Void, Never>?
    private let lock = NSLock()
    /// The last retry, shown after the counters for a while: a bad link is visible as it happens.
    private var note: (text: String, until: Date)?

    init(lines: [Line]) { self.lines = lines }

    /// Reads the job's events: retries show on the status line.
    func observe(_ events: JobEventHub) {
        events.subscribe { [self] event in
            guard case .retry(let folder, _, let delay, let attempt, let of) = event.kind else { return }
            let text =
                "retrying \(folder.map { "\($0) " } ?? "")in \(String(format: "%.1f", delay)) s (\(attempt)/\(of))"
            lock.lock(); note = (text, Date().addingTimeInterval(max(5, delay + 2))); lock.unlock()
        }
    }

    func start() {
        let interval: Duration = isTerminal ? .milliseconds(500) : .seconds(10)
        task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                print(line(), terminator: isTerminal ? "\r" : "\n")
            }
        }
    }

    func stop() {
        task?.cancel()
        if isTerminal { StandardStreams.err("\u{1B}[2K\r") }
    }

    private func print(_ text: String, terminator: String) {
        StandardStreams.err(((isTerminal ? "\u{1B}[2K" : "") + text + terminator))
    }

    private func line() -> String {
        lines.map { line in
            let s = line.progress.snapshot
            let eta = s.eta.map { " ETA \(Self.duration($0))" } ?? ""
            return (line.label.map { "\($0): " } ?? "")
                + "folders \(s.foldersDone)/\(s.foldersTotal)  messages \(s.messagesDone)/\(s.messagesPlanned)  "
                + "\(ByteCountText.format(s.bytesDone))  \(String(format: "%.0f", s.messagesPerSecond)) msg/s  "
                + "\(ByteCountText.format(Int64(s.bytesPerSecond)))/s\(eta)"
        }.joined(separator: "  |  ") + currentNote()
    }

    private func currentNote() -> String {
        lock.lock(); defer { lock.unlock() }
        guard let note, note.until > Date() else { return "" }
        return "  · " + note.text
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds)
        return total >= 3600
            ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
            : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}
