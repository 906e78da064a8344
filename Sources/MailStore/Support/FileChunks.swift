import Foundation

/// Reads a file in 64 KiB pieces, never whole.
enum FileChunks {
    static func forEach(inFileAt path: String, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw StoreError.io(path: path, operation: "read", errno: errno) }
            if count == 0 { return }
            try body(buffer[0..<count])
        }
    }
}
