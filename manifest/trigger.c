/* SPDX-License-Identifier: Apache-2.0 */
/* Sensor triggers: decodes spec.triggers[] into ce_trigger (the kind, the features the runtime
 * must honour) and applies the controller's trigger checks, plus two cevents checks Argo leaves
 * to runtime: exactly one trigger type, and conditions that name only known dependencies. The
 * action block (template.<kind>) is decoded by the kind's plugin; for kinds cevents has no plugin
 * for, the controller's checks of that kind are made here. */
#include "manifest/decode_int.h"
#include "core/time/cron.h"
#include "core/base/rc.h"

#include <string.h>
#include <strings.h>

#include "core/base/mem.h"

/* Argo's trigger types. */
static const char *const tr_kinds[] = {
    "k8s",   "argoWorkflow", "http", "awsLambda", "azureEventHubs", "azureServiceBus",
    "kafka", "pulsar",       "nats", "slack",     "openWhisk",      "custom",
    "log",   "email",        NULL};

static const char *const tr_known[] = {"template",  "parameters",  "policy",     "retryStrategy",
                                       "rateLimit", "atLeastOnce", "dlqTrigger", NULL};
static const char *const tr_template_known[] = {"name",
                                                "conditions",
                                                "conditionsReset",
                                                "k8s",
                                                "argoWorkflow",
                                                "http",
                                                "awsLambda",
                                                "custom",
                                                "kafka",
                                                "nats",
                                                "slack",
                                                "openWhisk",
                                                "log",
                                                "azureEventHubs",
                                                "pulsar",
                                                "azureServiceBus",
                                                "email",
                                                NULL};
/* Fields each trigger type requires (the controller's per-type checks), for the types cevents
 * has no plugin for: a plugin checks its own. */
static const struct tr_required {
    const char *kind;
    const char *fields[4];
} tr_required[] = {
    {"awsLambda", {"functionName", "region", "payload"}},
    {"slack", {"slackToken"}},
    {"openWhisk", {"actionName", "host", "payload"}},
    {"custom", {"spec"}},
};

static const char *const tr_param_ops[] = {"overwrite", "append", "prepend", NULL};

void ce_manifest_trigger_fini(struct ce_trigger *t)
{
    if (t->action_decoder != NULL && t->action != NULL) {
        t->action_decoder->free_config(t->action);
    }
    ce_free(t->name);
    ce_free(t->conditions);
    ce_free(t->kind);
    if (t->dlq != NULL) {
        ce_manifest_trigger_fini(t->dlq);
        ce_free(t->dlq);
    }
}

