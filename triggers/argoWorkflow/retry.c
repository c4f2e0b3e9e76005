/* SPDX-License-Identifier: Apache-2.0 */
/* `argo retry` with no flags, made from the same rules as Argo Workflows' FormulateRetryWorkflow
 * (workflow/util): the failed or errored execution nodes with no succeeded descendant are
 * removed with their children, the group, retry and boundary nodes on the way up to the root are
 * reset to Running, the exit handler's nodes are removed, and the pods of every removed pod node
 * are named for deletion. The nodes form a tree through their `children`; each node's parent is
 * the last node (in id order) that lists it, as Argo picks it. */
#include "triggers/argoWorkflow/formulate.h"
#include "core/base/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AW_RETRY_MAX_NODES 100000 /* a Workflow's status is far smaller in practice */
#define AW_POD_PREFIX_MAX 242     /* Kubernetes' 253 minus the hash and its dash */

struct rt_node {
    const char *id, *name, *type, *phase, *boundary;
    json_t *node;
    int parent; /* -1: none */
    int *kids;
    int n_kids;
};

struct rt_tree {
    struct rt_node *n;
    int len;
    const char *wf_name;
    char *reset, *del; /* per node: to reset / to remove */
    int *order;        /* breadth first from the root (dagSortedNodes) */
    int n_order;
    char *err;
    size_t errlen;
};

static const char *rt_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static bool rt_is(const struct rt_node *n, const char *type)
{
    return strcmp(n->type, type) == 0;
}

static bool rt_failed_or_error(const struct rt_node *n)
{
    return strcmp(n->phase, "Failed") == 0 || strcmp(n->phase, "Error") == 0;
}

static bool rt_is_group(const struct rt_node *n)
{
    return rt_is(n, "DAG") || rt_is(n, "TaskGroup") || rt_is(n, "StepGroup") || rt_is(n, "Steps");
}

static bool rt_is_execution(const struct rt_node *n)
{
    return rt_is(n, "Container") || rt_is(n, "Pod") || rt_is(n, "HTTP") || rt_is(n, "Plugin");
}

static int rt_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rt_node *)a)->id, ((const struct rt_node *)b)->id);
}

static int rt_find(const struct rt_tree *t, const char *id)
{
    struct rt_node key = {.id = id};
    const struct rt_node *hit = bsearch(&key, t->n, (size_t)t->len, sizeof key, rt_cmp);
    return hit ? (int)(hit - t->n) : -1;
}

/* Argo's reason why the nodes cannot be retried, naming the node (or what is wrong). */
static int rt_fail(struct rt_tree *t, const char *why, const char *what)
{
    snprintf(t->err, t->errlen, "%s %s", why, what);
    return CE_EINVAL;
}

static bool rt_on_exit(const struct rt_tree *t, const char *name, bool exact)
{
    size_t n = strlen(t->wf_name);
    return strncmp(name, t->wf_name, n) == 0 &&
           (exact ? strcmp(name + n, ".onExit") == 0 : strncmp(name + n, ".onExit", 7) == 0);
}

static int rt_link(struct rt_tree *t)
{
    for (int i = 0; i < t->len; i++) {
        json_t *kids = json_object_get(t->n[i].node, "children");
        size_t k = json_is_array(kids) ? json_array_size(kids) : 0;
        t->n[i].kids = ce_xcalloc(k + 1, sizeof(int));
        for (size_t j = 0; j < k; j++) {
            const char *cid = json_string_value(json_array_get(kids, j));
            int c = cid ? rt_find(t, cid) : -1;
            if (c < 0) {
                return rt_fail(t, "couldn't obtain child", cid ? cid : "?");
            }
            t->n[i].kids[t->n[i].n_kids++] = c;
            t->n[c].parent = i; /* in id order, the last one listing it wins */
        }
    }
    for (int i = 0; i < t->len; i++) {
        if (t->n[i].parent < 0 && strcmp(t->n[i].name, t->wf_name) != 0 &&
            !rt_on_exit(t, t->n[i].name, false)) {
            return rt_fail(t, "couldn't find parent node for", t->n[i].id);
        }
    }
    return CE_OK;
}

