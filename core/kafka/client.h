/* SPDX-License-Identifier: Apache-2.0 */
/* The librdkafka client configuration Kafka sources and triggers share: brokers, TLS, SASL,
 * protocol version, connection backoff and the mapped `config` settings (core/kafka/sarama.h),
 * all given as plain values (the plugins decode their manifest blocks and read the secrets). */
#ifndef CE_CORE_KAFKA_CLIENT_H
#define CE_CORE_KAFKA_CLIENT_H

#include "core/base/rc.h"
#include "core/kafka/sarama.h"

#include <librdkafka/rdkafka.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The SASL mechanisms cevents speaks (Argo's sasl.mechanism, upper case). */
#define CE_KAFKA_SASL_MECHANISMS "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"

struct ce_kafka_client {
    const char *brokers;   /* Argo's url: "host:port[,host:port...]", as written */
    const char *client_id; /* NULL: librdkafka's default */
    /* TLS is on when tls is set; the PEM texts are NULL when not given (the system's CAs, no
     * client certificate). */
    bool tls;
    const char *tls_ca_pem, *tls_cert_pem, *tls_key_pem;
    bool tls_insecure_skip_verify;
    /* SASL is on when sasl_mechanism is not NULL (PLAIN when empty, as Sarama). */
    const char *sasl_mechanism;
    const char *sasl_user, *sasl_password;
    const char *version; /* Argo's version, NULL: not given */
    /* connectionBackoff: librdkafka's reconnect backoff, 0: its defaults */
    int64_t reconnect_backoff_ms, reconnect_backoff_max_ms;
    const struct ce_kafka_prop *props; /* mapped `config` settings, applied last */
    int n_props;
};

/* Whether mech names a SASL mechanism cevents speaks (case-insensitive; empty means PLAIN). */
bool ce_kafka_sasl_mechanism_ok(const char *mech);

/* A new librdkafka configuration for c (free with rd_kafka_conf_destroy, or hand it to
 * rd_kafka_new). CE_OK and *out, or CE_EINVAL with librdkafka's reason in err, naming the
 * property. Settings the caller adds later (group.id, ...) go on top. */
int ce_kafka_conf_build(const struct ce_kafka_client *c, rd_kafka_conf_t **out, char *err,
                        size_t errlen) CE_MUST_CHECK;

/* Sets one property on conf: CE_OK, or CE_EINVAL with "name=value: reason" in err. */
int ce_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err,
                      size_t errlen) CE_MUST_CHECK;

#endif
