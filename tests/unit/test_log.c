/* SPDX-License-Identifier: Apache-2.0 */
/* core/log: the exact JSON line (key order, Go-compatible escaping, raw and base fields), level
 * filtering, the text format, the 1 MiB cap with its truncation marker, suppression of
 * repeated WARN/ERROR lines, and whole lines from concurrent threads. Output goes to a temp
 * file through the fd argument. */
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <ctype.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define TL_MIB (1024 * 1024)
#define TL_MARK "\xe2\x80\xa6(truncated)"

struct tl_ctx {
    char *dir;
    char *path;
    int fd;
};

static int tl_setup(void **state)
{
    struct tl_ctx *c = ce_xcalloc(1, sizeof *c);
    c->dir = ce_test_tmpdir("log");
    c->path = ce_xasprintf("%s/out.log", c->dir);
    c->fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    assert_true(c->fd >= 0);
    ce_log_init("cevents.test", CE_LOG_JSON, CE_LOG_DEBUG, c->fd);
    *state = c;
    return 0;
}

static int tl_teardown(void **state)
{
    struct tl_ctx *c = *state;
    ce_log_init(NULL, CE_LOG_JSON, CE_LOG_INFO, 1);
    close(c->fd);
    ce_test_rmtree(c->dir);
    ce_free(c->path);
    ce_free(c->dir);
    ce_free(c);
    return 0;
}

/* Everything logged so far; the file is emptied for the next step. */
static char *tl_take(struct tl_ctx *c, size_t *len)
{
    char *s = ce_test_read_file(c->path, len);
    assert_non_null(s);
    assert_int_equal(ftruncate(c->fd, 0), 0);
    return s;
}

static int tl_count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static bool tl_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* Checks "YYYY-MM-DDTHH:MM:SS" and returns the rest. */
static const char *tl_datetime(const char *s)
{
    assert_true(tl_digits(s, 4) && s[4] == '-' && tl_digits(s + 5, 2) && s[7] == '-' &&
                tl_digits(s + 8, 2) && s[10] == 'T' && tl_digits(s + 11, 2) && s[13] == ':' &&
                tl_digits(s + 14, 2) && s[16] == ':' && tl_digits(s + 17, 2));
    return s + 19;
}

/* Checks a JSON line's prefix up to and including the ts value, returns what follows it. */
static const char *tl_json_head(const char *line, const char *level)
{
    char *want = ce_xasprintf("{\"level\":\"%s\",\"ts\":\"", level);
    assert_memory_equal(line, want, strlen(want));
    const char *p = tl_datetime(line + strlen(want));
    ce_free(want);
    if (*p == '.') { /* RFC3339Nano: 1-9 digits, no trailing zero */
        int n = 0;
        while (isdigit((unsigned char)p[1 + n])) {
            n++;
        }
        assert_true(n >= 1 && n <= 9 && p[n] != '0');
        p += 1 + n;
    }
    assert_memory_equal(p, "Z\"", 2);
    return p + 2;
}

static void test_json_shape(void **state)
{
    struct tl_ctx *c = *state;
    ce_log_add_base_field("sensorName", "s1");
    ce_log_add_base_field("namespace", "argo-events");
    ce_log_kv(CE_LOG_INFO, "hello \"w\" <x> & \xe2\x80\xa8", "eventName", "a\nb\t\x01", "k2",
              "\xff", NULL);
    char *out = tl_take(c, NULL);
    const char *rest = tl_json_head(out, "info");
    assert_string_equal(rest,
                        ",\"logger\":\"cevents.test\",\"msg\":\"hello \\\"w\\\" \\u003cx\\u003e "
                        "\\u0026 \\u2028\",\"sensorName\":\"s1\",\"namespace\":\"argo-events\","
                        "\"eventName\":\"a\\nb\\t\\u0001\",\"k2\":\"\\ufffd\"}\n");
    ce_free(out);

    struct ce_log_field f[] = {{"event", "{\"a\":[1,2]}", true}, {"n", "3", false}};
    ce_log_fields(CE_LOG_ERROR, "raw", f, 2);
    ce_logf(CE_LOG_WARN, "count=%d name=%s", 42, "x");
    out = tl_take(c, NULL);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    assert_string_equal(tl_json_head(out, "error"),
                        ",\"logger\":\"cevents.test\",\"msg\":\"raw\",\"sensorName\":\"s1\","
                        "\"namespace\":\"argo-events\",\"event\":{\"a\":[1,2]},\"n\":\"3\"}");
    assert_string_equal(tl_json_head(nl + 1, "warn"),
                        ",\"logger\":\"cevents.test\",\"msg\":\"count=42 name=x\","
                        "\"sensorName\":\"s1\",\"namespace\":\"argo-events\"}\n");
    ce_free(out);
}

