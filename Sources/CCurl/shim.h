#ifndef CRMGATE_CCURL_SHIM_H
#define CRMGATE_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions: curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt
// get one typed wrapper per argument kind here.

typedef size_t (*crmgate_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode crmgate_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode crmgate_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode crmgate_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode crmgate_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode crmgate_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode crmgate_easy_setopt_callback(CURL *h, CURLoption o, crmgate_curl_data_callback v) {
    return curl_easy_setopt(h, o, v);
}

static inline CURLcode crmgate_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode crmgate_easy_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode crmgate_easy_getinfo_pointer(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode crmgate_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

static inline const char *crmgate_curl_version_string(void) { return curl_version_info(CURLVERSION_NOW)->version; }
static inline int crmgate_curl_has_http2(void) { return (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0; }

#endif
