/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka trigger (template.kafka): the block's own parameters edit the block, then the
 * payload list builds the message value as Argo's ConstructPayload does (triggers/params.h), the
 * edited block gives the topic, the key (partitioningKey) and the headers (message.h), and the
 * trigger's producer (producer.h) sends it. The producer's settings (url, tls, sasl, acks,
 * compression, flushFrequency, version) are used as written, as in Argo. A firing succeeds only
 * once the broker acknowledged the message. */
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "manifest/tojson.h"
#include "triggers/kafka/config.h"
#include "triggers/kafka/message.h"
#include "triggers/kafka/producer.h"
#include "triggers/params.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct kafka_trigger {
    const struct ce_kafka_trigger_config *cfg; /* trigger->action: outlives the state */
    char *secrets_dir, *config_dir;
    json_t *block;                      /* the kafka block as written */
    struct ce_params *action_params;    /* kafka.parameters */
    struct ce_params *payload;          /* kafka.payload, when no parameter edits the block */
    struct ce_kafka_producer *producer; /* env->kept, or the state's own */
    bool own_producer;
};

static void kafka_destroy(void *state)
{
    struct kafka_trigger *t = state;
    if (t == NULL) {
        return;
    }
    ce_params_destroy(t->action_params);
    ce_params_destroy(t->payload);
    if (t->own_producer) {
        ce_kafka_producer_destroy(t->producer);
    }
    json_decref(t->block);
    ce_free(t->secrets_dir);
    ce_free(t->config_dir);
    ce_free(t);
}

static int kafka_create(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                        const struct ce_trigger_env *env, void **state)
{
    (void)sensor;
    struct kafka_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->cfg = trigger->action;
    t->secrets_dir = env && env->secrets_dir ? ce_xstrdup(env->secrets_dir) : NULL;
    t->config_dir = env && env->config_dir ? ce_xstrdup(env->config_dir) : NULL;
    t->block = ce_node_to_json(trigger->action_node);
    char err[256];
    int rc =
        t->cfg != NULL && json_is_object(t->block)
            ? ce_params_compile(json_object_get(t->block, "parameters"),
                                "template.kafka.parameters", &t->action_params, err, sizeof err)
            : ce_rc_fail(CE_EINVAL, err, sizeof err, "template.kafka: required");
    if (rc == CE_OK && ce_params_count(t->action_params) == 0) {
        rc = ce_params_compile(json_object_get(t->block, "payload"), "template.kafka.payload",
                               &t->payload, err, sizeof err);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot prepare the kafka trigger", "triggerName", trigger->name,
                  "error", err, NULL);
        kafka_destroy(t);
        return rc;
    }
    t->producer = env != NULL ? env->kept : NULL;
    if (t->producer == NULL) {
        t->producer = ce_kafka_producer_create();
        t->own_producer = true;
    }
    *state = t;
    return CE_OK;
}

/* This firing's message: the block edited by its parameters gives the topic, key and headers,
 * its payload list the value. */
static int kafka_build(const struct kafka_trigger *t, const struct ce_trigger_event *ev, int n,
                       struct ce_kafka_msg *m, char **value, size_t *len, char *err, size_t errlen)
{
    json_t *block = json_incref(t->block);
    struct ce_params *payload = NULL;
    int rc = CE_OK;
    if (t->payload == NULL) {
        char *text = json_dumps(t->block, JSON_COMPACT);
        char *doc = ce_xstrdup(text ? text : "{}");
        size_t doc_len = strlen(doc);
        free(text);
        rc = ce_params_apply(t->action_params, ev, n, &doc, &doc_len, err, errlen);
        json_decref(block);
        block = rc == CE_OK ? json_loadb(doc, doc_len, 0, NULL) : NULL;
        ce_free(doc);
        if (rc == CE_OK) {
            rc = ce_params_compile(json_object_get(block, "payload"), "template.kafka.payload",
                                   &payload, err, errlen);
        }
    }
    if (rc == CE_OK) {
        rc = ce_params_payload(payload ? payload : t->payload, ev, n, value, len, err, errlen);
    }
    if (rc == CE_OK) {
        rc = ce_kafka_msg_from_block(block, t->secrets_dir, t->config_dir, m, err, errlen);
    }
    ce_params_destroy(payload);
    json_decref(block);
    return rc;
}

