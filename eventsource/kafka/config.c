/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.kafka.<event>: brokers, topic, the consumer group or the partition, TLS, SASL,
 * version, `config`, connectionBackoff, jsonBody and metadata, with Argo's defaults and the
 * controller's checks. schemaRegistry and awsMskIamAuth are refused: cevents has neither. */
#include "eventsource/kafka/config.h"
#include "core/base/mem.h"
#include "core/go/duration.h"
#include "core/kafka/client.h"
#include "manifest/plugin.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kafka_keys[] = {
    "url",      "partition", "topic",         "connectionBackoff",    "tls",
    "jsonBody", "metadata",  "consumerGroup", "limitEventsPerSecond", "version",
    "sasl",     "filter",    "config",        "schemaRegistry",       "awsMskIamAuth",
    NULL};
static const char *const group_keys[] = {"groupName", "oldest", "rebalanceStrategy", NULL};
static const char *const tls_keys[] = {"caCertSecret",       "clientCertSecret", "clientKeySecret",
                                       "insecureSkipVerify", "enabled",          NULL};
static const char *const sasl_keys[] = {"mechanism", "userSecret", "passwordSecret", NULL};
static const char *const backoff_keys[] = {"duration", "steps", "factor", "jitter", NULL};

static int kafka_kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

static void kafka_metadata(struct ce_mdec *c, const struct ce_node *ev,
                           struct ce_kafka_es_config *k)
{
    const struct ce_node *m = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, m)) {
        k->metadata = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(*k->metadata));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *key = m->pairs[i].key;
            const struct ce_node *v = m->pairs[i].value;
            if (key->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, key->type == CE_NODE_SCALAR ? key->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            k->metadata[k->n_metadata].key = ce_xstrdup(key->str);
            k->metadata[k->n_metadata].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            k->n_metadata++;
        }
        qsort(k->metadata, (size_t)k->n_metadata, sizeof(*k->metadata), kafka_kv_cmp);
    }
    ce_mdec_pop(c, old);
}

/* rebalanceStrategy as librdkafka names it; Argo falls back to range (with a log line) for
 * anything else. sarama's sticky is eager, librdkafka's is cooperative. */
static const char *kafka_assignor(struct ce_mdec *c, const struct ce_node *g)
{
    char *s = ce_mdec_str(c, g, "rebalanceStrategy", false);
    const char *out = "range";
    if (s != NULL && strcmp(s, "roundrobin") == 0) {
        out = "roundrobin";
    }
    else if (s != NULL && strcmp(s, "sticky") == 0) {
        out = "cooperative-sticky";
    }
    else if (s != NULL && s[0] != '\0' && strcmp(s, "range") != 0) {
        size_t old = ce_mdec_push(c, "rebalanceStrategy");
        ce_mdec_warn(c, ce_node_get(g, "rebalanceStrategy"),
                     "\"%s\" is not range, roundrobin or sticky: range is used", s);
        ce_mdec_pop(c, old);
    }
    ce_free(s);
    return out;
}

static void kafka_group(struct ce_mdec *c, const struct ce_node *ev, struct ce_kafka_es_config *k)
{
    const struct ce_node *g = ce_node_get(ev, "consumerGroup");
    size_t old = ce_mdec_push(c, "consumerGroup");
    if (ce_mdec_map(c, g)) {
        k->group = true;
        k->group_name = ce_mdec_str(c, g, "groupName", true);
        k->oldest = ce_mdec_bool(c, g, "oldest");
        k->assignor = kafka_assignor(c, g);
        ce_mdec_known(c, g, group_keys);
    }
    ce_mdec_pop(c, old);
}

static void kafka_partition(struct ce_mdec *c, const struct ce_node *ev,
                            struct ce_kafka_es_config *k)
{
    const struct ce_node *v = ce_node_get(ev, "partition");
    int64_t p = 0;
    if (v == NULL || ce_node_is_null(v) || (v->type == CE_NODE_SCALAR && v->len == 0)) {
        if (!k->group) {
            ce_mdec_err_missing(c, ev, v ? v : ev, "partition",
                                "consumerGroup or partition must be specified");
        }
        return;
    }
    if (!ce_node_int(v, &p) || p < 0 || p > INT32_MAX) {
        ce_mdec_err_key(c, v, "partition", "not a partition number");
        return;
    }
    if (k->group) {
        size_t old = ce_mdec_push(c, "partition");
        ce_mdec_warn(c, v, "ignored: consumerGroup is set, so the group assigns the partitions");
        ce_mdec_pop(c, old);
    }
    k->partition = (int32_t)p;
}

