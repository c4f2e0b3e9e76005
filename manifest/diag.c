/* SPDX-License-Identifier: Apache-2.0 */
/* Collects diagnostics in the order they are found so that one lint run reports every problem,
 * each with the file position and the manifest path it is about. */
#include "manifest/diag.h"

#include <stdarg.h>
#include <string.h>

#include "core/base/mem.h"
#include "manifest/model.h"

#define DIAG_MAX_MSG 4096

void ce_diag_init(struct ce_diag *d)
{
    memset(d, 0, sizeof(*d));
}

void ce_diag_fini(struct ce_diag *d)
{
    if (d == NULL) {
        return;
    }
    for (int i = 0; i < d->n; i++) {
        ce_free(d->items[i].file);
        ce_free(d->items[i].path);
        ce_free(d->items[i].msg);
    }
    ce_free(d->items);
    memset(d, 0, sizeof(*d));
}

void ce_diag_add(struct ce_diag *d, enum ce_diag_severity sev, const struct ce_pos *pos,
                 const char *path, const char *fmt, ...)
{
    char msg[DIAG_MAX_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = ce_xrealloc(d->items, (size_t)d->cap * sizeof(*d->items));
    }
    struct ce_diag_item *it = &d->items[d->n++];
    it->severity = sev;
    it->file = ce_xstrdup(pos && pos->file ? pos->file : "<input>");
    it->line = pos ? pos->line : 0;
    it->col = pos ? pos->col : 0;
    it->path = ce_xstrdup(path ? path : "");
    it->msg = ce_xstrdup(msg);
}

int ce_diag_errors(const struct ce_diag *d)
{
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        if (d->items[i].severity == CE_DIAG_ERROR) {
            n++;
        }
    }
    return n;
}

static const char *diag_sev_name(enum ce_diag_severity s)
{
    switch (s) {
    case CE_DIAG_WARNING:
        return "warning";
    case CE_DIAG_NOTE:
        return "note";
    default:
        return "error";
    }
}

void ce_diag_print(const struct ce_diag *d, FILE *f)
{
    for (int i = 0; i < d->n; i++) {
        const struct ce_diag_item *it = &d->items[i];
        if (it->path[0] != '\0') {
            fprintf(f, "%s:%d:%d: %s: %s: %s\n", it->file, it->line, it->col,
                    diag_sev_name(it->severity), it->path, it->msg);
        }
        else {
            fprintf(f, "%s:%d:%d: %s: %s\n", it->file, it->line, it->col,
                    diag_sev_name(it->severity), it->msg);
        }
    }
}
