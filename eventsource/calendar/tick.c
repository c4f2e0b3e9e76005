/* SPDX-License-Identifier: Apache-2.0 */
/* Event data, id key and record of a calendar tick (see tick.h). */
#include "eventsource/calendar/tick.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "eventsource/calendar/config.h"
#include "eventsource/calendar/sched.h"

#include <stdio.h>
#include <string.h>

int ce_cal_tick_data(const struct ce_calendar_config *cfg, int64_t tick_ns, struct ce_buf *out)
{
    char when[CE_CAL_TIME_MAX];
    int n = ce_cal_format_go_time(cfg->sched.zone, tick_ns, when);
    int rc = ce_buf_append(out, "{\"eventTime\":", 13);
    if (rc == CE_OK) {
        rc = ce_buf_json_str(out, when, (size_t)n);
    }
    if (rc == CE_OK && cfg->n_metadata > 0) {
        rc = ce_buf_append(out, ",\"metadata\":{", 13);
        for (int i = 0; rc == CE_OK && i < cfg->n_metadata; i++) {
            const struct ce_kv *kv = &cfg->metadata[i];
            rc = ce_buf_append(out, ",", i > 0 ? 1 : 0);
            if (rc == CE_OK) {
                rc = ce_buf_json_str(out, kv->key, strlen(kv->key));
            }
            if (rc == CE_OK) {
                rc = ce_buf_append(out, ":", 1);
            }
            if (rc == CE_OK) {
                rc = ce_buf_json_str(out, kv->value, strlen(kv->value));
            }
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(out, "}", 1);
        }
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(out, "}", 1);
    }
    return rc;
}

int ce_cal_tick_key(int64_t tick_ns, char out[24])
{
    return snprintf(out, 24, "%lld", (long long)tick_ns);
}

static void cal_key_part(struct ce_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '/';
        char esc[3] = {'=', hex[*p >> 4], hex[*p & 15]};
        if (ce_buf_append(b, plain ? (const char *)p : esc, plain ? 1 : 3) != CE_OK) {
            return; /* no cap on this buffer: cannot happen */
        }
    }
}

char *ce_cal_record_key(const char *source_name, const char *event_name)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    cal_key_part(&b, source_name);
    if (ce_buf_append(&b, ".", 1) != CE_OK) {
        ce_buf_fini(&b);
        return ce_xstrdup("");
    }
    cal_key_part(&b, event_name);
    char *key = ce_xstrndup(b.data, b.len);
    ce_buf_fini(&b);
    return key;
}

int ce_cal_record_format(int64_t tick_ns, char out[80])
{
    return ce_cal_format_rfc3339(tick_ns, out);
}

int64_t ce_cal_record_parse(const char *value)
{
    return value != NULL ? ce_clock_parse_rfc3339_ns(value) : -1;
}
