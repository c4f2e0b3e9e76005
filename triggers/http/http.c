/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP trigger: the action's parameters edit the `http` block, `payload` builds the body and
 * dynamicHeaders add headers, then core/http sends it. Without parameters that edit the block,
 * the target (and its secrets) is prepared once; otherwise per firing, from the edited block.
 * (Template-level parameters are the sensor's: it rebuilds the trigger before this sees it.)
 * Success and retries follow ce_http_classify. */
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "manifest/tojson.h"
#include "triggers/block_config.h"
#include "triggers/params.h"
#include "core/http/request.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct http_trigger {
    char *name;
    char *secrets_dir, *config_dir;
    char *block_json; /* the http block, with Argo's POST default in place */
    size_t block_len;
    struct ce_params *action_params;   /* http.parameters: edit the http block */
    struct ce_params *payload;         /* http.payload: the body; NULL: no body */
    struct ce_params *dynamic_headers; /* http.dynamicHeaders: dest is the header name */
    struct ce_http_target *fixed;      /* when nothing edits the block */
    int *allow;                        /* policy.status.allow, NULL without policy */
    int n_allow;
    struct ce_http_client *client; /* env->kept, or the state's own */
    bool own_client;
};

static void http_destroy(void *state)
{
    struct http_trigger *t = state;
    if (t == NULL) {
        return;
    }
    ce_params_destroy(t->action_params);
    ce_params_destroy(t->payload);
    ce_params_destroy(t->dynamic_headers);
    ce_http_target_destroy(t->fixed);
    if (t->own_client) {
        ce_http_client_destroy(t->client);
    }
    ce_free(t->allow);
    ce_free(t->block_json);
    ce_free(t->secrets_dir);
    ce_free(t->config_dir);
    ce_free(t->name);
    ce_free(t);
}

static int http_compile_lists(struct http_trigger *t, const json_t *block, char *err, size_t errlen)
{
    int rc = ce_params_compile(json_object_get(block, "parameters"), "template.http.parameters",
                               &t->action_params, err, errlen);
    if (rc == CE_OK && json_object_get(block, "payload") != NULL) {
        rc = ce_params_compile(json_object_get(block, "payload"), "template.http.payload",
                               &t->payload, err, errlen);
    }
    if (rc == CE_OK) {
        rc = ce_params_compile(json_object_get(block, "dynamicHeaders"),
                               "template.http.dynamicHeaders", &t->dynamic_headers, err, errlen);
    }
    return rc;
}

static int http_prepare(struct http_trigger *t, const json_t *trig, char *err, size_t errlen)
{
    json_t *tpl = json_object_get(trig, "template");
    json_t *block = json_object_get(tpl, "http");
    if (!json_is_object(block)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "template.http: required");
    }
    if (json_object_get(block, "method") == NULL) {
        json_object_set_new(block, "method", json_string("POST"));
    }
    int rc = http_compile_lists(t, block, err, errlen);
    if (rc == CE_OK) {
        rc = ce_http_allow_from_json(json_object_get(trig, "policy"), &t->allow, &t->n_allow, err,
                                     errlen);
    }
    if (rc != CE_OK) {
        return rc;
    }
    char *text = json_dumps(block, JSON_COMPACT);
    t->block_json = ce_xstrdup(text);
    t->block_len = strlen(text);
    free(text);
    if (ce_params_count(t->action_params) == 0) {
        rc = ce_http_target_from_json(block, t->secrets_dir, t->config_dir, &t->fixed, err, errlen);
    }
    return rc;
}

static int http_create(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                       const struct ce_trigger_env *env, void **state)
{
    (void)sensor;
    struct http_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->name = ce_xstrdup(trigger->name);
    t->secrets_dir = env && env->secrets_dir ? ce_xstrdup(env->secrets_dir) : NULL;
    t->config_dir = env && env->config_dir ? ce_xstrdup(env->config_dir) : NULL;
    json_t *trig = ce_node_to_json(trigger->node);
    char err[256];
    int rc = http_prepare(t, trig, err, sizeof err);
    json_decref(trig);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot prepare the http trigger", "triggerName", trigger->name,
                  "error", err, NULL);
        http_destroy(t);
        return rc;
    }
    /* The trigger's pool, kept across the states of a trigger rebuilt at each firing, so its
     * connections are reused too. */
    t->client = env != NULL ? env->kept : NULL;
    if (t->client == NULL) {
        t->client = ce_http_client_create();
        t->own_client = true;
    }
    *state = t;
    return CE_OK;
}

