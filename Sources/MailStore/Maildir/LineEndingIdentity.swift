import Foundation

/// A stored message's size and SHA-256 as a server that turns bare LF into CRLF (Dovecot
/// does) would report them, so a message uploaded there is still recognised.
public enum LineEndingIdentity {
    public static func crlfNormalized(fileAtPath path: String) throws -> (sha256: String, size: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        let hasher = SHA256Hasher()
        var input = [UInt8](repeating: 0, count: 64 * 1024)
        var output: [UInt8] = []
        output.reserveCapacity(80 * 1024)
        var previous: UInt8 = 0
        var size = 0
        while true {
            let count = input.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw StoreError.io(path: path, operation: "read", errno: errno) }
            if count == 0 { break }
            output.removeAll(keepingCapacity: true)
            for byte in input[0..<count] {
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
