/// Finds the Message-ID header while a message streams past, looking only at the header block
/// (at most 64 KiB) so nothing large is kept.
public struct MessageIDScanner {
    private static let headerLimit = 64 * 1024
    private var header: [UInt8] = []
    private var done = false

    public init() {}

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        guard !done else { return }
        let room = Self.headerLimit - header.count
        header.append(contentsOf: bytes.prefix(room))
        if header.count >= Self.headerLimit || endOfHeader() != nil { done = true }
    }

    /// The Message-ID value (angle brackets kept, whitespace and folding removed), if present.
    public var messageID: String? {
        let block = header[..<(endOfHeader() ?? header.count)]
        // Split on LF bytes: as a String, "\r\n" is one Character and would never match "\n".
        var value: String?
        var collecting = false
        for rawLine in block.split(separator: 10, omittingEmptySubsequences: false) {
            let line = String(decoding: rawLine.last == 13 ? rawLine.dropLast() : rawLine, as: UTF8.self)
            if collecting, let first = line.first, first == " " || first == "\t" {
                value! += line.trimmingCharactersInSet()
                continue
            }
            if collecting { break }
            if line.lowercased().hasPrefix("message-id:") {
                value = String(line.dropFirst("message-id:".count)).trimmingCharactersInSet()
                collecting = true
            }
        }
        guard let found = value, !found.isEmpty else { return nil }
        return found
    }

    /// For a fetched `HEADER.FIELDS (MESSAGE-ID)` section, which may lack the blank line.
    public var messageIDInHeaderFields: String? {
        var copy = self
        copy.header += [13, 10, 13, 10]
        return copy.messageID
    }

    private func endOfHeader() -> Int? {
        // A message that starts with an empty line has an empty header.
        if header.first == 10 || (header.count >= 2 && header[0] == 13 && header[1] == 10) { return 0 }
        var index = 0
        while index + 1 < header.count {
            if header[index] == 10 {
                if header[index + 1] == 10 { return index }
                if header[index + 1] == 13, index + 2 < header.count, header[index + 2] == 10 { return index }
            }
            index += 1
        }
        return nil
    }
}

private extension StringProtocol {
    func trimmingCharactersInSet() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
