/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for trigger conditions. Input: the first line is the expression, further lines
 * (up to 32) are dependency names; without them a fixed list is used. Checks properties every
 * &&/|| expression has: all referenced dependencies true gives true, none gives false, and in a
 * pure-OR expression each referenced dependency alone gives true. */
#include "sensor/conditions.h"

#include "core/base/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_DEPS 32

static const char *const fuzz_default_deps[] = {"a", "b", "c", "dep-1", "dep_2", "test-dep-3"};

static void fuzz_check(const struct ce_cond *c, int n)
{
    bool sat[FUZZ_MAX_DEPS] = {false};
    int idx[FUZZ_MAX_DEPS];
    int k = ce_cond_deps(c, idx, FUZZ_MAX_DEPS);
    if (k < 1 || k > n || ce_cond_text(c) == NULL) {
        abort();
    }
    if (ce_cond_eval(c, sat)) {
        abort();
    }
    for (int i = 0; i < k; i++) {
        sat[idx[i]] = true;
    }
    if (!ce_cond_eval(c, sat)) {
        abort();
    }
    if (ce_cond_is_pure_or(c)) {
        for (int i = 0; i < k; i++) {
            memset(sat, 0, sizeof sat);
            sat[idx[i]] = true;
            if (!ce_cond_eval(c, sat)) {
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ce_xstrndup((const char *)data, size);
    char *lines[FUZZ_MAX_DEPS + 1];
    int nl = 0;
    for (char *p = text; nl <= FUZZ_MAX_DEPS;) {
        lines[nl++] = p;
        char *e = strchr(p, '\n');
        if (e == NULL) {
            break;
        }
        *e = '\0';
        p = e + 1;
    }
    const char *const *deps = (const char *const *)(lines + 1);
    int n = nl - 1;
    if (n == 0) {
        deps = fuzz_default_deps;
        n = (int)(sizeof fuzz_default_deps / sizeof fuzz_default_deps[0]);
    }
    struct ce_cond *c = NULL;
    char err[256];
    if (ce_cond_compile(lines[0], deps, n, &c, err, sizeof err) == 0) {
        fuzz_check(c, n);
        ce_cond_destroy(c);
    }
    else if (c != NULL) {
        abort();
    }
    ce_free(text);
    return 0;
}
