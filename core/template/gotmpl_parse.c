/* SPDX-License-Identifier: Apache-2.0 */
/* Template parser following Go's text/template/parse: actions, pipelines with declarations,
 * if/else if/with/range/else/end, break/continue inside range, define/template/block, and the
 * parse-time checks Go makes (unknown functions, undefined variables, non-executable pipeline
 * stages). Errors read as Go's: `template: NAME:LINE: message`. */
#include "core/template/gotmpl_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    struct ce_tmpl *t;
    struct ce_tv_ctx *a;
    struct tmpl_lexed lx;
    size_t i;
    const char **vars;
    size_t nvars, capvars;
    int range_depth;
    int nest;
};

static _Noreturn void pfail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void pfail(struct parser *p, const char *fmt, ...)
{
    const struct tmpl_token *k = &p->lx.toks[p->i ? p->i - 1 : 0];
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ce_tv_abort(p->a, CE_EPARSE, "template: %s:%d: %s", p->t->name, tmpl_line(p->t->src, k->pos),
                msg);
}

static const struct tmpl_token *next(struct parser *p)
{
    const struct tmpl_token *k = &p->lx.toks[p->i];
    if (k->type != TK_EOF) {
        p->i++;
    }
    return k;
}

static const struct tmpl_token *peek(struct parser *p)
{
    return &p->lx.toks[p->i];
}

static const struct tmpl_token *next_nonspace(struct parser *p)
{
    const struct tmpl_token *k;
    do {
        k = next(p);
    } while (k->type == TK_SPACE);
    return k;
}

static const struct tmpl_token *peek_nonspace(struct parser *p)
{
    size_t save = p->i;
    const struct tmpl_token *k = next_nonspace(p);
    p->i = save;
    return k;
}

static const char *tok_text(struct parser *p, const struct tmpl_token *k)
{
    return ce_tv_strdup(p->a, p->t->src + k->pos, k->len);
}

static _Noreturn void unexpected(struct parser *p, const struct tmpl_token *k, const char *ctx)
{
    char what[64];
    if (k->type == TK_EOF) {
        snprintf(what, sizeof what, "EOF");
    }
    else if (k->len > 10) {
        snprintf(what, sizeof what, "\"%.10s\"...", p->t->src + k->pos);
    }
    else {
        snprintf(what, sizeof what, "\"%.*s\"", (int)k->len, p->t->src + k->pos);
    }
    char msg[160];
    snprintf(msg, sizeof msg, "unexpected %s in %s", what, ctx);
    pfail(p, "%s", msg);
}

static const struct tmpl_token *expect(struct parser *p, enum tmpl_tok t, const char *ctx)
{
    const struct tmpl_token *k = next_nonspace(p);
    if (k->type != t) {
        unexpected(p, k, ctx);
    }
    return k;
}

static struct tmpl_node *new_node(struct parser *p, enum tmpl_node_type type, size_t pos)
{
    struct tmpl_node *n = ce_tv_alloc(p->a, sizeof *n);
    n->type = (uint8_t)type;
    n->pos = (uint32_t)pos;
    n->end = (uint32_t)pos;
    return n;
}

static void append_kid(struct parser *p, struct tmpl_node *parent, struct tmpl_node *kid)
{
    if ((parent->nkids & (parent->nkids - 1)) == 0) { /* grow at powers of two */
        size_t cap = parent->nkids ? parent->nkids * 2 : 1;
        struct tmpl_node **kids = ce_tv_alloc(p->a, cap * sizeof *kids);
        if (parent->nkids) {
            memcpy(kids, parent->kids, parent->nkids * sizeof *kids);
        }
        parent->kids = kids;
    }
    parent->kids[parent->nkids++] = kid;
}

