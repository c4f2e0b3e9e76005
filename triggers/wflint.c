/* SPDX-License-Identifier: Apache-2.0 */
/* See wflint.h. The checks follow what Argo Workflows' validation refuses at submission or
 * what makes the run fail at once; anything computed at run time (a template name holding
 * `{{...}}`, a templateRef into another WorkflowTemplate, a spec taken from a
 * workflowTemplateRef) is left alone, so a valid Workflow never gets an error here. */
#include "triggers/wflint.h"
#include "core/base/mem.h"
#include "manifest/diag.h"

#include <stdio.h>
#include <string.h>

struct wfl {
    struct ce_mdec *c;
    const struct ce_node *templates; /* spec.templates (a list) or NULL */
    const struct ce_wflint_opts *opts;
    const struct ce_node *wf_args; /* spec.arguments.parameters or NULL */
    bool from_ref;                 /* spec.workflowTemplateRef: the spec is merged at run time */
};

static const char *const wfl_kinds[] = {"container", "script",       "resource", "suspend",
                                        "steps",     "dag",          "data",     "http",
                                        "plugin",    "containerSet", NULL};

static const char *wfl_str(const struct ce_node *map, const char *key)
{
    const struct ce_node *v = ce_node_get(map, key);
    return v != NULL && v->type == CE_NODE_SCALAR && !ce_node_is_null(v) ? v->str : NULL;
}

/* A list of maps (parameters, templates, tasks) holding one whose name is name. */
static bool wfl_named(const struct ce_node *list, const char *name, size_t len)
{
    for (int i = 0; list != NULL && list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        const char *s = wfl_str(list->items[i], "name");
        if (s != NULL && strlen(s) == len && strncmp(s, name, len) == 0) {
            return true;
        }
    }
    return false;
}

static bool wfl_names_template(const struct wfl *w, const char *name)
{
    return wfl_named(w->templates, name, strlen(name));
}

/* The template a step or task calls, checked unless it is computed or comes from elsewhere. */
static bool wfl_call_ok(void *ud, const struct ce_node *call)
{
    struct wfl *w = ud;
    if (ce_node_get(call, "templateRef") != NULL || ce_node_get(call, "inline") != NULL) {
        return true;
    }
    const struct ce_node *t = ce_node_get(call, "template");
    const char *name = wfl_str(call, "template");
    if (name == NULL) {
        ce_mdec_err(w->c, t ? t : call, "a step or task needs template, templateRef or inline");
        return false;
    }
    if (strstr(name, "{{") != NULL || wfl_names_template(w, name)) {
        return true;
    }
    ce_mdec_err_key(w->c, t, "template", "no template named \"%s\" in spec.templates", name);
    return false;
}

static void wfl_steps(struct wfl *w, const struct ce_node *steps)
{
    size_t old = ce_mdec_push(w->c, "steps");
    for (int i = 0; steps->type == CE_NODE_SEQ && i < steps->n_items; i++) {
        const struct ce_node *group = steps->items[i];
        size_t o2 = ce_mdec_push_index(w->c, i);
        if (group->type == CE_NODE_MAP) {
            (void)wfl_call_ok(w, group);
        }
        for (int j = 0; group->type == CE_NODE_SEQ && j < group->n_items; j++) {
            size_t o3 = ce_mdec_push_index(w->c, j);
            if (group->items[j]->type == CE_NODE_MAP) {
                (void)wfl_call_ok(w, group->items[j]);
            }
            ce_mdec_pop(w->c, o3);
        }
        ce_mdec_pop(w->c, o2);
    }
    ce_mdec_pop(w->c, old);
}

static void wfl_template(struct wfl *w, const struct ce_node *t)
{
    const char *name = wfl_str(t, "name");
    if (name == NULL) {
        ce_mdec_err(w->c, t, "a template needs a name");
    }
    const char *first = NULL;
    for (int k = 0; wfl_kinds[k] != NULL; k++) {
        const struct ce_node *v = ce_node_get(t, wfl_kinds[k]);
        if (v == NULL || ce_node_is_null(v)) {
            continue;
        }
        if (first != NULL) {
            ce_mdec_err_key(w->c, v, wfl_kinds[k],
                            "a template has exactly one kind; it already has %s", first);
        }
        first = first ? first : wfl_kinds[k];
    }
    if (first == NULL && ce_node_get(t, "templateRef") == NULL) {
        ce_mdec_err(w->c, t,
                    "the template \"%s\" has no kind (container, script, resource, suspend, "
                    "steps, dag, ...)",
                    name ? name : "");
    }
    const struct ce_node *steps = ce_node_get(t, "steps");
    if (steps != NULL) {
        wfl_steps(w, steps);
    }
    const struct ce_node *dag = ce_node_get(t, "dag");
    if (dag != NULL && dag->type == CE_NODE_MAP) {
        size_t old = ce_mdec_push(w->c, "dag");
        ce_wflint_dag(w->c, dag, wfl_call_ok, w);
        ce_mdec_pop(w->c, old);
    }
}

