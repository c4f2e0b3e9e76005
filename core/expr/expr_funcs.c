/* SPDX-License-Identifier: Apache-2.0 */
/* The EventSource filter's extra functions. Arguments reach a Go function through reflection
 * there, so they are checked the same way: the count must fit the signature, a string
 * parameter takes only a string, an int parameter only an int literal (JSON numbers are
 * float64), and the messages are reflect's. sprig functions run in a tvalue arena whose
 * failures (caps) leave through a longjmp caught here; their results come back as expression
 * values (time values as their Go %v text). */
#include "core/expr/expr_funcs.h"

#include "core/json/jsonpath.h"
#include "core/base/rc.h"
#include "core/template/sprig.h"
#include "core/template/tvalue.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

/* Go's type of an argument as reflection reports it (nil arrives as a zero interface{}). */
static const char *arg_type(const struct ce_value *v)
{
    return v->kind == CE_VALUE_NULL ? "interface {}" : ce_value_go_type(v);
}

static int arity(size_t nargs, size_t nfixed, bool variadic, char *err, size_t errlen)
{
    if (nargs < nfixed || (!variadic && nargs > nfixed)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "reflect: Call with too %s input arguments",
                          nargs < nfixed ? "few" : "many");
    }
    return CE_OK;
}

static int fn_jsonpath(void *ctx, struct ce_value *const *args, size_t nargs, struct ce_value **out,
                       char *err, size_t errlen)
{
    (void)ctx;
    int rc = arity(nargs, 2, false, err, errlen);
    for (size_t i = 0; rc == CE_OK && i < 2; i++) {
        if (args[i]->kind != CE_VALUE_STRING) {
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "reflect: Call using %s as type string",
                            arg_type(args[i]));
        }
    }
    if (rc != CE_OK) {
        return rc;
    }
    json_error_t je;
    json_t *doc = json_loadb(args[0]->u.s.p, args[0]->u.s.len,
                             JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
    if (doc == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "invalid JSON: %s", je.text);
    }
    if (strlen(args[1]->u.s.p) != args[1]->u.s.len) {
        json_decref(doc);
        return ce_rc_fail(CE_EINVAL, err, errlen, "JSONPath selector contains a NUL byte");
    }
    json_t *res = NULL;
    rc = ce_jsonpath_query(args[1]->u.s.p, doc, &res, err, errlen);
    json_decref(doc);
    if (rc != CE_OK) {
        return rc;
    }
    /* .length gives an int64: keep it an integer */
    if (json_is_integer(res)) {
        *out = ce_value_int((int64_t)json_integer_value(res));
    }
    else {
        rc = ce_value_from_json(res, CE_EXPR_JSON_DEPTH_MAX, out, err, errlen);
    }
    json_decref(res);
    return rc;
}

/* An argument as the sprig value Go would pass; NULL message when it fits the parameter. */
static const char *fits(const struct ce_value *v, int type)
{
    switch (type) {
    case CE_FT_STRING:
        return v->kind == CE_VALUE_STRING ? NULL : "string";
    case CE_FT_INT:
        return v->kind == CE_VALUE_INT ? NULL : "int";
    case CE_FT_FLOAT:
        return v->kind == CE_VALUE_FLOAT ? NULL : "float64";
    case CE_FT_BOOL:
        return v->kind == CE_VALUE_BOOL ? NULL : "bool";
    case CE_FT_MAP:
        return v->kind == CE_VALUE_OBJECT ? NULL : "map[string]interface {}";
    case CE_FT_TIME:
        return "time.Time";
    default:
        return NULL;
    }
}

