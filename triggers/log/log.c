/* SPDX-License-Identifier: Apache-2.0 */
/* The log trigger: one log line per event whose message is the event data, with Argo's fields
 * (triggerName, triggerType, dependencyName, eventContext). intervalSeconds is accepted but does
 * not throttle: in Argo it is inert too, and skipping events would drop them silently. */
#include "triggers/log/log.h"
#include "manifest/plugin.h"
#include "triggers/trigger.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "eventbus/event_context.h"

#include <stdio.h>

struct log_trigger {
    char *trigger_name;
};

static int log_create(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                      const struct ce_trigger_env *env, void **state)
{
    (void)sensor;
    (void)env;
    struct log_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->trigger_name = ce_xstrdup(trigger->name);
    *state = t;
    return CE_OK;
}

static int log_execute(void *state, const struct ce_trigger_event *events, int n,
                       struct ce_trigger_result *res)
{
    (void)res;
    struct log_trigger *t = state;
    for (int i = 0; i < n; i++) {
        const struct ce_cloudevent *ev = events[i].event;
        char *ctx = ce_event_context_string(ev);
        char *text = ce_event_data_string(ev);
        struct ce_log_field fields[] = {
            {"triggerName", t->trigger_name, false},
            {"triggerType", "Log", false},
            {"dependencyName", events[i].dependency_name, false},
            {"eventContext", ctx, false},
        };
        ce_log_fields(CE_LOG_INFO, text, fields, 4);
        ce_free(text);
        ce_free(ctx);
    }
    return CE_OK;
}

static void log_describe(void *state, const struct ce_trigger_event *events, int n,
                         const char *indent, struct ce_buf *out)
{
    (void)state;
    for (int i = 0; i < n; i++) {
        char *text = ce_event_data_string(events[i].event);
        int w =
            ce_buf_printf(out, "%swould log for %s: %s\n", indent, events[i].dependency_name, text);
        (void)w; /* an explanation cut short by the cap is still printed */
        ce_free(text);
    }
}

static void log_destroy(void *state)
{
    struct log_trigger *t = state;
    if (!t) {
        return;
    }
    ce_free(t->trigger_name);
    ce_free(t);
}

static const char *const log_keys[] = {"intervalSeconds", NULL};

static void *log_decode(struct ce_mdec *c, const struct ce_node *block)
{
    struct ce_log_trigger_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    int64_t secs = 0;
    if (ce_mdec_int(c, block, "intervalSeconds", &secs)) {
        if (secs < 0) {
            ce_mdec_err_key(c, ce_node_get(block, "intervalSeconds"), "intervalSeconds",
                            "must not be negative");
        }
        else {
            cfg->interval_seconds = secs;
        }
    }
    return cfg;
}

static const struct ce_block_decoder log_block = {
    .key = "log",
    .keys = log_keys,
    .decode = log_decode,
    .free_config = ce_free,
};

extern const struct ce_trigger_plugin ce_trigger_log;
const struct ce_trigger_plugin ce_trigger_log = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &log_block,
    .ack_after_fire = true,
    .create = log_create,
    .execute = log_execute,
    .describe = log_describe,
    .destroy = log_destroy,
};