static void push_var(struct parser *p, const char *name)
{
    if (p->nvars == p->capvars) {
        size_t cap = p->capvars ? p->capvars * 2 : 16;
        const char **v = ce_tv_alloc(p->a, cap * sizeof *v);
        if (p->nvars) {
            memcpy(v, p->vars, p->nvars * sizeof *v);
        }
        p->vars = v;
        p->capvars = cap;
    }
    p->vars[p->nvars++] = name;
}

/* Splits "$x.a.b" or ".a.b" into names; variables keep their '$'. */
static void split_ident(struct parser *p, struct tmpl_node *n, const char *s, size_t len)
{
    size_t count = 1;
    for (size_t i = 1; i < len; i++) {
        count += s[i] == '.';
    }
    n->ident = ce_tv_alloc(p->a, count * sizeof *n->ident);
    size_t i = s[0] == '.' ? 1 : 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '.') {
            j++;
        }
        n->ident[n->nident++] = ce_tv_strdup(p->a, s + i, j - i);
        i = j + 1;
    }
}

static struct tmpl_node *parse_number(struct parser *p, const struct tmpl_token *k);
static struct tmpl_node *pipeline(struct parser *p, const char *ctx, enum tmpl_tok end);
static struct tmpl_node *item_list(struct parser *p, struct tmpl_node **endnode);

static struct tmpl_node *term(struct parser *p)
{
    const struct tmpl_token *k = next_nonspace(p);
    struct tmpl_node *n;
    switch (k->type) {
    case TK_IDENT: {
        n = new_node(p, ND_IDENT, k->pos);
        n->s = tok_text(p, k);
        n->n = k->len;
        n->fn = ce_sprig_lookup(n->s, n->n);
        if (!n->fn) {
            n->fn = tmpl_builtin_lookup(n->s, n->n, &n->builtin);
        }
        if (!n->fn) {
            char msg[128];
            snprintf(msg, sizeof msg, "function \"%.64s\" not defined", n->s);
            pfail(p, "%s", msg);
        }
        break;
    }
    case TK_DOT:
        n = new_node(p, ND_DOT, k->pos);
        break;
    case TK_NIL:
        n = new_node(p, ND_NIL, k->pos);
        break;
    case TK_VAR: {
        n = new_node(p, ND_VAR, k->pos);
        const char *name = tok_text(p, k);
        bool found = false;
        for (size_t i = 0; i < p->nvars && !found; i++) {
            found = strcmp(p->vars[i], name) == 0;
        }
        if (!found) {
            char msg[128];
            snprintf(msg, sizeof msg, "undefined variable \"%.64s\"", name);
            pfail(p, "%s", msg);
        }
        split_ident(p, n, p->t->src + k->pos, k->len);
        break;
    }
    case TK_FIELD:
        n = new_node(p, ND_FIELD, k->pos);
        split_ident(p, n, p->t->src + k->pos, k->len);
        break;
    case TK_BOOL:
        n = new_node(p, ND_BOOL, k->pos);
        n->b = p->t->src[k->pos] == 't';
        break;
    case TK_CHARCONST:
    case TK_NUMBER:
        n = parse_number(p, k);
        break;
    case TK_LPAREN:
        if (++p->nest > CE_TMPL_MAX_NEST) {
            pfail(p, "nesting deeper than %s levels", "64");
        }
        n = pipeline(p, "parenthesized pipeline", TK_RPAREN);
        p->nest--;
        n->pos = k->pos;
        return n;
    case TK_STRING:
    case TK_RAWSTRING:
        n = new_node(p, ND_STRING, k->pos);
        if (tmpl_unquote(p->a, p->t->src + k->pos, k->len, &n->s, &n->n) != CE_OK) {
            pfail(p, "%s", "invalid syntax");
        }
        break;
    default:
        p->i = (size_t)(k - p->lx.toks);
        return NULL;
    }
    n->end = k->pos + k->len;
    return n;
}

