/* SPDX-License-Identifier: Apache-2.0 */
/* jq transforms through libjq: compiled once, run per event, first output written with Go's
 * encoding/json rules (see jq.h). */
#include "core/script/jq.h"

#include "core/base/buf.h"
#include "core/go/gojson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <jq.h>
#include <jv.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* As in Argo Events the environment is not visible to programs: env and $ENV are empty. There
 * are no further inputs (and libjq crashes on input without an input callback). */
#define JQ_PRELUDE                                                                                 \
    "{} as $ENV | def env: {}; def input: error(\"no more inputs\"); def inputs: empty; "

struct ce_jq {
    pthread_mutex_t mu;
    jq_state *jq;
    char msg[512]; /* the last message libjq reported */
};

/* Keeps the first message of a compile (the error itself; later ones only count errors), its
 * first line, without the "jq: error: " lead. */
static void cejq_on_msg(void *data, jv msg)
{
    struct ce_jq *j = data;
    if (jv_get_kind(msg) != JV_KIND_STRING) {
        msg = jv_dump_string(msg, 0);
    }
    const char *s = jv_string_value(msg);
    if (strncmp(s, "jq: error: ", 11) == 0) {
        s += 11;
    }
    if (j->msg[0] == '\0') {
        snprintf(j->msg, sizeof j->msg, "%.*s", (int)strcspn(s, "\n"), s);
    }
    jv_free(msg);
}

static void cejq_on_debug(void *data, jv msg)
{
    (void)data;
    jv_free(msg);
}

int ce_jq_compile(const char *program, struct ce_jq **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t len = strlen(program);
    if (len > CE_JQ_MAX_PROGRAM) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "jq program is %zu bytes, more than %u", len,
                          CE_JQ_MAX_PROGRAM);
    }
    struct ce_jq *j = ce_xcalloc(1, sizeof *j);
    j->jq = jq_init();
    if (j->jq == NULL) {
        ce_free(j);
        return ce_rc_fail(CE_EIO, err, errlen, "cannot create a jq state");
    }
    pthread_mutex_init(&j->mu, NULL);
    jq_set_error_cb(j->jq, cejq_on_msg, j);
    jq_set_debug_cb(j->jq, cejq_on_debug, j);
    /* no library path: import and include find nothing */
    jq_set_attr(j->jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
    char *full = ce_xasprintf("%s%s", JQ_PRELUDE, program);
    int ok = jq_compile(j->jq, full);
    ce_free(full);
    if (!ok) {
        int rc = ce_rc_fail(CE_EPARSE, err, errlen, "jq program does not compile: %s",
                            j->msg[0] ? j->msg : "syntax error");
        ce_jq_destroy(j);
        return rc;
    }
    *out = j;
    return CE_OK;
}

void ce_jq_destroy(struct ce_jq *j)
{
    if (j == NULL) {
        return;
    }
    jq_teardown(&j->jq);
    pthread_mutex_destroy(&j->mu);
    ce_free(j);
}

/* json_t (as parsed by ce_gojson_parse_object, so depth is bounded) to jv. */
static jv jq_from_json(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        jv o = jv_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            size_t kl = json_object_iter_key_len(json_object_key_to_iter(k));
            o = jv_object_set(o, jv_string_sized(k, (int)kl), jq_from_json(m));
        }
        return o;
    }
    case JSON_ARRAY: {
        jv a = jv_array_sized((int)json_array_size(v));
        for (size_t i = 0; i < json_array_size(v); i++) {
            a = jv_array_append(a, jq_from_json(json_array_get(v, i)));
        }
        return a;
    }
    case JSON_STRING:
        return jv_string_sized(json_string_value(v), (int)json_string_length(v));
    case JSON_INTEGER:
    case JSON_REAL:
        return jv_number(json_number_value(v));
    case JSON_TRUE:
        return jv_true();
    case JSON_FALSE:
        return jv_false();
    case JSON_NULL:
        break;
    }
    return jv_null();
}

static int jq_write(jv v, struct ce_buf *b, int depth, char *err, size_t errlen);

static int jq_full(struct ce_buf *b, int rc, char *err, size_t errlen)
{
    if (rc == CE_ETOOBIG) {
        return ce_rc_fail(rc, err, errlen, "jq output longer than %zu bytes", b->max);
    }
    return rc;
}

