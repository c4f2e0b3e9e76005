/* SPDX-License-Identifier: Apache-2.0 */
/* See message.h. */
#include "triggers/kafka/message.h"
#include "core/base/mem.h"
#include "core/service/secrets.h"

#include <string.h>

static int kafka_add_header(struct ce_kafka_msg *m, const char *name, char *value, size_t len,
                            bool secure, char *err, size_t errlen)
{
    if (m->n_headers == CE_KAFKA_TRIGGER_MAX_HEADERS) {
        ce_free(value);
        return ce_rc_fail(CE_EINVAL, err, errlen, "more than %d headers",
                          CE_KAFKA_TRIGGER_MAX_HEADERS);
    }
    m->headers[m->n_headers++] = (struct ce_kafka_msg_header){ce_xstrdup(name), value, len, secure};
    return CE_OK;
}

static int kafka_plain_headers(const json_t *block, struct ce_kafka_msg *m, char *err,
                               size_t errlen)
{
    const json_t *h = json_object_get(block, "headers");
    if (h == NULL || json_is_null(h)) {
        return CE_OK;
    }
    if (!json_is_object(h)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "headers: must be a map");
    }
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)h, name, v)
    {
        if (!json_is_string(v)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "headers.%.64s: must be a string", name);
        }
        int rc = kafka_add_header(m, name, ce_xstrdup(json_string_value(v)), json_string_length(v),
                                  false, err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

static int kafka_secure_header(const json_t *sh, int i, const char *secrets_dir,
                               const char *config_dir, struct ce_kafka_msg *m, char *err,
                               size_t errlen)
{
    const json_t *name = json_object_get(sh, "name");
    const json_t *from = json_object_get(sh, "valueFrom");
    const json_t *sref = json_object_get(from, "secretKeyRef");
    const json_t *cref = json_object_get(from, "configMapKeyRef");
    bool secret = json_is_object(sref);
    const json_t *ref = secret ? sref : cref;
    const json_t *rn = json_object_get(ref, "name");
    const json_t *rk = json_object_get(ref, "key");
    if (!json_is_string(name) || !json_is_string(rn) || !json_is_string(rk)) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "secureHeaders[%d]: name and valueFrom.secretKeyRef or "
                          "valueFrom.configMapKeyRef are required",
                          i);
    }
    char *value = NULL;
    size_t len = 0;
    const char *dir = secret ? secrets_dir : config_dir;
    int rc = ce_secret_read(dir, json_string_value(rn), json_string_value(rk), &value, &len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen,
                          "secureHeaders[%d]: cannot read \"%s\" key \"%s\" from %s: %s", i,
                          json_string_value(rn), json_string_value(rk), dir, ce_rc_str(rc));
    }
    return kafka_add_header(m, json_string_value(name), value, len, true, err, errlen);
}

static int kafka_secure_headers(const json_t *block, const char *secrets_dir,
                                const char *config_dir, struct ce_kafka_msg *m, char *err,
                                size_t errlen)
{
    const json_t *list = json_object_get(block, "secureHeaders");
    if (list == NULL || json_is_null(list)) {
        return CE_OK;
    }
    if (!json_is_array(list)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "secureHeaders: must be a list");
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        int rc = kafka_secure_header(json_array_get(list, i), (int)i, secrets_dir, config_dir, m,
                                     err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

int ce_kafka_msg_from_block(const json_t *block, const char *secrets_dir, const char *config_dir,
                            struct ce_kafka_msg *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const json_t *topic = json_object_get(block, "topic");
    const json_t *key = json_object_get(block, "partitioningKey");
    if (!json_is_string(topic) || json_string_length(topic) == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "topic: must be a string that is not empty");
    }
    if (key != NULL && !json_is_null(key) && !json_is_string(key)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "partitioningKey: must be a string");
    }
    out->topic = ce_xstrdup(json_string_value(topic));
    out->key = json_is_string(key) ? ce_xstrdup(json_string_value(key)) : NULL;
    int rc = kafka_plain_headers(block, out, err, errlen);
    if (rc == CE_OK) {
        rc =
            kafka_secure_headers(block, secrets_dir ? secrets_dir : CE_SECRETS_DIR_DEFAULT,
                                 config_dir ? config_dir : CE_CONFIG_DIR_DEFAULT, out, err, errlen);
    }
    if (rc != CE_OK) {
        ce_kafka_msg_fini(out);
    }
    return rc;
}

void ce_kafka_msg_fini(struct ce_kafka_msg *m)
{
    for (int i = 0; i < m->n_headers; i++) {
        if (m->headers[i].secure) {
            memset(m->headers[i].value, 0, m->headers[i].len);
        }
        ce_free(m->headers[i].name);
        ce_free(m->headers[i].value);
    }
    ce_free(m->topic);
    ce_free(m->key);
    memset(m, 0, sizeof(*m));
}
