/* SPDX-License-Identifier: Apache-2.0 */
#include "core/kafka/sarama.h"
#include "core/go/duration.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How a Sarama value becomes a librdkafka value. */
enum sarama_kind {
    SK_INT,         /* integer as is */
    SK_BOOL,        /* true/false */
    SK_MS,          /* Go duration -> milliseconds */
    SK_STR,         /* string as is */
    SK_KEEPALIVE,   /* Go duration -> socket.keepalive.enable (> 0) */
    SK_OFFSET,      /* sarama.OffsetOldest (-2) / OffsetNewest (-1) -> earliest / latest */
    SK_ISOLATION,   /* 0 ReadUncommitted / 1 ReadCommitted */
    SK_COMPRESSION, /* CompressionCodec 0..4 */
    SK_ACKS,        /* RequiredAcks 0, 1, -1 */
    SK_NONE,        /* accepted, no librdkafka counterpart; the value is still checked as int */
    SK_NONE_MS,     /* the same for a duration */
    SK_NONE_BOOL,   /* the same for a bool */
};

struct sarama_key {
    const char *key; /* lower case */
    const char *prop;
    enum sarama_kind kind;
};

/* Sarama's Config fields cevents knows, by the job they do in librdkafka. */
static const struct sarama_key sarama_keys[] = {
    {"clientid", "client.id", SK_STR},
    {"rackid", "client.rack", SK_STR},
    {"channelbuffersize", NULL, SK_NONE},
    {"net.maxopenrequests", "max.in.flight.requests.per.connection", SK_INT},
    {"net.dialtimeout", "socket.connection.setup.timeout.ms", SK_MS},
    {"net.readtimeout", "socket.timeout.ms", SK_MS},
    {"net.writetimeout", "socket.timeout.ms", SK_MS},
    {"net.keepalive", "socket.keepalive.enable", SK_KEEPALIVE},
    {"metadata.refreshfrequency", "topic.metadata.refresh.interval.ms", SK_MS},
    {"metadata.retry.max", NULL, SK_NONE},
    {"metadata.retry.backoff", "retry.backoff.ms", SK_MS},
    {"metadata.full", NULL, SK_NONE_BOOL},
    {"metadata.timeout", NULL, SK_NONE_MS},
    {"admin.retry.max", NULL, SK_NONE},
    {"admin.retry.backoff", NULL, SK_NONE_MS},
    {"admin.timeout", NULL, SK_NONE_MS},
    {"consumer.fetch.min", "fetch.min.bytes", SK_INT},
    {"consumer.fetch.default", "max.partition.fetch.bytes", SK_INT},
    {"consumer.fetch.max", "fetch.max.bytes", SK_INT},
    {"consumer.maxwaittime", "fetch.wait.max.ms", SK_MS},
    {"consumer.maxprocessingtime", NULL, SK_NONE_MS},
    {"consumer.retry.backoff", "fetch.error.backoff.ms", SK_MS},
    {"consumer.return.errors", NULL, SK_NONE_BOOL},
    {"consumer.offsets.autocommit.enable", NULL, SK_NONE_BOOL},
    {"consumer.offsets.autocommit.interval", "auto.commit.interval.ms", SK_MS},
    {"consumer.offsets.commitinterval", "auto.commit.interval.ms", SK_MS},
    {"consumer.offsets.initial", "auto.offset.reset", SK_OFFSET},
    {"consumer.offsets.retention", NULL, SK_NONE_MS},
    {"consumer.offsets.retry.max", NULL, SK_NONE},
    {"consumer.isolationlevel", "isolation.level", SK_ISOLATION},
    {"consumer.group.session.timeout", "session.timeout.ms", SK_MS},
    {"consumer.group.heartbeat.interval", "heartbeat.interval.ms", SK_MS},
    {"consumer.group.rebalance.timeout", "max.poll.interval.ms", SK_MS},
    {"consumer.group.rebalance.retry.max", NULL, SK_NONE},
    {"consumer.group.rebalance.retry.backoff", NULL, SK_NONE_MS},
    {"consumer.group.instanceid", "group.instance.id", SK_STR},
    {"producer.maxmessagebytes", "message.max.bytes", SK_INT},
    {"producer.requiredacks", "acks", SK_ACKS},
    {"producer.timeout", "request.timeout.ms", SK_MS},
    {"producer.compression", "compression.codec", SK_COMPRESSION},
    {"producer.compressionlevel", "compression.level", SK_INT},
    {"producer.idempotent", "enable.idempotence", SK_BOOL},
    {"producer.flush.bytes", "batch.size", SK_INT},
    {"producer.flush.messages", "batch.num.messages", SK_INT},
    {"producer.flush.maxmessages", "batch.num.messages", SK_INT},
    {"producer.flush.frequency", "linger.ms", SK_MS},
    {"producer.retry.max", "message.send.max.retries", SK_INT},
    {"producer.retry.backoff", "retry.backoff.ms", SK_MS},
    {"producer.return.successes", NULL, SK_NONE_BOOL},
    {"producer.return.errors", NULL, SK_NONE_BOOL},
};

#define SARAMA_N_KEYS ((int)(sizeof(sarama_keys) / sizeof(sarama_keys[0])))

const char *ce_kafka_sarama_key(int i)
{
    return i >= 0 && i < SARAMA_N_KEYS ? sarama_keys[i].key : NULL;
}

/* Edit distance of two short keys, case-insensitive; capped at cap + 1. */
static int sarama_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) {
        return cap + 1;
    }
    int row[65];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int sub = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb] > cap ? cap + 1 : row[lb];
}

