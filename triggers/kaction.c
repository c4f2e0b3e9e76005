/* SPDX-License-Identifier: Apache-2.0 */
/* See kaction.h. Idempotent creation: Argo lets the API server pick a generateName suffix, so a
 * firing repeated after a crash between the create and the bus's ack creates a second object.
 * cevents picks the suffix itself, from the firing's events: the repeat asks for the same name
 * and the AlreadyExists answer tells it the first create went through. */
#include "triggers/kaction.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventbus/cloudevent.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define KACTION_BASE_MAX 52 /* generateName kept, so the name stays within 63 characters */

void *ce_kaction_keep_create(void)
{
    struct ce_kaction_keep *k = ce_xcalloc(1, sizeof(*k));
    struct ce_kube_config *cfg = NULL;
    char err[200] = "";
    int rc = ce_kube_config_load(NULL, &cfg, err, sizeof err);
    if (rc == CE_OK) {
        rc = ce_kube_client_create(cfg, &k->client, err, sizeof err);
    }
    if (rc != CE_OK) {
        snprintf(k->err, sizeof k->err, "no Kubernetes API server: %s", err);
    }
    ce_kube_config_free(cfg);
    return k;
}

void ce_kaction_keep_destroy(void *kept)
{
    struct ce_kaction_keep *k = kept;
    if (k != NULL) {
        ce_kube_client_destroy(k->client);
        ce_free(k);
    }
}

int ce_kaction_client(const struct ce_trigger_env *env, struct ce_kube_client **out,
                      struct ce_trigger_result *res)
{
    const struct ce_kaction_keep *k = env != NULL ? env->kept : NULL;
    *out = k != NULL ? k->client : NULL;
    if (*out == NULL) {
        snprintf(res->err, sizeof res->err, "%s", k ? k->err : "no Kubernetes API client");
        return CE_EINVAL;
    }
    return CE_OK;
}

static const char *kaction_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

int ce_kaction_fail(struct ce_kube_client *c, const char *trigger, const char *verb,
                    const json_t *obj, const char *ns, int rc, const struct ce_kube_error *e,
                    struct ce_trigger_result *res)
{
    struct ce_kube_resource r;
    struct ce_kube_error ignored;
    char what[300];
    const char *kind = kaction_str(obj, "kind");
    if (ce_kube_discover(c, kaction_str(obj, "apiVersion"), kind, &r, &ignored) == CE_OK) {
        snprintf(what, sizeof what, "%s%s%s", r.plural, r.group[0] ? "." : "", r.group);
    }
    else {
        snprintf(what, sizeof what, "%s", kind);
    }
    const char *name = ce_kobj_meta(obj, "name");
    if (name == NULL) {
        name = ce_kobj_meta(obj, "generateName");
    }
    char status[16] = "no response";
    if (e->status > 0) {
        snprintf(status, sizeof status, "HTTP %d", e->status);
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s %s %s/%s: %s (%s): %s", verb, what, ns ? ns : "",
             name ? name : "", e->reason[0] ? e->reason : "Error", status, e->message);
    size_t len = strlen(msg) < sizeof res->err ? strlen(msg) : sizeof res->err - 1;
    memcpy(res->err, msg, len);
    res->err[len] = '\0';
    bool retry = ce_kube_rc_retryable(rc);
    ce_log_kv(CE_LOG_ERROR, "the Kubernetes API refused the trigger's call", "triggerName", trigger,
              "verb", verb, "resource", what, "namespace", ns ? ns : "", "reason",
              e->reason[0] ? e->reason : "Error", "error", msg, "retryable",
              retry ? "true" : "false", NULL);
    return retry ? CE_RETRY : rc;
}

static uint64_t kaction_fnv(uint64_t h, const char *s)
{
    for (const char *p = s ? s : "";; p++) {
        h ^= (unsigned char)*p;
        h *= UINT64_C(1099511628211);
        if (*p == '\0') {
            return h;
        }
    }
}

void ce_kaction_firing_name(const char *generate_name, const char *sensor, const char *trigger,
                            const struct ce_trigger_event *ev, int n, char *out, size_t outlen)
{
    uint64_t h = UINT64_C(14695981039346656037);
    h = kaction_fnv(h, sensor);
    h = kaction_fnv(h, trigger);
    for (int i = 0; i < n; i++) {
        h = kaction_fnv(h, ev[i].dependency_name);
        h = kaction_fnv(h, ev[i].event ? ev[i].event->source : "");
        h = kaction_fnv(h, ev[i].event ? ev[i].event->subject : "");
        h = kaction_fnv(h, ev[i].event ? ev[i].event->id : "");
    }
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char suffix[11];
    for (int i = 0; i < 10; i++) {
        suffix[i] = digits[h % 36];
        h /= 36;
    }
    suffix[10] = '\0';
    size_t base = strlen(generate_name);
    snprintf(out, outlen, "%.*s%s", (int)(base > KACTION_BASE_MAX ? KACTION_BASE_MAX : base),
             generate_name, suffix);
}

int ce_kaction_create_once(struct ce_kube_client *c, json_t *obj, const char *ns,
                           const struct ce_kaction_who *who, json_t **created,
                           struct ce_kube_error *e)
{
    const char *gen = ce_kobj_meta(obj, "generateName");
    bool derived = ce_kobj_meta(obj, "name") == NULL && gen != NULL;
    if (derived) {
        char name[128];
        ce_kaction_firing_name(gen, who->sensor, who->trigger, who->ev, who->n, name, sizeof name);
        ce_kobj_set_meta(obj, "name", name);
    }
    int rc = ce_kube_create(c, obj, ns, created, e);
    if (rc == CE_EREMOTE && derived && strcmp(e->reason, "AlreadyExists") == 0) {
        struct ce_kube_ref ref = {kaction_str(obj, "apiVersion"), kaction_str(obj, "kind"), ns,
                                  ce_kobj_meta(obj, "name")};
        ce_log_kv(CE_LOG_INFO, "the object was created by an earlier attempt of this firing",
                  "triggerName", who->trigger, "name", ref.name, NULL);
        json_t *got = NULL;
        rc = ce_kube_get(c, &ref, &got, e);
        if (created != NULL) {
            *created = got;
        }
        else {
            json_decref(got);
        }
    }
    return rc;
}

static void kaction_sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

int ce_kaction_policy_wait(struct ce_kube_client *c, const struct ce_kobj_label_policy *p,
                           const json_t *obj, struct ce_kube_error *e)
{
    if (p->labels == NULL || obj == NULL) {
        return CE_OK;
    }
    const json_t *meta = json_object_get(obj, "metadata");
    struct ce_kube_ref ref = {kaction_str(obj, "apiVersion"), kaction_str(obj, "kind"),
                              kaction_str(meta, "namespace"), kaction_str(meta, "name")};
    for (int step = 0; step < p->steps; step++) {
        /* the jitter needs no good randomness: the clock's milliseconds will do */
        double rnd = (double)(ce_clock_mono_ms() % 1000) / 1000.0;
        kaction_sleep_ns(ce_kobj_policy_wait_ns(p, step, rnd));
        json_t *got = NULL;
        int rc = ce_kube_get(c, &ref, &got, e);
        if (rc != CE_OK) {
            return rc;
        }
        bool met = ce_kobj_policy_met(p, got);
        json_decref(got);
        if (met) {
            return CE_OK;
        }
    }
    if (p->error_on_timeout) {
        snprintf(e->message, sizeof e->message,
                 "failed to determine status of the triggered resource. setting trigger state "
                 "as failed");
        return CE_ETIMEDOUT;
    }
    return CE_OK;
}