static struct tmpl_node *operand(struct parser *p)
{
    struct tmpl_node *n = term(p);
    if (!n || peek(p)->type != TK_FIELD) {
        return n;
    }
    size_t start = peek(p)->pos, end = start;
    while (peek(p)->type == TK_FIELD) {
        const struct tmpl_token *k = next(p);
        end = k->pos + k->len;
    }
    switch (n->type) {
    case ND_FIELD:
    case ND_VAR: {
        /* more names on the same node, as Go does */
        size_t from = n->pos;
        struct tmpl_node *m = new_node(p, n->type, from);
        split_ident(p, m, p->t->src + from, end - from);
        m->end = (uint32_t)end;
        return m;
    }
    case ND_BOOL:
    case ND_STRING:
    case ND_NUMBER:
    case ND_NIL:
    case ND_DOT:
        pfail(p, "unexpected . after term %s", "");
    default: {
        struct tmpl_node *c = new_node(p, ND_CHAIN, n->pos);
        c->pipe = n;
        split_ident(p, c, p->t->src + start, end - start);
        c->end = (uint32_t)end;
        return c;
    }
    }
}

static struct tmpl_node *command(struct parser *p)
{
    struct tmpl_node *cmd = new_node(p, ND_CMD, peek_nonspace(p)->pos);
    for (;;) {
        (void)peek_nonspace(p);
        struct tmpl_node *op = operand(p);
        if (op) {
            append_kid(p, cmd, op);
            cmd->end = op->end;
        }
        const struct tmpl_token *k = next(p);
        if (k->type == TK_SPACE) {
            continue;
        }
        if (k->type == TK_RDELIM || k->type == TK_RPAREN) {
            p->i--;
        }
        else if (k->type != TK_PIPE) {
            unexpected(p, k, "operand");
        }
        break;
    }
    if (cmd->nkids == 0) {
        pfail(p, "%s", "empty command");
    }
    return cmd;
}

static void add_decl(struct parser *p, struct tmpl_node *pipe, const struct tmpl_token *v)
{
    const char *name = tok_text(p, v);
    const char **d = ce_tv_alloc(p->a, (pipe->ndecl + 1) * sizeof *d);
    if (pipe->ndecl) {
        memcpy(d, pipe->decl, pipe->ndecl * sizeof *d);
    }
    d[pipe->ndecl++] = name;
    pipe->decl = d;
    push_var(p, name);
}

static struct tmpl_node *pipeline(struct parser *p, const char *ctx, enum tmpl_tok end)
{
    struct tmpl_node *pipe = new_node(p, ND_PIPE, peek_nonspace(p)->pos);
    bool is_range = strcmp(ctx, "range") == 0;
    for (;;) {
        if (peek_nonspace(p)->type != TK_VAR) {
            break;
        }
        size_t save = p->i;
        const struct tmpl_token *v = next_nonspace(p);
        const struct tmpl_token *after = peek(p);
        const struct tmpl_token *nx = peek_nonspace(p);
        if (nx->type == TK_DECLARE || nx->type == TK_ASSIGN) {
            pipe->is_assign = nx->type == TK_ASSIGN;
            (void)next_nonspace(p);
            add_decl(p, pipe, v);
            break;
        }
        if (nx->type == TK_CHAR && p->t->src[nx->pos] == ',') {
            (void)next_nonspace(p);
            add_decl(p, pipe, v);
            if (is_range && pipe->ndecl < 2) {
                enum tmpl_tok t = peek_nonspace(p)->type;
                if (t == TK_VAR || t == TK_RDELIM || t == TK_RPAREN) {
                    continue;
                }
                pfail(p, "%s", "range can only initialize variables");
            }
            pfail(p, "too many declarations in %s", ctx);
        }
        (void)after;
        p->i = save;
        break;
    }
    for (;;) {
        const struct tmpl_token *k = next_nonspace(p);
        if (k->type == end) {
            pipe->end = k->pos;
            if (pipe->nkids == 0) {
                pfail(p, "missing value for %s", ctx);
            }
            for (size_t i = 1; i < pipe->nkids; i++) {
                switch (pipe->kids[i]->kids[0]->type) {
                case ND_BOOL:
                case ND_DOT:
                case ND_NIL:
                case ND_NUMBER:
                case ND_STRING: {
                    char num[24];
                    snprintf(num, sizeof num, "%zu", i + 1);
                    pfail(p, "non executable command in pipeline stage %s", num);
                }
                default:
                    break;
                }
            }
            return pipe;
        }
        switch (k->type) {
        case TK_BOOL:
        case TK_CHARCONST:
        case TK_DOT:
        case TK_FIELD:
        case TK_IDENT:
        case TK_NUMBER:
        case TK_NIL:
        case TK_RAWSTRING:
        case TK_STRING:
        case TK_VAR:
        case TK_LPAREN:
            p->i = (size_t)(k - p->lx.toks);
            append_kid(p, pipe, command(p));
            break;
        default:
            unexpected(p, k, ctx);
        }
    }
}

