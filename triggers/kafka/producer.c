/* SPDX-License-Identifier: Apache-2.0 */
/* See producer.h. Argo's trigger hands each message to an asynchronous producer and reports
 * success at once, so a message the broker never got is lost; here the firing waits for the
 * delivery report, so retryStrategy and dlqTrigger see the failure. */
#include "triggers/kafka/producer.h"
#include "core/base/mem.h"
#include "core/kafka/client.h"
#include "core/service/secrets.h"
#include "triggers/kafka/config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct ce_kafka_producer {
    pthread_mutex_t mu;
    char *settings; /* what rk was made with (kafka_settings) */
    rd_kafka_t *rk;
};

/* One message's delivery report, written by the callback on the polling thread. */
struct kafka_report {
    bool done;
    rd_kafka_resp_err_t err;
};

struct ce_kafka_producer *ce_kafka_producer_create(void)
{
    struct ce_kafka_producer *p = ce_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

static void kafka_close(struct ce_kafka_producer *p)
{
    if (p->rk != NULL) {
        (void)rd_kafka_flush(p->rk, 2000);
        rd_kafka_destroy(p->rk);
        p->rk = NULL;
    }
    ce_free(p->settings);
    p->settings = NULL;
}

void ce_kafka_producer_destroy(struct ce_kafka_producer *p)
{
    if (p == NULL) {
        return;
    }
    kafka_close(p);
    pthread_mutex_destroy(&p->mu);
    ce_free(p);
}

static const char *kafka_ref(const struct ce_secret_ref *r)
{
    return r->set ? r->name : "";
}

static char *kafka_settings(const struct ce_kafka_trigger_config *cfg, const char *dir)
{
    return ce_xasprintf(
        "%s\n%s\n%d %d %lld %s\n%d%d %s/%s %s/%s %s/%s\n%d %s %s/%s %s/%s", cfg->url, dir,
        cfg->required_acks, cfg->compress, (long long)cfg->flush_frequency,
        cfg->version ? cfg->version : "", cfg->tls, cfg->tls_insecure, kafka_ref(&cfg->ca),
        cfg->ca.key ? cfg->ca.key : "", kafka_ref(&cfg->cert), cfg->cert.key ? cfg->cert.key : "",
        kafka_ref(&cfg->key), cfg->key.key ? cfg->key.key : "", cfg->sasl,
        cfg->sasl_mechanism ? cfg->sasl_mechanism : "", kafka_ref(&cfg->sasl_user),
        cfg->sasl_user.key ? cfg->sasl_user.key : "", kafka_ref(&cfg->sasl_password),
        cfg->sasl_password.key ? cfg->sasl_password.key : "");
}

static void kafka_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct kafka_report *r = m->_private;
    if (r != NULL) {
        r->err = m->err;
        r->done = true;
    }
}

/* The secrets the producer needs, read now: tls PEMs, SASL user and password (slots 0..4). */
static int kafka_read_secrets(const struct ce_kafka_trigger_config *cfg, const char *dir,
                              char *vals[5], char *err, size_t errlen)
{
    const struct ce_secret_ref *refs[5] = {&cfg->ca, &cfg->cert, &cfg->key, &cfg->sasl_user,
                                           &cfg->sasl_password};
    static const char *const what[5] = {"tls.caCertSecret", "tls.clientCertSecret",
                                        "tls.clientKeySecret", "sasl.userSecret",
                                        "sasl.passwordSecret"};
    for (int i = 0; i < 5; i++) {
        bool used = i < 3 ? cfg->tls && !cfg->tls_insecure : cfg->sasl;
        if (!used || !refs[i]->set) {
            continue;
        }
        size_t n = 0;
        int rc = ce_secret_read(dir, refs[i]->name, refs[i]->key, &vals[i], &n);
        if (rc != CE_OK) {
            return ce_rc_fail(rc, err, errlen,
                              "%s: cannot read secret \"%s\" key \"%s\" from %s: %s", what[i],
                              refs[i]->name, refs[i]->key, dir, ce_rc_str(rc));
        }
    }
    return CE_OK;
}

/* What the trigger adds to core/kafka's client settings: acks, compression, linger, Sarama's
 * key hashing, the delivery timeout and the report callback. */