static int rt_build(struct rt_tree *t, json_t *nodes)
{
    size_t n = json_object_size(nodes);
    if (n > AW_RETRY_MAX_NODES) {
        return rt_fail(t, "the Workflow has more nodes than cevents retries:", "100000");
    }
    t->n = ce_xcalloc(n + 1, sizeof(*t->n));
    t->reset = ce_xcalloc(n + 1, 1);
    t->del = ce_xcalloc(n + 1, 1);
    t->order = ce_xcalloc(n + 1, sizeof(int));
    const char *id;
    json_t *node;
    json_object_foreach(nodes, id, node)
    {
        struct rt_node *r = &t->n[t->len++];
        r->id = id;
        r->node = node;
        r->name = rt_str(node, "name");
        r->type = rt_str(node, "type");
        r->phase = rt_str(node, "phase");
        r->boundary = rt_str(node, "boundaryID");
        r->parent = -1;
    }
    qsort(t->n, (size_t)t->len, sizeof(*t->n), rt_cmp);
    return rt_link(t);
}

static void rt_free(struct rt_tree *t)
{
    for (int i = 0; i < t->len; i++) {
        ce_free(t->n[i].kids);
    }
    ce_free(t->n);
    ce_free(t->reset);
    ce_free(t->del);
    ce_free(t->order);
}

/* isDescendantNodeSucceeded with nothing selected; depth bounds a malformed (cyclic) tree. */
static bool rt_descendant_succeeded(const struct rt_tree *t, int i, int depth)
{
    for (int k = 0; depth < t->len && k < t->n[i].n_kids; k++) {
        int c = t->n[i].kids[k];
        if (strcmp(t->n[c].phase, "Succeeded") == 0 || rt_descendant_succeeded(t, c, depth + 1)) {
            return true;
        }
    }
    return false;
}

/* A retried attempt is judged by its Retry node: a later attempt may have succeeded. */
static int rt_retry_parent(const struct rt_tree *t, int i)
{
    if (!json_is_true(json_object_get(json_object_get(t->n[i].node, "nodeFlag"), "retried"))) {
        return i;
    }
    for (int j = 0; j < t->len; j++) {
        for (int k = 0; rt_is(&t->n[j], "Retry") && k < t->n[j].n_kids; k++) {
            if (t->n[j].kids[k] == i) {
                return j;
            }
        }
    }
    return i;
}

static bool rt_to_retry(const struct rt_tree *t, int i)
{
    return rt_failed_or_error(&t->n[i]) && rt_is_execution(&t->n[i]) &&
           !rt_descendant_succeeded(t, rt_retry_parent(t, i), 0);
}

/* dagSortedNodes: breadth first from the node named after the Workflow; exit nodes are not
 * reached. */
static int rt_sort(struct rt_tree *t)
{
    char *seen = ce_xcalloc((size_t)t->len + 1, 1);
    for (int i = 0; i < t->len && t->n_order == 0; i++) {
        if (strcmp(t->n[i].name, t->wf_name) == 0) {
            t->order[t->n_order++] = i;
            seen[i] = 1;
        }
    }
    for (int q = 0; q < t->n_order; q++) {
        const struct rt_node *r = &t->n[t->order[q]];
        for (int k = 0; k < r->n_kids; k++) {
            if (!seen[r->kids[k]]) {
                seen[r->kids[k]] = 1;
                t->order[t->n_order++] = r->kids[k];
            }
        }
    }
    ce_free(seen);
    return t->n_order > 0 ? CE_OK : rt_fail(t, "couldn't find the root node", t->wf_name);
}

/* getChildren: every node under i, marked for removal. */
static void rt_delete_below(struct rt_tree *t, int i)
{
    int *queue = ce_xcalloc((size_t)t->len + 1, sizeof(int));
    char *seen = ce_xcalloc((size_t)t->len + 1, 1);
    int head = 0, tail = 0;
    queue[tail++] = i;
    seen[i] = 1;
    while (head < tail) {
        const struct rt_node *r = &t->n[queue[head++]];
        for (int k = 0; k < r->n_kids; k++) {
            t->del[r->kids[k]] = 1;
            if (!seen[r->kids[k]]) {
                seen[r->kids[k]] = 1;
                queue[tail++] = r->kids[k];
            }
        }
    }
    ce_free(queue);
    ce_free(seen);
}

/* Every step up the tree spends one; a malformed tree (a parent cycle) runs out. */
struct rt_walk {
    struct rt_tree *t;
    int budget;
    bool broken;
};