static struct ce_tv to_tv(struct ce_tv_ctx *c, const struct ce_value *v, int depth)
{
    if (depth > CE_EXPR_FUNCS_DEPTH_MAX) {
        ce_tv_abort(c, CE_ETOOBIG, "value nested too deeply");
    }
    switch (v->kind) {
    case CE_VALUE_BOOL:
        return ce_tv_bool(v->u.b);
    case CE_VALUE_INT:
        return ce_tv_int(v->u.i);
    case CE_VALUE_FLOAT:
        return ce_tv_float(v->u.f);
    case CE_VALUE_STRING:
        return ce_tv_str(v->u.s.p, v->u.s.len);
    case CE_VALUE_ARRAY: {
        struct ce_tv l = ce_tv_list_new(c, v->u.a.n, CE_TV_GO_DEFAULT);
        for (size_t i = 0; i < v->u.a.n; i++) {
            ce_tv_list_push(c, &l, to_tv(c, v->u.a.v[i], depth + 1));
        }
        return l;
    }
    case CE_VALUE_OBJECT: {
        struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
        for (size_t i = 0; i < v->u.o.n; i++) {
            const char *k = v->u.o.m[i].key;
            ce_tv_map_set(c, &m, k, strlen(k), to_tv(c, v->u.o.m[i].val, depth + 1));
        }
        return m;
    }
    default:
        return ce_tv_nil();
    }
}

/* Checks the result's depth (sprig's set can build cycles) and turns time values into their
 * %v text, in the arena; may leave through the failure jump, so it runs before from_tv. */
static void prepare(struct ce_tv_ctx *c, struct ce_tv *v, int depth)
{
    if (depth > CE_EXPR_FUNCS_DEPTH_MAX) {
        ce_tv_abort(c, CE_ETOOBIG, "function result nested too deeply");
    }
    if (v->kind == CE_TV_TIME) {
        *v = ce_tv_sprint(c, v);
    }
    else if (v->kind == CE_TV_LIST) {
        for (size_t i = 0; i < v->u.list->len; i++) {
            prepare(c, &v->u.list->items[i], depth + 1);
        }
    }
    else if (v->kind == CE_TV_MAP) {
        for (size_t i = 0; i < v->u.map->len; i++) {
            prepare(c, &v->u.map->e[i].val, depth + 1);
        }
    }
}

/* A prepared sprig value as an expression value (no failure path). */
static struct ce_value *from_tv(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_BOOL:
        return ce_value_bool(v->u.b);
    case CE_TV_INT:
        return ce_value_int(v->u.i);
    case CE_TV_FLOAT:
        return ce_value_float(v->u.f);
    case CE_TV_STRING:
        return ce_value_string(v->u.s.p, v->u.s.n);
    case CE_TV_LIST: {
        struct ce_value *a = ce_value_array_new(v->u.list->len);
        for (size_t i = 0; i < v->u.list->len; i++) {
            a->u.a.v[i] = from_tv(&v->u.list->items[i]);
        }
        return a;
    }
    case CE_TV_MAP: {
        struct ce_value *o = ce_value_object_new();
        for (size_t i = 0; i < v->u.map->len; i++) {
            struct ce_value *e = from_tv(&v->u.map->e[i].val);
            ce_value_object_set(o, v->u.map->e[i].key, e);
            ce_value_unref(e);
        }
        return o;
    }
    default:
        return ce_value_null();
    }
}

struct call {
    const struct ce_fn *fn;
    struct ce_value *const *args;
    size_t nargs;
    struct ce_tv res;
    int rc;
};

/* Runs inside the arena's failure jump: converts, calls, prepares the result. */
static void call_inner(struct ce_tv_ctx *c, struct call *cl)
{
    struct ce_tv *argv = ce_tv_alloc(c, (cl->nargs + 1) * sizeof *argv);
    for (size_t i = 0; i < cl->nargs; i++) {
        argv[i] = to_tv(c, cl->args[i], 0);
    }
    cl->res = ce_tv_invalid();
    cl->rc = cl->fn->fn(c, argv, cl->nargs, &cl->res);
    if (cl->rc == CE_OK) {
        prepare(c, &cl->res, 0);
    }
}

