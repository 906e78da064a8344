/// A non-body item of a FETCH response. Body sections stream as separate events.
public enum FetchAttribute: Hashable, Sendable {
    case uid(UInt32)
    case flags([Flag])
    case internalDate(InternalDate)
    case rfc822Size(Int)
    case modSeq(UInt64)
    /// Any other item (ENVELOPE, BODYSTRUCTURE, …) as a generic value.
    case other(name: String, value: IMAPValue)
}

/// A generic parsed value for items mailferry does not model.
public indirect enum IMAPValue: Hashable, Sendable {
    case nil_
    case atom(String)
    case number(UInt64)
    case string([UInt8])
    case list([IMAPValue])
}