static int rt_up(struct rt_walk *w, int i)
{
    if (i < 0 || --w->budget < 0) {
        w->broken = true;
        return -1;
    }
    return w->t->n[i].parent;
}

/* resetUntil: from i upwards to the node with id boundary, reset; -1 if none. */
static int rt_reset_until(struct rt_walk *w, int i, const char *boundary)
{
    while (i >= 0 && !w->broken) {
        if (strcmp(w->t->n[i].id, boundary) == 0) {
            w->t->reset[i] = 1;
            return i;
        }
        i = rt_up(w, i);
    }
    w->broken = true;
    return -1;
}

/* resetBoundaries: the retry and group parents and the template boundaries above i. */
static int rt_reset_boundaries(struct rt_walk *w, int i)
{
    struct rt_tree *t = w->t;
    while (i >= 0 && !w->broken) {
        if (--w->budget < 0) { /* a boundary naming the node itself */
            w->broken = true;
            return -1;
        }
        int p = t->n[i].parent;
        if (p >= 0 && rt_is(&t->n[p], "Retry")) {
            t->reset[p] = 1;
            i = p;
            p = rt_up(w, i);
        }
        if (p >= 0 && (rt_is(&t->n[p], "StepGroup") || rt_is(&t->n[p], "TaskGroup"))) {
            t->reset[p] = 1;
        }
        if (t->n[i].boundary[0] == '\0') {
            return p;
        }
        i = rt_reset_until(w, i, t->n[i].boundary);
    }
    return -1;
}

/* resetPod: a container's pod node is removed with all under it. */
static int rt_reset_pod(struct rt_walk *w, int i)
{
    while (i >= 0 && !w->broken && !rt_is(&w->t->n[i], "Pod")) {
        i = rt_up(w, i);
    }
    if (i < 0) {
        w->broken = true;
        return -1;
    }
    w->t->del[i] = 1;
    rt_delete_below(w->t, i);
    return i;
}

/* The root is reachable upwards from start (singularPath). */
static bool rt_reaches_root(struct rt_tree *t, int start)
{
    int root = -1;
    for (int q = 0; q < t->n_order; q++) {
        root = t->n[t->order[q]].parent < 0 ? t->order[q] : root;
    }
    struct rt_walk w = {t, t->len, false};
    int i = start;
    while (i >= 0 && i != root) {
        i = rt_up(&w, i);
    }
    return i >= 0 && root >= 0;
}

/* resetPath: start and all under it removed, what leads to it from the root reset. */
static int rt_reset_path(struct rt_tree *t, int start)
{
    if (!rt_reaches_root(t, start)) {
        return rt_fail(t, "couldn't find the path from the root to", t->n[start].id);
    }
    t->del[start] = 1;
    rt_delete_below(t, start);
    struct rt_walk w = {t, 4 * t->len + 8, false};
    int i = t->n[start].parent < 0 ? -1 : start;
    while (i >= 0 && !w.broken) {
        const struct rt_node *r = &t->n[i];
        if (rt_is_group(r)) {
            t->reset[i] = 1;
            i = rt_reset_boundaries(&w, i);
            continue;
        }
        if (rt_is(r, "Retry") && rt_failed_or_error(r)) {
            t->reset[i] = 1;
        }
        else if (rt_is(r, "Container")) {
            i = rt_reset_pod(&w, i);
            if (i < 0) {
                break;
            }
        }
        i = rt_up(&w, i);
    }
    return w.broken ? rt_fail(t, "the Workflow's nodes do not form a tree at", t->n[start].id)
                    : CE_OK;
}

static int rt_plan(struct rt_tree *t)
{
    int rc = rt_sort(t);
    char *retry = ce_xcalloc((size_t)t->len + 1, 1);
    for (int i = 0; i < t->len; i++) {
        retry[i] = (char)rt_to_retry(t, i);
    }
    for (int q = 0; rc == CE_OK && q < t->n_order; q++) {
        int i = t->order[q];
        if (retry[i] && !t->del[i]) { /* topological: what a node above removed stays removed */
            rc = rt_reset_path(t, i);
        }
    }
    ce_free(retry);
    return rc;
}

