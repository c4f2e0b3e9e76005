/* SPDX-License-Identifier: Apache-2.0 */
/* Findings placed at the node they are about: see ce_diag_add_found in diag.h. */
#include "manifest/diag.h"
#include "core/base/mem.h"
#include "manifest/model.h"
#include "manifest/node.h"

#include <stdio.h>
#include <string.h>

/* The length of the path that starts text ("a.b[0].c: ..."), or 0 when it does not start with
 * one. */
static size_t diag_path_len(const char *text)
{
    size_t n = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.[]");
    return n > 0 && strncmp(text + n, ": ", 2) == 0 ? n : 0;
}

void ce_diag_add_found(struct ce_diag *d, enum ce_diag_severity sev, const struct ce_pos *at,
                       const struct ce_node *base, const char *base_path, const char *text)
{
    size_t n = diag_path_len(text);
    size_t bl = strlen(base_path);
    const char *rel = text;
    size_t rel_len = n;
    if (n > bl && strncmp(text, base_path, bl) == 0 && text[bl] == '.') {
        rel = text + bl + 1; /* the path is written from the top: take what is below base */
        rel_len = n - bl - 1;
    }
    const struct ce_node *node = n > 0 ? ce_node_at(base, rel, rel_len) : NULL;
    if (node == NULL) {
        ce_diag_add(d, sev, at, base_path, "%s", text);
        return;
    }
    struct ce_pos pos = {at->file, node->line, node->col};
    char *path = ce_xasprintf("%s.%.*s", base_path, (int)rel_len, rel);
    ce_diag_add(d, sev, &pos, path, "%s", text + n + 2);
    ce_free(path);
}
