/* SPDX-License-Identifier: Apache-2.0 */
/* Watching a collection (client.h): a streamed GET ?watch=true read line by line, one JSON
 * event per line; a stream the server ends is resumed from the last resourceVersion seen, a
 * 410 Gone (an ERROR event or the answer itself) lists again, as client-go's reflector does. */
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "kube/kube_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WATCH_BACKOFF_MIN_MS 100
#define WATCH_BACKOFF_MAX_MS 5000
#define WATCH_SERVER_TIMEOUT_S 300 /* the server ends a stream after this; it is resumed */
#define WATCH_RV_MAX 128

struct watch {
    struct ce_kube_client *c;
    const struct ce_kube_ref *ref;
    const struct ce_kube_watch_opts *o;
    ce_kube_watch_fn *fn;
    void *arg;
    int64_t deadline; /* monotonic ms, 0 none */
    char rv[WATCH_RV_MAX];
    /* one stream */
    CURL *h;
    struct ce_buf line;
    long status;
    bool ended_by_fn, gone, failed, events_seen;
    struct ce_kube_error err; /* an ERROR event's Status */
};

static bool watch_should_stop(const struct watch *w)
{
    return w->o->stop != NULL && atomic_load(w->o->stop);
}

static bool watch_past_deadline(const struct watch *w)
{
    return w->deadline != 0 && ce_clock_mono_ms() >= w->deadline;
}

static void watch_note_rv(struct watch *w, const json_t *obj)
{
    const char *rv =
        json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
    if (rv != NULL && rv[0] && strlen(rv) < sizeof(w->rv)) {
        snprintf(w->rv, sizeof(w->rv), "%s", rv);
    }
}

static bool watch_type(const char *s, enum ce_kube_event_type *t)
{
    static const char *const names[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *t = (enum ce_kube_event_type)i;
            return true;
        }
    }
    return false;
}

/* One event line. False ends the stream (fn said so, a 410, an error event). */
static bool watch_event(struct watch *w, const char *text, size_t len)
{
    json_t *ev = json_loadb(text, len, 0, NULL);
    const char *type = json_string_value(json_object_get(ev, "type"));
    const json_t *obj = json_object_get(ev, "object");
    enum ce_kube_event_type t;
    bool go_on = true;
    if (type == NULL || !json_is_object(obj)) {
        go_on = true; /* not an event: skipped */
    }
    else if (strcmp(type, "ERROR") == 0) {
        char *body = json_dumps(obj, JSON_COMPACT);
        long code = (long)json_integer_value(json_object_get(obj, "code"));
        kube_outcome(code ? code : 500, body, body ? strlen(body) : 0, "watch", &w->err);
        free(body); /* jansson's allocation */
        w->gone = code == 410;
        w->failed = !w->gone;
        go_on = false;
    }
    else if (watch_type(type, &t)) {
        watch_note_rv(w, obj);
        w->events_seen = true;
        if (t != CE_KUBE_BOOKMARK || w->o->bookmarks) {
            go_on = w->fn(w->arg, t, obj);
            w->ended_by_fn = !go_on;
        }
    }
    json_decref(ev);
    return go_on;
}

static size_t watch_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct watch *w = arg;
    size_t n = size * nmemb;
    if (w->status == 0) {
        curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &w->status);
    }
    if (ce_buf_append(&w->line, data, n) != CE_OK) {
        w->failed = true;
        kube_fail(&w->err, CE_EREMOTE, (int)w->status, NULL,
                  "watch: an event is larger than %d bytes", CE_KUBE_WATCH_LINE_MAX);
        return 0;
    }
    if (w->status != 200) {
        return n; /* a Status body, read whole */
    }
    char *nl;
    while ((nl = memchr(w->line.data, '\n', w->line.len)) != NULL) {
        size_t len = (size_t)(nl - w->line.data);
        bool go_on = watch_event(w, w->line.data, len);
        memmove(w->line.data, nl + 1, w->line.len - len - 1);
        w->line.len -= len + 1;
        w->line.data[w->line.len] = '\0';
        if (!go_on) {
            return 0;
        }
    }
    return n;
}

static int watch_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const struct watch *w = arg;
    return watch_should_stop(w) || watch_past_deadline(w);
}

