/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS trigger (template.nats): the payload list builds the message, as Argo's
 * ConstructPayload does (byte for byte, triggers/params.h), and it is published as a core NATS
 * message on the block's subject over the trigger's connection (link.h). The block's own
 * parameters edit the block before the payload list is read, so they can change the payload;
 * the subject and the connection are used as written, as in Argo (the trigger's parameters,
 * applied by the sensor before this sees the trigger, can change them). A firing succeeds once
 * the server has answered the flush after the publish. */
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "manifest/tojson.h"
#include "triggers/nats/config.h"
#include "triggers/nats/link.h"
#include "triggers/params.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct nats_trigger {
    const struct ce_nats_trigger_config *cfg; /* trigger->action: outlives the state */
    char *secrets_dir;
    char *block_json; /* the nats block, for its parameters to edit */
    size_t block_len;
    struct ce_params *action_params; /* nats.parameters */
    struct ce_params *payload;       /* nats.payload, when no parameter edits the block */
    struct ce_nats_link *link;       /* env->kept, or the state's own */
    bool own_link;
};

static void nats_destroy(void *state)
{
    struct nats_trigger *t = state;
    if (t == NULL) {
        return;
    }
    ce_params_destroy(t->action_params);
    ce_params_destroy(t->payload);
    if (t->own_link) {
        ce_nats_link_destroy(t->link);
    }
    ce_free(t->block_json);
    ce_free(t->secrets_dir);
    ce_free(t);
}

static int nats_prepare(struct nats_trigger *t, const struct ce_trigger *trigger, char *err,
                        size_t errlen)
{
    json_t *block = ce_node_to_json(trigger->action_node);
    int rc = ce_params_compile(json_object_get(block, "parameters"), "template.nats.parameters",
                               &t->action_params, err, errlen);
    if (rc == CE_OK && ce_params_count(t->action_params) == 0) {
        rc = ce_params_compile(json_object_get(block, "payload"), "template.nats.payload",
                               &t->payload, err, errlen);
    }
    char *text = rc == CE_OK ? json_dumps(block, JSON_COMPACT) : NULL;
    if (text != NULL) {
        t->block_json = ce_xstrdup(text);
        t->block_len = strlen(text);
        free(text);
    }
    else if (rc == CE_OK) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "template.nats: cannot be written out");
    }
    json_decref(block);
    return rc;
}

static int nats_create(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                       const struct ce_trigger_env *env, void **state)
{
    (void)sensor;
    struct nats_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->cfg = trigger->action;
    t->secrets_dir = env && env->secrets_dir ? ce_xstrdup(env->secrets_dir) : NULL;
    char err[256];
    int rc = t->cfg != NULL ? nats_prepare(t, trigger, err, sizeof err)
                            : ce_rc_fail(CE_EINVAL, err, sizeof err, "template.nats: required");
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot prepare the nats trigger", "triggerName", trigger->name,
                  "error", err, NULL);
        nats_destroy(t);
        return rc;
    }
    t->link = env != NULL ? env->kept : NULL;
    if (t->link == NULL) {
        t->link = ce_nats_link_create();
        t->own_link = true;
    }
    *state = t;
    return CE_OK;
}

/* The message for this firing: the payload list of the block, after its parameters edited it. */
static int nats_message(const struct nats_trigger *t, const struct ce_trigger_event *ev, int n,
                        char **out, size_t *len, char *err, size_t errlen)
{
    if (t->payload != NULL) {
        return ce_params_payload(t->payload, ev, n, out, len, err, errlen);
    }
    char *block = ce_xstrndup(t->block_json, t->block_len);
    size_t block_len = t->block_len;
    struct ce_params *payload = NULL;
    int rc = ce_params_apply(t->action_params, ev, n, &block, &block_len, err, errlen);
    json_t *j = rc == CE_OK ? json_loadb(block, block_len, 0, NULL) : NULL;
    ce_free(block);
    if (rc == CE_OK) {
        rc = ce_params_compile(json_object_get(j, "payload"), "template.nats.payload", &payload,
                               err, errlen);
    }
    if (rc == CE_OK) {
        rc = ce_params_payload(payload, ev, n, out, len, err, errlen);
    }
    ce_params_destroy(payload);
    json_decref(j);
    return rc;
}

static int nats_execute(void *state, const struct ce_trigger_event *ev, int n,
                        struct ce_trigger_result *res)
{
    struct nats_trigger *t = state;
    char *body = NULL;
    size_t len = 0;
    int rc = nats_message(t, ev, n, &body, &len, res->err, sizeof res->err);
    if (rc == CE_OK) {
        rc = ce_nats_link_publish(t->link, t->cfg, t->secrets_dir, t->cfg->subject, body, len,
                                  res->err, sizeof res->err);
    }
    ce_free(body);
    return rc;
}

/* One server of the url for people: a password in its user info shows as "xxxxx". */
static int nats_server_shown(const char *p, size_t n, struct ce_buf *out)
{
    const char *end = p + n;
    const char *scheme = NULL;
    for (const char *q = p; q + 3 <= end && scheme == NULL; q++) {
        scheme = memcmp(q, "://", 3) == 0 ? q : NULL;
    }
    const char *host = scheme != NULL ? scheme + 3 : p;
    const char *at = memchr(host, '@', (size_t)(end - host));
    const char *colon = at != NULL ? memchr(host, ':', (size_t)(at - host)) : NULL;
    if (colon == NULL) {
        return ce_buf_printf(out, "%.*s", (int)n, p);
    }
    return ce_buf_printf(out, "%.*s:xxxxx%.*s", (int)(colon - p), p, (int)(end - at), at);
}

static void nats_url_shown(const char *url, struct ce_buf *out)
{
    int w = 0;
    for (const char *p = url;;) {
        size_t n = strcspn(p, ",");
        w |= nats_server_shown(p, n, out);
        if (p[n] == '\0') {
            break;
        }
        w |= ce_buf_puts(out, ",");
        p += n + 1;
    }
    (void)w; /* an explanation cut short by the cap is still printed */
}

static void nats_describe(void *state, const struct ce_trigger_event *ev, int n, const char *indent,
                          struct ce_buf *out)
{
    struct nats_trigger *t = state;
    char *body = NULL;
    size_t len = 0;
    char err[256] = "";
    int w = 0;
    if (nats_message(t, ev, n, &body, &len, err, sizeof err) != CE_OK) {
        w = ce_buf_printf(out, "%swould fail: %s\n", indent, err);
    }
    else {
        w = ce_buf_printf(out, "%swould publish to NATS subject \"%s\" at ", indent,
                          t->cfg->subject);
        nats_url_shown(t->cfg->url, out);
        w |= ce_buf_printf(out, "\n%s  payload (%zu bytes): %.*s\n", indent, len, (int)len,
                           body ? body : "");
    }
    (void)w; /* an explanation cut short by the cap is still printed */
    ce_free(body);
}

static void *nats_keep_create(void)
{
    return ce_nats_link_create();
}

static void nats_keep_destroy(void *kept)
{
    ce_nats_link_destroy(kept);
}

extern const struct ce_trigger_plugin ce_trigger_nats;
const struct ce_trigger_plugin ce_trigger_nats = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &ce_nats_trigger_decoder,
    .ack_after_fire = false,
    .create = nats_create,
    .execute = nats_execute,
    .describe = nats_describe,
    .destroy = nats_destroy,
    .keep_create = nats_keep_create,
    .keep_destroy = nats_keep_destroy,
};
