#ifndef CRMGATE_CSQLITETUNING_SHIM_H
#define CRMGATE_CSQLITETUNING_SHIM_H

#include <sqlite3.h>

// Swift cannot call C variadic functions: sqlite3_config gets a typed wrapper for the option crmgate sets.

/// Turns SQLite's memory statistics off (SQLITE_CONFIG_MEMSTATUS): each allocation then skips a mutex and two
/// counters. Only before SQLite is initialised in the process; SQLITE_MISUSE after (and nothing changes).
static inline int crmgate_sqlite_memstatus(int on) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on); }

#endif
