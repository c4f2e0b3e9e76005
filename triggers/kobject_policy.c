/* SPDX-License-Identifier: Apache-2.0 */
/* policy.k8s, as Argo's ResourceLabels: after the action, GET the object up to `steps` times
 * (default 5, 1 s apart, factor 1, jitter 1) until its labels hold every given label. A GET
 * that fails fails the trigger; running out of steps fails it only with errorOnBackoffTimeout. */
#include "triggers/kobject.h"
#include "core/base/mem.h"
#include "core/go/duration.h"
#include "manifest/tojson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KOBJ_POLICY_MAX_STEPS 100
#define KOBJ_POLICY_MAX_WAIT_NS (INT64_C(300) * 1000000000)

static int kobj_amount(const json_t *v, const char *what, double *out, char *err, size_t errlen)
{
    if (v == NULL || json_is_null(v)) {
        return CE_OK;
    }
    double d = 0;
    char *end = NULL;
    if (json_is_number(v)) {
        d = json_number_value(v);
    }
    else if (json_is_string(v)) {
        d = strtod(json_string_value(v), &end);
        if (end == json_string_value(v) || *end != '\0') {
            return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.backoff.%s: not a number", what);
        }
    }
    else {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.backoff.%s: not a number", what);
    }
    if (!isfinite(d) || d < 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.backoff.%s: must be >= 0", what);
    }
    *out = d;
    return CE_OK;
}

static int kobj_backoff(const json_t *b, struct ce_kobj_label_policy *p, char *err, size_t errlen)
{
    p->duration_ns = INT64_C(1000000000);
    p->factor = 1;
    p->jitter = 1;
    p->steps = 5;
    if (b == NULL || json_is_null(b)) {
        return CE_OK;
    }
    if (!json_is_object(b)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.backoff: not an object");
    }
    const json_t *d = json_object_get(b, "duration");
    int rc = CE_OK;
    if (json_is_string(d) || json_is_integer(d)) {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(d));
        rc = ce_duration_parse_int64_or_string(json_is_string(d) ? json_string_value(d) : num,
                                               json_is_string(d), &p->duration_ns, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kobj_amount(json_object_get(b, "factor"), "factor", &p->factor, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kobj_amount(json_object_get(b, "jitter"), "jitter", &p->jitter, err, errlen);
    }
    const json_t *steps = json_object_get(b, "steps");
    if (rc == CE_OK && steps != NULL && !json_is_null(steps)) {
        json_int_t n = json_integer_value(steps);
        if (!json_is_integer(steps) || n < 0 || n > KOBJ_POLICY_MAX_STEPS) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "policy.k8s.backoff.steps: a whole number from 0 to %d",
                              KOBJ_POLICY_MAX_STEPS);
        }
        p->steps = n > 0 ? (int)n : 5;
    }
    return rc;
}

static int kobj_labels(const json_t *labels, struct ce_kobj_label_policy *p, char *err,
                       size_t errlen)
{
    if (!json_is_object(labels)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.labels: expected a map");
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)labels, k, v)
    {
        if (!json_is_string(v)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "policy.k8s.labels.%s: expected a string", k);
        }
    }
    p->labels = json_deep_copy(labels);
    return CE_OK;
}

int ce_kobj_policy_from_json(const json_t *trigger, struct ce_kobj_label_policy *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const json_t *k8s = json_object_get(json_object_get(trigger, "policy"), "k8s");
    const json_t *labels = json_object_get(k8s, "labels");
    if (labels == NULL || json_is_null(labels)) {
        return CE_OK; /* Argo applies no policy without labels */
    }
    int rc = kobj_backoff(json_object_get(k8s, "backoff"), out, err, errlen);
    if (rc == CE_OK) {
        rc = kobj_labels(labels, out, err, errlen);
    }
    out->error_on_timeout = json_is_true(json_object_get(k8s, "errorOnBackoffTimeout"));
    if (rc != CE_OK) {
        ce_kobj_policy_fini(out);
    }
    return rc;
}

void ce_kobj_policy_decode(struct ce_mdec *c, const struct ce_node *trigger,
                           struct ce_kobj_label_policy *out)
{
    memset(out, 0, sizeof(*out));
    const struct ce_node *pol = ce_node_get(trigger, "policy");
    const struct ce_node *k8s = ce_node_get(pol, "k8s");
    if (k8s == NULL || ce_node_is_null(k8s)) {
        return;
    }
    json_t *j = ce_node_to_json(trigger);
    char err[256];
    if (ce_kobj_policy_from_json(j, out, err, sizeof err) != CE_OK) {
        ce_mdec_err(c, k8s, "%s", err);
    }
    json_decref(j);
}

void ce_kobj_policy_fini(struct ce_kobj_label_policy *p)
{
    json_decref(p->labels);
    p->labels = NULL;
}

bool ce_kobj_policy_met(const struct ce_kobj_label_policy *p, const json_t *obj)
{
    const json_t *have = json_object_get(json_object_get(obj, "metadata"), "labels");
    if (!json_is_object(have)) {
        return false;
    }
    const char *k;
    json_t *want;
    json_object_foreach(p->labels, k, want)
    {
        const json_t *v = json_object_get(have, k);
        if (!json_is_string(v) || strcmp(json_string_value(v), json_string_value(want)) != 0) {
            return false;
        }
    }
    return true;
}

int64_t ce_kobj_policy_wait_ns(const struct ce_kobj_label_policy *p, int step, double rnd)
{
    if (step <= 0) {
        return 0;
    }
    double wait = (double)p->duration_ns;
    for (int i = 1; i < step && p->factor > 0 && wait < (double)KOBJ_POLICY_MAX_WAIT_NS; i++) {
        wait *= p->factor;
    }
    if (p->jitter > 0) {
        wait += rnd * p->jitter * wait;
    }
    return wait > (double)KOBJ_POLICY_MAX_WAIT_NS ? KOBJ_POLICY_MAX_WAIT_NS : (int64_t)wait;
}
