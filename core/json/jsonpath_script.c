/* SPDX-License-Identifier: Apache-2.0 */
/* Compiling JSONPath filter and script expressions. The reference engine has no grammar: it
 * looks for operators in a fixed order (lowest precedence first), splits the text at the first
 * unquoted, unbracketed occurrence and parses both sides the same way; text with no operator is
 * a literal. Filters users write depend on its exact splits, so they are reproduced here. */
#include "core/json/jsonpath_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OP_DEPTH_MAX 128          /* nesting of operands */
#define COMPILE_WORK_MAX 8000000u /* bytes scanned while compiling one query */

/* The search order; entry 0 ("") is what a parenthesised expression starts with. */
static const char *const op_text[] = {
    "",  "||", "&&", "==", "!=", "<=", ">=",     "<",  ">", "=~", "!",
    "+", "-",  "**", "*",  "/",  "%",  "not in", "in", "@", "$",
};
#define NOPS (sizeof op_text / sizeof op_text[0])

static const enum jp_opk op_kind[NOPS] = {
    OP_SELECTOR, OP_OR,  OP_AND,   OP_EQ,    OP_NE,   OP_LE,       OP_GE,
    OP_LT,       OP_GT,  OP_REGEX, OP_NOT,   OP_PLUS, OP_MINUS,    OP_POW,
    OP_MUL,      OP_DIV, OP_MOD,   OP_NOTIN, OP_IN,   OP_SELECTOR, OP_SELECTOR,
};

static int cc_fail(struct jp_cc *cc, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cc_fail(struct jp_cc *cc, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cc->msg, sizeof cc->msg, fmt, ap);
    va_end(ap);
    cc->rc = rc;
    return rc;
}

/* Start of the first occurrence of op outside quotes and brackets, or -1. Positions are rune
 * starts; a bracket inside the other kind of bracket or a quote does not count. */
static long find_unquoted(struct jp_cc *cc, const char *s, size_t n, const char *op)
{
    size_t oplen = strlen(op);
    bool sq = false, dq = false;
    size_t sqo = 0, sqc = 0, rdo = 0, rdc = 0;
    cc->work += n + 1;
    for (size_t idx = 0; idx < n;) {
        size_t rl = jp_rune_len(s + idx, n - idx);
        size_t at = idx;
        idx += rl;
        bool in_sq = sqo > sqc, in_rd = rdo > rdc;
        switch (s[at]) {
        case '(':
        case ')':
            if (sq || dq || in_sq) {
                continue;
            }
            rdo += s[at] == '(';
            rdc += s[at] == ')';
            break;
        case '[':
        case ']':
            if (sq || dq || in_rd) {
                continue;
            }
            sqo += s[at] == '[';
            sqc += s[at] == ']';
            break;
        case '\'':
            if (dq || in_sq || in_rd) {
                continue;
            }
            sq = !sq;
            break;
        case '"':
            if (sq || in_sq || in_rd) {
                continue;
            }
            dq = !dq;
            break;
        default:
            break;
        }
        if (sq || dq || sqo > sqc || rdo > rdc) {
            continue;
        }
        if (oplen > at + 1) {
            continue;
        }
        size_t start = at + 1 - oplen;
        if (memcmp(s + start, op, oplen) == 0) {
            return (long)start;
        }
    }
    return -1;
}

static void op_free(struct jp_op *op);

static void sarg_clear(struct jp_sarg *a)
{
    op_free(a->op);
    ce_free(a->s);
    if (a->j != NULL) {
        json_decref(a->j);
    }
    memset(a, 0, sizeof *a);
}

static void op_free(struct jp_op *op)
{
    if (op == NULL) {
        return;
    }
    sarg_clear(&op->a);
    sarg_clear(&op->b);
    jp_path_free(&op->sel);
    ce_free(op);
}

static int build(struct jp_cc *cc, const char *e, size_t n, size_t off, struct jp_op **out);

