#ifndef CRMGATE_CLIBXML2_SHIM_H
#define CRMGATE_CLIBXML2_SHIM_H

// Debian's libxml2 headers pull in the system ICU when LIBXML_ICU_ENABLED is set, which clashes
// with Foundation's ICU: read the version header first, then switch ICU off before the rest.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>

// libxml2's generic error callback is variadic, which Swift cannot implement: a silent one here,
// so that nothing is printed to stderr behind the program's back (errors are captured per reader).
static void crmgate_silent_generic_error(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

static inline void crmgate_silence_libxml2(void) {
    xmlSetGenericErrorFunc(NULL, crmgate_silent_generic_error);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

#endif
