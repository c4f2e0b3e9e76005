/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl's global state, made on the first handle rather than at process start. Making it
 * initialises OpenSSL's TLS side and reads its configuration whatever flags it is given (about
 * 0.3 MiB of resident pages, bench/idle-rss.sh): a process that never makes an HTTP request (a
 * webhook EventSource, a Sensor with a log trigger) does not pay for it. */
#ifndef CE_CORE_HTTP_CURL_INIT_H
#define CE_CORE_HTTP_CURL_INIT_H

#include <curl/curl.h>

/* curl_easy_init after libcurl's global state was made, once per process and thread-safely
 * (whatever libcurl version: older ones make it implicitly and without a lock). NULL when
 * libcurl cannot make a handle. */
CURL *ce_curl_easy_init(void);

/* Makes libcurl's global state now, for callers that use libcurl without an easy handle
 * first (curl_share_init, curl_multi_init). Idempotent and thread-safe. */
void ce_curl_global_init(void);

#endif
