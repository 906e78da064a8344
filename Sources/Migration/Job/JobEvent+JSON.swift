import Foundation
import MailStore

/// The `--progress json` form: one flat object per event, `docs/events.md` lists every field.
extension JobEvent: Encodable {
    private enum Key: String, CodingKey {
        case v, at, step, event, folder, target, messages, bytes, flagUpdates, skipped, unchanged, error
        case uid, reason, message, delay, attempt, of, outcome, exitCode, failureKind
    }

    public var name: String {
        switch kind {
        case .stepStarted: return "step-started"
        case .stepFinished: return "step-finished"
        case .folderPlanned: return "folder-planned"
        case .folderStarted: return "folder-started"
        case .folderFinished: return "folder-finished"
        case .messagesMoved: return "messages-moved"
        case .messageSkipped: return "message-skipped"
        case .warning: return "warning"
        case .retry: return "retry"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Self.schemaVersion, forKey: .v)
        try container.encode(time, forKey: .at)
        try container.encode(step.rawValue, forKey: .step)
        try container.encode(name, forKey: .event)
        switch kind {
        case .stepStarted:
            break
        case .stepFinished(let outcome):
            try container.encode(outcome.word, forKey: .outcome)
            try container.encode(outcome.exitCode, forKey: .exitCode)
            if case .failed(let failure) = outcome {
                try container.encode(failure.kind.rawValue, forKey: .failureKind)
                try container.encode(failure.message, forKey: .error)
            }
        case .folderPlanned(let folder, let target):
            try container.encode(folder, forKey: .folder)
            try container.encodeIfPresent(target, forKey: .target)
        case .folderStarted(let folder):
            try container.encode(folder, forKey: .folder)
        case .folderFinished(let tally):
            try container.encode(tally.folder, forKey: .folder)
            try container.encode(tally.messages, forKey: .messages)
            try container.encode(tally.bytes, forKey: .bytes)
            try container.encode(tally.flagUpdates, forKey: .flagUpdates)
            try container.encode(tally.skipped, forKey: .skipped)
            try container.encode(tally.unchanged, forKey: .unchanged)
            try container.encodeIfPresent(tally.error, forKey: .error)
        case .messagesMoved(let folder, let messages, let bytes):
            try container.encode(folder, forKey: .folder)
            try container.encode(messages, forKey: .messages)
            try container.encode(bytes, forKey: .bytes)
        case .messageSkipped(let folder, let uid, let reason):
            try container.encode(folder, forKey: .folder)
            try container.encodeIfPresent(uid, forKey: .uid)
            try container.encode(reason, forKey: .reason)
        case .warning(let folder, let message):
            try container.encodeIfPresent(folder, forKey: .folder)
            try container.encode(message, forKey: .message)
        case .retry(let folder, let error, let delay, let attempt, let of):
            try container.encodeIfPresent(folder, forKey: .folder)
            try container.encode(error, forKey: .error)
            try container.encode((delay * 10).rounded() / 10, forKey: .delay)
            try container.encode(attempt, forKey: .attempt)
            try container.encode(of, forKey: .of)
        }
    }

    /// One line of `--progress json`: compact, keys sorted, dates in UTC ISO 8601.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTime.iso8601(date, fraction: true))
        }
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? #"{"v":1,"event":"unencodable"}"#
    }
}
