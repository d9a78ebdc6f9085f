#ifndef CRMGATE_CPREFETCH_SHIM_H
#define CRMGATE_CPREFETCH_SHIM_H

// Swift has no prefetch: a hash table lookup that will miss the cache can be asked for ahead, while other work runs.

/// Asks for the cache line at `p` to be loaded, for reading; never faults, whatever `p` is.
static inline void crmgate_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