/* An operand: an operator if the text has one, else nothing, a JSON literal or text. */
static int parse_arg(struct jp_cc *cc, const char *s, size_t n, size_t off, struct jp_sarg *a)
{
    memset(a, 0, sizeof *a);
    if (cc->depth >= OP_DEPTH_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "expression nested too deeply");
    }
    cc->depth++;
    int rc = build(cc, s, n, off, &a->op);
    cc->depth--;
    if (rc != CE_OK || a->op != NULL) {
        a->k = SA_OP;
        return rc;
    }
    jp_trim(&s, &n);
    if (n == 0) {
        a->k = SA_NIL;
        return CE_OK;
    }
    if ((s[0] == '[' && s[n - 1] == ']') || (s[0] == '{' && s[n - 1] == '}')) {
        json_t *j = json_loadb(s, n, JSON_DECODE_INT_AS_REAL, NULL);
        if (j != NULL && json_is_array(j) == (s[0] == '[') && json_is_object(j) == (s[0] == '{')) {
            a->k = SA_JSON;
            a->j = j;
            return CE_OK;
        }
        if (j != NULL) {
            json_decref(j);
        }
    }
    a->k = SA_STR;
    a->s = ce_xstrndup(s, n);
    return CE_OK;
}

static bool is_selector_op(const char *t)
{
    return (t[0] == '@' || t[0] == '$') && t[1] == '\0';
}

/* One split attempt at idx, where op_text[cur] was found; operands are parsed with the list
 * starting at off. *done false means: try the next operator. */
static int split_at(struct jp_cc *cc, const char *e, size_t n, size_t cur, size_t off, long idx,
                    struct jp_op **out, bool *done)
{
    const char *next = op_text[cur];
    size_t nl = strlen(next);
    *done = false;
    const char *r = e + idx + nl;
    size_t rn = n - (size_t)idx - nl;
    jp_trim(&r, &rn);
    if (rn == 0 && !is_selector_op(next)) {
        return CE_OK;
    }
    struct jp_sarg ra, la;
    int rc = parse_arg(cc, r, rn, off, &ra);
    if (rc != CE_OK) {
        sarg_clear(&ra);
        return rc;
    }
    const char *l = e;
    size_t ln = (size_t)idx;
    jp_trim(&l, &ln);
    if (ln == 0 && !is_selector_op(next) && strcmp(next, "!") != 0) {
        sarg_clear(&ra);
        return CE_OK;
    }
    rc = parse_arg(cc, l, ln, off, &la);
    if (rc != CE_OK) {
        sarg_clear(&ra);
        sarg_clear(&la);
        return rc;
    }
    if ((is_selector_op(next) || strcmp(next, "!") == 0) && la.k != SA_NIL) {
        sarg_clear(&ra);
        sarg_clear(&la);
        return CE_OK;
    }
    if (cur == 0) {
        sarg_clear(&ra);
        sarg_clear(&la);
        return cc_fail(cc, CE_EPARSE, "unsupported operator");
    }
    *done = true;
    struct jp_op *op = ce_xcalloc(1, sizeof *op);
    op->k = op_kind[cur];
    if (op->k == OP_SELECTOR) {
        sarg_clear(&ra);
        sarg_clear(&la);
        rc = jp_compile(cc, e, n, &op->sel);
        if (rc != CE_OK) {
            op_free(op);
            return rc;
        }
    }
    else if (op->k == OP_NOT) {
        op->a = ra;
        sarg_clear(&la);
    }
    else {
        op->a = la;
        op->b = ra;
    }
    *out = op;
    return CE_OK;
}

static int build(struct jp_cc *cc, const char *e, size_t n, size_t off, struct jp_op **out)
{
    *out = NULL;
    for (;;) {
        if (cc->work > COMPILE_WORK_MAX) {
            return cc_fail(cc, CE_ETOOBIG, "expression too complex");
        }
        size_t cur = off; /* the operator looked for; a parenthesis resets the list, not it */
        jp_trim(&e, &n);
        if (n == 0) {
            return CE_OK;
        }
        if (n >= 2 && e[0] == '(' && e[n - 1] == ')') {
            e++;
            n -= 2;
            jp_trim(&e, &n);
            off = 0;
        }
        bool last = off + 1 == NOPS;
        long idx = find_unquoted(cc, e, n, op_text[cur]);
        if (idx >= 0) {
            bool done;
            int rc = split_at(cc, e, n, cur, off, idx, out, &done);
            if (rc != CE_OK || done) {
                return rc;
            }
        }
        if (last) {
            return CE_OK;
        }
        off++;
    }
}

int jp_script_compile(struct jp_cc *cc, const char *src, size_t len, struct jp_script **out)
{
    struct jp_script *s = ce_xcalloc(1, sizeof *s);
    s->src = ce_xstrndup(src, len);
    int rc = build(cc, src, len, 1, &s->root);
    if (rc != CE_OK) {
        jp_script_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

void jp_script_free(struct jp_script *s)
{
    if (s == NULL) {
        return;
    }
    op_free(s->root);
    ce_free(s->src);
    ce_free(s);
}
