#ifndef CRMGATE_CDEFLATE_SHIM_H
#define CRMGATE_CDEFLATE_SHIM_H

// libdeflate (Debian libdeflate-dev): whole-buffer DEFLATE, about twice zlib's speed at level 1 and smaller output.
#include <libdeflate.h>

#endif
