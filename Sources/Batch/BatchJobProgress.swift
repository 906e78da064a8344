import Foundation
import Migration

/// How far a running job's pass is, as its runner last wrote it (about once a second): what
/// `batch run`'s live table, `batch status` from another terminal and the status page show.
public struct BatchJobProgress: Sendable, Equatable, Codable {
    /// Messages uploaded this pass, of those the pass has to copy (known once the pull planned).
    public var messagesDone: Int
    public var messagesTotal: Int
    public var bytesDone: Int64
    public var bytesPerSecond: Double
    public var etaSeconds: Double?
    public var updatedAt: Date

    public init(
        messagesDone: Int, messagesTotal: Int, bytesDone: Int64, bytesPerSecond: Double, etaSeconds: Double?,
        updatedAt: Date = Date()
    ) {
        self.messagesDone = messagesDone; self.messagesTotal = messagesTotal; self.bytesDone = bytesDone
        self.bytesPerSecond = bytesPerSecond; self.etaSeconds = etaSeconds; self.updatedAt = updatedAt
    }

    /// A migrate's pull and push counters as one figure: the pull plans what this pass copies,
    /// the push's uploads are what is done (a message counts once it is on the target).
    public init(pull: TransferProgress.Snapshot, push: TransferProgress.Snapshot) {
        let total = max(pull.messagesPlanned, push.messagesPlanned, push.messagesDone)
        let rate = push.messagesPerSecond
        self.init(
            messagesDone: push.messagesDone, messagesTotal: total, bytesDone: push.bytesDone,
            bytesPerSecond: push.bytesPerSecond,
            etaSeconds: rate > 0 && total >= push.messagesDone ? Double(total - push.messagesDone) / rate : nil)
    }

    /// 0…1, when there is a total to compare with.
    public var fraction: Double? {
        messagesTotal > 0 ? min(1, Double(messagesDone) / Double(messagesTotal)) : nil
    }
}
