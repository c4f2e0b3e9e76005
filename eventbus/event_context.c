/* SPDX-License-Identifier: Apache-2.0 */
/* Text forms of an event, matching what Argo Events prints for the same event. */
#include "eventbus/event_context.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The media type without parameters, lower-cased, compared against a known one. */
static int ctx_media_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (!ct || strncasecmp(ct, want, n) != 0) {
        return 0;
    }
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

char *ce_event_data_string(const struct ce_cloudevent *ev)
{
    if (!ev->data) {
        return ce_xstrdup("");
    }
    if (ctx_media_is(ev->datacontenttype, "application/json") ||
        ctx_media_is(ev->datacontenttype, "text/plain")) {
        return ce_xstrndup(ev->data, ev->data_len);
    }
    return ce_base64_encode(ev->data, ev->data_len);
}

static int ctx_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int ce_event_time_go_string(const char *t, char *out, size_t outlen)
{
    int y, mo, d, h, mi, s;
    snprintf(out, outlen, "%s", t ? t : "");
    if (!t || strlen(t) < 20 || ctx_digits(t, 4, &y) || t[4] != '-' || ctx_digits(t + 5, 2, &mo) ||
        t[7] != '-' || ctx_digits(t + 8, 2, &d) || (t[10] != 'T' && t[10] != 't') ||
        ctx_digits(t + 11, 2, &h) || t[13] != ':' || ctx_digits(t + 14, 2, &mi) || t[16] != ':' ||
        ctx_digits(t + 17, 2, &s)) {
        return CE_EPARSE;
    }
    const char *p = t + 19;
    char frac[11] = "";
    if (*p == '.') {
        size_t n = strspn(p + 1, "0123456789");
        if (n == 0 || n > 9) {
            return CE_EPARSE;
        }
        while (n > 0 && p[n] == '0') {
            n--; /* Go prints the fraction without trailing zeros */
        }
        if (n > 0) {
            snprintf(frac, sizeof(frac), ".%.*s", (int)n, p + 1);
        }
        p += 1 + strspn(p + 1, "0123456789");
    }
    char zone[24];
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        snprintf(zone, sizeof(zone), "+0000 UTC");
    }
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        /* A fixed zone without a name prints its offset twice in Go. */
        snprintf(zone, sizeof(zone), "%c%.2s%.2s %c%.2s%.2s", p[0], p + 1, p + 4, p[0], p + 1,
                 p + 4);
    }
    else {
        return CE_EPARSE;
    }
    snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d%s %s", y, mo, d, h, mi, s, frac, zone);
    return CE_OK;
}

char *ce_event_context_string(const struct ce_cloudevent *ev)
{
    char when[96];
    (void)ce_event_time_go_string(ev->time, when, sizeof(when));
    return ce_xasprintf("{\"id\": \"%s\", \"source\": \"%s\", \"specversion\": \"%s\", \"type\": "
                        "\"%s\", \"datacontenttype\": \"%s\", \"subject\": \"%s\", \"time\": "
                        "\"%s\"}",
                        ev->id ? ev->id : "", ev->source ? ev->source : "",
                        ev->specversion ? ev->specversion : "", ev->type ? ev->type : "",
                        ev->datacontenttype ? ev->datacontenttype : "",
                        ev->subject ? ev->subject : "", when);
}
