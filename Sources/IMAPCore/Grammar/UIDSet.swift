/// A set of UIDs or sequence numbers as ranges, printed as `1:5,7,9:*`.
public struct UIDSet: Hashable, Sendable, CustomStringConvertible {
    /// Inclusive ranges; `UInt32.max` as an upper bound stands for `*`.
    public private(set) var ranges: [ClosedRange<UInt32>]

    public static let all = UIDSet(ranges: [1...UInt32.max])

    public init(ranges: [ClosedRange<UInt32>]) { self.ranges = ranges }

    /// Builds compact ranges from any UIDs (duplicates and order do not matter).
    public init<S: Sequence>(_ uids: S) where S.Element == UInt32 {
        var result: [ClosedRange<UInt32>] = []
        for uid in uids.sorted() {
            if let last = result.last,
                uid <= last.upperBound || (last.upperBound < UInt32.max && uid == last.upperBound + 1)
            {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, uid)
            } else {
                result.append(uid...uid)
            }
        }
        ranges = result
    }

    /// `uid-set` from the wire (APPENDUID, COPYUID): `4`, `4:6`, `1,3:5`.
    public init?(_ text: String) {
        var parsed: [ClosedRange<UInt32>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: ":", omittingEmptySubsequences: false)
            func value(_ s: Substring) -> UInt32? { s == "*" ? UInt32.max : UInt32(s) }
            guard bounds.count == 1 || bounds.count == 2, let a = value(bounds[0]), let b = value(bounds.last!) else {
                return nil
            }
            parsed.append(min(a, b)...max(a, b))
        }
        guard !parsed.isEmpty else { return nil }
        ranges = parsed
    }

    public var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }
    public var isEmpty: Bool { ranges.isEmpty }

    /// Every UID in order; only for sets without `*`.
    public var uids: [UInt32] { ranges.flatMap { Array($0) } }

    public var description: String {
        ranges.map { range in
            let upper = range.upperBound == UInt32.max ? "*" : String(range.upperBound)
            return range.lowerBound == range.upperBound ? upper : "\(range.lowerBound):\(upper)"
        }.joined(separator: ",")
    }
}
