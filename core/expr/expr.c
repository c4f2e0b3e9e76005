/* SPDX-License-Identifier: Apache-2.0 */
/* Public entry points of the expression module: compile, evaluate, destroy, and the expr-lang
 * environment Argo Events builds from event data. */
#include "core/expr/expr_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdlib.h>
#include <string.h>

void ce_expr_destroy(struct ce_expr *e)
{
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->nnodes; i++) {
        ce_value_free_immortal(e->nodes[i].lit);
        ce_free(e->nodes[i].name);
        ce_regex_destroy(e->nodes[i].re);
    }
    for (size_t i = 0; i < e->nslots; i++) {
        ce_free(e->slots[i]);
    }
    ce_free(e->slots);
    ce_free(e->nodes);
    ce_free(e->kids);
    ce_free(e->src);
    ce_free(e);
}

int ce_expr_compile(enum ce_expr_dialect d, const char *src, struct ce_expr **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (src == NULL || (d != CE_EXPR_GOVALUATE && d != CE_EXPR_EXPRLANG)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "no expression");
    }
    size_t len = strnlen(src, CE_EXPR_SRC_MAX + 1);
    if (len > CE_EXPR_SRC_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "expression longer than %d bytes",
                          CE_EXPR_SRC_MAX);
    }
    struct ce_expr *e = ce_xcalloc(1, sizeof *e);
    e->dialect = d;
    e->src = ce_xstrndup(src, len);
    e->srclen = len;
    e->root = -1;
    int rc = d == CE_EXPR_GOVALUATE ? ce_expr_parse_govaluate(e, err, errlen)
                                    : ce_expr_parse_exprlang(e, err, errlen);
    if (rc != CE_OK) {
        ce_expr_destroy(e);
        return rc;
    }
    *out = e;
    return CE_OK;
}

int ce_expr_eval(const struct ce_expr *e, const json_t *env, const struct ce_expr_funcs *funcs,
                 struct ce_value **out, char *err, size_t errlen)
{
    *out = NULL;
    if (e == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "no expression");
    }
    if (env != NULL && !json_is_object(env)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "expression environment is not an object");
    }
    if (e->root < 0) {
        *out = ce_value_null();
        return CE_OK;
    }
    struct ce_expr_ctx c = {0};
    c.e = e;
    c.env = env;
    c.funcs = funcs;
    c.err = err;
    c.errlen = errlen;
    c.slots = e->nslots > 0 ? ce_xcalloc(e->nslots, sizeof *c.slots) : NULL;
    struct ce_value *v = NULL;
    int rc = ce_expr_eval_node(&c, e->root, 0, &v);
    for (size_t i = 0; i < e->nslots; i++) {
        ce_value_unref(c.slots[i]);
    }
    ce_free(c.slots);
    if (rc != CE_OK) {
        ce_value_unref(v);
        return rc;
    }
    *out = ce_value_detach(v); /* results must not point into the compiled expression */
    return CE_OK;
}

int ce_expr_eval_bool(const struct ce_expr *e, const json_t *env, const struct ce_expr_funcs *funcs,
                      bool *out, char *err, size_t errlen)
{
    struct ce_value *v = NULL;
    *out = false;
    int rc = ce_expr_eval(e, env, funcs, &v, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    if (v->kind != CE_VALUE_BOOL) {
        struct ce_buf b;
        ce_buf_init(&b, 200);
        if (ce_value_format(v, &b) != CE_OK) {
            ce_buf_reset(&b);
        }
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "expression result '%s' is not a bool",
                        b.data != NULL ? b.data : "...");
        ce_buf_fini(&b);
    }
    else {
        *out = v->u.b;
    }
    ce_value_unref(v);
    return rc;
}

const char *ce_expr_source(const struct ce_expr *e)
{
    return e->src;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Builds the object for all keys sharing prefix (keys sorted, dotted ones are paths). */
static json_t *expand(const json_t *flat, const char **keys, size_t n, size_t plen, int depth)
{
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *rest = keys[i] + plen;
        const char *dot = strchr(rest, '.');
        size_t seg = dot != NULL ? (size_t)(dot - rest) : strlen(rest);
        char *name = ce_xstrndup(rest, seg);
        if (json_object_get(out, name) != NULL) {
            ce_free(name);
            continue; /* first key of a segment wins, like Argo's expansion */
        }
        if (dot == NULL || depth >= CE_EXPR_JSON_DEPTH_MAX) {
            json_object_set(out, name, json_object_get(flat, keys[i]));
        }
        else {
            size_t j = i;
            while (j < n && strncmp(keys[j] + plen, rest, seg + 1) == 0) {
                j++;
            }
            json_object_set_new(out, name,
                                expand(flat, keys + i, j - i, plen + seg + 1, depth + 1));
        }
        ce_free(name);
    }
    return out;
}

json_t *ce_expr_env_from_event(const json_t *data, char *err, size_t errlen)
{
    if (!json_is_object(data)) {
        ce_rc_fail(CE_EINVAL, err, errlen, "failed to unmarshal data: not a JSON object");
        return NULL;
    }
    json_t *flat = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)data, k, v)
    {
        char *name = ce_xstrdup(k);
        for (char *p = name; *p != '\0'; p++) {
            *p = *p == '-' ? '_' : *p;
        }
        json_object_set(flat, name, v);
        ce_free(name);
    }
    size_t n = json_object_size(flat), w = 0;
    const char **keys = ce_xmalloc((n + 1) * sizeof *keys);
    json_object_foreach(flat, k, v)
    {
        keys[w++] = k;
    }
    qsort(keys, n, sizeof *keys, cmp_str);
    /* drop a key that is the dotted prefix of the next one: {"a":1,"a.b":2} keeps "a.b" */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(keys[i]);
        if (i + 1 < n && strncmp(keys[i + 1], keys[i], kl) == 0 && keys[i + 1][kl] == '.') {
            continue;
        }
        keys[m++] = keys[i];
    }
    json_t *env = expand(flat, keys, m, 0, 0);
    ce_free(keys);
    json_decref(flat);
    return env;
}