static rd_kafka_headers_t *kafka_headers(const struct ce_kafka_msg *m)
{
    if (m->n_headers == 0) {
        return NULL;
    }
    rd_kafka_headers_t *h = rd_kafka_headers_new((size_t)m->n_headers);
    for (int i = 0; i < m->n_headers; i++) {
        (void)rd_kafka_header_add(h, m->headers[i].name, -1, m->headers[i].value,
                                  (ssize_t)m->headers[i].len);
    }
    return h;
}

static int kafka_execute(void *state, const struct ce_trigger_event *ev, int n,
                         struct ce_trigger_result *res)
{
    struct kafka_trigger *t = state;
    struct ce_kafka_msg m;
    memset(&m, 0, sizeof m);
    char *value = NULL;
    size_t len = 0;
    int rc = kafka_build(t, ev, n, &m, &value, &len, res->err, sizeof res->err);
    if (rc == CE_OK) {
        struct ce_kafka_message msg = {
            .topic = m.topic,
            .key = m.key,
            .key_len = m.key ? strlen(m.key) : 0,
            .value = value,
            .len = len,
            .headers = kafka_headers(&m),
        };
        rc = ce_kafka_producer_send(t->producer, t->cfg, t->secrets_dir, &msg, res->err,
                                    sizeof res->err);
    }
    ce_kafka_msg_fini(&m);
    ce_free(value);
    return rc;
}

static void kafka_describe(void *state, const struct ce_trigger_event *ev, int n,
                           const char *indent, struct ce_buf *out)
{
    struct kafka_trigger *t = state;
    struct ce_kafka_msg m;
    memset(&m, 0, sizeof m);
    char *value = NULL;
    size_t len = 0;
    char err[256] = "";
    int w = 0;
    if (kafka_build(t, ev, n, &m, &value, &len, err, sizeof err) != CE_OK) {
        w = ce_buf_printf(out, "%swould fail: %s\n", indent, err);
    }
    else {
        w = ce_buf_printf(out, "%swould produce to Kafka topic \"%s\" at %s\n", indent, m.topic,
                          t->cfg->url);
        w |= m.key != NULL ? ce_buf_printf(out, "%s  key: %s\n", indent, m.key)
                           : ce_buf_printf(out, "%s  no key\n", indent);
        for (int i = 0; i < m.n_headers; i++) {
            const struct ce_kafka_msg_header *h = &m.headers[i];
            w |= ce_buf_printf(out, "%s  header %s: %.*s\n", indent, h->name,
                               h->secure ? 5 : (int)h->len, h->secure ? "xxxxx" : h->value);
        }
        w |= ce_buf_printf(out, "%s  value (%zu bytes): %.*s\n", indent, len, (int)len,
                           value ? value : "");
    }
    (void)w; /* an explanation cut short by the cap is still printed */
    ce_kafka_msg_fini(&m);
    ce_free(value);
}

static void *kafka_keep_create(void)
{
    return ce_kafka_producer_create();
}

static void kafka_keep_destroy(void *kept)
{
    ce_kafka_producer_destroy(kept);
}

extern const struct ce_trigger_plugin ce_trigger_kafka;
const struct ce_trigger_plugin ce_trigger_kafka = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &ce_kafka_trigger_decoder,
    .ack_after_fire = false,
    .create = kafka_create,
    .execute = kafka_execute,
    .describe = kafka_describe,
    .destroy = kafka_destroy,
    .keep_create = kafka_keep_create,
    .keep_destroy = kafka_keep_destroy,
};
