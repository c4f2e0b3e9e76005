/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource filters: see filter.h. The extra functions (jsonpath, sprig.*) come from
 * core/expr_funcs; toJson, asInt and asFloat are core/expr builtins. */
#include "eventsource/filter.h"
#include "core/expr/expr.h"
#include "core/expr/expr_funcs.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <jansson.h>

#define ES_FILTER_MAX_DATA (16u * 1024u * 1024u)

struct ce_es_filter {
    struct ce_expr *expr;
};

int ce_es_filter_compile(const char *expression, struct ce_es_filter **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    struct ce_expr *e = NULL;
    char why[512];
    if (ce_expr_compile(CE_EXPR_EXPRLANG, expression, &e, why, sizeof why) != CE_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s", why);
    }
    struct ce_es_filter *f = ce_xcalloc(1, sizeof(*f));
    f->expr = e;
    *out = f;
    return CE_OK;
}

int ce_es_filter_eval(const struct ce_es_filter *f, const char *data, size_t len, bool *pass,
                      char *err, size_t errlen)
{
    *pass = false;
    if (len > ES_FILTER_MAX_DATA) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "event data larger than 16 MiB");
    }
    json_error_t jerr;
    json_t *data_json = json_loadb(data, len, JSON_DECODE_INT_AS_REAL, &jerr);
    if (!json_is_object(data_json)) {
        json_decref(data_json);
        return ce_rc_fail(CE_EINVAL, err, errlen, "event data is not a JSON object");
    }
    json_t *env = ce_expr_env_from_event(data_json, err, errlen);
    json_decref(data_json);
    if (env == NULL) {
        return CE_EINVAL;
    }
    int rc = ce_expr_eval_bool(f->expr, env, ce_expr_funcs_argo(), pass, err, errlen);
    json_decref(env);
    return rc == CE_OK ? CE_OK : CE_EINVAL;
}

const char *ce_es_filter_source(const struct ce_es_filter *f)
{
    return ce_expr_source(f->expr);
}

void ce_es_filter_destroy(struct ce_es_filter *f)
{
    if (f == NULL) {
        return;
    }
    ce_expr_destroy(f->expr);
    ce_free(f);
}
