/* SPDX-License-Identifier: Apache-2.0 */
/* Lease-based leader election (controller/leader.h). */
#include "controller/leader.h"

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "kube/client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct ce_ctl_leader {
    struct ce_kube_client *c;
    char *ns, *name, *identity;
    int64_t lease_ms, renew_deadline_ms, retry_ms;
    pthread_t thread;
    atomic_bool stop, leading, lost;
    char observed_rv[64];
    int64_t observed_at; /* monotonic ms when observed_rv was first seen */
    int64_t renewed_at;  /* monotonic ms of the last successful renewal */
};

/* A Lease's MicroTime: RFC 3339 with microseconds. */
static void leader_now(char out[40])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%06dZ", base, (int)(ts.tv_nsec / 1000) % 1000000);
}

static json_t *leader_spec(struct ce_ctl_leader *l, const json_t *old_spec, bool taking)
{
    char now[40];
    leader_now(now);
    json_t *spec = old_spec != NULL ? json_deep_copy(old_spec) : json_object();
    json_object_set_new(spec, "holderIdentity", json_string(l->identity));
    json_object_set_new(spec, "leaseDurationSeconds", json_integer((l->lease_ms + 999) / 1000));
    json_object_set_new(spec, "renewTime", json_string(now));
    if (taking) {
        json_int_t transitions = json_integer_value(json_object_get(spec, "leaseTransitions"));
        json_object_set_new(spec, "acquireTime", json_string(now));
        json_object_set_new(spec, "leaseTransitions",
                            json_integer(old_spec != NULL ? transitions + 1 : 0));
    }
    return spec;
}

static json_t *leader_lease(struct ce_ctl_leader *l, json_t *spec, const char *rv)
{
    json_t *md = json_pack("{s:s, s:s}", "name", l->name, "namespace", l->ns);
    if (rv != NULL) {
        json_object_set_new(md, "resourceVersion", json_string(rv));
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "coordination.k8s.io/v1", "kind",
                     "Lease", "metadata", md, "spec", spec);
}

/* Writes the Lease with this replica as holder; true when the server took it. */
static bool leader_write(struct ce_ctl_leader *l, const json_t *old, bool taking)
{
    const char *rv = NULL;
    const json_t *old_spec = NULL;
    if (old != NULL) {
        rv =
            json_string_value(json_object_get(json_object_get(old, "metadata"), "resourceVersion"));
        old_spec = json_object_get(old, "spec");
    }
    json_t *lease = leader_lease(l, leader_spec(l, old_spec, taking), rv);
    json_t *got = NULL;
    struct ce_kube_error e;
    int rc = old == NULL ? ce_kube_create(l->c, lease, l->ns, &got, &e)
                         : ce_kube_update(l->c, lease, l->ns, &got, &e);
    json_decref(lease);
    if (rc == CE_OK) {
        const char *nrv =
            json_string_value(json_object_get(json_object_get(got, "metadata"), "resourceVersion"));
        snprintf(l->observed_rv, sizeof(l->observed_rv), "%s", nrv != NULL ? nrv : "");
        l->observed_at = l->renewed_at = ce_clock_mono_ms();
    }
    json_decref(got);
    return rc == CE_OK;
}

/* Whether another holder's Lease has stayed unchanged for a lease duration (by our clock). */
static bool leader_expired(struct ce_ctl_leader *l, const json_t *lease)
{
    const char *rv =
        json_string_value(json_object_get(json_object_get(lease, "metadata"), "resourceVersion"));
    int64_t now = ce_clock_mono_ms();
    if (rv == NULL || strcmp(rv, l->observed_rv) != 0) {
        snprintf(l->observed_rv, sizeof(l->observed_rv), "%s", rv != NULL ? rv : "");
        l->observed_at = now;
        return false;
    }
    return now - l->observed_at >= l->lease_ms;
}

