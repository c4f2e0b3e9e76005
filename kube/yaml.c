/* SPDX-License-Identifier: Apache-2.0 */
/* A kubeconfig as JSON: libyaml's document tree turned into jansson values, so the loader
 * navigates one kind of tree. Aliases are resolved by libyaml's document loader. */
#include "core/base/rc.h"
#include "kube/kube_int.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64

static json_t *yaml_node_json(yaml_document_t *doc, yaml_node_t *n, int depth);

static json_t *yaml_scalar(yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0) {
            return json_true();
        }
        if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0) {
            return json_false();
        }
        if (strcmp(v, "null") == 0 || strcmp(v, "~") == 0 || len == 0) {
            return json_null();
        }
    }
    return json_stringn(v, len);
}

static json_t *yaml_mapping(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    json_t *o = json_object();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE) {
            continue;
        }
        json_t *jv = yaml_node_json(doc, v, depth + 1);
        if (jv == NULL) {
            json_decref(o);
            return NULL;
        }
        json_object_setn_new(o, (const char *)k->data.scalar.value, k->data.scalar.length, jv);
    }
    return o;
}

static json_t *yaml_node_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    if (depth > YAML_MAX_DEPTH) {
        return NULL;
    }
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_scalar(n);
    case YAML_MAPPING_NODE:
        return yaml_mapping(doc, n, depth);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++) {
            yaml_node_t *item = yaml_document_get_node(doc, *i);
            json_t *jv = item ? yaml_node_json(doc, item, depth + 1) : NULL;
            if (jv == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, jv);
        }
        return a;
    }
    default:
        return json_null();
    }
}

json_t *ce_kube_yaml_load(const char *text, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) {
        ce_rc_fail(CE_EIO, err, errlen, "cannot start the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        ce_rc_fail(CE_EPARSE, err, errlen, "line %zu: %s", p.problem_mark.line + 1,
                   p.problem ? p.problem : "bad YAML");
        yaml_parser_delete(&p);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    json_t *out = root ? yaml_node_json(&doc, root, 0) : json_object();
    if (out == NULL) {
        ce_rc_fail(CE_EPARSE, err, errlen, "nested deeper than %d levels", YAML_MAX_DEPTH);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return out;
}
