#ifndef MAILFERRY_CARCHIVE_SHIM_H
#define MAILFERRY_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
// O_DIRECT is a GNU extension, which Swift's Glibc module does not show; 0 where it is unknown.
static inline int mf_O_DIRECT(void) {
#ifdef __O_DIRECT
    return __O_DIRECT;
#else
    return 0;
#endif
}
#endif
