import Glibc

/// errno as text for error messages.
enum POSIXText {
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }

    static var lastError: String { describe(errno) }
}
