/// A bidirectional byte stream: plain TCP or TLS over it.
public protocol ByteStream: AnyObject {
    /// Reads at most `buffer.count` bytes; returns 0 when the peer closed the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Writes all the bytes or throws.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func close()
    /// True when a read would return at once (bytes arrived or the peer closed), never blocking.
    var hasReadableInput: Bool { get }
}

extension ByteStream {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