static void kafka_tls(struct ce_mdec *c, const struct ce_node *ev, struct ce_kafka_es_config *k)
{
    const struct ce_node *t = ce_node_get(ev, "tls");
    size_t old = ce_mdec_push(c, "tls");
    if (ce_mdec_map(c, t)) {
        k->tls = true;
        ce_mdec_secret(c, t, "caCertSecret", &k->tls_ca);
        ce_mdec_secret(c, t, "clientCertSecret", &k->tls_cert);
        ce_mdec_secret(c, t, "clientKeySecret", &k->tls_key);
        k->tls_insecure = ce_mdec_bool(c, t, "insecureSkipVerify");
        bool enabled = ce_mdec_bool(c, t, "enabled");
        ce_mdec_known(c, t, tls_keys);
        if (!k->tls_insecure && !enabled && !k->tls_ca.set && !k->tls_cert.set && !k->tls_key.set) {
            ce_mdec_err(c, t,
                        "invalid tls config, please configure either caCertSecret, or "
                        "clientCertSecret and clientKeySecret, or both (or enabled: true)");
        }
        else if (!k->tls_insecure && k->tls_cert.set != k->tls_key.set) {
            ce_mdec_err(c, t,
                        "invalid tls config, both clientCertSecret and clientKeySecret need to "
                        "be configured");
        }
    }
    ce_mdec_pop(c, old);
}

static void kafka_sasl(struct ce_mdec *c, const struct ce_node *ev, struct ce_kafka_es_config *k)
{
    const struct ce_node *s = ce_node_get(ev, "sasl");
    size_t old = ce_mdec_push(c, "sasl");
    if (ce_mdec_map(c, s)) {
        char *mech = ce_mdec_str(c, s, "mechanism", false);
        k->sasl_mechanism = mech != NULL ? mech : ce_xstrdup("");
        ce_mdec_secret(c, s, "userSecret", &k->sasl_user);
        ce_mdec_secret(c, s, "passwordSecret", &k->sasl_password);
        ce_mdec_known(c, s, sasl_keys);
        const struct ce_node *at = ce_node_get(s, "mechanism");
        if (strcmp(k->sasl_mechanism, "OAUTHBEARER") == 0 ||
            strcmp(k->sasl_mechanism, "GSSAPI") == 0) {
            ce_mdec_err_key(c, at, "mechanism", "%s is not supported by cevents (only %s)",
                            k->sasl_mechanism, CE_KAFKA_SASL_MECHANISMS);
        }
        else if (k->sasl_mechanism[0] != '\0' && strcmp(k->sasl_mechanism, "PLAIN") != 0 &&
                 strcmp(k->sasl_mechanism, "SCRAM-SHA-256") != 0 &&
                 strcmp(k->sasl_mechanism, "SCRAM-SHA-512") != 0) {
            ce_mdec_err_key(c, at, "mechanism",
                            "invalid sasl config. Possible values for SASL Mechanism are "
                            "`OAUTHBEARER`, `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` and "
                            "`GSSAPI`");
        }
        if (!k->sasl_user.set || !k->sasl_password.set) {
            ce_mdec_err(c, s,
                        "invalid sasl config, both userSecret and passwordSecret must be "
                        "defined");
        }
    }
    ce_mdec_pop(c, old);
}

/* A Backoff's factor or jitter: a number (Argo's Amount). */
static void kafka_amount(struct ce_mdec *c, const struct ce_node *b, const char *key, double *out)
{
    const struct ce_node *v = ce_node_get(b, key);
    if (v == NULL || ce_node_is_null(v)) {
        return;
    }
    char *end = NULL;
    errno = 0;
    double d = v->type == CE_NODE_SCALAR ? strtod(v->str, &end) : NAN;
    if (end == NULL || *end != '\0' || end == v->str || errno != 0 || !isfinite(d) || d < 0) {
        ce_mdec_err_key(c, v, key, "not a non-negative number");
        return;
    }
    *out = d;
}