/* The target for this firing: the prepared one, or one made from the edited block. */
static int http_target(const struct http_trigger *t, const struct ce_trigger_event *ev, int n,
                       struct ce_http_target **made, char *err, size_t errlen)
{
    *made = NULL;
    if (t->fixed != NULL) {
        return CE_OK;
    }
    char *block = ce_xstrndup(t->block_json, t->block_len);
    size_t len = t->block_len;
    int rc = ce_params_apply(t->action_params, ev, n, &block, &len, err, errlen);
    json_t *j = rc == CE_OK ? json_loadb(block, len, 0, NULL) : NULL;
    ce_free(block);
    if (rc == CE_OK) {
        rc = ce_http_target_from_json(j, t->secrets_dir, t->config_dir, made, err, errlen);
    }
    json_decref(j);
    return rc;
}

/* dynamicHeaders as "Name: value" lines (NULL-terminated, heap). */
static int http_dynamic_headers(const struct http_trigger *t, const struct ce_trigger_event *ev,
                                int n, char ***out, char *err, size_t errlen)
{
    int count = ce_params_count(t->dynamic_headers);
    char **lines = ce_xcalloc((size_t)count + 1, sizeof(*lines));
    int k = 0;
    for (int i = 0; i < count; i++) {
        struct ce_param_value v;
        const char *name = ce_param_dest(t->dynamic_headers, i);
        if (ce_param_resolve(t->dynamic_headers, i, ev, n, &v, err, errlen) != CE_OK) {
            for (int j = 0; j < k; j++) {
                ce_free(lines[j]);
            }
            ce_free(lines);
            return CE_EINVAL;
        }
        if (v.text != NULL) {
            lines[k++] = ce_xasprintf("%s: %s", name, v.text);
        }
        ce_param_value_fini(&v);
    }
    *out = lines;
    return CE_OK;
}

static int http_execute(void *state, const struct ce_trigger_event *ev, int n,
                        struct ce_trigger_result *res)
{
    struct http_trigger *t = state;
    struct ce_http_target *made = NULL;
    char *body = NULL;
    size_t body_len = 0;
    char **headers = NULL;
    int rc = http_target(t, ev, n, &made, res->err, sizeof res->err);
    if (rc == CE_OK && t->payload != NULL) {
        rc = ce_params_payload(t->payload, ev, n, &body, &body_len, res->err, sizeof res->err);
    }
    if (rc == CE_OK) {
        rc = http_dynamic_headers(t, ev, n, &headers, res->err, sizeof res->err);
    }
    if (rc == CE_OK) {
        struct ce_http_outcome o;
        (void)ce_http_send(t->client, made ? made : t->fixed, (const char *const *)headers, body,
                           body_len, &o);
        rc = ce_http_classify(&o, t->allow, t->n_allow);
        res->retry_after_ms = o.retry_after_ms;
        if (rc != CE_OK && o.status != 0 && t->allow != NULL) {
            ce_http_not_allowed(o.status, t->allow, t->n_allow, res->err, sizeof res->err);
        }
        else if (rc != CE_OK) {
            snprintf(res->err, sizeof res->err, "%s", o.err);
        }
    }
    for (int i = 0; headers != NULL && headers[i] != NULL; i++) {
        ce_free(headers[i]);
    }
    ce_free(headers);
    ce_free(body);
    ce_http_target_destroy(made);
    return rc;
}

static void http_describe(void *state, const struct ce_trigger_event *ev, int n, const char *indent,
                          struct ce_buf *out)
{
    struct http_trigger *t = state;
    struct ce_http_target *made = NULL;
    char *body = NULL;
    size_t body_len = 0;
    char **headers = NULL;
    char err[256] = "";
    int rc = http_target(t, ev, n, &made, err, sizeof err);
    if (rc == CE_OK && t->payload != NULL) {
        rc = ce_params_payload(t->payload, ev, n, &body, &body_len, err, sizeof err);
    }
    if (rc == CE_OK) {
        rc = http_dynamic_headers(t, ev, n, &headers, err, sizeof err);
    }
    int w = 0;
    if (rc != CE_OK) {
        w = ce_buf_printf(out, "%swould fail: %s\n", indent, err);
    }
    else {
        const struct ce_http_target *tg = made ? made : t->fixed;
        w = ce_buf_printf(out, "%swould send %s %s\n", indent, ce_http_target_method(tg),
                          ce_http_target_url(tg));
        for (int i = 0; headers[i] != NULL; i++) {
            w |= ce_buf_printf(out, "%s  %s\n", indent, headers[i]);
        }
        w |= ce_buf_printf(out, "%s  body (%zu bytes): %.*s\n", indent, body_len, (int)body_len,
                           body ? body : "");
    }
    (void)w; /* an explanation cut short by the cap is still printed */
    for (int i = 0; headers != NULL && headers[i] != NULL; i++) {
        ce_free(headers[i]);
    }
    ce_free(headers);
    ce_free(body);
    ce_http_target_destroy(made);
}

