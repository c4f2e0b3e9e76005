/* SPDX-License-Identifier: Apache-2.0 */
/* template.kafka: the controller's checks (url, topic and payload are required, payload entries
 * need src.dependencyName and dest), the producer's settings, headers and secureHeaders, each
 * problem at its line and column. `partition` is accepted and unused (deprecated, and unused by
 * Argo's producer too); `schemaRegistry` is refused. */
#include "triggers/kafka/config.h"
#include "core/base/mem.h"
#include "core/kafka/client.h"
#include "core/kafka/sarama.h"
#include "manifest/mdec.h"
#include "manifest/plugin.h"
#include "triggers/block_config.h"

#include <string.h>
#include <strings.h>

static const char *const kafka_keys[] = {"url",
                                         "topic",
                                         "partition",
                                         "parameters",
                                         "requiredAcks",
                                         "compress",
                                         "flushFrequency",
                                         "tls",
                                         "payload",
                                         "partitioningKey",
                                         "version",
                                         "sasl",
                                         "schemaRegistry",
                                         "headers",
                                         "secureHeaders",
                                         NULL};
static const char *const kafka_sasl_keys[] = {"mechanism", "userSecret", "passwordSecret", NULL};

static void kafka_decode_tls(struct ce_mdec *c, const struct ce_node *block,
                             struct ce_kafka_trigger_config *cfg)
{
    struct ce_trigger_tls t =
        ce_trigger_tls_decode(c, block, CE_TRIGGER_TLS_HINT_ENABLED | CE_TRIGGER_TLS_PAIR_INSECURE);
    cfg->tls = t.present;
    cfg->tls_insecure = t.insecure;
    cfg->ca = t.ca;
    cfg->cert = t.cert;
    cfg->key = t.key;
}

static void kafka_decode_sasl(struct ce_mdec *c, const struct ce_node *block,
                              struct ce_kafka_trigger_config *cfg)
{
    const struct ce_node *sasl = ce_node_get(block, "sasl");
    size_t old = ce_mdec_push(c, "sasl");
    if (ce_mdec_map(c, sasl)) {
        cfg->sasl = true;
        ce_mdec_known(c, sasl, kafka_sasl_keys);
        char *mech = ce_mdec_str(c, sasl, "mechanism", false);
        const struct ce_node *at = ce_node_get(sasl, "mechanism");
        if (mech != NULL && (strcmp(mech, "OAUTHBEARER") == 0 || strcmp(mech, "GSSAPI") == 0)) {
            ce_mdec_err_key(c, at, "mechanism", "SASL mechanism %s is not supported (only %s)",
                            mech, CE_KAFKA_SASL_MECHANISMS);
        }
        else if (mech != NULL && strcmp(mech, "SCRAM-SHA-256") != 0 &&
                 strcmp(mech, "SCRAM-SHA-512") != 0 && strcmp(mech, "PLAIN") != 0 && *mech) {
            ce_mdec_warn(c, at, "unknown SASL mechanism \"%s\": PLAIN is used, as Argo Events does",
                         mech);
            mech[0] = '\0';
        }
        cfg->sasl_mechanism = mech != NULL ? mech : ce_xstrdup("");
        ce_mdec_secret(c, sasl, "userSecret", &cfg->sasl_user);
        ce_mdec_secret(c, sasl, "passwordSecret", &cfg->sasl_password);
        if (!cfg->sasl_user.set || !cfg->sasl_password.set) {
            const char *miss = cfg->sasl_user.set ? "passwordSecret" : "userSecret";
            ce_mdec_err_missing(c, sasl, sasl, miss, "required field is missing");
        }
    }
    ce_mdec_pop(c, old);
}

static void kafka_decode_headers(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *h = ce_node_get(block, "headers");
    size_t old = ce_mdec_push(c, "headers");
    if (ce_mdec_map(c, h)) {
        for (int i = 0; i < h->n_pairs; i++) {
            const struct ce_node *v = h->pairs[i].value;
            if (v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, h->pairs[i].key->str, "a header value must be a string");
            }
        }
    }
    ce_mdec_pop(c, old);
}

static void kafka_decode_producer(struct ce_mdec *c, const struct ce_node *block,
                                  struct ce_kafka_trigger_config *cfg)
{
    int64_t v = 0;
    cfg->required_acks = -1;
    if (ce_mdec_int(c, block, "requiredAcks", &v)) {
        if (v != -1 && v != 0 && v != 1) {
            ce_mdec_err_key(c, ce_node_get(block, "requiredAcks"), "requiredAcks",
                            "must be -1 (all replicas), 1 (the leader) or 0 (unset: all)");
        }
        cfg->required_acks = v == 1 ? 1 : -1;
    }
    cfg->compress = ce_mdec_bool(c, block, "compress");
    cfg->flush_frequency = CE_KAFKA_TRIGGER_FLUSH_DEFAULT;
    if (ce_mdec_int(c, block, "flushFrequency", &v) && v != 0) {
        if (v < 0 || v > INT32_MAX) {
            ce_mdec_err_key(c, ce_node_get(block, "flushFrequency"), "flushFrequency",
                            "must be a positive 32-bit number");
        }
        cfg->flush_frequency = v;
    }
    (void)ce_mdec_int(c, block, "partition", &v); /* deprecated, unused as in Argo */
    cfg->version = ce_mdec_str(c, block, "version", false);
    char err[256];
    if (cfg->version != NULL && *cfg->version != '\0' &&
        ce_kafka_version_check(cfg->version, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(block, "version"), "version", "%s", err);
    }
}

static void *kafka_decode(struct ce_mdec *c, const struct ce_node *block)
{
    struct ce_kafka_trigger_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, block)) {
        ce_mdec_err(c, block, "the kafka trigger needs url, topic and payload");
        return cfg;
    }
    cfg->url = ce_trigger_required_str(c, block, "url");
    cfg->topic = ce_trigger_required_str(c, block, "topic");
    ce_trigger_required_payload(c, block);
    ce_free(ce_mdec_str(c, block, "partitioningKey", false));
    kafka_decode_producer(c, block, cfg);
    kafka_decode_tls(c, block, cfg);
    kafka_decode_sasl(c, block, cfg);
    kafka_decode_headers(c, block);
    ce_trigger_secure_headers_decode(c, block);
    const struct ce_node *sr = ce_node_get(block, "schemaRegistry");
    if (sr != NULL && !ce_node_is_null(sr)) {
        ce_mdec_err_key(c, sr, "schemaRegistry",
                        "not supported: cevents does not encode Avro messages (leave it out to "
                        "send the payload as JSON)");
    }
    return cfg;
}

static void kafka_free(void *config)
{
    struct ce_kafka_trigger_config *cfg = config;
    if (cfg == NULL) {
        return;
    }
    ce_free(cfg->url);
    ce_free(cfg->topic);
    ce_free(cfg->version);
    ce_free(cfg->sasl_mechanism);
    ce_mdec_secret_free(&cfg->ca);
    ce_mdec_secret_free(&cfg->cert);
    ce_mdec_secret_free(&cfg->key);
    ce_mdec_secret_free(&cfg->sasl_user);
    ce_mdec_secret_free(&cfg->sasl_password);
    ce_free(cfg);
}

const struct ce_block_decoder ce_kafka_trigger_decoder = {
    .key = "kafka",
    .keys = kafka_keys,
    .decode = kafka_decode,
    .free_config = kafka_free,
};
