/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for path lookups. Input: the path, a newline, then the JSON text (copied into an
 * exactly sized buffer so any read past its end is caught). Checks that a lookup never fails
 * except on a cap, that the result's texts are bounded and terminated, that its raw text lies
 * inside the input when it is not built, and that its kind agrees with its text. */
#include "core/json/gjson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const char *json, size_t len, const struct ce_gj_result *r)
{
    if (r->str == NULL || r->str[r->str_len] != '\0' || r->raw == NULL) {
        abort();
    }
    if (r->owned == NULL && r->raw_len > 0 && (r->raw < json || r->raw + r->raw_len > json + len)) {
        abort();
    }
    switch (r->type) {
    case CE_GJ_NONE:
        if (r->str_len != 0 || r->num != 0) {
            abort();
        }
        break;
    case CE_GJ_TRUE:
        if (strcmp(r->str, "true") != 0 || r->num != 1 || !ce_gj_bool(r)) {
            abort();
        }
        break;
    case CE_GJ_FALSE:
        if (strcmp(r->str, "false") != 0 || ce_gj_bool(r)) {
            abort();
        }
        break;
    case CE_GJ_JSON:
        if (r->raw_len == 0 || (r->raw[0] != '{' && r->raw[0] != '[') || r->str_len != r->raw_len ||
            memcmp(r->str, r->raw, r->raw_len) != 0) {
            abort();
        }
        break;
    case CE_GJ_STRING:
        if (r->raw_len == 0 || r->raw[0] != '"' || r->str_len > r->raw_len) {
            abort();
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl) {
        return 0;
    }
    size_t plen = (size_t)(nl - data);
    char *path = ce_xstrndup((const char *)data, plen);
    size_t len = size - plen - 1;
    char *json = ce_xmalloc(len ? len : 1);
    memcpy(json, nl + 1, len);
    struct ce_gj_result r;
    char err[128];
    int rc = ce_gj_get(json, len, path, &r, err, sizeof err);
    if (rc != CE_OK && rc != CE_ETOOBIG && !(rc == CE_EINVAL && strlen(path) > CE_GJ_PATH_MAX)) {
        abort();
    }
    if (rc == CE_OK) {
        check_result(json, len, &r);
    }
    ce_gj_result_fini(&r);
    /* the document itself as a path exercises the path parser on odd text */
    if (len <= CE_GJ_PATH_MAX && memchr(json, '\0', len) == NULL) {
        char *p2 = ce_xstrndup(json, len);
        if (ce_gj_get(json, len, p2, &r, NULL, 0) == CE_OK) {
            check_result(json, len, &r);
        }
        ce_gj_result_fini(&r);
        ce_free(p2);
    }
    (void)ce_gj_valid(json, len);
    ce_free(json);
    ce_free(path);
    return 0;
}
