#ifndef CRMGATE_CZLIB_SHIM_H
#define CRMGATE_CZLIB_SHIM_H

#include <zlib.h>

// deflateInit2 is a macro; Swift cannot call it.
static inline int crmgate_deflate_init_raw(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

// inflateInit2 is a macro too; raw inflate reads back what crmgate wrote (the exporter fuzz target, tests).
static inline int crmgate_inflate_init_raw(z_stream *s) {
    return inflateInit2(s, -15);
}

#endif
