/// resp-text-code (RFC 3501 §7.1, RFC 4315, RFC 5530, RFC 7162, RFC 9051).
public enum ResponseCode: Hashable, Sendable {
    case alert
    case parse
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(Int)
    case permanentFlags([Flag])
    case capability([Capability])
    /// RFC 4315: UIDVALIDITY of the destination and the UID(s) the APPEND got.
    case appendUID(uidValidity: UInt32, uids: UIDSet)
    case copyUID(uidValidity: UInt32, source: UIDSet, destination: UIDSet)
    case highestModSeq(UInt64)
    case noModSeq
    case overQuota
    case tooBig
    case limit
    case authenticationFailed
    case unavailable
    case nonExistent
    case alreadyExists
    case other(name: String, text: String)
}
