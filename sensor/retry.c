/* SPDX-License-Identifier: Apache-2.0 */
/* retryStrategy: see retry.h. */
#include "sensor/retry.h"
#include "core/go/duration.h"
#include "core/base/rc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ce_backoff_default(struct ce_backoff *b)
{
    b->duration_ns = 1000000000;
    b->factor = 1;
    b->jitter = 0;
    b->steps = 1;
}

/* Argo's Amount: a JSON number, or a string holding a decimal number. */
static int retry_amount(const json_t *j, const char *name, double *out, char *err, size_t errlen)
{
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (json_is_number(j)) {
        *out = json_number_value(j);
    }
    else if (json_is_string(j)) {
        errno = 0;
        char *end = NULL;
        *out = strtod(json_string_value(j), &end);
        if (errno != 0 || end == json_string_value(j) || *end != '\0') {
            snprintf(err, errlen, "retryStrategy.%s: not a number: \"%s\"", name,
                     json_string_value(j));
            return CE_EINVAL;
        }
    }
    else {
        snprintf(err, errlen, "retryStrategy.%s: not a number", name);
        return CE_EINVAL;
    }
    if (!isfinite(*out) || *out < 0) {
        snprintf(err, errlen, "retryStrategy.%s: must be zero or more", name);
        return CE_EINVAL;
    }
    return CE_OK;
}

static int retry_duration(const json_t *j, int64_t *ns, char *err, size_t errlen)
{
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    char text[64];
    bool is_string = json_is_string(j);
    if (is_string) {
        snprintf(text, sizeof(text), "%s", json_string_value(j));
    }
    else if (json_is_integer(j)) {
        snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    }
    else {
        snprintf(err, errlen, "retryStrategy.duration: not a duration");
        return CE_EINVAL;
    }
    char why[160];
    if (ce_duration_parse_int64_or_string(text, is_string, ns, why, sizeof(why)) != CE_OK ||
        *ns < 0) {
        snprintf(err, errlen, "retryStrategy.duration: %s", *ns < 0 ? "negative" : why);
        return CE_EINVAL;
    }
    return CE_OK;
}

int ce_backoff_from_json(const json_t *j, struct ce_backoff *b, char *err, size_t errlen)
{
    ce_backoff_default(b);
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_object(j)) {
        snprintf(err, errlen, "retryStrategy: not an object");
        return CE_EINVAL;
    }
    /* Argo's defaults for a retryStrategy that leaves fields out. */
    b->jitter = 1;
    b->steps = CE_RETRY_DEFAULT_STEPS;
    int rc = retry_duration(json_object_get(j, "duration"), &b->duration_ns, err, errlen);
    if (rc == CE_OK) {
        rc = retry_amount(json_object_get(j, "factor"), "factor", &b->factor, err, errlen);
    }
    if (rc == CE_OK) {
        rc = retry_amount(json_object_get(j, "jitter"), "jitter", &b->jitter, err, errlen);
    }
    const json_t *steps = json_object_get(j, "steps");
    if (rc == CE_OK && steps != NULL && !json_is_null(steps)) {
        json_int_t n = json_integer_value(steps);
        if (!json_is_integer(steps) || n < 0 || n > CE_RETRY_MAX_STEPS) {
            snprintf(err, errlen, "retryStrategy.steps: a whole number from 0 to %d",
                     CE_RETRY_MAX_STEPS);
            return CE_EINVAL;
        }
        b->steps = n > 0 ? (int)n : CE_RETRY_DEFAULT_STEPS;
    }
    return rc;
}

int64_t ce_backoff_wait_ns(const struct ce_backoff *b, int attempt, double rnd)
{
    double wait = (double)b->duration_ns;
    for (int i = 1; i < attempt && b->factor > 0 && wait < (double)CE_RETRY_MAX_WAIT_NS; i++) {
        wait *= b->factor;
    }
    if (b->jitter > 0) {
        wait += rnd * b->jitter * wait;
    }
    return wait > (double)CE_RETRY_MAX_WAIT_NS ? CE_RETRY_MAX_WAIT_NS : (int64_t)wait;
}
