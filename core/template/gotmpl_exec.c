/* SPDX-License-Identifier: Apache-2.0 */
/* Template execution with Go's text/template semantics: field chains over maps (a missing key
 * is "<no value>"), variables and their scopes, if/with/range/else, break/continue, template
 * calls, function calls with Go's argument checks and conversions (literal constants adapt to
 * the parameter type; other values must match it), and Go's error texts
 * ("template: NAME:LINE:COL: executing \"NAME\" at <CONTEXT>: MESSAGE"). */
#include "core/template/gotmpl_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct var {
    const char *name;
    struct ce_tv val;
};

struct exec {
    const struct ce_tmpl *t;
    const char *tname;
    struct ce_tv_ctx c;
    struct ce_buf *out;
    struct var *vars;
    size_t nvars, capvars;
    size_t iterations, steps;
    int depth;
    const struct tmpl_node *at;
    char msg[768];
};

enum walk_rc { W_OK, W_BREAK, W_CONTINUE };

static _Noreturn void xfail(struct exec *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void xfail(struct exec *e, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    if (!e->at) {
        ce_tv_abort(&e->c, CE_EINVAL, "template: %s: %s", e->tname, m);
    }
    const char *src = e->t->src;
    size_t pos = e->at->pos, end = e->at->end > pos ? e->at->end : pos;
    while (end > pos && strchr(" \t\r\n", src[end - 1])) {
        end--;
    }
    size_t nl = pos;
    while (nl > 0 && src[nl - 1] != '\n') {
        nl--;
    }
    size_t clen = end - pos;
    ce_tv_abort(&e->c, CE_EINVAL, "template: %s:%d:%zu: executing \"%s\" at <%.*s%s>: %s", e->tname,
                tmpl_line(src, pos), pos - nl, e->tname, (int)(clen > 20 ? 20 : clen), src + pos,
                clen > 20 ? "..." : "", m);
}

static const char *node_text(struct exec *e, const struct tmpl_node *n)
{
    size_t end = n->end > n->pos ? n->end : n->pos;
    return ce_tv_strdup(&e->c, e->t->src + n->pos, end - n->pos);
}

static void push(struct exec *e, const char *name, struct ce_tv v)
{
    if (e->nvars == e->capvars) {
        size_t cap = e->capvars ? e->capvars * 2 : 16;
        struct var *vars = ce_tv_alloc(&e->c, cap * sizeof *vars);
        if (e->nvars) {
            memcpy(vars, e->vars, e->nvars * sizeof *vars);
        }
        e->vars = vars;
        e->capvars = cap;
    }
    e->vars[e->nvars].name = name;
    e->vars[e->nvars].val = v;
    e->nvars++;
}

static struct ce_tv *var_ref(struct exec *e, const char *name)
{
    for (size_t i = e->nvars; i-- > 0;) {
        if (strcmp(e->vars[i].name, name) == 0) {
            return &e->vars[i].val;
        }
    }
    xfail(e, "undefined variable: %s", name);
}

static const char *ft_name(int t)
{
    static const char *const names[] = {"interface {}", "string",       "int",
                                        "float64",      "bool",         "map[string]interface {}",
                                        "time.Time",    "reflect.Value"};
    return names[t];
}

static struct ce_tv validate(struct exec *e, struct ce_tv v, int type)
{
    bool ok;
    switch (type) {
    case CE_FT_ANY:
        return v.kind == CE_TV_INVALID ? ce_tv_nil() : v;
    case CE_FT_VALUE:
        return v;
    case CE_FT_STRING:
        ok = v.kind == CE_TV_STRING;
        break;
    case CE_FT_INT:
        ok = v.kind == CE_TV_INT && v.gotype == CE_TV_GO_DEFAULT;
        break;
    case CE_FT_FLOAT:
        ok = v.kind == CE_TV_FLOAT;
        break;
    case CE_FT_BOOL:
        ok = v.kind == CE_TV_BOOL;
        break;
    case CE_FT_MAP:
        if (v.kind == CE_TV_INVALID) {
            return ce_tv_map_new(&e->c, CE_TV_GO_DEFAULT);
        }
        ok = v.kind == CE_TV_MAP && v.gotype == CE_TV_GO_DEFAULT;
        break;
    default:
        ok = v.kind == CE_TV_TIME;
        break;
    }
    if (ok) {
        return v;
    }
    if (v.kind == CE_TV_INVALID) {
        xfail(e, "invalid value; expected %s", ft_name(type));
    }
    xfail(e, "wrong type for value; expected %s; got %s", ft_name(type), ce_tv_type_name(&v));
}

static struct ce_tv ideal_constant(struct exec *e, const struct tmpl_node *n)
{
    e->at = n;
    const char *text = e->t->src + n->pos;
    size_t len = n->end - n->pos;
    bool floaty = false;
    for (size_t i = 0; i < len; i++) {
        floaty |= strchr(".eEpP", text[i]) != NULL;
    }
    if (n->is_float && !n->is_char &&
        !(n->is_hex && !memchr(text, 'p', len) && !memchr(text, 'P', len)) && floaty) {
        return ce_tv_float(n->f);
    }
    if (n->is_int) {
        struct ce_tv v = ce_tv_int(n->i);
        return v;
    }
    xfail(e, "%.*s overflows int", (int)len, text);
}

static struct ce_tv eval_pipeline(struct exec *e, struct ce_tv dot, const struct tmpl_node *pipe);
static struct ce_tv eval_function(struct exec *e, struct ce_tv dot, const struct tmpl_node *ident,
                                  const struct tmpl_node *cmd, const struct ce_tv *final);
static struct ce_tv eval_field_chain(struct exec *e, struct ce_tv dot, struct ce_tv recv,
                                     const struct tmpl_node *node, const char *const *ident,
                                     size_t nident, const struct tmpl_node *cmd,
                                     const struct ce_tv *final);
static struct ce_tv eval_call(struct exec *e, struct ce_tv dot, const struct ce_fn *fn, int special,
                              const struct tmpl_node *node, const char *name,
                              const struct tmpl_node *const *args, size_t nargs,
                              const struct ce_tv *final, const struct ce_tv *recv);

static void not_a_function(struct exec *e, const struct tmpl_node *cmd, const struct ce_tv *final)
{
    if ((cmd && cmd->nkids > 1) || final) {
        xfail(e, "can't give argument to non-function %s", node_text(e, cmd->kids[0]));
    }
}

static struct ce_tv eval_variable(struct exec *e, struct ce_tv dot, const struct tmpl_node *v,
                                  const struct tmpl_node *cmd, const struct ce_tv *final)
{
    e->at = v;
    struct ce_tv val = *var_ref(e, v->ident[0]);
    if (v->nident == 1) {
        not_a_function(e, cmd, final);
        return val;
    }
    return eval_field_chain(e, dot, val, v, v->ident + 1, v->nident - 1, cmd, final);
}

static struct ce_tv eval_chain(struct exec *e, struct ce_tv dot, const struct tmpl_node *ch,
                               const struct tmpl_node *cmd, const struct ce_tv *final);

static struct ce_tv eval_arg(struct exec *e, struct ce_tv dot, int type, const struct tmpl_node *n)
{
    e->at = n;
    switch (n->type) {
    case ND_DOT:
        return validate(e, dot, type);
    case ND_NIL:
        if (type == CE_FT_ANY) {
            return ce_tv_nil();
        }
        if (type == CE_FT_VALUE) {
            return ce_tv_invalid();
        }
        if (type == CE_FT_MAP) {
            return ce_tv_map_new(&e->c, CE_TV_GO_DEFAULT);
        }
        xfail(e, "cannot assign nil to %s", ft_name(type));
    case ND_FIELD:
        return validate(e, eval_field_chain(e, dot, dot, n, n->ident, n->nident, NULL, NULL), type);
    case ND_VAR:
        return validate(e, eval_variable(e, dot, n, NULL, NULL), type);
    case ND_PIPE:
        return validate(e, eval_pipeline(e, dot, n), type);
    case ND_IDENT:
        return validate(e, eval_function(e, dot, n, NULL, NULL), type);
    case ND_CHAIN:
        return validate(e, eval_chain(e, dot, n, NULL, NULL), type);
    default:
        break;
    }
    switch (type) {
    case CE_FT_BOOL:
        if (n->type == ND_BOOL) {
            return ce_tv_bool(n->b);
        }
        xfail(e, "expected bool; found %s", node_text(e, n));
    case CE_FT_FLOAT:
        if (n->type == ND_NUMBER && n->is_float) {
            return ce_tv_float(n->f);
        }
        xfail(e, "expected float; found %s", node_text(e, n));
    case CE_FT_INT:
        if (n->type == ND_NUMBER && n->is_int) {
            return ce_tv_int(n->i);
        }
        xfail(e, "expected integer; found %s", node_text(e, n));
    case CE_FT_STRING:
        if (n->type == ND_STRING) {
            return ce_tv_str(n->s, n->n);
        }
        xfail(e, "expected string; found %s", node_text(e, n));
    case CE_FT_ANY:
    case CE_FT_VALUE:
        if (n->type == ND_BOOL) {
            return ce_tv_bool(n->b);
        }
        if (n->type == ND_NUMBER) {
            return ideal_constant(e, n);
        }
        if (n->type == ND_STRING) {
            return ce_tv_str(n->s, n->n);
        }
        break;
    default:
        break;
    }
    xfail(e, "can't handle %s for arg of type %s", node_text(e, n), ft_name(type));
}

/* Methods of time.Time that templates use. */
static struct ce_tv eval_time_method(struct exec *e, struct ce_tv dot, const char *name,
                                     const struct tmpl_node *node, const struct tmpl_node *cmd,
                                     const struct ce_tv *final, struct ce_tv recv)
{
    const struct ce_fn *m = ce_sprig_time_method(name);
    if (!m) {
        xfail(e, "can't evaluate field %s in type time.Time", name);
    }
    const struct tmpl_node *const *args =
        cmd ? (const struct tmpl_node *const *)cmd->kids + 1 : NULL;
    size_t nargs = cmd && cmd->nkids > 0 ? cmd->nkids - 1 : 0;
    return eval_call(e, dot, m, TB_NONE, node, name, args, nargs, final, &recv);
}

static struct ce_tv eval_field(struct exec *e, struct ce_tv dot, const char *name,
                               const struct tmpl_node *node, const struct tmpl_node *cmd,
                               const struct ce_tv *final, struct ce_tv recv, bool boxed)
{
    if (recv.kind == CE_TV_INVALID) {
        return recv;
    }
    if (recv.kind == CE_TV_NIL) {
        xfail(e, "nil pointer evaluating interface {}.%s", name);
    }
    if (recv.kind == CE_TV_TIME) {
        return eval_time_method(e, dot, name, node, cmd, final, recv);
    }
    bool has_args = (cmd && cmd->nkids > 1) || final;
    if (recv.kind == CE_TV_MAP) {
        if (has_args) {
            xfail(e, "%s is not a method but has arguments", name);
        }
        struct ce_tv *v = ce_tv_map_get(&recv, name, strlen(name));
        return v ? *v : ce_tv_invalid();
    }
    xfail(e, "can't evaluate field %s in type %s", name,
          boxed ? "interface {}" : ce_tv_type_name(&recv));
}

static struct ce_tv eval_field_chain(struct exec *e, struct ce_tv dot, struct ce_tv recv,
                                     const struct tmpl_node *node, const char *const *ident,
                                     size_t nident, const struct tmpl_node *cmd,
                                     const struct ce_tv *final)
{
    e->at = node;
    bool boxed = false;
    for (size_t i = 0; i + 1 < nident; i++) {
        bool next_boxed = recv.kind == CE_TV_MAP && recv.gotype == CE_TV_GO_DEFAULT;
        recv = eval_field(e, dot, ident[i], node, NULL, NULL, recv, boxed);
        boxed = next_boxed;
    }
    return eval_field(e, dot, ident[nident - 1], node, cmd, final, recv, boxed);
}

static struct ce_tv eval_chain(struct exec *e, struct ce_tv dot, const struct tmpl_node *ch,
                               const struct tmpl_node *cmd, const struct ce_tv *final)
{
    e->at = ch;
    if (ch->pipe->type == ND_NIL) {
        xfail(e, "indirection through explicit nil in %s", node_text(e, ch));
    }
    struct ce_tv recv = eval_arg(e, dot, CE_FT_VALUE, ch->pipe);
    return eval_field_chain(e, dot, recv, ch, ch->ident, ch->nident, cmd, final);
}

static struct ce_tv eval_call(struct exec *e, struct ce_tv dot, const struct ce_fn *fn, int special,
                              const struct tmpl_node *node, const char *name,
                              const struct tmpl_node *const *args, size_t nargs,
                              const struct ce_tv *final, const struct ce_tv *recv)
{
    size_t num_in = nargs + (final ? 1 : 0);
    size_t nfixed = fn->nfixed;
    if (fn->variadic) {
        if (num_in < nfixed) {
            xfail(e, "wrong number of args for %s: want at least %zu got %zu", name, nfixed, nargs);
        }
    }
    else if (num_in != nfixed) {
        xfail(e, "wrong number of args for %s: want %zu got %zu", name, nfixed, num_in);
    }
    if (special == TB_AND || special == TB_OR) {
        struct ce_tv v = ce_tv_invalid();
        for (size_t i = 0; i < nargs; i++) {
            v = eval_arg(e, dot, CE_FT_VALUE, args[i]);
            if (ce_tv_truth(&v) == (special == TB_OR)) {
                return v.kind == CE_TV_NIL ? ce_tv_invalid() : v;
            }
        }
        if (final) {
            v = *final;
        }
        return v.kind == CE_TV_NIL ? ce_tv_invalid() : v;
    }
    size_t extra = recv ? 1 : 0;
    if (num_in + extra > 100000) {
        xfail(e, "too many arguments for %s", name);
    }
    struct ce_tv *argv = ce_tv_alloc(&e->c, (num_in + extra + 1) * sizeof *argv);
    if (recv) {
        argv[0] = *recv;
    }
    size_t i = 0;
    for (; i < nfixed && i < nargs; i++) {
        argv[extra + i] = eval_arg(e, dot, fn->params[i], args[i]);
    }
    for (; i < nargs; i++) {
        argv[extra + i] = eval_arg(e, dot, fn->params[nfixed], args[i]);
    }
    if (final) {
        int t = fn->variadic && num_in - 1 >= nfixed ? fn->params[nfixed] : fn->params[num_in - 1];
        argv[extra + i] = validate(e, *final, t);
    }
    struct ce_tv out = ce_tv_invalid();
    e->msg[0] = '\0';
    int rc = fn->fn(&e->c, argv, num_in + extra, &out);
    if (rc != CE_OK) {
        e->at = node;
        char m[512];
        snprintf(m, sizeof m, "%.500s", e->msg);
        xfail(e, "error calling %s: %s", name, m);
    }
    return out;
}

static struct ce_tv eval_function(struct exec *e, struct ce_tv dot, const struct tmpl_node *ident,
                                  const struct tmpl_node *cmd, const struct ce_tv *final)
{
    e->at = ident;
    const struct tmpl_node *const *args = NULL;
    size_t nargs = 0;
    if (cmd) {
        args = (const struct tmpl_node *const *)cmd->kids + 1;
        nargs = cmd->nkids - 1;
    }
    return eval_call(e, dot, ident->fn, ident->builtin, cmd ? cmd : ident, ident->s, args, nargs,
                     final, NULL);
}

static struct ce_tv eval_command(struct exec *e, struct ce_tv dot, const struct tmpl_node *cmd,
                                 const struct ce_tv *final)
{
    if (++e->steps > CE_TMPL_MAX_STEPS) {
        xfail(e, "execution exceeds %d steps", CE_TMPL_MAX_STEPS);
    }
    const struct tmpl_node *first = cmd->kids[0];
    switch (first->type) {
    case ND_FIELD:
        return eval_field_chain(e, dot, dot, first, first->ident, first->nident, cmd, final);
    case ND_CHAIN:
        return eval_chain(e, dot, first, cmd, final);
    case ND_IDENT:
        return eval_function(e, dot, first, cmd, final);
    case ND_PIPE:
        not_a_function(e, cmd, final);
        return eval_pipeline(e, dot, first);
    case ND_VAR:
        return eval_variable(e, dot, first, cmd, final);
    default:
        break;
    }
    e->at = first;
    not_a_function(e, cmd, final);
    switch (first->type) {
    case ND_BOOL:
        return ce_tv_bool(first->b);
    case ND_DOT:
        return dot;
    case ND_NIL:
        xfail(e, "nil is not a command");
    case ND_NUMBER:
        return ideal_constant(e, first);
    case ND_STRING:
        return ce_tv_str(first->s, first->n);
    default:
        xfail(e, "can't evaluate command %s", node_text(e, first));
    }
}

static struct ce_tv eval_pipeline(struct exec *e, struct ce_tv dot, const struct tmpl_node *pipe)
{
    if (!pipe) {
        return ce_tv_invalid();
    }
    e->at = pipe;
    struct ce_tv value = ce_tv_invalid();
    bool have = false;
    for (size_t i = 0; i < pipe->nkids; i++) {
        value = eval_command(e, dot, pipe->kids[i], have ? &value : NULL);
        have = true;
        if (value.kind == CE_TV_NIL) {
            value = ce_tv_invalid(); /* an interface{} holding nil is no value */
        }
    }
    for (size_t i = 0; i < pipe->ndecl; i++) {
        if (pipe->is_assign) {
            *var_ref(e, pipe->decl[i]) = value;
        }
        else {
            push(e, pipe->decl[i], value);
        }
    }
    return value;
}

static enum walk_rc walk(struct exec *e, struct ce_tv dot, const struct tmpl_node *n);

static enum walk_rc walk_if_with(struct exec *e, struct ce_tv dot, const struct tmpl_node *n)
{
    size_t mark = e->nvars;
    struct ce_tv val = eval_pipeline(e, dot, n->pipe);
    enum walk_rc rc = W_OK;
    if (ce_tv_truth(&val)) {
        rc = walk(e, n->type == ND_WITH ? val : dot, n->list);
    }
    else if (n->elselist) {
        rc = walk(e, dot, n->elselist);
    }
    e->nvars = mark;
    return rc;
}

static bool range_one(struct exec *e, const struct tmpl_node *r, size_t mark, struct ce_tv index,
                      struct ce_tv elem)
{
    if (++e->iterations > CE_TMPL_MAX_ITERATIONS) {
        xfail(e, "range exceeds %d iterations", CE_TMPL_MAX_ITERATIONS);
    }
    if (r->pipe->ndecl > 0) {
        e->vars[e->nvars - 1].val = elem;
    }
    if (r->pipe->ndecl > 1) {
        e->vars[e->nvars - 2].val = index;
    }
    enum walk_rc rc = walk(e, elem, r->list);
    e->nvars = mark;
    return rc != W_BREAK;
}

static enum walk_rc walk_range(struct exec *e, struct ce_tv dot, const struct tmpl_node *r)
{
    e->at = r;
    size_t outer = e->nvars;
    struct ce_tv val = eval_pipeline(e, dot, r->pipe);
    size_t mark = e->nvars;
    bool ran = false;
    switch (val.kind) {
    case CE_TV_LIST:
        for (size_t i = 0; i < val.u.list->len; i++) {
            ran = true;
            if (!range_one(e, r, mark, ce_tv_int((int64_t)i), val.u.list->items[i])) {
                break;
            }
        }
        break;
    case CE_TV_MAP:
        for (size_t i = 0; i < val.u.map->len; i++) {
            const struct ce_tv_entry *en = &val.u.map->e[i];
            ran = true;
            if (!range_one(e, r, mark, ce_tv_str(en->key, en->keylen), en->val)) {
                break;
            }
        }
        break;
    case CE_TV_INT:
        if (r->pipe->ndecl > 1) {
            xfail(e, "can't use %lld to iterate over more than one variable", (long long)val.u.i);
        }
        for (int64_t i = 0; i < val.u.i; i++) {
            ran = true;
            if (!range_one(e, r, mark, ce_tv_int(i), ce_tv_int(i))) {
                break;
            }
        }
        break;
    case CE_TV_INVALID:
        break;
    default: {
        struct ce_tv s = ce_tv_sprint(&e->c, &val);
        xfail(e, "range can't iterate over %.*s", (int)(s.u.s.n > 200 ? 200 : s.u.s.n), s.u.s.p);
    }
    }
    if (!ran && r->elselist) {
        walk(e, dot, r->elselist);
    }
    e->nvars = outer;
    return W_OK;
}

static enum walk_rc walk_template(struct exec *e, struct ce_tv dot, const struct tmpl_node *n)
{
    e->at = n;
    const struct tmpl_def *def = NULL;
    for (size_t i = 0; i < e->t->ndefs && !def; i++) {
        if (strcmp(e->t->defs[i].name, n->s) == 0 && e->t->defs[i].root) {
            def = &e->t->defs[i];
        }
    }
    if (!def) {
        xfail(e, "template \"%s\" not defined", n->s);
    }
    if (e->depth >= CE_TMPL_MAX_CALL_DEPTH) {
        xfail(e, "exceeded maximum template depth (%d)", CE_TMPL_MAX_CALL_DEPTH);
    }
    struct ce_tv newdot = eval_pipeline(e, dot, n->pipe);
    struct var *saved = e->vars;
    size_t nsaved = e->nvars, capsaved = e->capvars;
    const char *tname = e->tname;
    e->vars = NULL;
    e->nvars = e->capvars = 0;
    push(e, "$", newdot);
    e->depth++;
    e->tname = def->name;
    walk(e, newdot, def->root);
    e->tname = tname;
    e->depth--;
    e->vars = saved;
    e->nvars = nsaved;
    e->capvars = capsaved;
    return W_OK;
}

static enum walk_rc walk(struct exec *e, struct ce_tv dot, const struct tmpl_node *n)
{
    e->at = n;
    switch (n->type) {
    case ND_ACTION: {
        struct ce_tv v = eval_pipeline(e, dot, n->pipe);
        if (n->pipe->ndecl == 0) {
            ce_tv_print(&e->c, e->out, &v);
        }
        return W_OK;
    }
    case ND_IF:
    case ND_WITH:
        return walk_if_with(e, dot, n);
    case ND_LIST:
        for (size_t i = 0; i < n->nkids; i++) {
            enum walk_rc rc = walk(e, dot, n->kids[i]);
            if (rc != W_OK) {
                return rc;
            }
        }
        return W_OK;
    case ND_RANGE:
        return walk_range(e, dot, n);
    case ND_TEMPLATE:
        return walk_template(e, dot, n);
    case ND_TEXT:
        ce_tv_out(&e->c, e->out, n->s, n->n);
        return W_OK;
    case ND_BREAK:
        return W_BREAK;
    case ND_CONTINUE:
        return W_CONTINUE;
    default:
        xfail(e, "unknown node");
    }
}

int ce_tmpl_exec(const struct ce_tmpl *t, const json_t *data, const struct ce_tmpl_opts *opts,
                 struct ce_buf *out, char *err, size_t errlen)
{
    static const struct ce_tmpl_opts defaults = {0, 0, 0};
    if (!opts) {
        opts = &defaults;
    }
    struct exec *e = ce_xcalloc(1, sizeof *e);
    e->t = t;
    e->tname = t->name;
    e->out = out;
    ce_tv_ctx_init(&e->c, opts->max_memory, opts->now_ns, e->msg, sizeof e->msg);
    size_t saved_max = out->max;
    size_t max_output = opts->max_output ? opts->max_output : CE_TMPL_MAX_OUTPUT;
    size_t limit = out->len + max_output;
    if (!out->max || limit < out->max) {
        out->max = limit;
    }
    jmp_buf jb;
    e->c.fail = &jb;
    int rc = CE_OK;
    if (setjmp(jb) != 0) {
        rc = e->c.fail_rc;
        ce_rc_fail(rc, err, errlen, "%s", e->msg);
    }
    else {
        struct ce_tv dot = data ? ce_tv_from_json(&e->c, data) : ce_tv_invalid();
        push(e, "$", dot);
        walk(e, dot, t->defs[0].root);
    }
    out->max = saved_max;
    ce_tv_ctx_fini(&e->c);
    ce_free(e);
    return rc;
}

int ce_tmpl_exec_input(const struct ce_tmpl *t, const json_t *input,
                       const struct ce_tmpl_opts *opts, char **out, char *err, size_t errlen)
{
    *out = NULL;
    json_t *root = json_object();
    json_object_set(root, "Input", input ? (json_t *)input : json_null());
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_tmpl_exec(t, root, opts, &b, err, errlen);
    json_decref(root);
    if (rc != CE_OK) {
        ce_buf_fini(&b);
        return rc;
    }
    size_t len;
    *out = ce_buf_steal(&b, &len);
    return CE_OK;
}

int ce_tmpl_render_input(const char *src, const json_t *input, const struct ce_tmpl_opts *opts,
                         char **out, char *err, size_t errlen)
{
    *out = NULL;
    struct ce_tmpl *t = NULL;
    int rc = ce_tmpl_parse(src, &t, err, errlen);
    if (rc == CE_OK) {
        rc = ce_tmpl_exec_input(t, input, opts, out, err, errlen);
    }
    ce_tmpl_destroy(t);
    return rc;
}