static uint32_t rt_fnv32a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* GeneratePodName; v1 names a pod after its node id. */
static void rt_pod_name(const struct rt_tree *t, const struct rt_node *r, bool v1, char *out,
                        size_t outlen)
{
    const char *tmpl = rt_str(json_object_get(r->node, "templateRef"), "template");
    tmpl = *tmpl ? tmpl : rt_str(r->node, "templateName");
    if (v1 || strcmp(t->wf_name, r->name) == 0) {
        snprintf(out, outlen, "%s", v1 ? r->id : t->wf_name);
        return;
    }
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s%s%s", t->wf_name, *tmpl ? "-" : "", tmpl);
    prefix[AW_POD_PREFIX_MAX] = '\0';
    snprintf(out, outlen, "%s-%u", prefix, (unsigned)rt_fnv32a(r->name));
}

static void rt_add_pod(const struct rt_tree *t, int i, bool v1, json_t *pods)
{
    char name[600];
    rt_pod_name(t, &t->n[i], v1, name, sizeof name);
    size_t k;
    json_t *p;
    json_array_foreach(pods, k, p)
    {
        if (strcmp(json_string_value(p), name) == 0) {
            return;
        }
    }
    json_array_append_new(pods, json_string(name));
}

/* The exit handler runs again: every node under it names a pod to delete, as Argo does. */
static void rt_exit_pods(struct rt_tree *t, bool v1, json_t *pods)
{
    for (int i = 0; i < t->len; i++) {
        if (!rt_on_exit(t, t->n[i].name, true)) {
            continue;
        }
        char *saved = ce_xmalloc((size_t)t->len + 1);
        memcpy(saved, t->del, (size_t)t->len + 1);
        memset(t->del, 0, (size_t)t->len);
        rt_delete_below(t, i);
        t->del[i] = 1;
        for (int j = 0; j < t->len; j++) {
            if (t->del[j]) {
                rt_add_pod(t, j, v1, pods);
            }
        }
        memcpy(t->del, saved, (size_t)t->len);
        ce_free(saved);
    }
}

static json_t *rt_pods(struct rt_tree *t, const json_t *wf)
{
    const json_t *ann = json_object_get(json_object_get(wf, "metadata"), "annotations");
    bool v1 = strcmp(rt_str(ann, "workflows.argoproj.io/pod-name-format"), "v1") == 0;
    json_t *pods = json_array();
    for (int i = 0; i < t->len; i++) {
        if (t->del[i] && rt_is(&t->n[i], "Pod")) {
            rt_add_pod(t, i, v1, pods);
        }
    }
    rt_exit_pods(t, v1, pods);
    return pods;
}

/* resetNode: running again (a skipped node stays skipped), a suspend node's supplied outputs
 * asked for again. */
static void rt_reset_node(json_t *node, const char *when)
{
    if (strcmp(rt_str(node, "type"), "Suspend") == 0) {
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(json_object_get(node, "outputs"), "parameters"), k, p)
        {
            json_t *fresh = json_pack("{s:O,s:{s:{}}}", "name", json_object_get(p, "name"),
                                      "valueFrom", "supplied");
            json_array_set_new(json_object_get(json_object_get(node, "outputs"), "parameters"), k,
                               fresh);
        }
    }
    if (strcmp(rt_str(node, "phase"), "Skipped") != 0) {
        json_object_set_new(node, "phase", json_string("Running"));
    }
    json_object_del(node, "message");
    json_object_set_new(node, "startedAt", json_string(when));
    json_object_del(node, "finishedAt");
}

/* The kept ids of list (children, outboundNodes); the key goes when none is left. */
static void rt_filter(const struct rt_tree *t, json_t *node, const char *key)
{
    json_t *old = json_object_get(node, key);
    json_t *kept = json_array();
    size_t k;
    json_t *v;
    json_array_foreach(old, k, v)
    {
        int i = json_is_string(v) ? rt_find(t, json_string_value(v)) : -1;
        if (i < 0 || !t->del[i]) {
            json_array_append(kept, v);
        }
    }
    if (json_array_size(kept) > 0) {
        json_object_set_new(node, key, kept);
    }
    else {
        json_decref(kept);
        json_object_del(node, key);
    }
}

