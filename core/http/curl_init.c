/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl's global state on first use: see curl_init.h. */
#include "core/http/curl_init.h"

#include <pthread.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    /* Failure leaves libcurl to retry on its own in curl_easy_init, which reports it as NULL. */
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ce_curl_global_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

CURL *ce_curl_easy_init(void)
{
    ce_curl_global_init();
    return curl_easy_init();
}
