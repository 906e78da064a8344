import CZlib

/// Raw DEFLATE both ways over another stream (RFC 4978's COMPRESS=DEFLATE; no zlib header).
/// Every write ends in a sync flush, so the peer can act on each command or literal chunk as
/// soon as it is written; the dictionary carries over between flushes. A corrupt stream from
/// the peer is a broken link (`connectionClosed`).
public final class DeflateStream: ByteStream {
    public let host: String
    /// Bytes handed to `write` and sent after compression, for figures.
    public private(set) var plainBytesWritten = 0
    public private(set) var compressedBytesWritten = 0
    public private(set) var compressedBytesRead = 0
    public private(set) var plainBytesRead = 0

    /// The byte counts so far, as a value.
    public struct Figures: Sendable, Equatable {
        public var plainBytesWritten: Int
        public var compressedBytesWritten: Int
        public var compressedBytesRead: Int
        public var plainBytesRead: Int
    }

    public var figures: Figures {
        Figures(
            plainBytesWritten: plainBytesWritten, compressedBytesWritten: compressedBytesWritten,
            compressedBytesRead: compressedBytesRead, plainBytesRead: plainBytesRead)
    }

    private let base: ByteStream
    private var deflater = z_stream()
    private var inflater = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private let output: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var closed = false
    private var peerEnded = false
    /// zlib filled the last output buffer, so it may hold decoded bytes without any input
    /// left: they are read out before waiting on the link (else a reply that is all there
    /// waits for bytes the server will never send).
    private var inflaterMayHoldOutput = false

    /// `level` 1 is zlib's fastest: the link is the bottleneck, and mail's base64 attachments
    /// gain little from harder work.
    public init(over base: ByteStream, host: String, level: Int32 = 1) throws {
        self.base = base; self.host = host
        input = .allocate(byteCount: 64 * 1024, alignment: 16)
        output = .allocate(byteCount: 64 * 1024, alignment: 16)
        guard mailferry_deflate_init_raw(&deflater, level) == Z_OK else {
            input.deallocate(); output.deallocate()
            throw TransportError.connectionClosed(host: host, detail: "zlib could not start a compressor")
        }
        guard mailferry_inflate_init_raw(&inflater) == Z_OK else {
            deflateEnd(&deflater)
            input.deallocate(); output.deallocate()
            throw TransportError.connectionClosed(host: host, detail: "zlib could not start a decompressor")
        }
    }

    deinit {
        deflateEnd(&deflater)
        inflateEnd(&inflater)
        input.deallocate()
        output.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if inputStart < inputEnd || inflaterMayHoldOutput {
                let produced = try inflate(into: buffer)
                if produced > 0 { return produced }
            }
            if peerEnded { return 0 }
            // Nothing decoded from what is here (or nothing here): more compressed bytes.
            inputStart = 0
            inputEnd = try base.read(into: input)
            compressedBytesRead += inputEnd
            if inputEnd == 0 { return 0 }
        }
    }

    private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        inflater.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
        inflater.avail_in = uInt(inputEnd - inputStart)
        inflater.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        inflater.avail_out = uInt(buffer.count)
        let result = CZlib.inflate(&inflater, Z_SYNC_FLUSH)
        inputStart = inputEnd - Int(inflater.avail_in)
        let produced = buffer.count - Int(inflater.avail_out)
        inflaterMayHoldOutput = inflater.avail_out == 0
        switch result {
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_STREAM_END:
            peerEnded = true
        default:
            let reason = inflater.msg.map { String(cString: $0) } ?? "error \(result)"
            throw TransportError.connectionClosed(host: host, detail: "the compressed stream is corrupt (\(reason))")
        }
        plainBytesRead += produced
        return produced
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else { throw TransportError.connectionClosed(host: host, detail: "write after close") }
        plainBytesWritten += bytes.count
        deflater.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        deflater.avail_in = uInt(bytes.count)
        repeat {
            deflater.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            deflater.avail_out = uInt(output.count)
            let result = deflate(&deflater, Z_SYNC_FLUSH)
            guard result == Z_OK || result == Z_BUF_ERROR else {
                throw TransportError.connectionClosed(host: host, detail: "zlib could not compress (error \(result))")
            }
            let produced = output.count - Int(deflater.avail_out)
            if produced > 0 {
                try base.write(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
                compressedBytesWritten += produced
            }
            // A full output buffer may hold back more of this flush.
        } while deflater.avail_out == 0 || deflater.avail_in > 0
    }

    public func close() {
        closed = true
        base.close()
    }

    public var hasReadableInput: Bool {
        inputStart < inputEnd || inflaterMayHoldOutput || peerEnded || base.hasReadableInput
    }
}