/* One round: acquire, renew or observe. True when this replica holds the Lease afterwards. */
static bool leader_round(struct ce_ctl_leader *l)
{
    struct ce_kube_ref ref = {"coordination.k8s.io/v1", "Lease", l->ns, l->name};
    json_t *lease = NULL;
    struct ce_kube_error e;
    int rc = ce_kube_get(l->c, &ref, &lease, &e);
    if (rc == CE_ENOENT) {
        return leader_write(l, NULL, true);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "Cannot read the leader lease", "lease", l->name, "error", e.message,
                  NULL);
        return false;
    }
    const char *holder =
        json_string_value(json_object_get(json_object_get(lease, "spec"), "holderIdentity"));
    bool mine = holder != NULL && strcmp(holder, l->identity) == 0;
    bool free_now = holder == NULL || holder[0] == '\0';
    bool held = false;
    if (mine || free_now || leader_expired(l, lease)) {
        held = leader_write(l, lease, !mine);
    }
    json_decref(lease);
    return held;
}

static void leader_note(struct ce_ctl_leader *l, bool held)
{
    bool was = atomic_load(&l->leading);
    if (held && !was) {
        atomic_store(&l->leading, true);
        ce_log_kv(CE_LOG_INFO, "Became the leader", "lease", l->name, "identity", l->identity,
                  NULL);
    }
    else if (!held && was && ce_clock_mono_ms() - l->renewed_at >= l->renew_deadline_ms) {
        atomic_store(&l->leading, false);
        atomic_store(&l->lost, true);
        ce_log_kv(CE_LOG_ERROR, "Lost the leader lease: could not renew it in time", "lease",
                  l->name, "identity", l->identity, NULL);
    }
}

static void *leader_main(void *arg)
{
    struct ce_ctl_leader *l = arg;
    while (!atomic_load(&l->stop) && !atomic_load(&l->lost)) {
        leader_note(l, leader_round(l));
        for (int64_t slept = 0; slept < l->retry_ms && !atomic_load(&l->stop); slept += 50) {
            ce_clock_sleep_ms(50);
        }
    }
    return NULL;
}

int ce_ctl_leader_start(struct ce_kube_client *c, const struct ce_ctl_leader_opts *o,
                        struct ce_ctl_leader **out)
{
    struct ce_ctl_leader *l = ce_xcalloc(1, sizeof(*l));
    l->c = c;
    l->ns = ce_xstrdup(o->ns);
    l->name = ce_xstrdup(o->name);
    l->identity = ce_xstrdup(o->identity);
    l->lease_ms = o->lease_ms;
    l->renew_deadline_ms = o->renew_deadline_ms;
    l->retry_ms = o->retry_ms;
    if (pthread_create(&l->thread, NULL, leader_main, l) != 0) {
        ce_free(l->ns);
        ce_free(l->name);
        ce_free(l->identity);
        ce_free(l);
        return CE_EIO;
    }
    *out = l;
    return CE_OK;
}

bool ce_ctl_leader_leading(struct ce_ctl_leader *l)
{
    return atomic_load(&l->leading);
}

bool ce_ctl_leader_lost(struct ce_ctl_leader *l)
{
    return atomic_load(&l->lost);
}

/* Hands the Lease back (empty holder), so a successor takes it at its next round. */
static void leader_release(struct ce_ctl_leader *l)
{
    struct ce_kube_ref ref = {"coordination.k8s.io/v1", "Lease", l->ns, l->name};
    json_t *patch =
        json_pack("{s:{s:s, s:i}}", "spec", "holderIdentity", "", "leaseDurationSeconds", 1);
    struct ce_kube_error e;
    if (ce_kube_patch(l->c, &ref, CE_KUBE_PATCH_MERGE, patch, NULL, NULL, &e) == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Released the leader lease", "lease", l->name, NULL);
    }
    json_decref(patch);
}

void ce_ctl_leader_stop(struct ce_ctl_leader *l)
{
    if (l == NULL) {
        return;
    }
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    if (atomic_load(&l->leading)) {
        leader_release(l);
    }
    ce_free(l->ns);
    ce_free(l->name);
    ce_free(l->identity);
    ce_free(l);
}
