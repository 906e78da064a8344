/// One reusable 256 KiB buffer. Streaming through a fixed buffer is what keeps memory flat
/// regardless of entry size (a 30 MB message costs the same RSS as a 3 KB one).
final class ChunkBuffer {
    static let size = 256 * 1024

    let bytes: UnsafeMutableRawBufferPointer

    init() {
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.size, alignment: 16)
    }

    deinit { bytes.deallocate() }

    var base: UnsafeMutableRawPointer { bytes.baseAddress! }
}
