/* SPDX-License-Identifier: Apache-2.0 */
/* `args`: Argo's trigger appends them to its `argo submit` command line. cevents makes no
 * command line, so it reads the flags as the argo CLI would (pflag: `--flag value`,
 * `--flag=value`, `-p value`, `-pvalue`) and makes the same changes to the Workflow
 * (ApplySubmitOpts). Flags that only shape the CLI's own output are accepted and have no effect;
 * anything else is refused by name. */
#include "triggers/argoWorkflow/config.h"
#include "core/base/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum aw_flag {
    AW_F_PARAM,
    AW_F_ENTRY,
    AW_F_SA,
    AW_F_NAME,
    AW_F_GENNAME,
    AW_F_LABELS,
    AW_F_PRIORITY,
    AW_F_INSTANCE,
    AW_F_NS,
    AW_F_OUTPUT_ARG,
    AW_F_OUTPUT_BOOL
};

static const struct aw_flag_spec {
    const char *lng, *shrt;
    enum aw_flag flag;
} aw_flags[] = {
    {"parameter", "p", AW_F_PARAM},        {"entrypoint", NULL, AW_F_ENTRY},
    {"serviceaccount", NULL, AW_F_SA},     {"name", NULL, AW_F_NAME},
    {"generate-name", NULL, AW_F_GENNAME}, {"labels", "l", AW_F_LABELS},
    {"priority", NULL, AW_F_PRIORITY},     {"instanceid", NULL, AW_F_INSTANCE},
    {"namespace", "n", AW_F_NS},           {"output", "o", AW_F_OUTPUT_ARG},
    {"status", NULL, AW_F_OUTPUT_ARG},     {"node-field-selector", NULL, AW_F_OUTPUT_ARG},
    {"wait", "w", AW_F_OUTPUT_BOOL},       {"watch", NULL, AW_F_OUTPUT_BOOL},
    {"log", NULL, AW_F_OUTPUT_BOOL},       {"strict", NULL, AW_F_OUTPUT_BOOL},
};

static const struct aw_flag_spec *aw_flag_find(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof(aw_flags) / sizeof(aw_flags[0]); i++) {
        const struct aw_flag_spec *f = &aw_flags[i];
        size_t n = strlen(f->lng);
        if (strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, f->lng, n) == 0 &&
            (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
            *inline_value = arg[2 + n] == '=' ? arg + 3 + n : NULL;
            return f;
        }
        if (f->shrt != NULL && arg[0] == '-' && arg[1] == f->shrt[0] && arg[1] != '-') {
            *inline_value = arg[2] == '=' ? arg + 3 : arg[2] != '\0' ? arg + 2 : NULL;
            return f;
        }
    }
    return NULL;
}

static void aw_set(char **field, const char *v)
{
    ce_free(*field);
    *field = ce_xstrdup(v);
}

static void aw_param(struct ce_mdec *c, const struct ce_node *at, struct aw_submit_opts *o,
                     const char *v)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL) {
        ce_mdec_err(c, at, "expected parameter of the form: NAME=VALUE. Received: %s", v);
        return;
    }
    if (o->n_params >= AW_MAX_ARGS) {
        ce_mdec_err(c, at, "more than %d parameters", AW_MAX_ARGS);
        return;
    }
    o->param_names[o->n_params] = ce_xstrndup(v, (size_t)(eq - v));
    o->param_values[o->n_params++] = ce_xstrdup(eq + 1);
}

static bool aw_labels_valid(const char *v)
{
    for (const char *p = v; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq == NULL || eq == p) {
            return false;
        }
        p += n + (comma ? 1 : 0);
    }
    return true;
}

