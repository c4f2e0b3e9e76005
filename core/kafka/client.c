/* SPDX-License-Identifier: Apache-2.0 */
#include "core/kafka/client.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int ce_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err,
                      size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: %s", name, why);
    }
    return CE_OK;
}

bool ce_kafka_sasl_mechanism_ok(const char *mech)
{
    return mech[0] == '\0' || strcasecmp(mech, "PLAIN") == 0 ||
           strcasecmp(mech, "SCRAM-SHA-256") == 0 || strcasecmp(mech, "SCRAM-SHA-512") == 0;
}

static const char *client_protocol(const struct ce_kafka_client *c)
{
    if (c->sasl_mechanism != NULL) {
        return c->tls ? "sasl_ssl" : "sasl_plaintext";
    }
    return c->tls ? "ssl" : "plaintext";
}

static int client_tls(const struct ce_kafka_client *c, rd_kafka_conf_t *conf, char *err,
                      size_t errlen)
{
    const char *names[] = {"ssl.ca.pem", "ssl.certificate.pem", "ssl.key.pem"};
    const char *values[] = {c->tls_ca_pem, c->tls_cert_pem, c->tls_key_pem};
    for (int i = 0; i < 3; i++) {
        if (values[i] != NULL && ce_kafka_conf_set(conf, names[i], values[i], err, errlen)) {
            return CE_EINVAL;
        }
    }
    if (c->tls_insecure_skip_verify &&
        (ce_kafka_conf_set(conf, "enable.ssl.certificate.verification", "false", err, errlen) ||
         ce_kafka_conf_set(conf, "ssl.endpoint.identification.algorithm", "none", err, errlen))) {
        return CE_EINVAL;
    }
    return CE_OK;
}

static int client_sasl(const struct ce_kafka_client *c, rd_kafka_conf_t *conf, char *err,
                       size_t errlen)
{
    if (!ce_kafka_sasl_mechanism_ok(c->sasl_mechanism)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "SASL mechanism %s is not supported (only %s)",
                          c->sasl_mechanism, CE_KAFKA_SASL_MECHANISMS);
    }
    const char *mech = c->sasl_mechanism[0] != '\0' ? c->sasl_mechanism : "PLAIN";
    char upper[32];
    size_t i = 0;
    for (; mech[i] != '\0' && i < sizeof(upper) - 1; i++) {
        upper[i] = (char)(mech[i] >= 'a' && mech[i] <= 'z' ? mech[i] - 'a' + 'A' : mech[i]);
    }
    upper[i] = '\0';
    if (ce_kafka_conf_set(conf, "sasl.mechanisms", upper, err, errlen) ||
        ce_kafka_conf_set(conf, "sasl.username", c->sasl_user ? c->sasl_user : "", err, errlen) ||
        ce_kafka_conf_set(conf, "sasl.password", c->sasl_password ? c->sasl_password : "", err,
                          errlen)) {
        return CE_EINVAL;
    }
    return CE_OK;
}

/* Brokers before 0.10 do not answer ApiVersions: tell librdkafka the version instead. */
static int client_version(const struct ce_kafka_client *c, rd_kafka_conf_t *conf, char *err,
                          size_t errlen)
{
    if (c->version == NULL || strncmp(c->version, "0.", 2) != 0 ||
        strncmp(c->version, "0.10.", 5) == 0 || strncmp(c->version, "0.11.", 5) == 0) {
        return CE_OK;
    }
    if (ce_kafka_conf_set(conf, "api.version.request", "false", err, errlen) ||
        ce_kafka_conf_set(conf, "broker.version.fallback", c->version, err, errlen)) {
        return CE_EINVAL;
    }
    return CE_OK;
}

static int client_backoff(const struct ce_kafka_client *c, rd_kafka_conf_t *conf, char *err,
                          size_t errlen)
{
    char v[32];
    if (c->reconnect_backoff_ms > 0) {
        snprintf(v, sizeof(v), "%" PRId64, c->reconnect_backoff_ms);
        if (ce_kafka_conf_set(conf, "reconnect.backoff.ms", v, err, errlen)) {
            return CE_EINVAL;
        }
    }
    if (c->reconnect_backoff_max_ms > 0) {
        snprintf(v, sizeof(v), "%" PRId64, c->reconnect_backoff_max_ms);
        if (ce_kafka_conf_set(conf, "reconnect.backoff.max.ms", v, err, errlen)) {
            return CE_EINVAL;
        }
    }
    return CE_OK;
}

static int client_apply(const struct ce_kafka_client *c, rd_kafka_conf_t *conf, char *err,
                        size_t errlen)
{
    if (ce_kafka_conf_set(conf, "bootstrap.servers", c->brokers, err, errlen) ||
        ce_kafka_conf_set(conf, "security.protocol", client_protocol(c), err, errlen) ||
        (c->client_id != NULL && ce_kafka_conf_set(conf, "client.id", c->client_id, err, errlen)) ||
        (c->tls && client_tls(c, conf, err, errlen)) ||
        (c->sasl_mechanism != NULL && client_sasl(c, conf, err, errlen)) ||
        client_version(c, conf, err, errlen) || client_backoff(c, conf, err, errlen)) {
        return CE_EINVAL;
    }
    for (int i = 0; i < c->n_props; i++) {
        if (c->props[i].name != NULL &&
            ce_kafka_conf_set(conf, c->props[i].name, c->props[i].value, err, errlen)) {
            return CE_EINVAL;
        }
    }
    return CE_OK;
}

int ce_kafka_conf_build(const struct ce_kafka_client *c, rd_kafka_conf_t **out, char *err,
                        size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (client_apply(c, conf, err, errlen) != CE_OK) {
        rd_kafka_conf_destroy(conf);
        *out = NULL;
        return CE_EINVAL;
    }
    *out = conf;
    return CE_OK;
}
