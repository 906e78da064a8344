import CArchive

/// Where libarchive's writer sends its bytes: the file output, or the encryption in front of it.
protocol ArchiveWriteSink: AnyObject {
    /// False on failure; libarchive then stops.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Called when the archive is closed: the last bytes go out.
    func finish() -> Bool
}

extension ArchiveWriteSink {
    /// Points libarchive's writes at this sink, which its owner keeps alive until the archive
    /// is freed (the pointer is not retained).
    func open(_ archive: OpaquePointer) -> Int32 {
        archive_write_open(
            archive, Unmanaged.passUnretained(self as AnyObject).toOpaque(), nil,
            { _, context, buffer, length in
                guard let buffer else { return 0 }
                let sink = Unmanaged<AnyObject>.fromOpaque(context!).takeUnretainedValue() as! ArchiveWriteSink
                return sink.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
            },
            { _, context in
                let sink = Unmanaged<AnyObject>.fromOpaque(context!).takeUnretainedValue() as! ArchiveWriteSink
                return sink.finish() ? ARCHIVE_OK : ARCHIVE_FATAL
            })
    }
}
