import Foundation
import IMAPCore

/// COMPRESS=DEFLATE (RFC 4978): asked for at login (`on`), or by `auto` once the link has shown
/// itself far and slow.
extension IMAPClient {
    /// Bytes before and after compression, or nil when the link is not compressed.
    public var compressionFigures: DeflateStream.Figures? { compression?.figures }

    /// `auto`'s rule, checked before each command once the connection has moved enough to judge:
    /// a far server (round trip of `farLinkSeconds` or more) over a link slower than zlib
    /// (`slowLinkBytesPerSecond` for this connection) gets COMPRESS; a fast link never does,
    /// however far, since compressing would then cost more time than it saves.
    func compressIfSlowLink(judgingNow: Bool = false) throws {
        guard configuration.linkCompression == .auto, !compressionDecided, compression == nil, let roundTrip,
            let connection, judgingNow || connection.bytesMoved >= LinkCompression.sampleBytes
        else { return }
        compressionDecided = true
        let busy = Self.seconds(connection.busy)
        let rate = Double(connection.bytesMoved) / max(busy, 0.001)
        guard Self.seconds(roundTrip) >= LinkCompression.farLinkSeconds, rate < LinkCompression.slowLinkBytesPerSecond,
            capabilities.contains(.compressDeflate)
        else { return }
        try startCompression(
            because: String(
                format: "round trip %.0f ms, %.1f MB/s on this connection", Self.seconds(roundTrip) * 1000,
                rate / 1e6))
    }

    /// True while `auto` may still compress this far server's link.
    var linkAwaitsJudgement: Bool {
        guard configuration.linkCompression == .auto, !compressionDecided, compression == nil, let roundTrip else {
            return false
        }
        return Self.seconds(roundTrip) >= LinkCompression.farLinkSeconds && capabilities.contains(.compressDeflate)
    }

    func startCompression(because reason: String) throws {
        compressionDecided = true
        guard capabilities.contains(.compressDeflate) else {
            logger.info("\(host) does not offer COMPRESS=DEFLATE; the link stays uncompressed")
            return
        }
        let connection = try requireConnection()
        let response = try run(.compressDeflate)
        guard response.status == .ok else {
            logger.info("\(host) refused COMPRESS DEFLATE (\(response.text)); the link stays uncompressed")
            return
        }
        let stream = try overTransport { try DeflateStream(over: connection.stream, host: host) }
        try connection.upgrade(to: stream, after: "COMPRESS")
        compression = stream
        logger.info("\(host): link compressed (COMPRESS=DEFLATE; \(reason))")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
