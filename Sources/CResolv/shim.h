#ifndef MAILFERRY_CRESOLV_SHIM_H
#define MAILFERRY_CRESOLV_SHIM_H
// libresolv (glibc) for dns-check: MX and TTLs need the raw DNS answer, which getaddrinfo does
// not give. resolv.h names its functions through macros (res_ninit → __res_ninit) and reads
// messages through macros (ns_msg_count, ns_msg_getflag) that Swift cannot import: these
// inline functions wrap them.
#include <sys/types.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>

/// A private resolver state from /etc/resolv.conf; 0 on success.
static inline int mf_res_init(res_state state, int timeout_seconds, int attempts) {
    memset(state, 0, sizeof(*state));
    if (res_ninit(state) != 0) return -1;
    state->retrans = timeout_seconds;
    state->retry = attempts;
    // glibc's res_nsend hides SERVFAIL, NOTIMP and REFUSED answers (it tries the next server and
    // then fails as if nothing had answered) unless called "from dig", which it tells by a
    // non-zero pfcode; dns-check must tell a failing server from a silent one.
    state->pfcode = RES_PRF_HEAD1;
    return 0;
}

/// Points the state at one IPv4 server and port instead of resolv.conf's; 0 on success.
static inline int mf_res_use_server(res_state state, const char *ipv4, unsigned short port) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, ipv4, &address.sin_addr) != 1) return -1;
    state->nscount = 1;
    state->nsaddr_list[0] = address;
    for (int i = 0; i < MAXNS; i++) state->_u._ext.nsaddrs[i] = NULL;
    state->_u._ext.nscount = 0;
    return 0;
}

/// Builds a query for `name` of `type` (class IN) into `buffer`; its length, or -1.
static inline int mf_res_mkquery(res_state state, const char *name, int type, unsigned char *buffer, int size) {
    return res_nmkquery(state, ns_o_query, name, ns_c_in, type, NULL, 0, NULL, buffer, size);
}

/// Sends a query and waits for the answer; its length, or -1 (errno: ETIMEDOUT, ECONNREFUSED…).
static inline int mf_res_send(res_state state, const unsigned char *query, int length, unsigned char *answer, int size) {
    return res_nsend(state, query, length, answer, size);
}

static inline void mf_res_close(res_state state) { res_nclose(state); }

static inline int mf_msg_count(const ns_msg *message, ns_sect section) { return ns_msg_count(*message, section); }
static inline int mf_msg_rcode(const ns_msg *message) { return ns_msg_getflag(*message, ns_f_rcode); }

/// Expands the (possibly compressed) name at `at` inside the message; its length, or -1.
static inline int mf_expand_name(const ns_msg *message, const unsigned char *at, char *out, int size) {
    return dn_expand(ns_msg_base(*message), ns_msg_end(*message), at, out, size);
}

#endif