static void aw_apply_flag(struct ce_mdec *c, const struct ce_node *at, enum aw_flag f,
                          const char *v, struct aw_submit_opts *o)
{
    char *end = NULL;
    switch (f) {
    case AW_F_PARAM:
        aw_param(c, at, o, v);
        break;
    case AW_F_ENTRY:
        aw_set(&o->entrypoint, v);
        break;
    case AW_F_SA:
        aw_set(&o->service_account, v);
        break;
    case AW_F_NAME:
        aw_set(&o->name, v);
        break;
    case AW_F_GENNAME:
        aw_set(&o->generate_name, v);
        break;
    case AW_F_LABELS:
        aw_set(&o->labels, v);
        if (!aw_labels_valid(v)) {
            ce_mdec_err(c, at,
                        "expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: %s", v);
        }
        break;
    case AW_F_INSTANCE:
        aw_set(&o->instance_id, v);
        break;
    case AW_F_NS:
        aw_set(&o->ns, v);
        break;
    case AW_F_PRIORITY:
        errno = 0;
        o->priority = strtoll(v, &end, 10);
        o->has_priority = errno == 0 && end != v && *end == '\0' && o->priority >= INT32_MIN &&
                          o->priority <= INT32_MAX;
        if (!o->has_priority) {
            ce_mdec_err(c, at, "--priority: \"%s\" is not a whole number", v);
        }
        break;
    default:
        break;
    }
}

/* The value of the flag at item i (inline, or the next item, which is then used up). */
static const char *aw_flag_value(struct ce_mdec *c, const struct ce_node *list, int *i,
                                 const char *inline_value)
{
    if (inline_value != NULL) {
        return inline_value;
    }
    const struct ce_node *next = *i + 1 < list->n_items ? list->items[*i + 1] : NULL;
    if (next == NULL || next->type != CE_NODE_SCALAR) {
        ce_mdec_err(c, list->items[*i], "%s needs a value", list->items[*i]->str);
        return NULL;
    }
    (*i)++;
    return next->str;
}

static void aw_arg(struct ce_mdec *c, const struct ce_node *list, int *i, bool submit,
                   struct aw_submit_opts *o)
{
    const struct ce_node *it = list->items[*i];
    if (it->type != CE_NODE_SCALAR || it->str == NULL) {
        ce_mdec_err(c, it, "expected a string");
        return;
    }
    const char *inline_value = NULL;
    const struct aw_flag_spec *f = aw_flag_find(it->str, &inline_value);
    if (f == NULL) {
        ce_mdec_err(c, it,
                    "argument \"%s\" is not supported (cevents calls the Kubernetes API "
                    "instead of the argo CLI and knows -p, --entrypoint, --serviceaccount, "
                    "--name, --generate-name, -l, --priority, --instanceid, -n)",
                    it->str);
        return;
    }
    if (f->flag == AW_F_OUTPUT_BOOL) {
        return;
    }
    const char *v = aw_flag_value(c, list, i, inline_value);
    if (v == NULL || f->flag == AW_F_OUTPUT_ARG) {
        return;
    }
    if (!submit && f->flag != AW_F_NS) {
        ce_mdec_err(c, it, "\"%s\" applies to submit and submit-from only", it->str);
        return;
    }
    aw_apply_flag(c, it, f->flag, v, o);
}

void aw_args_decode(struct ce_mdec *c, const struct ce_node *block, enum aw_op op,
                    struct aw_submit_opts *o)
{
    const struct ce_node *list = ce_node_get(block, "args");
    if (list == NULL || ce_node_is_null(list)) {
        return;
    }
    size_t old = ce_mdec_push(c, "args");
    if (list->type != CE_NODE_SEQ) {
        ce_mdec_err(c, list, "expected a list, got %s", ce_node_type_name(list));
    }
    bool submit = op == AW_SUBMIT || op == AW_SUBMIT_FROM || op == AW_RESUBMIT;
    for (int i = 0; list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        size_t o2 = ce_mdec_push_index(c, i);
        aw_arg(c, list, &i, submit, o);
        ce_mdec_pop(c, o2);
    }
    ce_mdec_pop(c, old);
}

void aw_submit_opts_fini(struct aw_submit_opts *o)
{
    for (int i = 0; i < o->n_params; i++) {
        ce_free(o->param_names[i]);
        ce_free(o->param_values[i]);
    }
    ce_free(o->entrypoint);
    ce_free(o->service_account);
    ce_free(o->name);
    ce_free(o->generate_name);
    ce_free(o->instance_id);
    ce_free(o->ns);
    ce_free(o->labels);
    memset(o, 0, sizeof(*o));
}
