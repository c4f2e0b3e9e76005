/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for core/expr. Byte 0 picks the dialect (bit 0), the rest is the source. Compiles,
 * then evaluates twice against a fixed environment. Invariants: a failed compile leaves no
 * expression and a message; a successful eval yields a value; evaluation is deterministic;
 * eval_bool agrees with eval. */
#include "core/expr/expr.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_env =
    "{\"a\": 1, \"b\": \"str\", \"c\": true, \"d\": null, \"e\": [1, \"x\", {\"k\": 2}],"
    " \"body\": {\"id\": 4, \"name\": \"Jo\", \"items\": [{\"v\": 1}, {\"v\": 3}]},"
    " \"x-y\": 2, \"p.q\": 3}";

static char *format(const struct ce_value *v)
{
    struct ce_buf b;
    ce_buf_init(&b, 1 << 20);
    if (ce_value_format(v, &b) != CE_OK) {
        ce_buf_reset(&b);
    }
    char *s = b.data != NULL ? ce_buf_steal(&b, NULL) : ce_xstrdup("");
    ce_buf_fini(&b);
    return s;
}

static int fuzz_upper(void *ctx, struct ce_value *const *args, size_t nargs, struct ce_value **out,
                      char *err, size_t errlen)
{
    (void)ctx;
    if (nargs == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "no args");
    }
    *out = ce_value_ref(args[0]);
    return CE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    enum ce_expr_dialect d = (data[0] & 1) ? CE_EXPR_EXPRLANG : CE_EXPR_GOVALUATE;
    char *src = ce_xstrndup((const char *)data + 1, size - 1);
    char err[512];
    struct ce_expr *e = NULL;
    memset(err, 'x', sizeof err);
    if (ce_expr_compile(d, src, &e, err, sizeof err) != CE_OK) {
        if (e != NULL || memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
            abort();
        }
        ce_free(src);
        return 0;
    }
    json_error_t je;
    json_t *raw = json_loads(fuzz_env, JSON_DECODE_INT_AS_REAL, &je);
    json_t *env = d == CE_EXPR_EXPRLANG ? ce_expr_env_from_event(raw, NULL, 0) : json_incref(raw);
    static const struct ce_expr_func items[] = {{"sprig.upper", fuzz_upper}};
    const struct ce_expr_funcs funcs = {items, 1, NULL};
    struct ce_value *v1 = NULL, *v2 = NULL;
    int rc1 = ce_expr_eval(e, env, &funcs, &v1, err, sizeof err);
    int rc2 = ce_expr_eval(e, env, &funcs, &v2, err, sizeof err);
    if (rc1 != rc2 || (rc1 == CE_OK) != (v1 != NULL) || (rc2 == CE_OK) != (v2 != NULL)) {
        abort();
    }
    bool b = false;
    int rcb = ce_expr_eval_bool(e, env, &funcs, &b, err, sizeof err);
    if (rc1 == CE_OK) {
        char *s1 = format(v1), *s2 = format(v2);
        if (strcmp(s1, s2) != 0) {
            abort();
        }
        bool is_bool = v1->kind == CE_VALUE_BOOL;
        if ((rcb == CE_OK) != is_bool || (is_bool && b != v1->u.b)) {
            abort();
        }
        ce_free(s1);
        ce_free(s2);
    }
    ce_expr_destroy(e);
    /* results outlive the expression */
    if (v1 != NULL) {
        char *s = format(v1);
        ce_free(s);
    }
    ce_value_unref(v1);
    ce_value_unref(v2);
    json_decref(env);
    json_decref(raw);
    ce_free(src);
    return 0;
}