static void kafka_backoff(struct ce_mdec *c, const struct ce_node *ev, struct ce_kafka_es_config *k)
{
    k->backoff = (struct ce_kafka_backoff){CE_DURATION_NS_PER_SEC, 5, 1.0, 0};
    const struct ce_node *b = ce_node_get(ev, "connectionBackoff");
    size_t old = ce_mdec_push(c, "connectionBackoff");
    if (ce_mdec_map(c, b)) {
        const struct ce_node *d = ce_node_get(b, "duration");
        char err[128];
        if (d != NULL && !ce_node_is_null(d) &&
            (d->type != CE_NODE_SCALAR ||
             ce_duration_parse_int64_or_string(
                 d->str, d->style != CE_NODE_PLAIN || strspn(d->str, "+-0123456789") != d->len,
                 &k->backoff.duration_ns, err, sizeof(err)) != CE_OK ||
             k->backoff.duration_ns < 0)) {
            ce_mdec_err_key(c, d, "duration", "not a duration (\"10s\", or nanoseconds)");
        }
        int64_t steps = 0;
        if (ce_mdec_int(c, b, "steps", &steps)) {
            k->backoff.steps = steps < 1 ? 1 : (steps > 1000 ? 1000 : (int)steps);
        }
        kafka_amount(c, b, "factor", &k->backoff.factor);
        kafka_amount(c, b, "jitter", &k->backoff.jitter);
        ce_mdec_known(c, b, backoff_keys);
    }
    ce_mdec_pop(c, old);
}

static void kafka_unsupported(struct ce_mdec *c, const struct ce_node *ev)
{
    static const char *const keys[] = {"schemaRegistry", "awsMskIamAuth"};
    static const char *const why[] = {
        "not supported by cevents (Avro decoding through a schema registry)",
        "not supported by cevents (AWS MSK IAM authentication); use sasl with SCRAM"};
    for (int i = 0; i < 2; i++) {
        if (ce_mdec_nonempty(ev, keys[i])) {
            ce_mdec_err_key(c, ce_node_get(ev, keys[i]), keys[i], "%s", why[i]);
        }
    }
}

static void kafka_scalars(struct ce_mdec *c, const struct ce_node *ev, struct ce_kafka_es_config *k)
{
    k->url = ce_mdec_str(c, ev, "url", true);
    if (k->url != NULL && k->url[0] == '\0') {
        ce_mdec_err_key(c, ce_node_get(ev, "url"), "url", "url must be specified");
    }
    k->topic = ce_mdec_str(c, ev, "topic", true);
    if (k->topic != NULL && k->topic[0] == '\0') {
        ce_mdec_err_key(c, ce_node_get(ev, "topic"), "topic", "topic must be specified");
    }
    k->json_body = ce_mdec_bool(c, ev, "jsonBody");
    if (ce_mdec_int(c, ev, "limitEventsPerSecond", &k->limit_per_second) &&
        k->limit_per_second < 0) {
        ce_mdec_err_key(c, ce_node_get(ev, "limitEventsPerSecond"), "limitEventsPerSecond",
                        "must not be negative");
    }
    k->version = ce_mdec_str(c, ev, "version", false);
    char err[128];
    if (k->version != NULL && k->version[0] != '\0' &&
        ce_kafka_version_check(k->version, err, sizeof(err)) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(ev, "version"), "version", "%s", err);
    }
}

static void kafka_free(void *config)
{
    struct ce_kafka_es_config *k = config;
    ce_free(k->url);
    ce_free(k->topic);
    ce_free(k->group_name);
    ce_free(k->version);
    ce_free(k->sasl_mechanism);
    ce_mdec_secret_free(&k->tls_ca);
    ce_mdec_secret_free(&k->tls_cert);
    ce_mdec_secret_free(&k->tls_key);
    ce_mdec_secret_free(&k->sasl_user);
    ce_mdec_secret_free(&k->sasl_password);
    ce_free(k->props);
    for (int i = 0; i < k->n_metadata; i++) {
        ce_free(k->metadata[i].key);
        ce_free(k->metadata[i].value);
    }
    ce_free(k->metadata);
    ce_free(k);
}

static void *kafka_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_kafka_es_config *k = ce_xcalloc(1, sizeof(*k));
    k->partition = -1;
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev,
                        "the event has no settings (url, topic, partition or "
                        "consumerGroup)");
        }
        return k;
    }
    kafka_scalars(c, ev, k);
    kafka_group(c, ev, k);
    kafka_partition(c, ev, k);
    kafka_tls(c, ev, k);
    kafka_sasl(c, ev, k);
    kafka_backoff(c, ev, k);
    kafka_unsupported(c, ev);
    ce_kafka_decode_sarama(c, ev, k);
    kafka_metadata(c, ev, k);
    return k;
}

const struct ce_block_decoder ce_kafka_decoder = {
    .key = "kafka",
    .keys = kafka_keys,
    .decode = kafka_decode,
    .free_config = kafka_free,
};