static void test_levels(void **state)
{
    struct tl_ctx *c = *state;
    enum ce_log_level lvl;
    enum ce_log_format fmt;
    assert_int_equal(ce_log_parse_level("warn", &lvl), CE_OK);
    assert_int_equal(lvl, CE_LOG_WARN);
    assert_int_equal(ce_log_parse_level("debug", &lvl), CE_OK);
    assert_int_equal(lvl, CE_LOG_DEBUG);
    assert_int_equal(ce_log_parse_level("WARN", &lvl), CE_EINVAL);
    assert_int_equal(ce_log_parse_level("", &lvl), CE_EINVAL);
    assert_int_equal(ce_log_parse_format("text", &fmt), CE_OK);
    assert_int_equal(fmt, CE_LOG_TEXT);
    assert_int_equal(ce_log_parse_format("yaml", &fmt), CE_EINVAL);

    ce_log_init("cevents", CE_LOG_JSON, CE_LOG_WARN, c->fd);
    assert_false(ce_log_enabled(CE_LOG_INFO));
    assert_true(ce_log_enabled(CE_LOG_ERROR));
    CE_LOG_DEBUGF("debug %d", 1);
    ce_logf(CE_LOG_INFO, "info line");
    ce_log_kv(CE_LOG_WARN, "warn line", NULL);
    ce_log_fields(CE_LOG_ERROR, "error line", NULL, 0);
    char *out = tl_take(c, NULL);
    assert_int_equal(tl_count(out, "\n"), 2);
    assert_null(strstr(out, "info line"));
    assert_null(strstr(out, "debug"));
    assert_non_null(strstr(out, "{\"level\":\"warn\""));
    assert_non_null(strstr(out, "\"logger\":\"cevents\",\"msg\":\"error line\"}\n"));
    ce_free(out);

    ce_log_init("cevents", CE_LOG_JSON, CE_LOG_DEBUG, c->fd);
    CE_LOG_DEBUGF("debug %d", 2);
    out = tl_take(c, NULL);
    assert_non_null(strstr(out, "{\"level\":\"debug\""));
    assert_non_null(strstr(out, "\"msg\":\"debug 2\"}\n"));
    ce_free(out);
}

static void test_text_format(void **state)
{
    struct tl_ctx *c = *state;
    ce_log_init("cevents", CE_LOG_TEXT, CE_LOG_DEBUG, c->fd);
    ce_log_add_base_field("sensorName", "s1");
    ce_log_kv(CE_LOG_INFO, "Succeeded to publish an event", "eventName", "two words", "empty", "",
              "q", "say \"hi\"\n", NULL);
    ce_log_kv(CE_LOG_ERROR, "multi\nline", NULL);
    ce_log_init("cevents", CE_LOG_TEXT, CE_LOG_DEBUG, c->fd);
    ce_log_kv(CE_LOG_WARN, "no fields", NULL);
    /* valid UTF-8 passes, bytes that are not UTF-8 are shown as \xNN (a body's bad bytes) */
    ce_log_kv(CE_LOG_INFO, "bad \xff\xfe byte, h\xc3\xa9", NULL);
    char *out = tl_take(c, NULL);
    char *l2 = strchr(out, '\n') + 1;
    char *l3 = strchr(l2, '\n') + 1;
    char *l4 = strchr(l3, '\n') + 1;
    const char *p = tl_datetime(out);
    assert_true(p[0] == '.' && tl_digits(p + 1, 3));
    assert_memory_equal(p + 4,
                        "Z INFO  Succeeded to publish an event  sensorName=s1 "
                        "eventName=\"two words\" empty=\"\" q=\"say \\\"hi\\\"\\n\"\n",
                        l2 - (p + 4));
    p = tl_datetime(l2);
    assert_memory_equal(p + 4, "Z ERROR multi\\nline  sensorName=s1\n", l3 - (p + 4));
    p = tl_datetime(l3);
    assert_memory_equal(p + 4, "Z WARN  no fields\n", l4 - (p + 4));
    p = tl_datetime(l4);
    assert_string_equal(p + 4, "Z INFO  bad \\xff\\xfe byte, h\xc3\xa9\n");
    ce_free(out);
}

