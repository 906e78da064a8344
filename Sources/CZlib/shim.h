#include <zlib.h>

// deflateInit2 and inflateInit2 are macros (they pass the library version and struct size).
static inline int mailferry_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

static inline int mailferry_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -15);
}
