/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics: every problem found in one pass, each with the file, line and column it is
 * about and the manifest path, printed as `file:line:col: error: spec.x.y: message`. */
#ifndef CE_MANIFEST_DIAG_H
#define CE_MANIFEST_DIAG_H

#include <stdbool.h>
#include <stdio.h>

struct ce_pos;

enum ce_diag_severity { CE_DIAG_ERROR = 0, CE_DIAG_WARNING, CE_DIAG_NOTE };

struct ce_diag_item {
    enum ce_diag_severity severity;
    char *file;
    int line;
    int col;
    char *path; /* "spec.webhook.example.port", may be "" */
    char *msg;
};

struct ce_diag {
    struct ce_diag_item *items;
    int n;
    int cap;
};

void ce_diag_init(struct ce_diag *d);
void ce_diag_fini(struct ce_diag *d);
/* pos may be NULL (then file "<input>", 0:0). The item is capped at 4096 bytes of message. */
void ce_diag_add(struct ce_diag *d, enum ce_diag_severity sev, const struct ce_pos *pos,
                 const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int ce_diag_errors(const struct ce_diag *d);
/* Prints items in the order added: "file:line:col: error: path: msg\n" (no "path: " when the
 * path is empty). */
void ce_diag_print(const struct ce_diag *d, FILE *f);

/* text is "path: message" as a compiler of what a manifest embeds reports it, the path written
 * below base (whose path is base_path) or from the top. The finding goes to that node's line and
 * column with the whole path; when text names no node below base, it goes to at, as it is. */
struct ce_node;
void ce_diag_add_found(struct ce_diag *d, enum ce_diag_severity sev, const struct ce_pos *at,
                       const struct ce_node *base, const char *base_path, const char *text);

#endif