/* The line must parse as JSON and carry the marker in the string named key. */
static json_t *tl_parse(const char *line, size_t len)
{
    json_error_t err;
    json_t *j = json_loadb(line, len, 0, &err);
    if (!j) {
        fail_msg("invalid JSON line: %s", err.text);
    }
    return j;
}

static void test_truncation(void **state)
{
    struct tl_ctx *c = *state;
    size_t big = 3u * TL_MIB;
    char *huge = ce_xmalloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    /* a UTF-8 character right where a cut could fall must not be split */
    for (size_t i = 0; i + 3 <= big; i += 3) {
        memcpy(huge + i, "\xe2\x82\xac", 3);
    }
    ce_log_kv(CE_LOG_INFO, huge, "small", "kept", "big", huge, "after", "kept too", NULL);
    size_t len = 0;
    char *out = tl_take(c, &len);
    assert_true(len <= TL_MIB);
    assert_true(len > TL_MIB / 2);
    assert_int_equal(tl_count(out, "\n"), 1);
    assert_int_equal(out[len - 1], '\n');
    json_t *j = tl_parse(out, len - 1);
    const char *msg = json_string_value(json_object_get(j, "msg"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, TL_MARK));
    assert_null(strstr(msg, "\xef\xbf\xbd")); /* no UTF-8 split */
    assert_string_equal(json_string_value(json_object_get(j, "small")), "kept");
    assert_string_equal(json_string_value(json_object_get(j, "after")), "kept too");
    assert_non_null(strstr(json_string_value(json_object_get(j, "big")), TL_MARK));
    json_decref(j);
    ce_free(out);

    /* control bytes escape to six bytes each: the cap still holds */
    memset(huge, '\x01', big);
    struct ce_log_field raw = {"raw", huge, true};
    memcpy(huge, "[1,", 3); /* a huge raw value becomes a cut string, never broken JSON */
    ce_log_fields(CE_LOG_INFO, "ctl", &raw, 1);
    out = tl_take(c, &len);
    assert_true(len <= TL_MIB);
    j = tl_parse(out, len - 1);
    assert_string_equal(json_string_value(json_object_get(j, "msg")), "ctl");
    assert_non_null(strstr(json_string_value(json_object_get(j, "raw")), TL_MARK));
    json_decref(j);
    ce_free(out);

    /* printf-style and text format too */
    memset(huge, 'b', big);
    ce_logf(CE_LOG_INFO, "%s", huge);
    ce_log_init("cevents", CE_LOG_TEXT, CE_LOG_DEBUG, c->fd);
    ce_log_kv(CE_LOG_INFO, "t", "v", huge, NULL);
    out = tl_take(c, &len);
    char *nl = strchr(out, '\n');
    assert_true((size_t)(nl - out) + 1 <= TL_MIB);
    j = tl_parse(out, (size_t)(nl - out));
    assert_non_null(strstr(json_string_value(json_object_get(j, "msg")), TL_MARK));
    json_decref(j);
    assert_true(len - (size_t)(nl + 1 - out) <= TL_MIB);
    assert_non_null(strstr(nl + 1, " INFO  t  v=bbbb"));
    assert_non_null(strstr(nl + 1, "b" TL_MARK "\n"));
    ce_free(out);
    ce_free(huge);
}

