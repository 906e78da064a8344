#ifndef MAILFERRY_COPENSSL_SHIM_H
#define MAILFERRY_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

// These OpenSSL APIs are C macros, which Swift cannot import; wrap each one.
static inline long mf_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline int mf_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long mf_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline void mf_SSL_CTX_disable_renegotiation_and_compression(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
}
// Read-ahead lets one recv bring many TLS records (servers such as Dovecot send 4 KiB records,
// which without it cost two recv calls each: the 5-byte header, then the body).
static inline void mf_SSL_CTX_enable_read_ahead(SSL_CTX *ctx, size_t bufferLength) {
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, bufferLength);
}
static inline int mf_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
// OpenSSL's default init registers an atexit cleanup that frees its global locks; a connection
// thread still inside OpenSSL when exit() runs (a LOGOUT not waited for) then crashes on them.
static inline int mf_OPENSSL_init_without_atexit(void) {
    return OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_LOAD_SSL_STRINGS
        | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}
static inline long mf_SSL_MODE_AUTO_RETRY(void) { return SSL_MODE_AUTO_RETRY; }
// OpenSSL 3 reports a peer that closed without close_notify as an SSL error (not SSL_ERROR_SYSCALL);
// for us that is the link failing, so it is recognised by its reason code.
static inline int mf_last_error_is_unexpected_eof(void) {
    unsigned long error = ERR_peek_last_error();
    return error != 0 && ERR_GET_LIB(error) == ERR_LIB_SSL && ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}
#endif
