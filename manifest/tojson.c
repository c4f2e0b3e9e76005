/* SPDX-License-Identifier: Apache-2.0 */
/* YAML node → JSON value, with the scalar resolution of kubectl's YAML reader. */
#include "manifest/tojson.h"
#include "core/base/mem.h"
#include "manifest/node.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool tojson_is_tagged(const struct ce_node *n, const char *short_tag, const char *long_tag)
{
    return n->tag != NULL && (strcmp(n->tag, short_tag) == 0 || strcmp(n->tag, long_tag) == 0);
}

/* Decimal, 0x hex, 0o / leading-0 octal and 0b binary integers, with an optional sign and the
 * underscores YAML 1.1 allows. */
static bool tojson_int(const char *s, json_int_t *out)
{
    char clean[72];
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '_') {
            continue;
        }
        if (n + 1 >= sizeof(clean)) {
            return false;
        }
        clean[n++] = *p;
    }
    clean[n] = '\0';
    const char *d = clean + (clean[0] == '-' || clean[0] == '+');
    if (*d < '0' || *d > '9') {
        return false;
    }
    int base = 10;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        base = 16;
    }
    else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
        base = 2;
    }
    else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O')) {
        base = 8;
    }
    else if (d[0] == '0' && d[1] != '\0') {
        base = 8;
    }
    const char *digits = base == 10 || (base == 8 && d[1] >= '0' && d[1] <= '7') ? d : d + 2;
    if (*digits == '\0') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(digits, &end, base);
    if (errno != 0 || end == NULL || *end != '\0') {
        return false;
    }
    *out = clean[0] == '-' ? -(json_int_t)v : (json_int_t)v;
    return true;
}

static bool tojson_float(const char *s, double *out)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF"};
    for (size_t i = 0; i < sizeof(inf) / sizeof(inf[0]); i++) {
        if (strcmp(s, inf[i]) == 0) {
            *out = INFINITY;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(ninf) / sizeof(ninf[0]); i++) {
        if (strcmp(s, ninf[i]) == 0) {
            *out = -INFINITY;
            return true;
        }
    }
    /* A YAML float needs a digit and a '.', 'e' or 'E'; hex floats and "nan" are strings. */
    bool digit = false, mark = false;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digit = true;
        }
        else if (*p == '.' || *p == 'e' || *p == 'E') {
            mark = true;
        }
        else if (*p != '-' && *p != '+' && *p != '_') {
            return false;
        }
    }
    if (!digit || !mark) {
        return false;
    }
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || end == NULL || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static json_t *tojson_scalar(const struct ce_node *n)
{
    if (tojson_is_tagged(n, "!!str", "tag:yaml.org,2002:str") || n->style != CE_NODE_PLAIN) {
        return json_stringn(n->str, n->len);
    }
    if (ce_node_is_null(n)) {
        return json_null();
    }
    bool b;
    if (ce_node_bool(n, &b) || tojson_is_tagged(n, "!!bool", "tag:yaml.org,2002:bool")) {
        /* Single-letter y/n stay strings: kubectl's reader does the same. */
        return ce_node_bool(n, &b) ? json_boolean(b) : json_stringn(n->str, n->len);
    }
    json_int_t i;
    if (strlen(n->str) == n->len && tojson_int(n->str, &i)) {
        return json_integer(i);
    }
    double d;
    if (strlen(n->str) == n->len && tojson_float(n->str, &d) && isfinite(d)) {
        return json_real(d);
    }
    return json_stringn(n->str, n->len);
}

json_t *ce_node_to_json(const struct ce_node *n)
{
    if (n == NULL) {
        return NULL;
    }
    if (n->type == CE_NODE_SCALAR) {
        json_t *v = tojson_scalar(n);
        return v ? v : json_null(); /* invalid UTF-8 cannot be a JSON string */
    }
    if (n->type == CE_NODE_SEQ) {
        json_t *arr = json_array();
        for (int i = 0; i < n->n_items; i++) {
            json_array_append_new(arr, ce_node_to_json(n->items[i]));
        }
        return arr;
    }
    json_t *obj = json_object();
    for (int i = 0; i < n->n_pairs; i++) {
        const struct ce_node *k = n->pairs[i].key;
        if (k->type == CE_NODE_SCALAR) {
            json_object_setn_new(obj, k->str, k->len, ce_node_to_json(n->pairs[i].value));
        }
    }
    return obj;
}

char *ce_node_to_json_text(const struct ce_node *n)
{
    json_t *j = ce_node_to_json(n);
    if (j == NULL) {
        return NULL;
    }
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    char *out = ce_xstrdup(text ? text : "null");
    free(text);
    return out;
}
