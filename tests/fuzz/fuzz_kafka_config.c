/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the Kafka client settings: the input's first line is a Sarama key and the rest its
 * value for core/kafka's mapping (which must give a known property with a bounded value, or an
 * error with a message), and the whole input is also the `config` string of a Kafka
 * EventSource decoded by the plugin (which must not crash and must report its refusals as
 * errors). */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/kafka/sarama.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/plugin.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_map(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t klen = nl ? (size_t)(nl - s) : n;
    char *key = ce_xstrndup(s, klen);
    char *value = ce_xstrndup(nl ? nl + 1 : s + n, nl ? n - klen - 1 : 0);
    struct ce_kafka_prop p;
    char err[256] = "";
    int rc = ce_kafka_sarama_map(key, value, n % 2 == 0, &p, err, sizeof(err));
    if (rc == CE_OK ? memchr(p.value, '\0', sizeof(p.value)) == NULL
                    : (rc != CE_ENOENT && rc != CE_EINVAL) || err[0] == '\0') {
        abort();
    }
    if (ce_kafka_version_check(value, err, sizeof(err)) != CE_OK && err[0] == '\0') {
        abort();
    }
    ce_free(key);
    ce_free(value);
}

static const struct ce_manifest_plugins fuzz_plugins = {.source = ce_source_decoder};

/* The input as the config string of a manifest (JSON, so any bytes can be written). */
static void fuzz_manifest(const char *s, size_t n)
{
    struct ce_buf doc;
    ce_buf_init(&doc, 0);
    if (ce_buf_puts(&doc, "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"EventSource\","
                          "\"metadata\":{\"name\":\"k\"},\"spec\":{\"kafka\":{\"e\":{\"url\":"
                          "\"b:9092\",\"topic\":\"t\",\"partition\":\"0\",\"config\":") != CE_OK ||
        ce_buf_json_str(&doc, s, n) != CE_OK || ce_buf_puts(&doc, "}}}}") != CE_OK) {
        abort();
    }
    struct ce_manifest_set *set = NULL;
    struct ce_diag d;
    ce_diag_init(&d);
    if (ce_manifest_set_create(&fuzz_plugins, &set) != CE_OK) {
        abort();
    }
    int rc = ce_manifest_load_buf(set, doc.data, doc.len, "fuzz.json", n % 2 == 0, &d);
    /* a byte YAML refuses anywhere (DEL) fails the whole document; otherwise the object is
     * kept exactly when nothing was refused */
    if ((rc != CE_OK && rc != CE_EPARSE) ||
        (rc == CE_OK && (set->n_eventsources == 1) == (ce_diag_errors(&d) > 0))) {
        abort();
    }
    ce_manifest_set_destroy(set);
    ce_diag_fini(&d);
    ce_buf_fini(&doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_map((const char *)data, size);
    fuzz_manifest((const char *)data, size);
    return 0;
}
