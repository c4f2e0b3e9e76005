/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the template engine: the input is a template, parsed and executed against
 * fixed event data. Checks that parsing either succeeds or fails with a message and no
 * template, that execution stays within the output cap, that a successful run is repeatable
 * (same bytes twice, the clock being fixed), and that nothing crashes or leaks. */
#include "core/base/buf.h"
#include "core/template/gotmpl.h"
#include "core/base/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_OUTPUT 65536u

static const char fuzz_data[] =
    "{\"Input\":{\"body\":{\"message\":\"hello\",\"n\":3,\"f\":2.5,\"list\":[\"a\",1,null,true],"
    "\"map\":{\"b\":2,\"a\":{\"x\":[]}},\"b64\":\"aGVsbG8=\"},\"header\":{\"X\":[\"1\"]}}}";

static int exec_once(const struct ce_tmpl *t, const json_t *j, struct ce_buf *b)
{
    char err[256];
    struct ce_tmpl_opts o = {.now_ns = INT64_C(1700000000000000000),
                             .max_output = FUZZ_MAX_OUTPUT,
                             .max_memory = 8u * 1024u * 1024u};
    err[0] = '\0';
    int rc = ce_tmpl_exec(t, j, &o, b, err, sizeof err);
    if (b->len > FUZZ_MAX_OUTPUT || (rc != 0 && err[0] == '\0')) {
        abort();
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *j;
    if (!j) {
        j = json_loads(fuzz_data, JSON_DECODE_INT_AS_REAL, NULL);
        if (!j) {
            abort();
        }
    }
    if (size > 4096) {
        return 0;
    }
    char *src = ce_xstrndup((const char *)data, size);
    struct ce_tmpl *t = NULL;
    char err[256];
    err[0] = '\0';
    if (ce_tmpl_parse(src, &t, err, sizeof err) != 0) {
        if (t != NULL || err[0] == '\0') {
            abort();
        }
        ce_free(src);
        return 0;
    }
    /* templates using the random uuid are not repeatable */
    bool repeatable = strstr(src, "uuid") == NULL;
    struct ce_buf a, b;
    ce_buf_init(&a, 0);
    ce_buf_init(&b, 0);
    int rc1 = exec_once(t, j, &a);
    int rc2 = exec_once(t, j, &b);
    if (repeatable && (rc1 != rc2 || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))) {
        abort();
    }
    ce_buf_fini(&a);
    ce_buf_fini(&b);
    ce_tmpl_destroy(t);
    ce_free(src);
    return 0;
}
