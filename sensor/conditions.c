/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger conditions: a shunting-yard compiler from the expression to postfix code, and a
 * stack machine that evaluates it. Both are iterative, so nesting cannot exhaust the C stack;
 * nesting is still capped so the evaluation stack has a fixed size. */
#include "sensor/conditions.h"

#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* With two precedence levels at most two operands wait per nesting level, plus one. */
#define COND_MAX_STACK (2 * (CE_COND_MAX_DEPTH + 1) + 2)

enum cond_op {
    COND_AND = -1,
    COND_OR = -2,
    COND_LPAREN = -3,
};

enum cond_tok_kind {
    COND_T_END,
    COND_T_NAME,
    COND_T_AND,
    COND_T_OR,
    COND_T_LPAREN,
    COND_T_RPAREN,
    COND_T_ERROR,
};

struct cond_tok {
    enum cond_tok_kind kind;
    size_t pos; /* byte offset in the expression */
    size_t len;
};

struct ce_cond {
    int32_t *code; /* >= 0: push dependency; COND_AND / COND_OR: combine */
    size_t ncode;
    int *deps;
    int ndeps;
    bool has_and;
    char *text;
};

/* Compiler state; the operator stack keeps each '(' position for error messages. */
struct cond_comp {
    const char *s;
    const char *const *names;
    int n;
    struct ce_cond *c;
    int32_t *ops;
    size_t *op_pos;
    size_t nops;
    bool *seen;
    int depth;
    struct ce_buf text;
    char *err;
    size_t errlen;
};

static const char *const cond_reserved[] = {"and",     "or",       "not",        "in",
                                            "matches", "contains", "startsWith", "endsWith",
                                            "true",    "false",    "nil"};