/* Parses the rest of an if/with/range action; the keyword has been read. */
static struct tmpl_node *control(struct parser *p, enum tmpl_node_type type, const char *ctx)
{
    size_t mark = p->nvars;
    if (++p->nest > CE_TMPL_MAX_NEST) {
        pfail(p, "control structures nested deeper than %s levels", "64");
    }
    struct tmpl_node *n = new_node(p, type, peek_nonspace(p)->pos);
    n->pipe = pipeline(p, ctx, TK_RDELIM);
    if (type == ND_RANGE) {
        p->range_depth++;
    }
    struct tmpl_node *endn = NULL;
    n->list = item_list(p, &endn);
    if (type == ND_RANGE) {
        p->range_depth--;
    }
    if (endn->type == ND_ELSE_MARK) {
        enum tmpl_tok pk = peek(p)->type;
        if (type == ND_IF && pk == TK_IF) {
            (void)next(p);
            n->elselist = new_node(p, ND_LIST, endn->pos);
            append_kid(p, n->elselist, control(p, ND_IF, "if"));
        }
        else if (type == ND_WITH && pk == TK_WITH) {
            (void)next(p);
            n->elselist = new_node(p, ND_LIST, endn->pos);
            append_kid(p, n->elselist, control(p, ND_WITH, "with"));
        }
        else {
            n->elselist = item_list(p, &endn);
            if (endn->type != ND_END_MARK) {
                pfail(p, "%s", "expected end; found {{else}}");
            }
        }
    }
    p->nvars = mark;
    p->nest--;
    return n;
}

static const char *template_name(struct parser *p, const char *ctx)
{
    const struct tmpl_token *k = next_nonspace(p);
    if (k->type != TK_STRING && k->type != TK_RAWSTRING) {
        unexpected(p, k, ctx);
    }
    const char *s;
    size_t n;
    if (tmpl_unquote(p->a, p->t->src + k->pos, k->len, &s, &n) != CE_OK) {
        pfail(p, "%s", "invalid syntax");
    }
    return s;
}

static bool empty_tree(const struct tmpl_node *list)
{
    for (size_t i = 0; list && i < list->nkids; i++) {
        const struct tmpl_node *n = list->kids[i];
        if (n->type != ND_TEXT) {
            return false;
        }
        for (size_t j = 0; j < n->n; j++) {
            if (!strchr(" \t\r\n", n->s[j])) {
                return false;
            }
        }
    }
    return true;
}

static void add_def(struct parser *p, const char *name, struct tmpl_node *root)
{
    for (size_t i = 0; i < p->t->ndefs; i++) {
        if (strcmp(p->t->defs[i].name, name) == 0) {
            if (!empty_tree(root) || !p->t->defs[i].root) {
                p->t->defs[i].root = root; /* a later definition replaces an earlier one */
            }
            return;
        }
    }
    struct tmpl_def *d = ce_tv_alloc(p->a, (p->t->ndefs + 1) * sizeof *d);
    memcpy(d, p->t->defs, p->t->ndefs * sizeof *d);
    d[p->t->ndefs].name = name;
    d[p->t->ndefs].root = root;
    p->t->defs = d;
    p->t->ndefs++;
}