/* Objects with their keys sorted bytewise, as Go marshals a map; consumes v. */
static int jq_write_object(jv v, struct ce_buf *b, int depth, char *err, size_t errlen)
{
    jv keys = jv_keys(jv_copy(v)); /* sorted */
    int n = jv_array_length(jv_copy(keys));
    int rc = jq_full(b, ce_buf_append(b, "{", 1), err, errlen);
    for (int i = 0; rc == CE_OK && i < n; i++) {
        jv k = jv_array_get(jv_copy(keys), i);
        rc = ce_buf_append(b, i > 0 ? "," : "", i > 0 ? 1 : 0);
        if (rc == CE_OK) {
            rc = ce_buf_json_str(b, jv_string_value(k), (size_t)jv_string_length_bytes(jv_copy(k)));
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(b, ":", 1);
        }
        rc = jq_full(b, rc, err, errlen);
        if (rc == CE_OK) {
            rc = jq_write(jv_object_get(jv_copy(v), jv_copy(k)), b, depth + 1, err, errlen);
        }
        jv_free(k);
    }
    jv_free(keys);
    jv_free(v);
    if (rc == CE_OK) {
        rc = jq_full(b, ce_buf_append(b, "}", 1), err, errlen);
    }
    return rc;
}

/* Writes v as Go's json.Marshal would; consumes v. */
static int jq_write(jv v, struct ce_buf *b, int depth, char *err, size_t errlen)
{
    jv_kind kind = jv_get_kind(v);
    if ((kind == JV_KIND_OBJECT || kind == JV_KIND_ARRAY) && depth >= CE_GOJSON_MAX_DEPTH) {
        jv_free(v);
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "jq output nested deeper than %d levels",
                          CE_GOJSON_MAX_DEPTH);
    }
    int rc = CE_OK;
    switch (kind) {
    case JV_KIND_OBJECT:
        return jq_write_object(v, b, depth, err, errlen);
    case JV_KIND_ARRAY: {
        int n = jv_array_length(jv_copy(v));
        rc = jq_full(b, ce_buf_append(b, "[", 1), err, errlen);
        for (int i = 0; rc == CE_OK && i < n; i++) {
            rc = jq_full(b, ce_buf_append(b, i > 0 ? "," : "", i > 0 ? 1 : 0), err, errlen);
            if (rc == CE_OK) {
                rc = jq_write(jv_array_get(jv_copy(v), i), b, depth + 1, err, errlen);
            }
        }
        if (rc == CE_OK) {
            rc = jq_full(b, ce_buf_append(b, "]", 1), err, errlen);
        }
        break;
    }
    case JV_KIND_STRING:
        rc = jq_full(
            b, ce_buf_json_str(b, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v))),
            err, errlen);
        break;
    case JV_KIND_NUMBER: {
        char num[CE_GOJSON_NUM_MAX];
        int n = ce_gojson_fmt_float(jv_number_value(v), num);
        rc = n < 0 ? ce_rc_fail(CE_EINVAL, err, errlen, "jq output holds NaN or infinity")
                   : jq_full(b, ce_buf_append(b, num, (size_t)n), err, errlen);
        break;
    }
    case JV_KIND_TRUE:
        rc = jq_full(b, ce_buf_append(b, "true", 4), err, errlen);
        break;
    case JV_KIND_FALSE:
        rc = jq_full(b, ce_buf_append(b, "false", 5), err, errlen);
        break;
    default:
        rc = jq_full(b, ce_buf_append(b, "null", 4), err, errlen);
        break;
    }
    jv_free(v);
    return rc;
}

/* The first output of the run just started, or an error. Consumes nothing of the caller's. */
static int jq_first(struct ce_jq *j, struct ce_buf *b, char *err, size_t errlen)
{
    jv r = jq_next(j->jq);
    if (jv_is_valid(r)) {
        if (jv_get_kind(r) != JV_KIND_OBJECT) {
            jv_free(r);
            return ce_rc_fail(CE_EINVAL, err, errlen, "jq output must be a JSON object");
        }
        return jq_write(r, b, 0, err, errlen);
    }
    if (jv_invalid_has_msg(jv_copy(r))) {
        jv msg = jv_invalid_get_msg(r);
        if (jv_get_kind(msg) != JV_KIND_STRING) {
            msg = jv_dump_string(msg, 0);
        }
        int rc = ce_rc_fail(CE_EINVAL, err, errlen, "jq program failed: %s", jv_string_value(msg));
        jv_free(msg);
        return rc;
    }
    jv_free(r);
    if (jq_halted(j->jq)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "jq program halted without output");
    }
    return ce_rc_fail(CE_EINVAL, err, errlen, "no output available from the jq program");
}

int ce_jq_run_object(struct ce_jq *j, const char *json, size_t len, char **out, size_t *out_len,
                     char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (json == NULL) {
        return CE_OK; /* no data: left as it is, as Argo does */
    }
    json_t *data = NULL;
    int rc = ce_gojson_parse_object(json, len, &data, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_GOJSON_MAX_OUTPUT);
    pthread_mutex_lock(&j->mu);
    jq_start(j->jq, jq_from_json(data), 0);
    json_decref(data);
    rc = jq_first(j, &b, err, errlen);
    /* drop the run's values now rather than at the next event */
    jq_start(j->jq, jv_null(), 0);
    pthread_mutex_unlock(&j->mu);
    if (rc == CE_OK) {
        *out = ce_buf_steal(&b, out_len);
    }
    ce_buf_fini(&b);
    return rc;
}