static void *http_keep_create(void)
{
    return ce_http_client_create();
}

static void http_keep_destroy(void *kept)
{
    ce_http_client_destroy(kept);
}

/* template.http: url is required, method one Argo knows, and payload entries may lack dest (the
 * value is then the whole body). The block itself is read again at each firing, after
 * parameters edited it, so nothing is kept. */
/* Whether a parameter of list (a TriggerParameter list) sets a dest starting with prefix. */
static bool http_list_sets(const struct ce_node *list, const char *prefix)
{
    for (int i = 0; list != NULL && list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        const struct ce_node *dest = ce_node_get(list->items[i], "dest");
        if (dest != NULL && dest->type == CE_NODE_SCALAR &&
            strncmp(dest->str, prefix, strlen(prefix)) == 0) {
            return true;
        }
    }
    return false;
}

/* The url must be an http(s) URL with a host, unless parameters write it at each firing. */
static void http_decode_url(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *v = ce_node_get(block, "url");
    if (!ce_mdec_nonempty(block, "url")) {
        ce_mdec_err_key(c, v ? v : block, "url", "required field is missing");
        return;
    }
    if (v->type != CE_NODE_SCALAR || http_list_sets(ce_node_get(block, "parameters"), "url") ||
        http_list_sets(ce_node_get(c->owner, "parameters"), "http")) {
        return;
    }
    char err[256];
    if (ce_http_url_check(v->str, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, v, "url", "%s", err);
    }
}

/* The secret and config map references (basicAuth, secureHeaders, tls), decoded here so they
 * are checked at lint time and recorded for the pod's mounts; the trigger reads them when it
 * is created. */
static void http_decode_secrets(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *basic = ce_node_get(block, "basicAuth");
    size_t old = ce_mdec_push(c, "basicAuth");
    if (ce_mdec_map(c, basic)) {
        struct ce_secret_ref user, pass;
        ce_mdec_secret(c, basic, "username", &user);
        ce_mdec_secret(c, basic, "password", &pass);
        ce_mdec_secret_free(&user);
        ce_mdec_secret_free(&pass);
    }
    ce_mdec_pop(c, old);
    ce_trigger_secure_headers_decode(c, block);
    struct ce_trigger_tls tls = ce_trigger_tls_decode(c, block, 0);
    ce_mdec_secret_free(&tls.ca);
    ce_mdec_secret_free(&tls.cert);
    ce_mdec_secret_free(&tls.key);
}

static void *http_decode(struct ce_mdec *c, const struct ce_node *block)
{
    http_decode_url(c, block);
    char *method = ce_mdec_str(c, block, "method", false);
    if (method != NULL && !ce_http_method_known(method)) {
        ce_mdec_err_key(c, ce_node_get(block, "method"), "method", "unknown method \"%s\"", method);
    }
    ce_free(method);
    (void)ce_mdec_parameters(c, block, "payload", true);
    http_decode_secrets(c, block);
    return NULL;
}

static const struct ce_block_decoder http_block = {
    .key = "http",
    .decode = http_decode,
};

extern const struct ce_trigger_plugin ce_trigger_http;
const struct ce_trigger_plugin ce_trigger_http = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &http_block,
    .ack_after_fire = false,
    /* the state is read-only once made, the client pool is thread-safe, and parameters,
     * templates and targets are pure: firings may overlap */
    .concurrent = true,
    .create = http_create,
    .execute = http_execute,
    .describe = http_describe,
    .destroy = http_destroy,
    .keep_create = http_keep_create,
    .keep_destroy = http_keep_destroy,
};
