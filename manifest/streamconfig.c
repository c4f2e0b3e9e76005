/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus streamConfig: see streamconfig.h. */
#include "manifest/streamconfig.h"
#include "core/go/duration.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/node.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Where a node of the parsed string stands in the manifest: a block scalar's text starts on the
 * line after its indicator (the column is the one inside the string, its indentation removed). */
static struct ce_pos sc_pos(const struct ce_eventbus *eb, const struct ce_node *sc,
                            const struct ce_node *n)
{
    int base = sc->style == CE_NODE_BLOCK ? sc->line : sc->line - 1;
    struct ce_pos p = {eb->pos.file, base + n->line, n->col};
    return p;
}

/* An integer, also written as a float with an integral value (`1e+06`), as Go's YAML reads it
 * into an int64. */
static bool sc_int(const struct ce_node *n, int64_t *out)
{
    if (ce_node_int(n, out)) {
        return true;
    }
    char *end = NULL;
    double v = n->type == CE_NODE_SCALAR ? strtod(n->str, &end) : NAN;
    if (end == NULL || end == n->str || *end != '\0' || v != floor(v) || fabs(v) > 9.2e18) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool sc_duration_ms(const struct ce_node *n, int64_t *out, char *why, size_t len)
{
    int64_t ns = 0;
    if (n->type != CE_NODE_SCALAR || ce_duration_parse(n->str, &ns, why, len) != CE_OK) {
        return false;
    }
    *out = ns / 1000000;
    return true;
}

/* One key; false (with why) when its value is not acceptable. */
static bool sc_key(const char *key, const struct ce_node *v, struct ce_stream_config *cfg,
                   char *why, size_t len, bool *known)
{
    int64_t i = 0;
    *known = true;
    snprintf(why, len, "must be an integer");
    if (strcasecmp(key, "maxMsgs") == 0) {
        return sc_int(v, &cfg->max_msgs);
    }
    if (strcasecmp(key, "maxBytes") == 0) {
        return sc_int(v, &cfg->max_bytes);
    }
    if (strcasecmp(key, "replicas") == 0) {
        bool ok = sc_int(v, &i) && i >= 0 && i <= 5;
        cfg->replicas = ok ? (int)i : cfg->replicas;
        snprintf(why, len, "must be an integer from 0 to 5");
        return ok;
    }
    if (strcasecmp(key, "retention") == 0 || strcasecmp(key, "discard") == 0) {
        int top = strcasecmp(key, "retention") == 0 ? 2 : 1;
        bool ok = sc_int(v, &i) && i >= 0 && i <= top;
        snprintf(why, len, "must be %s",
                 top == 2 ? "0 (limits), 1 (interest) or 2 (work queue)" : "0 (old) or 1 (new)");
        if (ok) {
            *(top == 2 ? &cfg->retention : &cfg->discard) = (int)i;
        }
        return ok;
    }
    if (strcasecmp(key, "maxAge") == 0) {
        return sc_duration_ms(v, &cfg->max_age_ms, why, len);
    }
    if (strcasecmp(key, "duplicates") == 0) {
        return sc_duration_ms(v, &cfg->duplicates_ms, why, len);
    }
    *known = false;
    return true;
}

int ce_stream_config_apply(const struct ce_eventbus *eb, struct ce_stream_config *cfg,
                           struct ce_diag *diag)
{
    const struct ce_node *sc = eb->stream_config;
    if (sc == NULL || sc->type != CE_NODE_SCALAR || sc->len == 0) {
        return CE_OK;
    }
    struct ce_diag inner;
    ce_diag_init(&inner);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    int rc = ce_node_parse(sc->str, sc->len, eb->pos.file, &inner, &docs, &n);
    ce_diag_fini(&inner);
    struct ce_pos at = {eb->pos.file, sc->line, sc->col};
    if (rc != CE_OK || n != 1 || docs[0].root->type != CE_NODE_MAP) {
        ce_diag_add(diag, CE_DIAG_ERROR, &at, "streamConfig", "not a YAML map of settings");
        ce_node_docs_free(docs, n);
        return CE_EINVAL;
    }
    const struct ce_node *root = docs[0].root;
    for (int i = 0; i < root->n_pairs; i++) {
        const struct ce_node_pair *p = &root->pairs[i];
        char why[160];
        bool known = true;
        struct ce_pos where = sc_pos(eb, sc, p->value);
        if (!sc_key(p->key->str, p->value, cfg, why, sizeof why, &known)) {
            ce_diag_add(diag, CE_DIAG_ERROR, &where, "streamConfig", "%s %s", p->key->str, why);
            rc = CE_EINVAL;
        }
        else if (!known) {
            where = sc_pos(eb, sc, p->key);
            ce_diag_add(diag, CE_DIAG_WARNING, &where, "streamConfig", "unknown setting \"%s\"",
                        p->key->str);
        }
    }
    ce_node_docs_free(docs, n);
    return rc;
}
