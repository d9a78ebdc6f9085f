#ifndef CRMGATE_CLIBPQ_SHIM_H
#define CRMGATE_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