static int kafka_producer_props(const struct ce_kafka_trigger_config *cfg, rd_kafka_conf_t *conf,
                                char *err, size_t errlen)
{
    char acks[8], linger[32], timeout[16];
    snprintf(acks, sizeof acks, "%d", cfg->required_acks);
    snprintf(linger, sizeof linger, "%.6f", (double)cfg->flush_frequency / 1e6);
    snprintf(timeout, sizeof timeout, "%d", CE_KAFKA_TRIGGER_DELIVERY_TIMEOUT_MS);
    rd_kafka_conf_set_dr_msg_cb(conf, kafka_on_delivery);
    if (ce_kafka_conf_set(conf, "acks", acks, err, errlen) ||
        ce_kafka_conf_set(conf, "linger.ms", linger, err, errlen) ||
        ce_kafka_conf_set(conf, "partitioner", "fnv1a_random", err, errlen) ||
        ce_kafka_conf_set(conf, "message.timeout.ms", timeout, err, errlen) ||
        (cfg->compress && ce_kafka_conf_set(conf, "compression.codec", "snappy", err, errlen))) {
        return CE_EINVAL;
    }
    return CE_OK;
}

static int kafka_make(struct ce_kafka_producer *p, const struct ce_kafka_trigger_config *cfg,
                      const char *dir, char *err, size_t errlen)
{
    char *vals[5] = {NULL, NULL, NULL, NULL, NULL};
    int rc = kafka_read_secrets(cfg, dir, vals, err, errlen);
    rd_kafka_conf_t *conf = NULL;
    if (rc == CE_OK) {
        struct ce_kafka_client c = {
            .brokers = cfg->url,
            .tls = cfg->tls,
            .tls_ca_pem = vals[0],
            .tls_cert_pem = vals[1],
            .tls_key_pem = vals[2],
            .tls_insecure_skip_verify = cfg->tls_insecure,
            .sasl_mechanism = cfg->sasl ? cfg->sasl_mechanism : NULL,
            .sasl_user = vals[3],
            .sasl_password = vals[4],
            .version = cfg->version,
        };
        rc = ce_kafka_conf_build(&c, &conf, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kafka_producer_props(cfg, conf, err, errlen);
    }
    for (int i = 0; i < 5; i++) {
        if (vals[i] != NULL) {
            memset(vals[i], 0, strlen(vals[i]));
        }
        ce_free(vals[i]);
    }
    if (rc == CE_OK) {
        char why[256];
        p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
        conf = p->rk != NULL ? NULL : conf; /* rd_kafka_new took it */
        if (p->rk == NULL) {
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "cannot make the producer: %s", why);
        }
    }
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
    }
    return rc;
}

static int kafka_ready(struct ce_kafka_producer *p, const struct ce_kafka_trigger_config *cfg,
                       const char *secrets_dir, char *err, size_t errlen)
{
    const char *dir = secrets_dir != NULL ? secrets_dir : CE_SECRETS_DIR_DEFAULT;
    char *settings = kafka_settings(cfg, dir);
    if (p->rk != NULL && strcmp(settings, p->settings) != 0) {
        kafka_close(p);
    }
    int rc = p->rk != NULL ? CE_OK : kafka_make(p, cfg, dir, err, errlen);
    if (rc == CE_OK && p->settings == NULL) {
        p->settings = settings;
        settings = NULL;
    }
    ce_free(settings);
    return rc;
}

static int kafka_err_rc(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return CE_OK;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        return CE_EMSGSIZE;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
        return CE_EINVAL;
    default:
        return CE_RETRY;
    }
}

static int kafka_produce_wait(rd_kafka_t *rk, struct ce_kafka_message *m, char *err, size_t errlen)
{
    struct kafka_report r = {false, RD_KAFKA_RESP_ERR_NO_ERROR};
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(m->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE((void *)m->value, m->len), RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_HEADERS(m->headers), RD_KAFKA_V_OPAQUE(&r), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ce_rc_fail(kafka_err_rc(e), err, errlen, "produce to \"%s\": %s", m->topic,
                          rd_kafka_err2str(e));
    }
    m->headers = NULL; /* the message owns them now */
    /* librdkafka reports every message, at the latest after message.timeout.ms */
    while (!r.done) {
        (void)rd_kafka_poll(rk, 100);
    }
    if (r.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ce_rc_fail(kafka_err_rc(r.err), err, errlen, "delivery to \"%s\": %s", m->topic,
                          rd_kafka_err2str(r.err));
    }
    return CE_OK;
}

int ce_kafka_producer_send(struct ce_kafka_producer *p, const struct ce_kafka_trigger_config *cfg,
                           const char *secrets_dir, struct ce_kafka_message *m, char *err,
                           size_t errlen)
{
    pthread_mutex_lock(&p->mu);
    int rc = kafka_ready(p, cfg, secrets_dir, err, errlen);
    if (rc == CE_OK) {
        rc = kafka_produce_wait(p->rk, m, err, errlen);
    }
    pthread_mutex_unlock(&p->mu);
    if (m->headers != NULL) {
        rd_kafka_headers_destroy(m->headers);
        m->headers = NULL;
    }
    return rc;
}