static char *watch_query(const struct watch *w, const char *path)
{
    long secs = WATCH_SERVER_TIMEOUT_S;
    if (w->deadline != 0) {
        int64_t left = (w->deadline - ce_clock_mono_ms() + 999) / 1000;
        secs = left < 1 ? 1 : (left < secs ? (long)left : secs);
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_buf_printf(&b, "%s?watch=true&allowWatchBookmarks=%s&timeoutSeconds=%ld", path,
                           w->o->bookmarks ? "true" : "false", secs);
    const char *names[] = {"resourceVersion", "labelSelector", "fieldSelector"};
    const char *vals[] = {w->rv, w->o->label_selector, w->o->field_selector};
    for (int i = 0; i < 3; i++) {
        if (vals[i] != NULL && vals[i][0]) {
            char *v = curl_easy_escape(NULL, vals[i], 0);
            rc |= ce_buf_printf(&b, "&%s=%s", names[i], v ? v : "");
            curl_free(v);
        }
    }
    (void)rc; /* the buffer has no cap */
    return ce_buf_steal(&b, NULL);
}

/* One stream: CE_OK when it ended (by the server, fn, stop or the deadline), CE_RETRY for a
 * failure worth retrying, else the error; w->gone when the version is too old. */
static int watch_stream(struct watch *w, const char *path, struct ce_kube_error *e)
{
    char *full = watch_query(w, path);
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = NULL;
    w->h = kube_handle(w->c, full, 0, &hdrs, errbuf);
    ce_free(full);
    if (w->h == NULL) {
        return kube_fail(e, CE_RETRY, 0, NULL, "watch %s: cannot start a transfer", path);
    }
    ce_buf_init(&w->line, CE_KUBE_WATCH_LINE_MAX);
    w->status = 0;
    w->gone = w->failed = false;
    curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, watch_write);
    curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
    curl_easy_setopt(w->h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(w->h, CURLOPT_XFERINFOFUNCTION, watch_progress);
    curl_easy_setopt(w->h, CURLOPT_XFERINFODATA, w);
    CURLcode cc = curl_easy_perform(w->h);
    if (w->status == 0) {
        curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &w->status);
    }
    kube_release(w->c, w->h);
    curl_slist_free_all(hdrs);
    w->h = NULL;
    int rc = CE_OK;
    if (w->gone || w->ended_by_fn || watch_should_stop(w) || watch_past_deadline(w)) {
        rc = CE_OK;
    }
    else if (w->failed) {
        *e = w->err;
        rc = e->status >= 500 || e->status == 429 || e->status == 0 ? CE_RETRY : CE_EREMOTE;
    }
    else if (w->status != 200 && w->status != 0) {
        w->gone = w->status == 410;
        rc = w->gone ? CE_OK : kube_outcome(w->status, w->line.data, w->line.len, path, e);
    }
    else if (cc != CURLE_OK) {
        rc = kube_fail(e, kube_curl_rc(cc), 0, NULL, "watch %s%s: %s", w->c->server, path,
                       errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    ce_buf_fini(&w->line);
    return rc;
}

/* Lists the collection and reports each object as ADDED; the list's version is where the
 * watch starts. */
static int watch_relist(struct watch *w, struct ce_kube_error *e)
{
    json_t *list = NULL;
    int rc = ce_kube_list(w->c, w->ref, w->o->label_selector, w->o->field_selector, &list, e);
    if (rc != CE_OK) {
        return rc;
    }
    watch_note_rv(w, list);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item)
    {
        if (!w->fn(w->arg, CE_KUBE_ADDED, item)) {
            w->ended_by_fn = true;
            break;
        }
    }
    json_decref(list);
    return CE_OK;
}

/* Waits ms in steps, so stop and the deadline are seen. */
static void watch_backoff(const struct watch *w, int64_t ms)
{
    for (int64_t t = 0; t < ms && !watch_should_stop(w) && !watch_past_deadline(w); t += 50) {
        ce_clock_sleep_ms(50);
    }
}

static int watch_loop(struct watch *w, const char *path, struct ce_kube_error *e)
{
    bool need_list = w->rv[0] == '\0';
    int64_t backoff = WATCH_BACKOFF_MIN_MS;
    for (;;) {
        if (w->ended_by_fn || watch_should_stop(w)) {
            return CE_OK;
        }
        if (watch_past_deadline(w)) {
            return kube_fail(e, CE_ETIMEDOUT, 0, NULL, "watch %s: the timeout passed", path);
        }
        int rc = need_list ? watch_relist(w, e) : watch_stream(w, path, e);
        if (rc == CE_OK && need_list) {
            need_list = false;
            continue;
        }
        if (rc == CE_OK) {
            need_list = w->gone;
            if (!w->events_seen && !need_list) {
                /* a stream that ended with nothing in it: a server closing watches at once
                 * is not asked again in a tight loop */
                watch_backoff(w, backoff);
                backoff = backoff * 2 > WATCH_BACKOFF_MAX_MS ? WATCH_BACKOFF_MAX_MS : backoff * 2;
            }
            else {
                backoff = WATCH_BACKOFF_MIN_MS;
            }
            w->events_seen = false;
            continue;
        }
        if (rc != CE_RETRY) {
            return rc;
        }
        watch_backoff(w, backoff);
        backoff = backoff * 2 > WATCH_BACKOFF_MAX_MS ? WATCH_BACKOFF_MAX_MS : backoff * 2;
    }
}

int ce_kube_watch(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                  const struct ce_kube_watch_opts *opts, ce_kube_watch_fn *fn, void *arg,
                  char *last_rv, size_t lastlen, struct ce_kube_error *e)
{
    struct ce_kube_watch_opts none = {0};
    struct watch w = {.c = c, .ref = ref, .o = opts ? opts : &none, .fn = fn, .arg = arg};
    if (w.o->timeout_ms > 0) {
        w.deadline = ce_clock_mono_ms() + w.o->timeout_ms;
    }
    if (w.o->resource_version != NULL) {
        if (strlen(w.o->resource_version) >= sizeof(w.rv)) {
            return kube_fail(e, CE_EINVAL, 0, NULL, "watch: resourceVersion too long");
        }
        snprintf(w.rv, sizeof(w.rv), "%s", w.o->resource_version);
    }
    char *path = NULL;
    int rc = kube_path(c, ref, false, NULL, &path, NULL, e);
    if (rc == CE_OK) {
        rc = watch_loop(&w, path, e);
    }
    if (last_rv != NULL && lastlen > 0) {
        snprintf(last_rv, lastlen, "%s", w.rv);
    }
    ce_free(path);
    return rc;
}
