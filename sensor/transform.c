/* SPDX-License-Identifier: Apache-2.0 */
/* A dependency's transform: jq when the manifest sets it, else the Lua script (as Argo Events
 * chooses), compiled once and applied per event. */
#include "sensor/transform.h"

#include "core/script/jq.h"
#include "core/script/luavm.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdbool.h>

struct ce_transform {
    struct ce_jq *jq;   /* set when the manifest has jq */
    struct ce_lua *lua; /* else the script */
};

int ce_transform_create(const char *jq, const char *script, struct ce_transform **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    bool has_jq = jq != NULL && jq[0] != '\0';
    bool has_script = script != NULL && script[0] != '\0';
    if (!has_jq && !has_script) {
        return CE_OK;
    }
    struct ce_transform *t = ce_xcalloc(1, sizeof *t);
    int rc = has_jq ? ce_jq_compile(jq, &t->jq, err, errlen)
                    : ce_lua_compile(script, "transform.script", &t->lua, err, errlen);
    if (rc != CE_OK) {
        ce_free(t);
        return rc;
    }
    *out = t;
    return CE_OK;
}

int ce_transform_apply(struct ce_transform *t, const char *data, size_t len, char **out,
                       size_t *out_len, char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (t == NULL) {
        return CE_OK;
    }
    if (t->jq != NULL) {
        return ce_jq_run_object(t->jq, data, len, out, out_len, err, errlen);
    }
    return ce_lua_transform(t->lua, data, len, out, out_len, err, errlen);
}

void ce_transform_destroy(struct ce_transform *t)
{
    if (t == NULL) {
        return;
    }
    ce_jq_destroy(t->jq);
    ce_lua_destroy(t->lua);
    ce_free(t);
}
