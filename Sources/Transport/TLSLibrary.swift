import COpenSSL

/// OpenSSL set up for a process whose connection threads may still be inside it when the
/// process exits.
public enum TLSLibrary {
    /// Call before anything else uses OpenSSL (hashing included): only the first initialisation
    /// decides. Without it, OpenSSL's atexit cleanup frees its global locks while a connection
    /// thread may still be sending a LOGOUT that nobody waits for, and that thread crashes the
    /// exiting process (SIGSEGV in `pthread_rwlock_wrlock` on a freed lock, seen in CI when a
    /// migrate stopped at a rejected target certificate).
    public static func initializeForThreadedExit() {
        _ = mf_OPENSSL_init_without_atexit()
    }
}
