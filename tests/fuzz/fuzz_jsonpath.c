/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for core/jsonpath. Input: a selector, a NUL byte, then a JSON document (a
 * built-in document when there is no NUL). Checks the result contract: CE_OK gives a value and
 * no message is needed; a failure gives no value and a NUL-terminated message; a successful
 * query is deterministic (run twice, equal results). */
#include "core/json/jsonpath.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_doc[] =
    "{\"store\":{\"book\":[{\"category\":\"reference\",\"price\":8.95,\"t\":\"a\"},"
    "{\"category\":\"fiction\",\"price\":12.99,\"isbn\":\"x\"},[1,2,[3,{\"k\":null}]]],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95,\"length\":2}},\"n\":10,\"s\":\"str\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    char *path = malloc(plen + 1);
    if (path == NULL) {
        return 0;
    }
    memcpy(path, data, plen);
    path[plen] = '\0';
    json_t *doc = nul ? json_loadb((const char *)nul + 1, size - plen - 1,
                                   JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL)
                      : json_loads(fuzz_doc, JSON_DECODE_INT_AS_REAL, NULL);
    if (doc == NULL) {
        free(path);
        return 0;
    }
    json_t *out = NULL, *again = NULL;
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = ce_jsonpath_query(path, doc, &out, err, sizeof err);
    if (rc == CE_OK) {
        if (out == NULL) {
            abort();
        }
        if (ce_jsonpath_query(path, doc, &again, err, sizeof err) != CE_OK || again == NULL ||
            !json_equal(out, again)) {
            abort();
        }
        json_decref(again);
        json_decref(out);
    }
    else if (out != NULL || memchr(err, '\0', sizeof err) == NULL ||
             (rc != CE_EINVAL && rc != CE_EPARSE && rc != CE_ETOOBIG)) {
        abort();
    }
    json_decref(doc);
    free(path);
    return 0;
}