static void wfl_templates(struct wfl *w)
{
    size_t old = ce_mdec_push(w->c, "templates");
    for (int i = 0; i < w->templates->n_items; i++) {
        const struct ce_node *t = w->templates->items[i];
        size_t o2 = ce_mdec_push_index(w->c, i);
        if (ce_mdec_map(w->c, t)) {
            const char *name = wfl_str(t, "name");
            for (int j = 0; name != NULL && j < i; j++) {
                const char *other = wfl_str(w->templates->items[j], "name");
                if (other != NULL && strcmp(other, name) == 0) {
                    ce_mdec_err_key(w->c, ce_node_get(t, "name"), "name",
                                    "duplicate template name \"%s\"", name);
                    break;
                }
            }
            wfl_template(w, t);
        }
        ce_mdec_pop(w->c, o2);
    }
    ce_mdec_pop(w->c, old);
}

/* A template name given by a spec field (entrypoint, onExit). */
static void wfl_spec_ref(struct wfl *w, const struct ce_node *spec, const char *key)
{
    const char *name = wfl_str(spec, key);
    if (name == NULL || strstr(name, "{{") != NULL || w->templates == NULL ||
        wfl_names_template(w, name)) {
        return;
    }
    ce_mdec_err_key(w->c, ce_node_get(spec, key), key, "\"%s\" names no template of spec.templates",
                    name);
}

static bool wfl_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

/* One {{prefix.name}} reference at s (just after "{{"): the name, or NULL when it is not a
 * plain reference with that prefix. */
static const char *wfl_ref_name(const char *s, const char *prefix, size_t *len)
{
    while (*s == ' ') {
        s++;
    }
    size_t pl = strlen(prefix);
    if (strncmp(s, prefix, pl) != 0) {
        return NULL;
    }
    const char *name = s + pl;
    size_t n = 0;
    while (wfl_name_char(name[n])) {
        n++;
    }
    const char *end = name + n;
    while (*end == ' ') {
        end++;
    }
    if (n == 0 || strncmp(end, "}}", 2) != 0 || (n == 4 && strncmp(name, "json", 4) == 0)) {
        return NULL;
    }
    *len = n;
    return name;
}

static void wfl_scan(struct wfl *w, const struct ce_node *n, const struct ce_node *tmpl)
{
    for (const char *p = strstr(n->str, "{{"); p != NULL; p = strstr(p + 2, "{{")) {
        size_t len = 0;
        const char *name = wfl_ref_name(p + 2, "inputs.parameters.", &len);
        if (name != NULL && tmpl != NULL &&
            !wfl_named(ce_node_get(ce_node_get(tmpl, "inputs"), "parameters"), name, len)) {
            const char *tn = wfl_str(tmpl, "name");
            ce_mdec_err(w->c, n,
                        "{{inputs.parameters.%.*s}}: the template \"%s\" declares no "
                        "input parameter \"%.*s\"",
                        (int)len, name, tn ? tn : "", (int)len, name);
        }
        name = wfl_ref_name(p + 2, "workflow.parameters.", &len);
        bool given = false;
        for (int i = 0; name && !given && w->opts && w->opts->wf_params && w->opts->wf_params[i];
             i++) {
            given = strlen(w->opts->wf_params[i]) == len &&
                    strncmp(w->opts->wf_params[i], name, len) == 0;
        }
        if (name != NULL && !w->from_ref && !given && !wfl_named(w->wf_args, name, len)) {
            ce_mdec_err(w->c, n,
                        "{{workflow.parameters.%.*s}}: spec.arguments.parameters "
                        "declares no parameter \"%.*s\"",
                        (int)len, name, (int)len, name);
        }
    }
}