static int call_sprig(const char *name, struct ce_value *const *args, size_t nargs,
                      struct ce_value **out, char *err, size_t errlen)
{
    const struct ce_fn *fn = ce_sprig_lookup(name, strlen(name));
    if (fn == NULL) {
        return ce_rc_fail(CE_ENOENT, err, errlen, "unknown function sprig.%s", name);
    }
    int rc = arity(nargs, fn->nfixed, fn->variadic, err, errlen);
    for (size_t i = 0; rc == CE_OK && i < nargs; i++) {
        int type = fn->params[i < fn->nfixed ? i : fn->nfixed];
        const char *want = fits(args[i], type);
        if (want != NULL) {
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "reflect: Call using %s as type %s",
                            arg_type(args[i]), want);
        }
    }
    if (rc != CE_OK) {
        return rc;
    }
    char msg[512] = "";
    struct ce_tv_ctx c;
    ce_tv_ctx_init(&c, 0, 0, msg, sizeof msg);
    struct call cl = {fn, args, nargs, {0}, CE_OK};
    jmp_buf jb;
    c.fail = &jb;
    if (setjmp(jb) != 0) {
        rc = c.fail_rc != CE_OK ? c.fail_rc : CE_EINVAL;
        ce_rc_fail(rc, err, errlen, "%s", msg);
    }
    else {
        call_inner(&c, &cl);
        rc = cl.rc;
        if (rc != CE_OK) {
            ce_rc_fail(rc, err, errlen, "%s", msg[0] ? msg : "function failed");
        }
        else {
            *out = from_tv(&cl.res);
        }
    }
    ce_tv_ctx_fini(&c);
    return rc;
}

/* One macro list laid out by hand: clang-format 14 cannot settle on a layout for it. */
// clang-format off
#define SPRIG_NAMES(X) \
    X(upper) X(lower) X(title) X(untitle) X(trim) X(trimAll) X(trimall) X(trimPrefix) \
    X(trimSuffix) X(nospace) X(contains) X(hasPrefix) X(hasSuffix) X(repeat) X(substr) X(trunc) \
    X(abbrev) X(quote) X(squote) X(cat) X(indent) X(nindent) X(replace) X(split) X(splitn) \
    X(splitList) X(join) X(sortAlpha) X(toStrings) X(toString) X(plural) X(default) X(empty) \
    X(coalesce) X(all) X(any) X(ternary) X(list) X(tuple) X(first) X(last) X(rest) X(initial) \
    X(append) X(push) X(prepend) X(reverse) X(uniq) X(without) X(compact) X(has) X(slice) \
    X(concat) X(dict) X(get) X(set) X(unset) X(hasKey) X(pluck) X(keys) X(values) X(pick) \
    X(omit) X(add) X(add1) X(sub) X(mul) X(div) X(mod) X(max) X(biggest) X(min) X(floor) X(ceil) \
    X(round) X(int) X(int64) X(float64) X(atoi) X(until) X(typeOf) X(kindOf) X(kindIs) X(typeIs) \
    X(deepEqual) X(b64enc) X(b64dec) X(sha256sum) X(toJson) X(toPrettyJson) X(toRawJson) \
    X(mustToJson) X(fromJson) X(mustFromJson) X(uuidv4) X(fail) X(regexMatch) X(mustRegexMatch) \
    X(regexFind) X(mustRegexFind) X(regexFindAll) X(mustRegexFindAll) X(regexReplaceAll) \
    X(mustRegexReplaceAll) X(regexReplaceAllLiteral) X(mustRegexReplaceAllLiteral) X(regexSplit) \
    X(mustRegexSplit) X(regexQuoteMeta) X(now) X(date) X(dateInZone) X(date_in_zone) X(htmlDate) \
    X(htmlDateInZone) X(unixEpoch) X(dateModify) X(date_modify) X(toDate) X(mustToDate)
// clang-format on

#define SPRIG_WRAPPER(name)                                                                        \
    static int sp_##name(void *ctx, struct ce_value *const *args, size_t nargs,                    \
                         struct ce_value **out, char *err, size_t errlen)                          \
    {                                                                                              \
        (void)ctx;                                                                                 \
        return call_sprig(#name, args, nargs, out, err, errlen);                                   \
    }
SPRIG_NAMES(SPRIG_WRAPPER)

#define SPRIG_ENTRY(name) {"sprig." #name, sp_##name},

static const struct ce_expr_func argo_funcs[] = {{"jsonpath", fn_jsonpath},
                                                 SPRIG_NAMES(SPRIG_ENTRY)};

const struct ce_expr_funcs *ce_expr_funcs_argo(void)
{
    static const struct ce_expr_funcs table = {argo_funcs, sizeof argo_funcs / sizeof argo_funcs[0],
                                               NULL};
    return &table;
}
