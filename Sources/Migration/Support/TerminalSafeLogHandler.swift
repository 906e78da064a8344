import IMAPCore
import Logging

/// A console log handler that prints control characters escaped: log lines quote folder
/// names and server texts, and a hostile server must not reach the admin's terminal with
/// escape sequences (a window title, a cleared screen) through them.
struct TerminalSafeLogHandler: LogHandler {
    var base: any LogHandler

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let safe = metadata?.mapValues { Logger.MetadataValue.string("\($0)".terminalSafe()) }
        base.log(
            level: level, message: "\(message.description.terminalSafe())", metadata: safe, source: source,
            file: file, function: function, line: line)
    }
}
