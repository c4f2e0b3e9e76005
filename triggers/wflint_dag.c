/* SPDX-License-Identifier: Apache-2.0 */
/* The DAG checks of wflint.h: Argo Workflows refuses a DAG whose task names repeat, whose
 * `dependencies` or `depends` name a task it does not have, or whose dependencies loop. */
#include "core/base/mem.h"
#include "triggers/wflint.h"

#include <stdio.h>
#include <string.h>

#define WFL_MAX_TASKS 2000 /* a bigger DAG is not checked for cycles */

static const char *const wfl_results[] = {"Succeeded",    "Failed",    "Errored",
                                          "Skipped",      "Omitted",   "Daemoned",
                                          "AnySucceeded", "AllFailed", NULL};

struct wfl_dag {
    struct ce_mdec *c;
    const struct ce_node *tasks;
    int n;
    int **deps; /* deps[i]: indices of the tasks task i waits for */
    int *n_deps;
    int *color; /* 0 unseen, 1 on the path, 2 done */
    int *path;
    int depth;
    bool cycle_reported;
};

static const char *wfl_task_name(const struct wfl_dag *d, int i)
{
    const struct ce_node *v = ce_node_get(d->tasks->items[i], "name");
    return v != NULL && v->type == CE_NODE_SCALAR && !ce_node_is_null(v) ? v->str : NULL;
}

static int wfl_task_index(const struct wfl_dag *d, const char *name, size_t len)
{
    for (int i = 0; i < d->n; i++) {
        const char *s = wfl_task_name(d, i);
        if (s != NULL && strlen(s) == len && strncmp(s, name, len) == 0) {
            return i;
        }
    }
    return -1;
}

static void wfl_add_dep(struct wfl_dag *d, int from, int to)
{
    d->deps[from] = ce_xrealloc(d->deps[from], (size_t)(d->n_deps[from] + 1) * sizeof(int));
    d->deps[from][d->n_deps[from]++] = to;
}

static void wfl_dependencies(struct wfl_dag *d, int i, const struct ce_node *list)
{
    size_t old = ce_mdec_push(d->c, "dependencies");
    if (list->type != CE_NODE_SEQ) {
        ce_mdec_err(d->c, list, "expected a list of task names");
    }
    for (int j = 0; list->type == CE_NODE_SEQ && j < list->n_items; j++) {
        const struct ce_node *v = list->items[j];
        size_t o2 = ce_mdec_push_index(d->c, j);
        int at =
            v->type == CE_NODE_SCALAR && v->str ? wfl_task_index(d, v->str, strlen(v->str)) : -1;
        if (at < 0) {
            ce_mdec_err(d->c, v, "no task named \"%s\" in this DAG",
                        v->type == CE_NODE_SCALAR && v->str ? v->str : "");
        }
        else {
            wfl_add_dep(d, i, at);
        }
        ce_mdec_pop(d->c, o2);
    }
    ce_mdec_pop(d->c, old);
}

static bool wfl_dep_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

static bool wfl_result_known(const char *s, size_t len)
{
    for (int i = 0; wfl_results[i] != NULL; i++) {
        if (strlen(wfl_results[i]) == len && strncmp(wfl_results[i], s, len) == 0) {
            return true;
        }
    }
    return false;
}

/* One name of a depends expression (task, or task.Result). */
static void wfl_depends_term(struct wfl_dag *d, int i, const struct ce_node *v, const char *s,
                             size_t len)
{
    const char *dot = memchr(s, '.', len);
    size_t name_len = dot ? (size_t)(dot - s) : len;
    int at = wfl_task_index(d, s, name_len);
    if (at < 0) {
        ce_mdec_err_key(d->c, v, "depends", "no task named \"%.*s\" in this DAG", (int)name_len, s);
        return;
    }
    if (dot != NULL && !wfl_result_known(dot + 1, len - name_len - 1)) {
        ce_mdec_err_key(d->c, v, "depends",
                        "\"%.*s\": unknown task result (Succeeded, Failed, Errored, Skipped, "
                        "Omitted, Daemoned, AnySucceeded, AllFailed)",
                        (int)len, s);
    }
    wfl_add_dep(d, i, at);
}

