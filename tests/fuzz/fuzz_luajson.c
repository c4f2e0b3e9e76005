/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the JSON <-> Lua conversion of dependency scripts. Input: event data. When it
 * parses as an object, a script returning `event` unchanged must give back exactly the input
 * as Go would marshal it with its nulls left out (a null is nil in Lua), and that output must
 * itself be a fixed point. The jq identity program must give the input with its nulls kept. */
#include "core/base/buf.h"
#include "core/go/gojson.h"
#include "core/script/jq.h"
#include "core/script/luavm.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fz_drop_nulls(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, m)
        {
            if (json_is_null(m)) {
                json_object_del(v, k);
            }
            else {
                fz_drop_nulls(m);
            }
        }
    }
    else if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i > 0; i--) {
            if (json_is_null(json_array_get(v, i - 1))) {
                json_array_remove(v, i - 1);
            }
            else {
                fz_drop_nulls(json_array_get(v, i - 1));
            }
        }
    }
    return v;
}

/* Go's marshalling of v, or NULL when v cannot be written (NaN cannot occur here). */
static char *fz_dump(const json_t *v, size_t *len)
{
    struct ce_buf b;
    ce_buf_init(&b, CE_GOJSON_MAX_OUTPUT);
    char *out = NULL;
    if (ce_gojson_dump(v, &b, NULL, 0) == CE_OK) {
        out = ce_buf_steal(&b, len);
    }
    ce_buf_fini(&b);
    return out;
}

static void fz_same(const char *a, size_t alen, const char *b, size_t blen)
{
    if (a == NULL || b == NULL || alen != blen || memcmp(a, b, alen) != 0) {
        abort();
    }
}

static void fz_lua(struct ce_lua *l, const char *in, size_t size, json_t *v)
{
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0, want_len = 0;
    int rc = ce_lua_transform(l, in, size, &out, &out_len, NULL, 0);
    if (rc == CE_ETOOBIG) {
        return; /* a cap (nodes, memory) the normalised dump does not have */
    }
    char *want = fz_dump(fz_drop_nulls(v), &want_len);
    fz_same(out, out_len, want, want_len);
    if (ce_lua_transform(l, out, out_len, &again, &again_len, NULL, 0) != CE_OK) {
        abort();
    }
    fz_same(again, again_len, out, out_len);
    ce_free(want);
    ce_free(out);
    ce_free(again);
}

static void fz_jq(struct ce_jq *j, const char *in, size_t size, const json_t *v)
{
    char *out = NULL;
    size_t out_len = 0, want_len = 0;
    if (ce_jq_run_object(j, in, size, &out, &out_len, NULL, 0) != CE_OK) {
        abort();
    }
    char *want = fz_dump(v, &want_len);
    fz_same(out, out_len, want, want_len);
    ce_free(want);
    ce_free(out);
}

/* Compiled once: jq's compile costs milliseconds. Freed at exit, because libjq keeps its stack
 * through an interior pointer the leak checker does not follow. */
static struct ce_lua *lua;
static struct ce_jq *jq;

static void fz_cleanup(void)
{
    ce_lua_destroy(lua);
    ce_jq_destroy(jq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (lua == NULL) {
        if (ce_lua_compile("return event", "fuzz", &lua, NULL, 0) != CE_OK ||
            ce_jq_compile(".", &jq, NULL, 0) != CE_OK) {
            abort();
        }
        atexit(fz_cleanup);
    }
    const char *in = (const char *)data;
    json_t *v = NULL;
    char err[256];
    if (ce_gojson_parse_object(in, size, &v, err, sizeof err) != CE_OK) {
        char *out = NULL;
        size_t out_len = 0;
        /* both entry points must refuse what the parser refuses */
        if (ce_lua_transform(lua, in, size, &out, &out_len, NULL, 0) == CE_OK ||
            ce_jq_run_object(jq, in, size, &out, &out_len, NULL, 0) == CE_OK ||
            memchr(err, '\0', sizeof err) == NULL) {
            abort();
        }
        return 0;
    }
    fz_jq(jq, in, size, v);
    fz_lua(lua, in, size, v);
    json_decref(v);
    return 0;
}
