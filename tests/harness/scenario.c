/* SPDX-License-Identifier: Apache-2.0 */
/* See scenario.h. */
#include "tests/harness/scenario.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/recorder.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <nats/nats.h>

struct ce_natsd *ce_scn_natsd_start(const char *dir)
{
    struct ce_natsd *n = NULL;
    /* A port from the harness (below the ephemeral range), not the kernel's pick: see
     * ce_test_free_port. */
    int rc = ce_natsd_start(dir, ce_test_free_port(), -1, &n);
    if (rc == CE_ENOENT) {
        ce_test_skip("nats-server is not installed");
    }
    if (rc != CE_OK) {
        fail_msg("nats-server did not start: %s", ce_rc_str(rc));
    }
    return n;
}

pid_t ce_scn_natsd_pid(const struct ce_natsd *n)
{
    /* natsd runs `nats-server ... -p <port> ...`: look for that argument pair. */
    char want[32];
    int wlen = snprintf(want, sizeof(want), "-p%c%d%c", 0, ce_natsd_port(n), 0);
    DIR *d = opendir("/proc");
    assert_non_null(d);
    pid_t found = -1;
    struct dirent *de;
    while (found < 0 && (de = readdir(d)) != NULL) {
        char path[300];
        snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
        size_t len = 0;
        char *cmd = ce_test_read_file(path, &len);
        for (size_t i = 0; cmd != NULL && strstr(cmd, "nats-server") != NULL &&
                           i + (size_t)wlen <= len && found < 0;
             i++) {
            if (memcmp(cmd + i, want, (size_t)wlen) == 0) {
                found = (pid_t)strtol(de->d_name, NULL, 10);
            }
        }
        ce_free(cmd);
    }
    closedir(d);
    assert_true(found > 0);
    return found;
}

char *ce_scn_write_manifest(const char *dir, const char *name, const char *rel, int port)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", port);
    return ce_test_data_write(dir, name, rel, "PORT", num, NULL);
}

struct ce_test_proc *ce_scn_start(const char *kind, const char *file, const char *bus_url,
                                  int mport, const char *const extra[], const char *ready_line)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", mport);
    const char *args[32] = {kind, "-f",           file,  "--bus", bus_url, "--metrics-port",
                            port, "--log-format", "json"};
    int n = 9;
    for (int i = 0; extra && extra[i] && n < 31; i++) {
        args[n++] = extra[i];
    }
    args[n] = NULL;
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    if (!ce_test_proc_wait_line(p, ready_line, 1, 20000)) {
        char *out = ce_test_proc_output(p);
        fprintf(stderr, "--- %s output ---\n%s\n---\n", kind, out ? out : "");
        ce_free(out);
        fail_msg("%s did not log \"%s\" within 20 s", kind, ready_line);
    }
    return p;
}

int ce_scn_trigger_scene_start(struct ce_scn_trigger_scene *s, const char *tag)
{
    s->dir = ce_test_tmpdir(tag);
    s->natsd = ce_scn_natsd_start(s->dir);
    s->rec = ce_recorder_start(NULL, NULL);
    s->port = ce_test_free_port();
    s->mport = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(s->dir, "es.yaml", "eventsources/webhook.yaml", s->port);
    s->es = ce_scn_start("eventsource", es_file, ce_natsd_url(s->natsd), 0, NULL,
                         "Eventing server started.");
    ce_free(es_file);
    return s->rec != NULL ? 0 : -1;
}

void ce_scn_trigger_scene_stop(struct ce_scn_trigger_scene *s)
{
    ce_test_proc_free(s->es);
    ce_recorder_stop(s->rec);
    ce_natsd_destroy(s->natsd);
    ce_test_rmtree(s->dir);
    ce_free(s->dir);
}

void ce_scn_webhook_scene_start(struct ce_scn_webhook_scene *s, const char *tag)
{
    s->dir = ce_test_tmpdir(tag);
    s->natsd = ce_scn_natsd_start(s->dir);
    char *secrets = ce_xasprintf("%s/secrets", s->dir);
    char *auth = ce_xasprintf("%s/webhook-auth", secrets);
    mkdir(secrets, 0700);
    mkdir(auth, 0700);
    ce_free(ce_test_write_file(auth, "token", "s3cret\n"));
    s->port = ce_test_free_port();
    s->mport = ce_test_free_port();
    char *file =
        ce_scn_write_manifest(s->dir, "es.yaml", "eventsources/webhook-features.yaml", s->port);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    s->es = ce_scn_start("eventsource", file, ce_natsd_url(s->natsd), s->mport, extra,
                         "Eventing server started.");
    ce_free(file);
    ce_free(auth);
    ce_free(secrets);
}

