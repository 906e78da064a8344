/// Mailbox names on the wire use modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for
/// itself, `&` is written `&-`, everything else is UTF-16 in a modified base64 between `&` and `-`.
public enum ModifiedUTF7 {
    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        case unterminatedShift(offset: Int)
        case invalidBase64(offset: Int)
        case invalidUTF16(offset: Int)
        case nonASCIIByte(offset: Int)
        case nonCanonical(offset: Int)

        public var description: String {
            switch self {
            case .unterminatedShift(let o): return "modified UTF-7: '&' at byte \(o) is never closed by '-'"
            case .invalidBase64(let o): return "modified UTF-7: invalid base64 in the shift starting at byte \(o)"
            case .invalidUTF16(let o): return "modified UTF-7: the shift at byte \(o) is not valid UTF-16"
            case .nonASCIIByte(let o): return "modified UTF-7: raw 8-bit byte at \(o)"
            case .nonCanonical(let o):
                return "modified UTF-7: the shift at byte \(o) encodes plain ASCII or has stray bits"
            }
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// Encodes a Unicode mailbox name for the wire.
    public static func encode(_ name: String) -> String {
        var output: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            output.append(UInt8(ascii: "&"))
            var bits = 0, accumulator = 0
            for unit in pending {
                accumulator = (accumulator << 16) | Int(unit); bits += 16
                while bits >= 6 {
                    bits -= 6
                    output.append(alphabet[(accumulator >> bits) & 0x3F])
                }
                accumulator &= (1 << bits) - 1
            }
            if bits > 0 { output.append(alphabet[(accumulator << (6 - bits)) & 0x3F]) }
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a wire mailbox name; throws on malformed input so callers can keep the raw bytes.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var result = String.UnicodeScalarView()
        var index = 0
        var previousShiftEnded = -2
        while index < input.count {
            let byte = input[index]
            guard byte < 0x80 else { throw DecodingError.nonASCIIByte(offset: index) }
            guard byte == UInt8(ascii: "&") else {
                result.append(Unicode.Scalar(byte)); index += 1; continue
            }
            let start = index
            guard let close = input[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else {
                throw DecodingError.unterminatedShift(offset: start)
            }
            if close == index + 1 {
                result.append("&"); index = close + 1; continue
            }
            // Two adjacent shifts must have been one: RFC 3501 forbids "&AAA--&BBB-" style splits.
            if previousShiftEnded == start { throw DecodingError.nonCanonical(offset: start) }
            var units: [UInt16] = []
            var bits = 0, accumulator = 0
            for position in (index + 1)..<close {
                let value = reverse[Int(input[position])]
                guard value >= 0 else { throw DecodingError.invalidBase64(offset: start) }
                accumulator = (accumulator << 6) | Int(value); bits += 6
                if bits >= 16 {
                    bits -= 16
                    units.append(UInt16((accumulator >> bits) & 0xFFFF))
                    accumulator &= (1 << bits) - 1
                }
            }
            guard bits < 6, accumulator == 0, !units.isEmpty else { throw DecodingError.nonCanonical(offset: start) }
            var decoded = String.UnicodeScalarView()
            var iterator = units.makeIterator()
            var utf16 = UTF16()
            decoding: while true {
                switch utf16.decode(&iterator) {
                case .scalarValue(let scalar):
                    if scalar.value >= 0x20 && scalar.value <= 0x7E { throw DecodingError.nonCanonical(offset: start) }
                    decoded.append(scalar)
                case .emptyInput: break decoding
                case .error: throw DecodingError.invalidUTF16(offset: start)
                }
            }
            result.append(contentsOf: decoded)
            index = close + 1
            previousShiftEnded = index
        }
        return String(result)
    }
}