static bool tr_in(const char *s, const char *const *set)
{
    for (int i = 0; set[i] != NULL; i++) {
        if (strcmp(s, set[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* A string field whose value must be one of set (empty allowed unless required). */
static void tr_enum(struct ce_mdec *c, const struct ce_node *map, const char *key,
                    const char *const *set, bool required)
{
    char *v = ce_mdec_str(c, map, key, required);
    if (v != NULL && !tr_in(v, set)) {
        ce_mdec_err_key(c, ce_node_get(map, key), key, "unknown %s \"%s\"", key, v);
    }
    ce_free(v);
}

static void tr_parameter(struct ce_mdec *c, const struct ce_node *p, bool dest_optional)
{
    static const char *const known[] = {"src", "dest", "operation", NULL};
    if (!ce_mdec_map(c, p)) {
        ce_mdec_err(c, p, "a parameter needs src and dest");
        return;
    }
    const struct ce_node *src = ce_node_get(p, "src");
    size_t old = ce_mdec_push(c, "src");
    if (ce_mdec_map(c, src)) {
        ce_free(ce_mdec_str(c, src, "dependencyName", true));
    }
    else if (src == NULL || ce_node_is_null(src)) {
        ce_mdec_err(c, p, "required field is missing");
    }
    ce_mdec_pop(c, old);
    ce_free(ce_mdec_str(c, p, "dest", !dest_optional));
    tr_enum(c, p, "operation", tr_param_ops, false);
    ce_mdec_known(c, p, known);
}

bool ce_mdec_parameters(struct ce_mdec *c, const struct ce_node *map, const char *key,
                        bool dest_optional)
{
    const struct ce_node *l = ce_node_get(map, key);
    if (l == NULL || ce_node_is_null(l)) {
        return false;
    }
    size_t old = ce_mdec_push(c, key);
    if (l->type != CE_NODE_SEQ) {
        ce_mdec_err(c, l, "expected a list, got %s", ce_node_type_name(l));
    }
    else {
        for (int i = 0; i < l->n_items; i++) {
            size_t o2 = ce_mdec_push_index(c, i);
            tr_parameter(c, l->items[i], dest_optional);
            ce_mdec_pop(c, o2);
        }
    }
    ce_mdec_pop(c, old);
    return l->type == CE_NODE_SEQ && l->n_items > 0;
}

static void tr_action_required(struct ce_mdec *c, const char *kind, const struct ce_node *a)
{
    for (size_t i = 0; i < sizeof(tr_required) / sizeof(tr_required[0]); i++) {
        if (strcmp(tr_required[i].kind, kind) != 0) {
            continue;
        }
        for (int j = 0; j < 4 && tr_required[i].fields[j] != NULL; j++) {
            const char *f = tr_required[i].fields[j];
            if (!ce_mdec_nonempty(a, f)) {
                const struct ce_node *v = ce_node_get(a, f);
                ce_mdec_err_missing(c, a, v ? v : a, f, "required field is missing");
            }
        }
    }
}

/* The controller's checks of an action block of a kind cevents has no plugin for. */
static void tr_action_unplugged(struct ce_mdec *c, const char *kind, const struct ce_node *a)
{
    tr_action_required(c, kind, a);
    if (strcmp(kind, "custom") == 0) {
        if (ce_mdec_bool(c, a, "secure") && !ce_mdec_nonempty(a, "certSecret")) {
            ce_mdec_err_key(c, a, "certSecret", "a secure custom trigger needs certSecret");
        }
    }
    (void)ce_mdec_parameters(c, a, "payload", false);
}

/* The trigger-type block: the kind's plugin decodes it; parameters are every kind's. */
static void tr_action(struct ce_mdec *c, struct ce_trigger *t, const struct ce_node *a)
{
    const struct ce_block_decoder *dec =
        c->plugins && c->plugins->trigger ? c->plugins->trigger(t->kind) : NULL;
    t->action_node = a;
    if (dec != NULL) {
        t->action_decoder = dec;
        const struct ce_node *outer = c->owner;
        c->owner = t->node;
        t->action = dec->decode(c, a);
        c->owner = outer;
        if (dec->keys != NULL) {
            ce_mdec_known(c, a, dec->keys);
        }
    }
    else {
        tr_action_unplugged(c, t->kind, a);
    }
    t->has_action_parameters = ce_mdec_parameters(c, a, "parameters", false);
    const struct ce_node *payload = ce_node_get(a, "payload");
    t->has_payload = payload != NULL && payload->type == CE_NODE_SEQ && payload->n_items > 0;
}

static const char *tr_kind_of(const char *key)
{
    for (int i = 0; tr_kinds[i] != NULL; i++) {
        if (strcmp(key, tr_kinds[i]) == 0) {
            return tr_kinds[i];
        }
    }
    for (int i = 0; tr_kinds[i] != NULL; i++) {
        if (strcasecmp(key, tr_kinds[i]) == 0) {
            return tr_kinds[i];
        }
    }
    return NULL;
}

/* Finds the one trigger type key of the template; later ones (in manifest order) are errors. */
static void tr_kind(struct ce_mdec *c, const struct ce_node *tpl, struct ce_trigger *t)
{
    const struct ce_node_pair *found = NULL;
    for (int i = 0; i < tpl->n_pairs; i++) {
        const struct ce_node_pair *p = &tpl->pairs[i];
        const char *kind = p->key->type == CE_NODE_SCALAR ? tr_kind_of(p->key->str) : NULL;
        if (kind == NULL || ce_node_is_null(p->value)) {
            continue;
        }
        if (found != NULL) {
            ce_mdec_err_key(c, p->key, p->key->str,
                            "a trigger has exactly one type; \"%s\" is already given at line %d",
                            t->kind, found->key->line);
            continue;
        }
        found = p;
        t->kind = ce_xstrdup(kind);
    }
    if (found == NULL) {
        ce_mdec_err(c, tpl, "no trigger type (one of k8s, argoWorkflow, http, log, ...) is given");
        return;
    }
    size_t old = ce_mdec_push(c, t->kind);
    if (ce_mdec_map(c, found->value)) {
        tr_action(c, t, found->value);
    }
    ce_mdec_pop(c, old);
}

static void tr_conditions_reset(struct ce_mdec *c, const struct ce_node *tpl, struct ce_trigger *t)
{
    const struct ce_node *l = ce_node_get(tpl, "conditionsReset");
    if (l == NULL || ce_node_is_null(l)) {
        return;
    }
    size_t old = ce_mdec_push(c, "conditionsReset");
    if (l->type != CE_NODE_SEQ) {
        ce_mdec_err(c, l, "expected a list, got %s", ce_node_type_name(l));
    }
    for (int i = 0; l->type == CE_NODE_SEQ && i < l->n_items; i++) {
        size_t o2 = ce_mdec_push_index(c, i);
        const struct ce_node *bt = ce_node_get(l->items[i], "byTime");
        if (bt == NULL || bt->type != CE_NODE_MAP) {
            ce_mdec_err(c, l->items[i], "invalid conditionsReset: byTime is required");
        }
        else {
            size_t o3 = ce_mdec_push(c, "byTime");
            char *cron = ce_mdec_str(c, bt, "cron", true);
            char *tz = ce_mdec_str(c, bt, "timezone", false);
            struct ce_cron *parsed = NULL;
            char why[256];
            if (cron != NULL &&
                ce_cron_parse(cron, tz ? tz : "UTC", &parsed, why, sizeof(why)) != CE_OK) {
                /* The message names the field (a bad zone or a bad schedule). */
                char ignored[64];
                bool zone = tz != NULL &&
                            ce_cron_parse(cron, "UTC", &parsed, ignored, sizeof(ignored)) == CE_OK;
                ce_mdec_err_key(c, ce_node_get(bt, zone ? "timezone" : "cron"),
                                zone ? "timezone" : "cron", "%s", why);
            }
            ce_cron_destroy(parsed);
            ce_free(cron);
            ce_free(tz);
            ce_mdec_pop(c, o3);
        }
        ce_mdec_pop(c, o2);
    }
    t->has_conditions_reset = l->type == CE_NODE_SEQ && l->n_items > 0;
    ce_mdec_pop(c, old);
}

static bool tr_dep_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

/* Dependency names compare with '-' and '_' as the same character, as Argo translates them. */
static bool tr_dep_eq(const char *a, size_t alen, const char *b)
{
    if (strlen(b) != alen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        char x = a[i] == '-' ? '_' : a[i];
        char y = b[i] == '-' ? '_' : b[i];
        if (x != y) {
            return false;
        }
    }
    return true;
}

static void tr_conditions(struct ce_mdec *c, const struct ce_node *tpl, struct ce_trigger *t,
                          const struct ce_sensor *sn)
{
    const struct ce_node *n = ce_node_get(tpl, "conditions");
    const char *s = t->conditions;
    int depth = 0;
    for (size_t i = 0; s[i] != '\0';) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
            i++;
        }
        else if (s[i] == '(' || s[i] == ')') {
            depth += s[i] == '(' ? 1 : -1;
            i++;
        }
        else if ((s[i] == '&' && s[i + 1] == '&') || (s[i] == '|' && s[i + 1] == '|')) {
            i += 2;
        }
        else if (tr_dep_char(s[i])) {
            size_t j = i;
            while (tr_dep_char(s[j])) {
                j++;
            }
            bool found = false;
            for (int d = 0; d < sn->n_deps && !found; d++) {
                found = sn->deps[d].name && tr_dep_eq(s + i, j - i, sn->deps[d].name);
            }
            if (!found) {
                ce_mdec_err_key(c, n, "conditions", "unknown dependency \"%.*s\" in conditions",
                                (int)(j - i), s + i);
            }
            i = j;
        }
        else {
            ce_mdec_err_key(c, n, "conditions",
                            "conditions hold dependency names, &&, || and parentheses only");
            return;
        }
        if (depth < 0) {
            break;
        }
    }
    if (depth != 0) {
        ce_mdec_err_key(c, n, "conditions", "unbalanced parentheses in conditions");
    }
}

static void tr_template(struct ce_mdec *c, const struct ce_node *tpl, struct ce_trigger *t,
                        const struct ce_sensor *sn)
{
    t->name = ce_mdec_str(c, tpl, "name", true);
    t->conditions = ce_mdec_str(c, tpl, "conditions", false);
    if (t->conditions != NULL && sn != NULL) {
        tr_conditions(c, tpl, t, sn);
    }
    tr_conditions_reset(c, tpl, t);
    tr_kind(c, tpl, t);
    ce_mdec_known(c, tpl, tr_template_known);
}

/* One Trigger (also used for dlqTrigger, where sn is NULL: its conditions are not used). */
static void tr_trigger(struct ce_mdec *c, const struct ce_node *n, struct ce_trigger *t,
                       const struct ce_sensor *sn)
{
    t->pos = ce_mdec_pos(c, n);
    t->node = n;
    if (!ce_mdec_map(c, n)) {
        ce_mdec_err(c, n, "a trigger needs a template");
        return;
    }
    const struct ce_node *tpl = ce_node_get(n, "template");
    size_t old = ce_mdec_push(c, "template");
    if (ce_mdec_map(c, tpl)) {
        tr_template(c, tpl, t, sn);
    }
    else if (tpl == NULL || ce_node_is_null(tpl)) {
        ce_mdec_err(c, tpl ? tpl : n, "required field is missing");
    }
    ce_mdec_pop(c, old);
    t->has_template_parameters = ce_mdec_parameters(c, n, "parameters", false);
    t->has_policy = ce_mdec_nonempty(n, "policy");
    t->has_retry_strategy = ce_mdec_nonempty(n, "retryStrategy");
    t->has_rate_limit = ce_mdec_nonempty(n, "rateLimit");
    t->at_least_once = ce_mdec_bool(c, n, "atLeastOnce");
    const struct ce_node *dlq = ce_node_get(n, "dlqTrigger");
    if (dlq != NULL && !ce_node_is_null(dlq)) {
        t->has_dlq_trigger = true;
        size_t o2 = ce_mdec_push(c, "dlqTrigger");
        if (!t->at_least_once) {
            ce_mdec_err(c, dlq, "to use dlqTrigger, atLeastOnce must be true on the trigger");
        }
        struct ce_trigger *d = ce_xcalloc(1, sizeof(*d));
        tr_trigger(c, dlq, d, NULL);
        if (dlq->type == CE_NODE_MAP && !d->at_least_once) {
            ce_mdec_err(c, dlq, "atLeastOnce must be true within the dlqTrigger");
        }
        if (d->dlq != NULL) {
            ce_mdec_err(c, dlq, "a dlqTrigger cannot have its own dlqTrigger");
        }
        t->dlq = d;
        ce_mdec_pop(c, o2);
    }
    ce_mdec_known(c, n, tr_known);
}

void ce_manifest_decode_triggers(struct ce_mdec *c, const struct ce_node *spec,
                                 struct ce_sensor *sn)
{
    const struct ce_node *l = ce_node_get(spec, "triggers");
    size_t old = ce_mdec_push(c, "triggers");
    if (l != NULL && l->type != CE_NODE_SEQ && !ce_node_is_null(l)) {
        ce_mdec_err(c, l, "expected a list, got %s", ce_node_type_name(l));
    }
    else if (l == NULL || ce_node_is_null(l) || l->n_items == 0) {
        ce_mdec_err(c, l ? l : spec, "at least one trigger is required");
    }
    else {
        sn->triggers = ce_xcalloc((size_t)l->n_items, sizeof(*sn->triggers));
        for (int i = 0; i < l->n_items; i++) {
            size_t o2 = ce_mdec_push_index(c, i);
            struct ce_trigger *t = &sn->triggers[sn->n_triggers++];
            tr_trigger(c, l->items[i], t, sn);
            for (int j = 0; t->name != NULL && j < sn->n_triggers - 1; j++) {
                if (sn->triggers[j].name != NULL && strcmp(sn->triggers[j].name, t->name) == 0) {
                    const struct ce_node *tpl = ce_node_get(l->items[i], "template");
                    size_t o3 = ce_mdec_push(c, "template");
                    ce_mdec_err_key(c, ce_node_get(tpl, "name"), "name",
                                    "duplicate trigger name \"%s\" (first at line %d)", t->name,
                                    sn->triggers[j].pos.line);
                    ce_mdec_pop(c, o3);
                    break;
                }
            }
            ce_mdec_pop(c, o2);
        }
    }
    ce_mdec_pop(c, old);
}

/* A trigger decoded on its own owns the node tree it points into. */
struct tr_owned {
    struct ce_trigger t; /* first: the public pointer converts back */
    struct ce_node_doc *docs;
    int n_docs;
};

int ce_manifest_trigger_from_text(const struct ce_manifest_plugins *plugins, const char *text,
                                  size_t len, const char *origin, struct ce_diag *diag,
                                  struct ce_trigger **out)
{
    *out = NULL;
    struct ce_node_doc *docs = NULL;
    int n_docs = 0;
    if (ce_node_parse(text, len, origin, diag, &docs, &n_docs) != CE_OK) {
        return CE_EINVAL;
    }
    struct tr_owned *o = ce_xcalloc(1, sizeof(*o));
    o->docs = docs;
    o->n_docs = n_docs;
    struct ce_mdec c;
    memset(&c, 0, sizeof(c));
    c.file = origin;
    c.diag = diag;
    c.plugins = plugins;
    int before = ce_diag_errors(diag);
    if (n_docs != 1) {
        struct ce_pos pos = {origin, 1, 1};
        ce_diag_add(diag, CE_DIAG_ERROR, &pos, "", "expected one trigger, got %d documents",
                    n_docs);
    }
    else {
        tr_trigger(&c, docs[0].root, &o->t, NULL);
    }
    if (ce_diag_errors(diag) != before) {
        ce_manifest_trigger_free(&o->t);
        return CE_EINVAL;
    }
    *out = &o->t;
    return CE_OK;
}

void ce_manifest_trigger_free(struct ce_trigger *t)
{
    if (t == NULL) {
        return;
    }
    struct tr_owned *o = (struct tr_owned *)t;
    ce_manifest_trigger_fini(&o->t);
    ce_node_docs_free(o->docs, o->n_docs);
    ce_free(o);
}
