/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents explain`: see explain.h. The event file is a CloudEvent as it travels on the bus
 * (what `cevents` and Argo Events publish), or just the event's data, which then stands for an
 * event of the dependency named with --dependency (or of the Sensor's only dependency). */
#include "cmd/explain.h"
#include "cmd/cli.h"
#include "core/base/buf.h"
#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "sensor/action.h"
#include "sensor/conditions.h"
#include "eventbus/event_context.h"
#include "sensor/filter.h"
#include "sensor/runtime.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define EXPLAIN_MAX_EVENT (16 * 1024 * 1024)

static const struct ce_dependency *explain_dep(const struct ce_sensor *s, const char *name)
{
    for (int i = 0; name != NULL && i < s->n_deps; i++) {
        if (strcmp(s->deps[i].name, name) == 0) {
            return &s->deps[i];
        }
    }
    return name == NULL && s->n_deps == 1 ? &s->deps[0] : NULL;
}

/* Reads the event file into ev: a CloudEvent, or data for the chosen dependency. */
static int explain_load_event(const struct ce_cli *cli, const struct ce_sensor *s,
                              struct ce_cloudevent *ev)
{
    char *text = NULL;
    size_t len = 0;
    int sys_err = 0;
    int rc = ce_file_read(cli->event_file, EXPLAIN_MAX_EVENT, &text, &len, &sys_err);
    if (rc != CE_OK) {
        fprintf(stderr, "cevents: cannot read %s: %s\n", cli->event_file,
                rc == CE_ETOOBIG ? "the event is larger than 16 MiB" : strerror(sys_err));
        return rc;
    }
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    char err[160];
    if (j == NULL) {
        fprintf(stderr, "%s:%d:%d: error: %s\n", cli->event_file, jerr.line, jerr.column,
                jerr.text);
        rc = CE_EPARSE;
    }
    else if (json_object_get(j, "specversion") != NULL) {
        if (ce_cloudevent_decode(text, len, ev, err, sizeof(err)) != CE_OK) {
            fprintf(stderr, "%s: error: not a CloudEvent: %s\n", cli->event_file, err);
            rc = CE_EPARSE;
        }
    }
    else {
        const struct ce_dependency *d = explain_dep(s, cli->dependency);
        if (d == NULL) {
            fprintf(stderr, "cevents: the event file holds data only: name its dependency with "
                            "--dependency\n");
            rc = CE_EINVAL;
        }
        else {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            char when[40];
            ce_cloudevent_format_time(&now, when);
            ev->specversion = ce_xstrdup("1.0");
            ev->id = ce_xstrdup("explain");
            ev->source = ce_xstrdup(d->event_source_name);
            ev->type = ce_xstrdup("webhook");
            ev->subject = ce_xstrdup(d->event_name);
            ev->datacontenttype = ce_xstrdup("application/json");
            ev->time = ce_xstrdup(when);
            ev->data = ce_xstrndup(text, len);
            ev->data_len = len;
        }
    }
    json_decref(j);
    ce_free(text);
    return rc;
}

/* Prints each dependency's verdict; satisfied[i] tells which ones the event satisfies. */
static void explain_deps(const struct ce_cli *cli, const struct ce_sensor *s,
                         const struct ce_cloudevent *ev, bool *satisfied,
                         struct ce_cloudevent *seen, struct ce_buf *out)
{
    for (int i = 0; i < s->n_deps; i++) {
        const struct ce_dependency *d = &s->deps[i];
        bool forced = cli->dependency != NULL && strcmp(cli->dependency, d->name) == 0;
        bool mine = forced || (strcmp(d->event_source_name, ev->source) == 0 &&
                               strcmp(d->event_name, ev->subject) == 0);
        int w = ce_buf_printf(out, "dependency %s (%s/%s): ", d->name, d->event_source_name,
                              d->event_name);
        if (!mine) {
            w |= ce_buf_puts(out, "not this event's\n");
            (void)w;
            continue;
        }
        w |= ce_buf_puts(out, "this event's\n");
        (void)w;
        struct ce_sn_filter *f = NULL;
        char err[256];
        if (ce_sn_filter_compile(d, &f, err, sizeof(err)) != CE_OK) {
            w = ce_buf_printf(out, "  cannot be evaluated: %s\n", err);
            (void)w;
            continue;
        }
        bool pass = false;
        /* seen[i]: what the trigger would get, the transformed event when there is a transform */
        satisfied[i] = ce_sn_filter_explain(f, ev, &seen[i], "  ", out, &pass) == CE_OK && pass;
        ce_sn_filter_destroy(f);
        w = ce_buf_printf(out, "  => %s\n", satisfied[i] ? "satisfied" : "not satisfied");
        (void)w;
    }
}

/* What the trigger would do with the satisfied dependencies' events, rendered by its plugin
 * (parameters, payload, headers) without running it. */
static bool explain_action(const struct ce_cli *cli, const struct ce_trigger *t,
                           const struct ce_sensor *s, const struct ce_cloudevent *ev,
                           const bool *satisfied, const struct ce_cloudevent *seen,
                           struct ce_buf *out)
{
    const struct ce_trigger_plugin *plugin = ce_trigger_find(t->kind);
    int w = 0;
    if (plugin == NULL || plugin->describe == NULL) {
        w = ce_buf_printf(out, "  its %s action cannot be shown yet\n", t->kind ? t->kind : "?");
        (void)w;
        return true;
    }
    struct ce_trigger_env env = {.secrets_dir = cli->secrets_dir, .config_dir = cli->config_dir};
    struct ce_sn_action *action = NULL;
    if (ce_sn_action_create(s, t, plugin, &env, &action) != CE_OK) {
        w = ce_buf_puts(out, "  its action cannot be prepared (see the error above)\n");
        (void)w;
        return false;
    }
    struct ce_trigger_event *events = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*events));
    int n = 0;
    for (int i = 0; i < s->n_deps; i++) {
        if (satisfied[i]) {
            events[n++] =
                (struct ce_trigger_event){s->deps[i].name, seen[i].id != NULL ? &seen[i] : ev};
        }
    }
    struct ce_sn_act act;
    char err[256];
    bool ok = ce_sn_action_begin(action, events, n, &act, err, sizeof err) == CE_OK;
    if (ok) {
        plugin->describe(act.state, events, n, "  ", out);
    }
    else {
        w = ce_buf_printf(out, "  would fail: %s\n", err);
        (void)w;
    }
    ce_sn_action_end(action, &act);
    ce_sn_action_destroy(action);
    ce_free(events);
    return ok;
}

/* Returns how many firing triggers' actions could not be prepared. */
static int explain_triggers(const struct ce_cli *cli, const struct ce_sensor *s,
                            const struct ce_cloudevent *ev, const bool *satisfied,
                            const struct ce_cloudevent *seen, struct ce_buf *out)
{
    const char **names = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*names));
    for (int i = 0; i < s->n_deps; i++) {
        names[i] = s->deps[i].name;
    }
    int failed = 0;
    for (int i = 0; i < s->n_triggers; i++) {
        const struct ce_trigger *t = &s->triggers[i];
        struct ce_cond *cond = NULL;
        char err[256];
        int w = ce_buf_printf(out, "\ntrigger %s (%s), conditions \"%s\":\n", t->name,
                              t->kind ? t->kind : "?", t->conditions ? t->conditions : "");
        if (ce_cond_compile(t->conditions, names, s->n_deps, &cond, err, sizeof(err)) != CE_OK) {
            w |= ce_buf_printf(out, "  the conditions do not parse: %s\n", err);
            (void)w;
            continue;
        }
        bool fires = ce_cond_eval(cond, satisfied);
        bool any = false;
        int used[256];
        int n = ce_cond_deps(cond, used, 256);
        for (int k = 0; k < n; k++) {
            any = any || satisfied[used[k]];
        }
        if (fires) {
            w |= ce_buf_printf(out, "  would fire on this event%s\n",
                               ce_cond_is_pure_or(cond) ? "" : " (with no events kept before it)");
            failed += !explain_action(cli, t, s, ev, satisfied, seen, out);
        }
        else if (any) {
            w |= ce_buf_puts(out, "  would not fire yet: it keeps this event until the rest of "
                                  "its conditions hold\n");
        }
        else {
            w |=
                ce_buf_puts(out, "  not concerned: no dependency of its conditions is satisfied\n");
        }
        (void)w;
        ce_cond_destroy(cond);
    }
    ce_free(names);
    return failed;
}

int ce_explain_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    static const char *const usage =
        "explain -f SENSOR.yaml --event EVENT.json [--dependency NAME] [--name SENSOR]";
    int code = ce_cli_parse_usage(argc, argv, &cli, usage);
    if (code >= 0) {
        return code;
    }
    if (!cli.file || !cli.event_file) {
        ce_cli_usage(stderr, usage);
        return 2;
    }
    /* what a plugin logs while explaining is an error message for people, on stderr */
    ce_log_init("cevents.explain", CE_LOG_TEXT, cli.log_level, STDERR_FILENO);
    if (ce_cli_load(&cli, &set) != CE_OK) {
        return 1;
    }
    const struct ce_sensor *s = NULL;
    for (int i = 0; i < set->n_sensors; i++) {
        if (cli.name == NULL || strcmp(set->sensors[i]->name, cli.name) == 0) {
            s = s == NULL ? set->sensors[i] : s;
        }
    }
    struct ce_cloudevent ev;
    memset(&ev, 0, sizeof(ev));
    code = 1;
    if (s == NULL) {
        fprintf(stderr, "cevents: no Sensor%s%s in %s\n", cli.name ? " named " : "",
                cli.name ? cli.name : "", cli.file);
    }
    else if (explain_load_event(&cli, s, &ev) == CE_OK) {
        struct ce_buf out;
        ce_buf_init(&out, 0);
        bool *satisfied = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*satisfied));
        int w = ce_buf_printf(&out, "event %s (source %s, subject %s, time %s)\n\n", ev.id,
                              ev.source, ev.subject, ev.time);
        (void)w;
        struct ce_cloudevent *seen = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*seen));
        explain_deps(&cli, s, &ev, satisfied, seen, &out);
        int failed = explain_triggers(&cli, s, &ev, satisfied, seen, &out);
        for (int i = 0; i < s->n_deps; i++) {
            if (seen[i].id != NULL) {
                ce_cloudevent_fini(&seen[i]);
            }
        }
        ce_free(seen);
        fwrite(out.data, 1, out.len, stdout);
        ce_buf_fini(&out);
        ce_free(satisfied);
        code = failed > 0 ? 1 : 0; /* an action that cannot be prepared is an error */
    }
    ce_cloudevent_fini(&ev);
    ce_manifest_set_destroy(set);
    return code;
}
