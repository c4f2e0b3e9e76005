/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP target's layout, shared by its parser (request.c) and its sender (request_send.c). */
#ifndef CE_TRIGGERS_HTTP_REQUEST_INT_H
#define CE_TRIGGERS_HTTP_REQUEST_INT_H

#include "core/http/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_http_hdr {
    char *name;  /* a token, case kept */
    char *value; /* trimmed, no control characters but tab */
};

struct ce_http_pem {
    char *data; /* NULL when not configured */
    size_t len;
};

struct ce_http_target {
    char *url;
    char *url_shown; /* url with any password replaced, for logs and errors */
    char *method;
    char *host; /* Host header override, NULL for the URL's */
    int64_t timeout_ms;
    struct ce_http_hdr *pre; /* headers (the map) */
    int n_pre;
    struct ce_http_hdr *post; /* secureHeaders, then Authorization from basicAuth */
    int n_post;
    bool tls_insecure;
    struct ce_http_pem ca, cert, key;
};

/* Splits and checks "Name: value" (value trimmed); CE_EINVAL with a reason otherwise. */
int ce_http_hdr_parse(const char *line, struct ce_http_hdr *out, char *err, size_t errlen);
/* Checks name and value and stores trimmed copies. */
int ce_http_hdr_make(const char *name, const char *value, struct ce_http_hdr *out, char *err,
                     size_t errlen);
void ce_http_hdr_fini(struct ce_http_hdr *h);
/* url with the password of its user info replaced by "xxxxx" (heap), as Go's client shows
 * URLs in its errors; url itself when it cannot be parsed. */
char *ce_http_url_redacted(const char *url);

#endif