static const struct sarama_key *sarama_find(const char *key)
{
    for (int i = 0; i < SARAMA_N_KEYS; i++) {
        if (strcasecmp(sarama_keys[i].key, key) == 0) {
            return &sarama_keys[i];
        }
    }
    return NULL;
}

static int sarama_unknown(const char *key, char *err, size_t errlen)
{
    const char *near = NULL;
    int best = 4;
    for (int i = 0; i < SARAMA_N_KEYS; i++) {
        int d = sarama_distance(key, sarama_keys[i].key, best);
        if (d < best) {
            best = d;
            near = sarama_keys[i].key;
        }
    }
    if (near != NULL) {
        return ce_rc_fail(CE_ENOENT, err, errlen,
                          "unknown or unsupported client setting \"%s\" (did you mean \"%s\"?)",
                          key, near);
    }
    return ce_rc_fail(CE_ENOENT, err, errlen, "unknown or unsupported client setting \"%s\"", key);
}

static bool sarama_int(const char *s, int64_t *out)
{
    if (*s == '\0' || isspace((unsigned char)*s)) {
        return false;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static bool sarama_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
            *out = strcasecmp(s, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

/* A Sarama time.Duration: a bare integer is nanoseconds, anything else a Go duration. */
static int sarama_duration(const char *s, bool quoted, int64_t *ns, char *err, size_t errlen)
{
    if (!quoted && sarama_int(s, ns)) {
        return CE_OK;
    }
    return ce_duration_parse(s, ns, err, errlen) == CE_OK ? CE_OK : CE_EINVAL;
}

/* One of names[] chosen by the integer s, shifted by base (names[v - base]). */
static int sarama_enum(const char *s, int64_t base, const char *const *names, int n,
                       struct ce_kafka_prop *out)
{
    int64_t v;
    if (!sarama_int(s, &v) || v < base || v > base + n - 1) { /* no v - base: it may overflow */
        return CE_EINVAL;
    }
    snprintf(out->value, sizeof(out->value), "%s", names[v - base]);
    return CE_OK;
}

static int sarama_convert_enum(const struct sarama_key *k, const char *value,
                               struct ce_kafka_prop *out)
{
    static const char *const offsets[] = {"earliest", "latest"};
    static const char *const isolation[] = {"read_uncommitted", "read_committed"};
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    static const char *const acks[] = {"-1", "0", "1"};
    switch (k->kind) {
    case SK_OFFSET:
        return sarama_enum(value, -2, offsets, 2, out);
    case SK_ISOLATION:
        return sarama_enum(value, 0, isolation, 2, out);
    case SK_COMPRESSION:
        return sarama_enum(value, 0, codecs, 5, out);
    default:
        return sarama_enum(value, -1, acks, 3, out);
    }
}

static int sarama_convert(const struct sarama_key *k, const char *value, bool quoted,
                          struct ce_kafka_prop *out, char *err, size_t errlen)
{
    int64_t n;
    bool b;
    switch (k->kind) {
    case SK_INT:
    case SK_NONE:
        if (!sarama_int(value, &n)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "\"%s\" is not an integer", value);
        }
        snprintf(out->value, sizeof(out->value), "%" PRId64, n);
        return CE_OK;
    case SK_BOOL:
    case SK_NONE_BOOL:
        if (!sarama_bool(value, &b)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "\"%s\" is not true or false", value);
        }
        snprintf(out->value, sizeof(out->value), "%s", b ? "true" : "false");
        return CE_OK;
    case SK_MS:
    case SK_NONE_MS:
    case SK_KEEPALIVE:
        if (sarama_duration(value, quoted, &n, err, errlen) != CE_OK) {
            return CE_EINVAL;
        }
        if (k->kind == SK_KEEPALIVE) {
            snprintf(out->value, sizeof(out->value), "%s", n > 0 ? "true" : "false");
        }
        else {
            snprintf(out->value, sizeof(out->value), "%" PRId64, n / 1000000);
        }
        return CE_OK;
    case SK_STR:
        if (strlen(value) >= sizeof(out->value)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "longer than %d bytes",
                              CE_KAFKA_PROP_VALUE_MAX - 1);
        }
        snprintf(out->value, sizeof(out->value), "%s", value);
        return CE_OK;
    default:
        if (sarama_convert_enum(k, value, out) != CE_OK) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "\"%s\" is not one of Sarama's values",
                              value);
        }
        return CE_OK;
    }
}

int ce_kafka_sarama_map(const char *key, const char *value, bool quoted, struct ce_kafka_prop *out,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const struct sarama_key *k = sarama_find(key);
    if (k == NULL) {
        return sarama_unknown(key, err, errlen);
    }
    int rc = sarama_convert(k, value, quoted, out, err, errlen);
    out->name = rc == CE_OK ? k->prop : NULL;
    return rc;
}

/* Reads n dot-separated decimal numbers from s, the whole of s. */
static bool version_parts(const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)*s)) {
            return false;
        }
        while (isdigit((unsigned char)*s)) {
            s++;
        }
        if (i < n - 1 && *s++ != '.') {
            return false;
        }
    }
    return *s == '\0';
}

int ce_kafka_version_check(const char *version, char *err, size_t errlen)
{
    /* Sarama: "0.a.b.c" before 1.0, "a.b.c" from 1.0 on */
    bool ok = version[0] == '0' ? version_parts(version, 4) : version_parts(version, 3);
    if (!ok) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "invalid version \"%s\" (want x.y.z, or 0.x.y.z before 1.0)", version);
    }
    return CE_OK;
}