void ce_scn_webhook_scene_stop(struct ce_scn_webhook_scene *s)
{
    ce_test_proc_stop(s->es, 10000);
    ce_test_proc_free(s->es);
    ce_natsd_destroy(s->natsd);
    ce_test_rmtree(s->dir);
    ce_free(s->dir);
}

long ce_scn_post(int port, const char *path, const char *body, const char *extra_header,
                 char id[33])
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    const char *headers[] = {"Content-Type: application/json", extra_header, NULL};
    struct ce_test_http_resp r;
    id[0] = '\0';
    if (ce_test_http("POST", url, headers, body, strlen(body), 30000, &r) != 0) {
        return -1;
    }
    char *hid = ce_test_http_header(&r, "X-Cevents-Event-Id");
    if (hid && strlen(hid) == 32) {
        memcpy(id, hid, 33);
    }
    ce_free(hid);
    long status = r.status;
    ce_test_http_resp_fini(&r);
    return status;
}

int ce_scn_logged_count(struct ce_test_proc *p, const char *id)
{
    /* eventContext is a string field, so its quotes are escaped in the JSON line. */
    char needle[96];
    snprintf(needle, sizeof(needle), "\\\"id\\\": \\\"%s\\\"", id);
    return ce_test_proc_count(p, needle);
}

static jsCtx *scn_js(const char *url, natsConnection **nc)
{
    jsCtx *js = NULL;
    if (natsConnection_ConnectTo(nc, url) != NATS_OK) {
        return NULL;
    }
    if (natsConnection_JetStream(&js, *nc, NULL) != NATS_OK) {
        natsConnection_Destroy(*nc);
        return NULL;
    }
    return js;
}

int ce_scn_js_last(const char *url, const char *subject, char **data, char **msg_id)
{
    natsConnection *nc = NULL;
    jsCtx *js = scn_js(url, &nc);
    if (!js) {
        return -1;
    }
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    int rc = -1;
    if (js_GetLastMsg(&m, js, "default", subject, NULL, &jerr) == NATS_OK) {
        const char *id = NULL;
        (void)natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
        *msg_id = ce_xstrdup(id ? id : "");
        *data = ce_xstrndup(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
        natsMsg_Destroy(m);
        rc = 0;
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}

char *ce_scn_js_last_data(const char *url, const char *subject, char **msg_id, char **raw)
{
    char *stored = NULL;
    char *id = NULL;
    assert_int_equal(ce_scn_js_last(url, subject, &stored, &id), 0);
    struct ce_cloudevent ev;
    char err[160];
    assert_int_equal(ce_cloudevent_decode(stored, strlen(stored), &ev, err, sizeof(err)), CE_OK);
    char *data = ce_xstrndup(ev.data, ev.data_len);
    ce_cloudevent_fini(&ev);
    if (msg_id) {
        *msg_id = id;
    }
    else {
        ce_free(id);
    }
    if (raw) {
        *raw = stored;
    }
    else {
        ce_free(stored);
    }
    return data;
}

long long ce_scn_js_count(const char *url)
{
    natsConnection *nc = NULL;
    jsCtx *js = scn_js(url, &nc);
    if (!js) {
        return -1;
    }
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    long long n = -1;
    if (js_GetStreamInfo(&si, js, "default", NULL, &jerr) == NATS_OK) {
        n = (long long)si->State.Msgs;
        jsStreamInfo_Destroy(si);
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return n;
}

bool ce_scn_js_up(const char *url)
{
    natsConnection *nc = NULL;
    jsCtx *js = scn_js(url, &nc);
    if (!js) {
        return false;
    }
    jsAccountInfo *ai = NULL;
    bool up = js_GetAccountInfo(&ai, js, NULL, NULL) == NATS_OK;
    jsAccountInfo_Destroy(ai);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return up;
}

int ce_scn_js_stream_replicas(const char *url, const char *stream, char *leader, size_t n)
{
    natsConnection *nc = NULL;
    jsCtx *js = scn_js(url, &nc);
    if (!js) {
        return -1;
    }
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    int replicas = -1;
    if (js_GetStreamInfo(&si, js, stream, NULL, &jerr) == NATS_OK) {
        replicas = (int)si->Config->Replicas;
        snprintf(leader, n, "%s", si->Cluster && si->Cluster->Leader ? si->Cluster->Leader : "");
    }
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return replicas;
}

/* Hands one stored message, decoded, to fn. */
static void scn_take(natsMsg *m, const char *type, ce_scn_stored_fn *fn, void *ctx)
{
    struct ce_cloudevent ev;
    char err[128];
    assert_int_equal(ce_cloudevent_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), &ev,
                                          err, sizeof err),
                     CE_OK);
    assert_string_equal(ev.type, type);
    const char *id = NULL;
    if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK) {
        id = NULL;
    }
    char *data = ce_xstrndup(ev.data, ev.data_len);
    fn(ctx, &(struct ce_scn_stored){
                .subject = natsMsg_GetSubject(m), .msg_id = id, .ev = &ev, .data = data});
    ce_free(data);
    ce_cloudevent_fini(&ev);
}