static void wfl_depends(struct wfl_dag *d, int i, const struct ce_node *v)
{
    const char *s = v->type == CE_NODE_SCALAR && v->str ? v->str : "";
    for (size_t p = 0; s[p] != '\0';) {
        if (strchr(" \t\n()!", s[p]) != NULL) {
            p++;
        }
        else if ((s[p] == '&' && s[p + 1] == '&') || (s[p] == '|' && s[p + 1] == '|')) {
            p += 2;
        }
        else if (wfl_dep_char(s[p])) {
            size_t q = p;
            while (wfl_dep_char(s[q])) {
                q++;
            }
            wfl_depends_term(d, i, v, s + p, q - p);
            p = q;
        }
        else {
            ce_mdec_err_key(d->c, v, "depends",
                            "depends holds task names, &&, ||, ! and parentheses only");
            return;
        }
    }
}

static void wfl_task(struct wfl_dag *d, int i, bool (*call_ok)(void *, const struct ce_node *),
                     void *ud)
{
    const struct ce_node *t = d->tasks->items[i];
    const char *name = wfl_task_name(d, i);
    if (name == NULL) {
        ce_mdec_err(d->c, t, "a task needs a name");
    }
    else if (wfl_task_index(d, name, strlen(name)) != i) {
        ce_mdec_err_key(d->c, ce_node_get(t, "name"), "name", "duplicate task name \"%s\"", name);
    }
    (void)call_ok(ud, t);
    const struct ce_node *deps = ce_node_get(t, "dependencies");
    const struct ce_node *depends = ce_node_get(t, "depends");
    if (deps != NULL && !ce_node_is_null(deps)) {
        wfl_dependencies(d, i, deps);
    }
    if (depends != NULL && !ce_node_is_null(depends)) {
        wfl_depends(d, i, depends);
        if (deps != NULL && !ce_node_is_null(deps)) {
            ce_mdec_err_key(d->c, depends, "depends",
                            "a task has dependencies or depends, not both");
        }
    }
}

static void wfl_cycle_from(struct wfl_dag *d, int i)
{
    d->color[i] = 1;
    d->path[d->depth++] = i;
    for (int k = 0; k < d->n_deps[i] && !d->cycle_reported; k++) {
        int j = d->deps[i][k];
        if (d->color[j] == 1) {
            char chain[512] = "";
            size_t used = 0;
            int from = d->depth - 1;
            while (from > 0 && d->path[from] != j) {
                from--;
            }
            for (int p = from; p < d->depth && used < sizeof chain; p++) {
                used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                         wfl_task_name(d, d->path[p]));
            }
            size_t o = ce_mdec_push(d->c, "tasks");
            size_t o2 = ce_mdec_push_index(d->c, i);
            ce_mdec_err(d->c, d->tasks->items[i], "the tasks' dependencies form a cycle: %s%s",
                        chain, wfl_task_name(d, j));
            ce_mdec_pop(d->c, o2);
            ce_mdec_pop(d->c, o);
            d->cycle_reported = true;
        }
        else if (d->color[j] == 0) {
            wfl_cycle_from(d, j);
        }
    }
    d->depth--;
    d->color[i] = 2;
}

void ce_wflint_dag(struct ce_mdec *c, const struct ce_node *dag,
                   bool (*call_ok)(void *ud, const struct ce_node *task), void *ud)
{
    const struct ce_node *tasks = ce_node_get(dag, "tasks");
    if (tasks == NULL || tasks->type != CE_NODE_SEQ || tasks->n_items > WFL_MAX_TASKS) {
        return;
    }
    struct wfl_dag d = {.c = c, .tasks = tasks, .n = tasks->n_items};
    d.deps = ce_xcalloc((size_t)d.n + 1, sizeof(*d.deps));
    d.n_deps = ce_xcalloc((size_t)d.n + 1, sizeof(int));
    d.color = ce_xcalloc((size_t)d.n + 1, sizeof(int));
    d.path = ce_xcalloc((size_t)d.n + 1, sizeof(int));
    size_t old = ce_mdec_push(c, "tasks");
    for (int i = 0; i < d.n; i++) {
        size_t o2 = ce_mdec_push_index(c, i);
        if (ce_mdec_map(c, tasks->items[i])) {
            wfl_task(&d, i, call_ok, ud);
        }
        ce_mdec_pop(c, o2);
    }
    ce_mdec_pop(c, old);
    for (int i = 0; i < d.n && !d.cycle_reported; i++) {
        if (d.color[i] == 0) {
            wfl_cycle_from(&d, i);
        }
    }
    for (int i = 0; i < d.n; i++) {
        ce_free(d.deps[i]);
    }
    ce_free(d.deps);
    ce_free(d.n_deps);
    ce_free(d.color);
    ce_free(d.path);
}