/* {{define "name"}} ... {{end}}; "define" has been read. */
static void definition(struct parser *p)
{
    const char *name = template_name(p, "define clause");
    expect(p, TK_RDELIM, "define clause");
    const char **saved = p->vars;
    size_t nsaved = p->nvars, capsaved = p->capvars;
    p->vars = NULL;
    p->nvars = p->capvars = 0;
    push_var(p, "$");
    struct tmpl_node *endn = NULL;
    struct tmpl_node *root = item_list(p, &endn);
    if (endn->type != ND_END_MARK) {
        pfail(p, "%s", "unexpected {{else}} in define clause");
    }
    p->vars = saved;
    p->nvars = nsaved;
    p->capvars = capsaved;
    add_def(p, name, root);
}

static struct tmpl_node *template_control(struct parser *p, bool block)
{
    const char *ctx = block ? "block clause" : "template clause";
    struct tmpl_node *n = new_node(p, ND_TEMPLATE, peek_nonspace(p)->pos);
    n->s = template_name(p, ctx);
    n->n = strlen(n->s);
    if (next_nonspace(p)->type != TK_RDELIM) {
        p->i--;
        n->pipe = pipeline(p, ctx, TK_RDELIM);
    }
    else if (block) {
        pfail(p, "missing value for %s", ctx);
    }
    n->end = p->lx.toks[p->i - 1].pos;
    if (block) {

        const char **saved = p->vars;
        size_t nsaved = p->nvars, capsaved = p->capvars;
        p->vars = NULL;
        p->nvars = p->capvars = 0;
        push_var(p, "$");
        struct tmpl_node *endn = NULL;
        struct tmpl_node *root = item_list(p, &endn);
        if (endn->type != ND_END_MARK) {
            pfail(p, "%s", "unexpected {{else}} in block clause");
        }
        p->vars = saved;
        p->nvars = nsaved;
        p->capvars = capsaved;
        add_def(p, n->s, root);
    }
    return n;
}