void ce_scn_js_each(const char *url, const char *type, ce_scn_stored_fn *fn, void *ctx)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    long long count = ce_scn_js_count(url);
    for (long long seq = 1; seq <= count; seq++) {
        natsMsg *m = NULL;
        assert_int_equal(js_GetMsg(&m, js, "default", (uint64_t)seq, NULL, NULL), NATS_OK);
        scn_take(m, type, fn, ctx);
        natsMsg_Destroy(m);
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

char *ce_scn_cevents(const char *const args[], int *status)
{
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    assert_true(ce_test_proc_wait_exit(p, 30000, status));
    char *out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    return out;
}

char *ce_scn_cevents_ok(const char *const args[])
{
    int status = -1;
    char *out = ce_scn_cevents(args, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail_msg("cevents %s failed:\n%s", args[0], out);
    }
    return out;
}

char *ce_scn_lint(const char *file, bool strict, int *status)
{
    const char *args[] = {"lint", strict ? "--strict" : file, strict ? file : NULL, NULL};
    return ce_scn_cevents(args, status);
}

void ce_scn_lint_clean(const char *file)
{
    int status = -1;
    char *out = ce_scn_lint(file, true, &status);
    ce_scn_has(out, "0 errors");
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_null(strstr(out, "unknown field"));
    ce_free(out);
}

void ce_scn_lint_refuses(const char *file, const char *const want[], size_t n)
{
    int status = -1;
    char *out = ce_scn_lint(file, false, &status);
    assert_int_not_equal(status, 0);
    ce_scn_has_all(out, want, n);
    ce_free(out);
}

void ce_scn_has(const char *out, const char *want)
{
    if (out == NULL || strstr(out, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, out ? out : "(nothing)");
    }
}

void ce_scn_has_all(const char *out, const char *const want[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ce_scn_has(out, want[i]);
    }
}

/* "name":"..." and "op":N of a file or sftp event's data. */
static void scn_file_event_take(void *ctx, const struct ce_scn_stored *m)
{
    struct ce_scn_file_events *t = ctx;
    const char *n = strstr(m->data, "{\"name\":\"");
    const char *op = strstr(m->data, "\"op\":");
    if (n == NULL || op == NULL) {
        fail_msg("not %s event data: %s", t->type, m->data);
    }
    n += 9;
    assert_true(t->n < CE_SCN_FILE_EVENTS_MAX);
    t->event[t->n] = ce_xstrdup(strrchr(m->subject, '.') + 1);
    t->name[t->n] = ce_xstrndup(n, strcspn(n, "\""));
    t->op[t->n] = (int)strtol(op + 5, NULL, 10);
    /* Argo's data: name, the op's number, the metadata (null without) */
    char meta[64];
    snprintf(meta, sizeof meta, ",\"metadata\":{\"suite\":\"%s\"}}", t->type);
    bool created = strcmp(t->event[t->n], "created") == 0;
    if (strstr(m->data, created ? meta : ",\"metadata\":null}") == NULL) {
        fail_msg("unexpected data: %s", m->data);
    }
    t->n++;
}

struct ce_scn_file_events *ce_scn_file_events_read(const char *url, const char *type)
{
    struct ce_scn_file_events *t = ce_xcalloc(1, sizeof(*t));
    t->type = type;
    ce_scn_js_each(url, type, scn_file_event_take, t);
    return t;
}

int ce_scn_file_events_count(const struct ce_scn_file_events *t, const char *event, int op,
                             const char *name)
{
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        n += strcmp(t->event[i], event) == 0 && t->op[i] == op &&
             (name == NULL || strcmp(t->name[i], name) == 0);
    }
    return n;
}

void ce_scn_file_events_free(struct ce_scn_file_events *t)
{
    for (int i = 0; i < t->n; i++) {
        ce_free(t->event[i]);
        ce_free(t->name[i]);
    }
    ce_free(t);
}
