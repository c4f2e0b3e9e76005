/* SPDX-License-Identifier: Apache-2.0 */
/* The librdkafka consumer of one event: the shared client settings (core/kafka/client.h) with
 * the secrets read from the mounted files, then what the mode needs. Offsets are stored by
 * cevents after each bus ack, never by librdkafka when it hands a message over. */
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/kafka/client.h"
#include "core/service/secrets.h"
#include "eventsource/kafka/kafka_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct kq_secrets {
    char *ca, *cert, *key, *user, *password;
};

static int kq_secret(const struct kq_event *ke, const struct ce_secret_ref *ref, char **out)
{
    if (!ref->set) {
        return CE_OK;
    }
    size_t len = 0;
    int rc = ce_secret_read(ke->env->secrets_dir, ref->name, ref->key, out, &len);
    if (rc != CE_OK) {
        char *path = ce_xasprintf("%s/%s/%s", ke->env->secrets_dir, ref->name, ref->key);
        ce_log_kv(CE_LOG_ERROR, "failed to read a Kafka secret", "eventName", ke->ev->spec->name,
                  "file", path, "error", ce_rc_str(rc), NULL);
        ce_free(path);
    }
    return rc;
}

static int kq_secrets_read(const struct kq_event *ke, struct kq_secrets *s)
{
    const struct ce_kafka_es_config *c = ke->cfg;
    if (kq_secret(ke, &c->tls_ca, &s->ca) || kq_secret(ke, &c->tls_cert, &s->cert) ||
        kq_secret(ke, &c->tls_key, &s->key) || kq_secret(ke, &c->sasl_user, &s->user) ||
        kq_secret(ke, &c->sasl_password, &s->password)) {
        return CE_ENOENT;
    }
    return CE_OK;
}

static void kq_secrets_free(struct kq_secrets *s)
{
    ce_free(s->ca);
    ce_free(s->cert);
    ce_free(s->key);
    ce_free(s->user);
    if (s->password != NULL) {
        memset(s->password, 0, strlen(s->password));
    }
    ce_free(s->password);
}

static bool kq_user_set(const struct ce_kafka_es_config *c, const char *prop)
{
    for (int i = 0; i < c->n_props; i++) {
        if (c->props[i].name != NULL && strcmp(c->props[i].name, prop) == 0) {
            return true;
        }
    }
    return false;
}

/* Sets name=value unless the user's `config` already set name. */
static int kq_default(rd_kafka_conf_t *conf, const struct ce_kafka_es_config *c, const char *name,
                      const char *value, char *err, size_t errlen)
{
    return kq_user_set(c, name) ? CE_OK : ce_kafka_conf_set(conf, name, value, err, errlen);
}

static int kq_mode_conf(const struct kq_event *ke, rd_kafka_conf_t *conf, char *err, size_t el)
{
    const struct ce_kafka_es_config *c = ke->cfg;
    if (ce_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, el)) {
        return CE_EINVAL;
    }
    if (!c->group) {
        /* librdkafka assigns only with a group id; this one never joins or commits */
        char gid[64];
        snprintf(gid, sizeof(gid), "cevents-partition-%s", ke->kv_key);
        return ce_kafka_conf_set(conf, "group.id", gid, err, el) ||
                       ce_kafka_conf_set(conf, "enable.auto.commit", "false", err, el) ||
                       ce_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, el)
                   ? CE_EINVAL
                   : CE_OK;
    }
    /* Sarama's defaults where librdkafka's differ: commit every second, 10 s sessions */
    if (ce_kafka_conf_set(conf, "group.id", c->group_name, err, el) ||
        ce_kafka_conf_set(conf, "enable.auto.commit", "true", err, el) ||
        ce_kafka_conf_set(conf, "partition.assignment.strategy", c->assignor, err, el) ||
        kq_default(conf, c, "auto.offset.reset", c->oldest ? "earliest" : "latest", err, el) ||
        kq_default(conf, c, "auto.commit.interval.ms", "1000", err, el) ||
        kq_default(conf, c, "session.timeout.ms", "10000", err, el) ||
        kq_default(conf, c, "heartbeat.interval.ms", "3000", err, el)) {
        return CE_EINVAL;
    }
    rd_kafka_conf_set_rebalance_cb(conf, kq_rebalance_cb);
    return CE_OK;
}

static void kq_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    enum ce_log_level lvl = level <= 3 ? CE_LOG_ERROR : (level <= 5 ? CE_LOG_WARN : CE_LOG_DEBUG);
    ce_log_kv(lvl, "kafka client", "facility", fac, "message", buf, NULL);
}

static int kq_conf(struct kq_event *ke, const struct kq_secrets *s, rd_kafka_conf_t **conf,
                   char *err, size_t errlen)
{
    const struct ce_kafka_es_config *c = ke->cfg;
    /* librdkafka's bounds: at most an hour, and a cap no smaller than the start (10 s
     * default) */
    int64_t backoff_ms = c->backoff.duration_ns / 1000000;
    backoff_ms = backoff_ms > 3600000 ? 3600000 : backoff_ms;
    struct ce_kafka_client cl = {
        .brokers = c->url,
        .tls = c->tls,
        .tls_ca_pem = s->ca,
        .tls_cert_pem = s->cert,
        .tls_key_pem = s->key,
        .tls_insecure_skip_verify = c->tls_insecure,
        .sasl_mechanism = c->sasl_mechanism,
        .sasl_user = s->user,
        .sasl_password = s->password,
        .version = c->version,
        .reconnect_backoff_ms = backoff_ms > 0 ? backoff_ms : 0,
        .reconnect_backoff_max_ms = backoff_ms > 10000 ? backoff_ms : 0,
        .props = c->props,
        .n_props = c->n_props,
    };
    if (ce_kafka_conf_build(&cl, conf, err, errlen) != CE_OK) {
        return CE_EINVAL;
    }
    if (kq_mode_conf(ke, *conf, err, errlen) != CE_OK) {
        rd_kafka_conf_destroy(*conf);
        return CE_EINVAL;
    }
    rd_kafka_conf_set_log_cb(*conf, kq_log_cb);
    rd_kafka_conf_set_opaque(*conf, ke);
    return CE_OK;
}

int kq_client_create(struct kq_event *ke)
{
    struct kq_secrets s = {0};
    char err[512] = "";
    rd_kafka_conf_t *conf = NULL;
    int rc = kq_secrets_read(ke, &s);
    if (rc == CE_OK) {
        rc = kq_conf(ke, &s, &conf, err, sizeof(err));
    }
    kq_secrets_free(&s);
    if (rc == CE_OK) {
        ke->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
        if (ke->rk == NULL) {
            rd_kafka_conf_destroy(conf);
            rc = CE_EINVAL;
        }
    }
    if (rc != CE_OK) {
        if (err[0] != '\0') {
            ce_log_kv(CE_LOG_ERROR, "failed to create the Kafka consumer", "eventName",
                      ke->ev->spec->name, "error", err, NULL);
        }
        return rc;
    }
    rd_kafka_poll_set_consumer(ke->rk);
    return CE_OK;
}
