/* SPDX-License-Identifier: Apache-2.0 */
/* AST storage for compiled expressions, regex helpers and located error messages. Nodes live in
 * one array addressed by index, so a compiled expression is a few flat allocations. */
#include "core/expr/expr_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ce_expr_node_add(struct ce_expr *e, enum ce_expr_kind kind, uint32_t pos, int32_t *idx,
                     char *err, size_t errlen)
{
    if (e->nnodes >= CE_EXPR_NODES_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "expression has more than %d nodes",
                          CE_EXPR_NODES_MAX);
    }
    if (e->nnodes == e->capnodes) {
        e->capnodes = e->capnodes == 0 ? 16 : 2 * e->capnodes;
        e->nodes = ce_xrealloc(e->nodes, e->capnodes * sizeof *e->nodes);
    }
    struct ce_expr_node *n = &e->nodes[e->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->pos = pos;
    n->a = n->b = n->c = -1;
    n->slot = -1;
    *idx = (int32_t)e->nnodes++;
    return CE_OK;
}

void ce_expr_kids_set(struct ce_expr *e, int32_t idx, const int32_t *kids, size_t n)
{
    if (e->nkids + n > e->capkids) {
        size_t cap = e->capkids == 0 ? 16 : e->capkids;
        while (cap < e->nkids + n) {
            cap *= 2;
        }
        e->kids = ce_xrealloc(e->kids, cap * sizeof *e->kids);
        e->capkids = cap;
    }
    if (n > 0) {
        memcpy(e->kids + e->nkids, kids, n * sizeof *kids);
    }
    e->nodes[idx].kid0 = (uint32_t)e->nkids;
    e->nodes[idx].nkids = (uint32_t)n;
    e->nkids += n;
}

int32_t ce_expr_slot(struct ce_expr *e, const char *name)
{
    for (size_t i = 0; i < e->nslots; i++) {
        if (strcmp(e->slots[i], name) == 0) {
            return (int32_t)i;
        }
    }
    e->slots = ce_xrealloc(e->slots, (e->nslots + 1) * sizeof *e->slots);
    e->slots[e->nslots] = ce_xstrdup(name);
    return (int32_t)e->nslots++;
}

int ce_expr_lit_add(struct ce_expr *e, struct ce_value *v, uint32_t pos, int32_t *idx, char *err,
                    size_t errlen)
{
    int rc = ce_expr_node_add(e, CE_NK_LIT, pos, idx, err, errlen);
    if (rc != CE_OK) {
        ce_value_unref(v);
        return rc;
    }
    ce_value_make_immortal(v);
    e->nodes[*idx].lit = v;
    return CE_OK;
}

/* 1 match, 0 none, -1 the match budget ran out (message in err). */
int ce_expr_regex_match(const struct ce_regex *re, const char *s, size_t len, char *err,
                        size_t errlen)
{
    bool m = false;
    if (ce_regex_search(re, s, len, &m) != CE_OK) {
        ce_rc_fail(CE_ETOOBIG, err, errlen, "regexp match failed: match limit exceeded");
        return -1;
    }
    return m ? 1 : 0;
}

/* The line containing pos: start offset and length. */
static void line_of(const char *src, size_t srclen, size_t pos, size_t *start, size_t *len,
                    unsigned *lineno)
{
    size_t s = 0;
    unsigned ln = 1;
    for (size_t i = 0; i < pos && i < srclen; i++) {
        if (src[i] == '\n') {
            ln++;
            s = i + 1;
        }
    }
    size_t e = s;
    while (e < srclen && src[e] != '\n') {
        e++;
    }
    *start = s;
    *len = e - s;
    *lineno = ln;
}

int ce_expr_fail_at(const char *src, size_t srclen, uint32_t pos, int rc, char *err, size_t errlen,
                    const char *fmt, ...)
{
    if (err == NULL || errlen == 0) {
        return rc;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t ls, ll;
    unsigned line;
    if (pos > srclen) {
        pos = (uint32_t)srclen;
    }
    line_of(src, srclen, pos, &ls, &ll, &line);
    unsigned col = 0;
    bool ascii = true;
    for (size_t i = ls; i < pos; i++) {
        unsigned char ch = (unsigned char)src[i];
        if ((ch & 0xc0) != 0x80) {
            col++;
        }
        ascii = ascii && ch < 0x80;
    }
    ascii = ascii && (pos >= srclen || (unsigned char)src[pos] < 0x80);
    /* source line with tabs as spaces, then a caret under the column (ASCII lines only) */
    char snip[256];
    size_t sl = ll < sizeof snip - 1 ? ll : sizeof snip - 1;
    for (size_t i = 0; i < sl; i++) {
        snip[i] = src[ls + i] == '\t' ? ' ' : src[ls + i];
    }
    snip[sl] = '\0';
    char caret[256];
    size_t cw = 0;
    if (ascii && col < sizeof caret - 8) {
        cw += (size_t)snprintf(caret, sizeof caret, "\n | ");
        for (unsigned i = 0; i < col; i++) {
            caret[cw++] = '.';
        }
        caret[cw++] = '^';
    }
    caret[cw] = '\0';
    return ce_rc_fail(rc, err, errlen, "%s (%u:%u)\n | %s%s", msg, line, col + 1, snip, caret);
}