/* Every string under n; tmpl is the template whose inputs `inputs.parameters` names. */
static void wfl_refs(struct wfl *w, const struct ce_node *n, const struct ce_node *tmpl)
{
    if (n->type == CE_NODE_SCALAR) {
        if (n->str != NULL && strstr(n->str, "{{") != NULL) {
            wfl_scan(w, n, tmpl);
        }
        return;
    }
    for (int i = 0; n->type == CE_NODE_MAP && i < n->n_pairs; i++) {
        const struct ce_node *k = n->pairs[i].key;
        size_t old = ce_mdec_push(w->c, k->str ? k->str : "");
        bool inl = k->str != NULL && strcmp(k->str, "inline") == 0;
        wfl_refs(w, n->pairs[i].value, inl ? n->pairs[i].value : tmpl);
        ce_mdec_pop(w->c, old);
    }
    for (int i = 0; n->type == CE_NODE_SEQ && i < n->n_items; i++) {
        size_t old = ce_mdec_push_index(w->c, i);
        bool each_template = tmpl == NULL && w->templates == n;
        wfl_refs(w, n->items[i], each_template ? n->items[i] : tmpl);
        ce_mdec_pop(w->c, old);
    }
}

static void wfl_spec(struct wfl *w, const struct ce_node *spec)
{
    const struct ce_node *t = ce_node_get(spec, "templates");
    w->templates = t != NULL && t->type == CE_NODE_SEQ ? t : NULL;
    w->from_ref = ce_node_get(spec, "workflowTemplateRef") != NULL;
    w->wf_args = ce_node_get(ce_node_get(spec, "arguments"), "parameters");
    if (w->templates != NULL) {
        wfl_templates(w);
    }
    bool given = w->opts != NULL && w->opts->entrypoint_given;
    if (!given) {
        wfl_spec_ref(w, spec, "entrypoint");
    }
    wfl_spec_ref(w, spec, "onExit");
    wfl_refs(w, spec, NULL);
}

void ce_wflint_check(struct ce_mdec *c, const struct ce_node *obj,
                     const struct ce_wflint_opts *opts)
{
    const char *kind = wfl_str(obj, "kind");
    const char *api = wfl_str(obj, "apiVersion");
    if (kind == NULL || api == NULL || strncmp(api, "argoproj.io/", 12) != 0) {
        return;
    }
    struct wfl w = {.c = c, .opts = opts};
    bool cron = strcmp(kind, "CronWorkflow") == 0;
    if (!cron && strcmp(kind, "Workflow") != 0 && strcmp(kind, "WorkflowTemplate") != 0 &&
        strcmp(kind, "ClusterWorkflowTemplate") != 0) {
        return;
    }
    const struct ce_node *spec = ce_node_get(obj, "spec");
    if (spec == NULL || spec->type != CE_NODE_MAP) {
        return;
    }
    size_t old = ce_mdec_push(c, "spec");
    if (cron) {
        const struct ce_node *ws = ce_node_get(spec, "workflowSpec");
        size_t o2 = ce_mdec_push(c, "workflowSpec");
        if (ws != NULL && ws->type == CE_NODE_MAP) {
            wfl_spec(&w, ws);
        }
        ce_mdec_pop(c, o2);
    }
    else {
        wfl_spec(&w, spec);
    }
    ce_mdec_pop(c, old);
}

void ce_wflint_check_text(struct ce_mdec *c, const struct ce_node *at,
                          const struct ce_wflint_opts *opts)
{
    if (at == NULL || at->type != CE_NODE_SCALAR || at->str == NULL) {
        return;
    }
    struct ce_diag d;
    ce_diag_init(&d);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    if (ce_node_parse(at->str, at->len, "inline", &d, &docs, &n) == CE_OK && n == 1) {
        struct ce_mdec inner;
        memset(&inner, 0, sizeof inner);
        inner.file = "inline";
        inner.diag = &d;
        ce_wflint_check(&inner, docs[0].root, opts);
        for (int i = 0; i < d.n; i++) {
            if (d.items[i].severity == CE_DIAG_ERROR) {
                ce_mdec_err(c, at, "line %d column %d of the text: %s: %s", d.items[i].line,
                            d.items[i].col, d.items[i].path, d.items[i].msg);
            }
        }
    }
    ce_node_docs_free(docs, n);
    ce_diag_fini(&d);
}
