import Foundation

/// A stored message's size and SHA-256 as a server that turns bare LF into CRLF (Dovecot
/// does) would report them, so a message uploaded there is still recognised.
public enum LineEndingIdentity {
    public static func crlfNormalized(fileAtPath path: String) throws -> (sha256: String, size: Int) {
        let hasher = SHA256Hasher()
        var output: [UInt8] = []
        output.reserveCapacity(80 * 1024)
        var previous: UInt8 = 0
        var size = 0
        try FileChunks.forEach(inFileAt: path) { chunk in
            output.removeAll(keepingCapacity: true)
            for byte in chunk {
                if byte == 10 && previous != 13 { output.append(13) }
                output.append(byte)
                previous = byte
            }
            output.withUnsafeBytes { hasher.update($0) }
            size += output.count
        }
        return (hasher.finalizeHex(), size)
    }
}
