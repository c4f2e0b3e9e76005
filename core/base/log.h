/* SPDX-License-Identifier: Apache-2.0 */
/* Structured logging: one JSON object per line on stdout by default (Argo's shape: level, ts,
 * logger, msg, then fields), or readable text with --log-format text. Thread-safe: each line is
 * built in memory and written with one write(2). */
#ifndef CE_CORE_LOG_H
#define CE_CORE_LOG_H

#include <stdbool.h>

enum ce_log_level { CE_LOG_DEBUG = 0, CE_LOG_INFO, CE_LOG_WARN, CE_LOG_ERROR };
enum ce_log_format { CE_LOG_JSON = 0, CE_LOG_TEXT };

/* A key/value field. Values are strings; in JSON they are written as JSON strings, unless
 * raw is true, then value must be valid JSON and is written verbatim. */
struct ce_log_field {
    const char *key;
    const char *value;
    bool raw;
};

/* Sets the process-wide logger: name (e.g. "cevents.sensor"), format, minimum level, fd
 * (1 = stdout). Call once at start; not thread-safe against concurrent logging. */
void ce_log_init(const char *logger_name, enum ce_log_format fmt, enum ce_log_level min, int fd);
/* Adds a field printed on every line (e.g. sensorName). Call at start only. */
void ce_log_add_base_field(const char *key, const char *value);
/* Parses "debug|info|warn|error" / "json|text". Return CE_OK or CE_EINVAL. */
int ce_log_parse_level(const char *s, enum ce_log_level *out);
int ce_log_parse_format(const char *s, enum ce_log_format *out);
bool ce_log_enabled(enum ce_log_level lvl);

/* Logs msg with n fields. */
void ce_log_fields(enum ce_log_level lvl, const char *msg, const struct ce_log_field *fields,
                   int n);
/* Logs msg with key/value string pairs, terminated by NULL:
 * ce_log_kv(CE_LOG_INFO, "Succeeded to publish an event", "eventName", name, NULL); */
void ce_log_kv(enum ce_log_level lvl, const char *msg, ...) __attribute__((sentinel));
/* printf-style message without fields. */
void ce_logf(enum ce_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CE_LOG_DEBUGF(...)                                                                         \
    do {                                                                                           \
        if (ce_log_enabled(CE_LOG_DEBUG)) {                                                        \
            ce_logf(CE_LOG_DEBUG, __VA_ARGS__);                                                    \
        }                                                                                          \
    } while (0)

#endif