static json_t *rt_new_nodes(const struct rt_tree *t, const char *when)
{
    json_t *out = json_object();
    for (int i = 0; i < t->len; i++) {
        bool reset = t->reset[i] && !t->del[i];
        if (!reset && (t->del[i] || rt_on_exit(t, t->n[i].name, false))) {
            continue;
        }
        json_t *copy = json_deep_copy(t->n[i].node);
        if (reset) {
            rt_reset_node(copy, when);
        }
        rt_filter(t, copy, "children");
        rt_filter(t, copy, "outboundNodes");
        json_object_set_new(out, t->n[i].id, copy);
    }
    return out;
}

/* createNewRetryWorkflow: the marks of a finished Workflow go. No user is known to cevents, so
 * the actor labels go too, as when Argo's server has no claims. */
static void rt_unfinish(json_t *wf, const char *when)
{
    static const char *const gone[] = {"completed",   "workflow-archiving-status", "actor",
                                       "actor-email", "actor-preferred-username",  "action",
                                       NULL};
    json_t *labels = json_object_get(json_object_get(wf, "metadata"), "labels");
    char key[128];
    for (int i = 0; gone[i] != NULL; i++) {
        snprintf(key, sizeof key, "workflows.argoproj.io/%s", gone[i]);
        json_object_del(labels, key);
    }
    json_t *status = json_object_get(wf, "status");
    json_t *conds = json_object_get(status, "conditions");
    if (!json_is_array(conds)) {
        conds = json_array();
        json_object_set_new(status, "conditions", conds);
    }
    json_t *done = json_pack("{s:s,s:s}", "status", "False", "type", "Completed");
    size_t k;
    json_t *c;
    json_array_foreach(conds, k, c)
    {
        if (done != NULL && strcmp(rt_str(c, "type"), "Completed") == 0) {
            json_array_set_new(conds, k, done);
            done = NULL;
        }
    }
    if (done != NULL) {
        json_array_append_new(conds, done);
    }
    static const char *const cleared[] = {"phase", "message", "finishedAt",
                                          "persistentVolumeClaims", NULL};
    for (int i = 0; cleared[i] != NULL; i++) {
        json_object_del(status, cleared[i]);
    }
    json_object_set_new(status, "startedAt", json_string(when));
    json_object_del(json_object_get(status, "storedWorkflowTemplateSpec"), "shutdown");
    json_t *spec = json_object_get(wf, "spec");
    json_object_del(spec, "shutdown");
    const json_t *ads = json_object_get(spec, "activeDeadlineSeconds");
    if (json_is_integer(ads) && json_integer_value(ads) == 0) {
        json_object_del(spec, "activeDeadlineSeconds"); /* it was terminated */
    }
}

static int rt_check(const json_t *wf, char *err, size_t errlen)
{
    const json_t *status = json_object_get(wf, "status");
    const char *phase = rt_str(status, "phase");
    if (strcmp(phase, "Succeeded") == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "To retry a succeeded workflow, set the options restartSuccessful and "
                          "nodeFieldSelector");
    }
    if (strcmp(phase, "Failed") != 0 && strcmp(phase, "Error") != 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "Cannot retry a workflow in phase %s", phase);
    }
    if (json_object_get(status, "compressedNodes") != NULL ||
        json_object_get(status, "offloadNodeStatusVersion") != NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "the Workflow's node status is compressed or offloaded; retry it with "
                          "the argo CLI");
    }
    return CE_OK;
}

int aw_retry_edit(json_t *wf, time_t now, json_t **pods, char *err, size_t errlen)
{
    *pods = NULL;
    int rc = rt_check(wf, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    char when[40];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct rt_tree t = {
        .wf_name = rt_str(json_object_get(wf, "metadata"), "name"), .err = err, .errlen = errlen};
    json_t *status = json_object_get(wf, "status");
    json_t *nodes = json_object_get(status, "nodes");
    rc = rt_build(&t, json_is_object(nodes) ? nodes : NULL);
    if (rc == CE_OK && t.len > 0) {
        rc = rt_plan(&t);
    }
    if (rc == CE_OK) {
        *pods = rt_pods(&t, wf);
        json_t *fresh = rt_new_nodes(&t, when); /* t points into the old nodes */
        rt_unfinish(wf, when);
        if (json_object_size(fresh) > 0) {
            json_object_set_new(status, "nodes", fresh);
        }
        else {
            json_decref(fresh);
            json_object_del(status, "nodes");
        }
    }
    rt_free(&t);
    return rc;
}