static void test_suppression(void **state)
{
    struct tl_ctx *c = *state;
    int64_t start = ce_test_now_ms();
    for (int i = 0; i < 25; i++) {
        ce_log_kv(CE_LOG_ERROR, "bus down", "attempt", "x", NULL);
        ce_log_kv(CE_LOG_INFO, "info repeats", NULL);
    }
    ce_log_kv(CE_LOG_WARN, "bus down", NULL); /* another level: its own count */
    int64_t elapsed = ce_test_now_ms() - start;
    char *out = tl_take(c, NULL);
    if (elapsed < 900) { /* all in one window */
        assert_int_equal(tl_count(out, "\"msg\":\"bus down\""), 11);
        assert_int_equal(tl_count(out, "\"level\":\"error\""), 10);
        assert_int_equal(tl_count(out, "\"msg\":\"info repeats\""), 25);
        assert_null(strstr(out, "suppressed"));
    }
    ce_free(out);
    /* the next copy after the window reports how many were held back */
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_now_ms() - start > 1100, 5000));
    ce_log_kv(CE_LOG_ERROR, "bus down", NULL);
    out = tl_take(c, NULL);
    assert_int_equal(tl_count(out, "\n"), 2);
    char *nl = strchr(out, '\n');
    *nl = '\0';
    if (elapsed < 900) {
        assert_string_equal(tl_json_head(out, "error"),
                            ",\"logger\":\"cevents.test\",\"msg\":\"suppressed 15 repeated log "
                            "lines\",\"suppressedMsg\":\"bus down\"}");
    }
    assert_string_equal(tl_json_head(nl + 1, "error"),
                        ",\"logger\":\"cevents.test\",\"msg\":\"bus down\"}\n");
    ce_free(out);
}

#define TL_THREADS 4
#define TL_LINES 2000

static void *tl_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char *pad = ce_xmalloc(6001);
    for (int i = 0; i < TL_LINES; i++) {
        size_t n = (size_t)((i * 37 + id * 11) % 6000); /* many lines beyond PIPE_BUF */
        memset(pad, 'a' + id, n);
        pad[n] = '\0';
        char idb[16], seq[16];
        snprintf(idb, sizeof idb, "%d", id);
        snprintf(seq, sizeof seq, "%d", i);
        ce_log_kv(CE_LOG_INFO, "concurrent", "thread", idb, "seq", seq, "pad", pad, NULL);
    }
    ce_free(pad);
    return NULL;
}

static void test_concurrent_lines(void **state)
{
    struct tl_ctx *c = *state;
    pthread_t t[TL_THREADS];
    for (int i = 0; i < TL_THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, tl_worker, (void *)(intptr_t)i), 0);
    }
    for (int i = 0; i < TL_THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    size_t len = 0;
    char *out = tl_take(c, &len);
    int next[TL_THREADS] = {0};
    int lines = 0;
    for (char *p = out; p < out + len; lines++) {
        char *nl = memchr(p, '\n', (size_t)(out + len - p));
        assert_non_null(nl);
        json_t *j = tl_parse(p, (size_t)(nl - p));
        int id = 0, seq = 0;
        assert_int_equal(sscanf(json_string_value(json_object_get(j, "thread")), "%d", &id), 1);
        assert_int_equal(sscanf(json_string_value(json_object_get(j, "seq")), "%d", &seq), 1);
        assert_true(id >= 0 && id < TL_THREADS);
        assert_int_equal(seq, next[id]); /* in order per thread, none lost */
        next[id]++;
        const char *pad = json_string_value(json_object_get(j, "pad"));
        assert_int_equal(strlen(pad), (size_t)((seq * 37 + id * 11) % 6000));
        assert_true(strspn(pad, (char[]){(char)('a' + id), 0}) == strlen(pad));
        json_decref(j);
        p = nl + 1;
    }
    assert_int_equal(lines, TL_THREADS * TL_LINES);
    ce_free(out);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_shape, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_levels, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_text_format, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_truncation, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_suppression, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_lines, tl_setup, tl_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
