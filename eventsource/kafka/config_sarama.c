/* SPDX-License-Identifier: Apache-2.0 */
/* The `config` field: a YAML document inside a string, Sarama's Config as Argo users write it
 * (nested maps, keys in any case, or dotted keys). Each leaf becomes a librdkafka property
 * (core/kafka/sarama.h); errors point into the string, at the line of the key. */
#include "core/base/mem.h"
#include "core/kafka/sarama.h"
#include "eventsource/kafka/config.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/node.h"

#include <stdio.h>
#include <string.h>

#define SARAMA_KEY_MAX 256
#define SARAMA_MAX_PROPS 256

struct sarama_walk {
    struct ce_mdec *c;
    const struct ce_node *config; /* the string's node */
    int col_base;                 /* the string's first column in the file */
    struct ce_kafka_es_config *cfg;
};

/* Where a node inside the string is in the file: a block scalar starts on the line after its
 * indicator; a one-line string at its own position. */
static struct ce_node sarama_at(const struct sarama_walk *w, const struct ce_node *inner)
{
    struct ce_node at = *w->config;
    if (w->config->style == CE_NODE_BLOCK) {
        at.line = w->config->line + inner->line;
        at.col = w->col_base + inner->col - 1;
    }
    return at;
}

static void sarama_leaf(struct sarama_walk *w, const char *key, const struct ce_node *k,
                        const struct ce_node *v)
{
    struct ce_node at = sarama_at(w, k);
    size_t old = ce_mdec_push(w->c, key);
    if (v->type != CE_NODE_SCALAR) {
        ce_mdec_err(w->c, &at, "unknown or unsupported client setting \"%s\" (a %s)", key,
                    ce_node_type_name(v));
    }
    else if (!ce_node_is_null(v)) {
        struct ce_kafka_prop p;
        char err[256];
        if (ce_kafka_sarama_map(key, v->str, v->style != CE_NODE_PLAIN, &p, err, sizeof(err)) !=
            CE_OK) {
            ce_mdec_err(w->c, &at, "%s", err);
        }
        else if (p.name != NULL && w->cfg->n_props < SARAMA_MAX_PROPS) {
            if (w->cfg->props == NULL) {
                w->cfg->props = ce_xcalloc(SARAMA_MAX_PROPS, sizeof(*w->cfg->props));
            }
            w->cfg->props[w->cfg->n_props++] = p;
        }
    }
    ce_mdec_pop(w->c, old);
}

static void sarama_walk_map(struct sarama_walk *w, const struct ce_node *m, const char *prefix)
{
    for (int i = 0; i < m->n_pairs; i++) {
        const struct ce_node *k = m->pairs[i].key;
        const struct ce_node *v = m->pairs[i].value;
        char key[SARAMA_KEY_MAX];
        int n = snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] ? "." : "",
                         k->type == CE_NODE_SCALAR ? k->str : "?");
        if (n < 0 || (size_t)n >= sizeof(key) || k->type != CE_NODE_SCALAR) {
            struct ce_node at = sarama_at(w, k);
            ce_mdec_err(w->c, &at, "unknown or unsupported client setting (key too long)");
            continue;
        }
        if (v->type == CE_NODE_MAP) {
            sarama_walk_map(w, v, key);
        }
        else {
            sarama_leaf(w, key, k, v);
        }
    }
}

/* A YAML error inside the string, moved to its place in the file. */
static void sarama_yaml_error(struct sarama_walk *w, const struct ce_diag *d)
{
    struct ce_node inner = {.line = d->n > 0 ? d->items[0].line : 1,
                            .col = d->n > 0 ? d->items[0].col : 1};
    struct ce_node at = sarama_at(w, &inner);
    ce_mdec_err(w->c, &at, "not valid YAML: %s", d->n > 0 ? d->items[0].msg : "?");
}

void ce_kafka_decode_sarama(struct ce_mdec *c, const struct ce_node *map,
                            struct ce_kafka_es_config *cfg)
{
    const struct ce_node_pair *pair = ce_node_get_pair(map, "config");
    char *text = ce_mdec_str(c, map, "config", false);
    if (pair == NULL || text == NULL) {
        ce_free(text);
        return;
    }
    struct sarama_walk w = {c, pair->value, pair->key->col + 2, cfg};
    struct ce_diag d;
    ce_diag_init(&d);
    struct ce_node_doc *docs = NULL;
    int n_docs = 0;
    size_t old = ce_mdec_push(c, "config");
    if (ce_node_parse(text, strlen(text), "config", &d, &docs, &n_docs) != CE_OK) {
        sarama_yaml_error(&w, &d);
    }
    else if (n_docs > 0 && docs[0].root->type == CE_NODE_MAP) {
        sarama_walk_map(&w, docs[0].root, "");
    }
    else if (n_docs > 0 && !ce_node_is_null(docs[0].root)) {
        ce_mdec_err(c, pair->value, "must be YAML settings (a map), as Sarama's config");
    }
    ce_mdec_pop(c, old);
    ce_node_docs_free(docs, n_docs);
    ce_diag_fini(&d);
    ce_free(text);
}