static struct tmpl_node *action(struct parser *p)
{
    const struct tmpl_token *k = next_nonspace(p);
    struct tmpl_node *n;
    switch (k->type) {
    case TK_BLOCK:
        return template_control(p, true);
    case TK_BREAK:
    case TK_CONTINUE: {
        bool brk = k->type == TK_BREAK;
        const struct tmpl_token *r = next_nonspace(p);
        if (r->type != TK_RDELIM) {
            unexpected(p, r, brk ? "{{break}}" : "{{continue}}");
        }
        if (p->range_depth == 0) {
            pfail(p, "%s", brk ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
        }
        return new_node(p, brk ? ND_BREAK : ND_CONTINUE, k->pos);
    }
    case TK_ELSE: {
        enum tmpl_tok t = peek_nonspace(p)->type;
        if (t == TK_IF || t == TK_WITH) {
            while (peek(p)->type == TK_SPACE) {
                p->i++; /* leave "if"/"with" for control() */
            }
            return new_node(p, ND_ELSE_MARK, k->pos);
        }
        expect(p, TK_RDELIM, "else");
        return new_node(p, ND_ELSE_MARK, k->pos);
    }
    case TK_END:
        expect(p, TK_RDELIM, "end");
        return new_node(p, ND_END_MARK, k->pos);
    case TK_IF:
        return control(p, ND_IF, "if");
    case TK_RANGE:
        return control(p, ND_RANGE, "range");
    case TK_TEMPLATE:
        return template_control(p, false);
    case TK_WITH:
        return control(p, ND_WITH, "with");
    case TK_DEFINE:
        unexpected(p, k, "command");
    default:
        break;
    }
    p->i = (size_t)(k - p->lx.toks);
    n = new_node(p, ND_ACTION, k->pos);
    n->pipe = pipeline(p, "command", TK_RDELIM);
    n->end = n->pipe->end;
    return n;
}

static struct tmpl_node *text_or_action(struct parser *p)
{
    const struct tmpl_token *k = next_nonspace(p);
    if (k->type == TK_TEXT) {
        struct tmpl_node *n = new_node(p, ND_TEXT, k->pos);
        n->s = p->t->src + k->pos;
        n->n = k->len;
        return n;
    }
    if (k->type == TK_LDELIM) {
        return action(p);
    }
    unexpected(p, k, "input");
}

static struct tmpl_node *item_list(struct parser *p, struct tmpl_node **endnode)
{
    struct tmpl_node *list = new_node(p, ND_LIST, peek_nonspace(p)->pos);
    while (peek_nonspace(p)->type != TK_EOF) {
        struct tmpl_node *n = text_or_action(p);
        if (n->type == ND_END_MARK || n->type == ND_ELSE_MARK) {
            *endnode = n;
            return list;
        }
        append_kid(p, list, n);
    }
    pfail(p, "%s", "unexpected EOF");
}

static void parse_top(struct parser *p)
{
    struct tmpl_node *root = new_node(p, ND_LIST, 0);
    push_var(p, "$");
    while (peek(p)->type != TK_EOF) {
        if (peek(p)->type == TK_LDELIM) {
            size_t save = p->i;
            (void)next(p);
            if (next_nonspace(p)->type == TK_DEFINE) {
                definition(p);
                continue;
            }
            p->i = save;
        }
        struct tmpl_node *n = text_or_action(p);
        if (n->type == ND_END_MARK || n->type == ND_ELSE_MARK) {
            pfail(p, "%s", n->type == ND_END_MARK ? "unexpected {{end}}" : "unexpected {{else}}");
        }
        append_kid(p, root, n);
    }
    p->t->defs[0].root = root;
}

static struct tmpl_node *parse_number(struct parser *p, const struct tmpl_token *k)
{
    struct tmpl_node *n = new_node(p, ND_NUMBER, k->pos);
    char msg[160];
    if (tmpl_number(p->a, p->t->src + k->pos, k->len, k->type == TK_CHARCONST, n, msg,
                    sizeof msg) != CE_OK) {
        pfail(p, "%s", msg);
    }
    return n;
}

static void tmpl_free(struct ce_tmpl *t)
{
    ce_tv_ctx_fini(&t->arena);
    ce_free(t->name);
    ce_free(t->src);
    ce_free(t);
}

int ce_tmpl_parse_named(const char *name, const char *src, size_t len, struct ce_tmpl **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    if (len > CE_TMPL_MAX_SRC) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "template: %s: longer than %u bytes", name,
                          CE_TMPL_MAX_SRC);
    }
    struct ce_tmpl *t = ce_xcalloc(1, sizeof *t);
    t->name = ce_xstrdup(name);
    t->src = ce_xstrndup(src, len);
    t->srclen = len;
    ce_tv_ctx_init(&t->arena, 0, 0, err, errlen);
    jmp_buf jb;
    t->arena.fail = &jb;
    if (setjmp(jb) != 0) {
        int rc = t->arena.fail_rc;
        tmpl_free(t);
        return rc;
    }
    struct parser p = {.t = t, .a = &t->arena};
    t->defs = ce_tv_alloc(&t->arena, sizeof *t->defs);
    t->defs[0].name = t->name;
    t->ndefs = 1;
    tmpl_lex(&t->arena, t->name, t->src, len, &p.lx);
    parse_top(&p);
    t->arena.fail = NULL;
    t->arena.err = NULL;
    t->arena.errlen = 0;
    *out = t;
    return CE_OK;
}

int ce_tmpl_parse(const char *src, struct ce_tmpl **out, char *err, size_t errlen)
{
    return ce_tmpl_parse_named("param", src, strlen(src), out, err, errlen);
}

void ce_tmpl_destroy(struct ce_tmpl *t)
{
    if (t) {
        tmpl_free(t);
    }
}