static int cond_err(struct cond_comp *k, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cond_err(struct cond_comp *k, int rc, const char *fmt, ...)
{
    if (k->err != NULL && k->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(k->err, k->errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* The resolved text cannot outgrow the expression (names keep their length) or the names. */
static void cond_text(struct cond_comp *k, const char *s)
{
    int rc = ce_buf_puts(&k->text, s);
    (void)rc;
}

static bool cond_space(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Names are what expr-lang reads as identifiers once '-' became '_': letters, digits, '_' and
 * non-ASCII bytes, not starting with a digit. */
static bool cond_name_byte(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch >= 0x80;
}

static struct cond_tok cond_next(const char *s, size_t *pos)
{
    size_t i = *pos;
    while (cond_space(s[i])) {
        i++;
    }
    struct cond_tok t = {COND_T_END, i, 0};
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\0') {
        return t;
    }
    if (ch == '(' || ch == ')') {
        t.kind = ch == '(' ? COND_T_LPAREN : COND_T_RPAREN;
        t.len = 1;
    }
    else if ((ch == '&' || ch == '|') && s[i + 1] == (char)ch) {
        t.kind = ch == '&' ? COND_T_AND : COND_T_OR;
        t.len = 2;
    }
    else if (cond_name_byte(ch) && !(ch >= '0' && ch <= '9')) {
        t.kind = COND_T_NAME;
        while (cond_name_byte((unsigned char)s[i + t.len])) {
            t.len++;
        }
    }
    else {
        t.kind = COND_T_ERROR;
        t.len = 1;
    }
    *pos = i + t.len;
    return t;
}

/* a and b equal with '-' and '_' treated alike. */
static bool cond_name_eq(const char *a, size_t alen, const char *b)
{
    size_t i = 0;
    for (; i < alen && b[i] != '\0'; i++) {
        char x = a[i] == '-' ? '_' : a[i];
        char y = b[i] == '-' ? '_' : b[i];
        if (x != y) {
            return false;
        }
    }
    return i == alen && b[i] == '\0';
}

static int cond_lookup(const struct cond_comp *k, const char *p, size_t len)
{
    for (int i = k->n - 1; i >= 0; i--) {
        if (k->names[i] != NULL && cond_name_eq(p, len, k->names[i])) {
            return i;
        }
    }
    return -1;
}

static int cond_name(struct cond_comp *k, const struct cond_tok *t)
{
    const char *p = k->s + t->pos;
    for (size_t i = 0; i < sizeof cond_reserved / sizeof cond_reserved[0]; i++) {
        if (strlen(cond_reserved[i]) == t->len && memcmp(cond_reserved[i], p, t->len) == 0) {
            return cond_err(k, CE_EPARSE, "\"%.*s\" at column %zu is a reserved word", (int)t->len,
                            p, t->pos + 1);
        }
    }
    int d = cond_lookup(k, p, t->len);
    if (d < 0) {
        return cond_err(k, CE_EPARSE, "unknown dependency \"%.*s\" at column %zu", (int)t->len, p,
                        t->pos + 1);
    }
    k->c->code[k->c->ncode++] = d;
    if (!k->seen[d]) {
        k->seen[d] = true;
        k->c->deps[k->c->ndeps++] = d;
    }
    cond_text(k, k->names[d]);
    return CE_OK;
}

/* Pops operators that bind at least as tightly as op (all are left-associative). */
static void cond_push_op(struct cond_comp *k, int32_t op, size_t pos)
{
    while (k->nops > 0 && k->ops[k->nops - 1] != COND_LPAREN &&
           (k->ops[k->nops - 1] == COND_AND || op == COND_OR)) {
        k->c->code[k->c->ncode++] = k->ops[--k->nops];
    }
    if (op == COND_AND) {
        k->c->has_and = true;
    }
    k->op_pos[k->nops] = pos;
    k->ops[k->nops++] = op;
    cond_text(k, op == COND_AND ? "&&" : "||");
}

static int cond_close(struct cond_comp *k, size_t pos)
{
    while (k->nops > 0 && k->ops[k->nops - 1] != COND_LPAREN) {
        k->c->code[k->c->ncode++] = k->ops[--k->nops];
    }
    if (k->nops == 0) {
        return cond_err(k, CE_EPARSE, "unmatched ')' at column %zu", pos + 1);
    }
    k->nops--;
    k->depth--;
    cond_text(k, ")");
    return CE_OK;
}

static int cond_operand(struct cond_comp *k, const struct cond_tok *t, bool *want_operand)
{
    if (t->kind == COND_T_NAME) {
        *want_operand = false;
        return cond_name(k, t);
    }
    if (t->kind == COND_T_LPAREN) {
        if (++k->depth > CE_COND_MAX_DEPTH) {
            return cond_err(k, CE_EPARSE, "parentheses nested deeper than %d at column %zu",
                            CE_COND_MAX_DEPTH, t->pos + 1);
        }
        k->op_pos[k->nops] = t->pos;
        k->ops[k->nops++] = COND_LPAREN;
        cond_text(k, "(");
        return CE_OK;
    }
    if (t->kind == COND_T_END) {
        return cond_err(k, CE_EPARSE,
                        "conditions end at column %zu where a dependency name "
                        "was expected",
                        t->pos + 1);
    }
    return cond_err(k, CE_EPARSE, "expected a dependency name or '(' at column %zu, found '%.*s'",
                    t->pos + 1, (int)t->len, k->s + t->pos);
}

static int cond_operator(struct cond_comp *k, const struct cond_tok *t, bool *want_operand)
{
    if (t->kind == COND_T_AND || t->kind == COND_T_OR) {
        *want_operand = true;
        cond_push_op(k, t->kind == COND_T_AND ? COND_AND : COND_OR, t->pos);
        return CE_OK;
    }
    if (t->kind == COND_T_RPAREN) {
        return cond_close(k, t->pos);
    }
    return cond_err(k, CE_EPARSE, "expected '&&', '||' or ')' at column %zu, found '%.*s'",
                    t->pos + 1, (int)t->len, k->s + t->pos);
}

static int cond_finish(struct cond_comp *k)
{
    while (k->nops > 0) {
        int32_t op = k->ops[--k->nops];
        if (op == COND_LPAREN) {
            return cond_err(k, CE_EPARSE, "'(' at column %zu is never closed",
                            k->op_pos[k->nops] + 1);
        }
        k->c->code[k->c->ncode++] = op;
    }
    return CE_OK;
}

static int cond_parse(struct cond_comp *k)
{
    size_t pos = 0;
    bool want_operand = true;
    for (;;) {
        struct cond_tok t = cond_next(k->s, &pos);
        if (t.kind == COND_T_ERROR) {
            unsigned char ch = (unsigned char)k->s[t.pos];
            if (ch == '&' || ch == '|') {
                return cond_err(k, CE_EPARSE, "single '%c' at column %zu (use '%c%c')", ch,
                                t.pos + 1, ch, ch);
            }
            return cond_err(k, CE_EPARSE, "unexpected character '%c' at column %zu", ch, t.pos + 1);
        }
        if (t.kind == COND_T_END && !want_operand) {
            return cond_finish(k);
        }
        int rc =
            want_operand ? cond_operand(k, &t, &want_operand) : cond_operator(k, &t, &want_operand);
        if (rc != CE_OK) {
            return rc;
        }
    }
}

/* Argo's default when conditions are empty: dep0 && dep1 && ... */
static int cond_default(struct cond_comp *k)
{
    if (k->n == 0) {
        return cond_err(k, CE_EINVAL, "no dependencies to build the default conditions from");
    }
    for (int i = 0; i < k->n; i++) {
        if (k->names[i] == NULL) {
            return cond_err(k, CE_EINVAL, "dependency %d has no name", i);
        }
        k->c->code[k->c->ncode++] = i;
        k->c->deps[k->c->ndeps++] = i;
        if (i > 0) {
            k->c->code[k->c->ncode++] = COND_AND;
            cond_text(k, "&&");
        }
        cond_text(k, k->names[i]);
    }
    k->c->has_and = k->n > 1;
    return CE_OK;
}

static bool cond_blank(const char *s)
{
    while (cond_space(*s)) {
        s++;
    }
    return *s == '\0';
}

/* Checks the operand stack never passes COND_MAX_STACK, so eval can use a fixed array. */
static bool cond_stack_ok(const struct ce_cond *c)
{
    size_t depth = 0;
    for (size_t i = 0; i < c->ncode; i++) {
        depth = c->code[i] >= 0 ? depth + 1 : depth - 1;
        if (depth > COND_MAX_STACK) {
            return false;
        }
    }
    return depth == 1;
}

static int cond_check_args(const char *expr, int n_deps, char *err, size_t errlen)
{
    const char *what = NULL;
    int rc = CE_EINVAL;
    if (n_deps < 0 || n_deps > CE_COND_MAX_DEPS) {
        what = "number of dependencies out of range";
    }
    else if (expr != NULL && strlen(expr) > CE_COND_MAX_LEN) {
        what = "conditions longer than 65536 bytes";
        rc = CE_ETOOBIG;
    }
    else if (expr != NULL && expr[0] != '\0' && cond_blank(expr)) {
        what = "conditions hold only white space";
        rc = CE_EPARSE;
    }
    if (what == NULL) {
        return CE_OK;
    }
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s", what);
    }
    return rc;
}

int ce_cond_compile(const char *expr, const char *const *dep_names, int n_deps,
                    struct ce_cond **out, char *err, size_t errlen)
{
    *out = NULL;
    int rc = cond_check_args(expr, n_deps, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    bool dflt = expr == NULL || expr[0] == '\0';
    size_t len = dflt ? 0 : strlen(expr);
    size_t cap = (dflt ? 2 * (size_t)n_deps : len) + 1;
    struct ce_cond *c = ce_xcalloc(1, sizeof *c);
    struct cond_comp k = {
        .s = expr, .names = dep_names, .n = n_deps, .c = c, .err = err, .errlen = errlen};
    c->code = ce_xmalloc(cap * sizeof *c->code);
    c->deps = ce_xmalloc(((size_t)n_deps + 1) * sizeof *c->deps);
    k.ops = ce_xmalloc(cap * sizeof *k.ops);
    k.op_pos = ce_xmalloc(cap * sizeof *k.op_pos);
    k.seen = ce_xcalloc((size_t)n_deps + 1, sizeof *k.seen);
    ce_buf_init(&k.text, 0);
    rc = dflt ? cond_default(&k) : cond_parse(&k);
    if (rc == CE_OK && !cond_stack_ok(c)) {
        rc = cond_err(&k, CE_EPARSE, "conditions too complex to evaluate");
    }
    if (rc == CE_OK) {
        size_t tlen = 0;
        c->text = ce_buf_steal(&k.text, &tlen);
        if (c->text == NULL) {
            c->text = ce_xstrdup("");
        }
        *out = c;
    }
    ce_free(k.ops);
    ce_free(k.op_pos);
    ce_free(k.seen);
    ce_buf_fini(&k.text);
    if (rc != CE_OK) {
        ce_cond_destroy(c);
    }
    return rc;
}

bool ce_cond_eval(const struct ce_cond *c, const bool *satisfied)
{
    bool st[COND_MAX_STACK];
    size_t sp = 0;
    for (size_t i = 0; i < c->ncode; i++) {
        int32_t op = c->code[i];
        if (op >= 0) {
            st[sp++] = satisfied[op];
        }
        else {
            bool b = st[--sp];
            st[sp - 1] = op == COND_AND ? (st[sp - 1] && b) : (st[sp - 1] || b);
        }
    }
    return sp == 1 && st[0];
}

bool ce_cond_is_pure_or(const struct ce_cond *c)
{
    return !c->has_and;
}

int ce_cond_deps(const struct ce_cond *c, int *idx, int max)
{
    for (int i = 0; i < c->ndeps && i < max; i++) {
        idx[i] = c->deps[i];
    }
    return c->ndeps;
}

const char *ce_cond_text(const struct ce_cond *c)
{
    return c->text;
}

void ce_cond_destroy(struct ce_cond *c)
{
    if (c == NULL) {
        return;
    }
    ce_free(c->code);
    ce_free(c->deps);
    ce_free(c->text);
    ce_free(c);
}
