/* SPDX-License-Identifier: Apache-2.0 */
/* A message value as the "body" of a jsonBody event: Go validates a json.RawMessage with its
 * scanner and writes it compacted, HTML-escaped. */
#include "eventsource/kafka/data.h"

#include <stdint.h>
#include <string.h>

/* Go's encoding/json scanner refuses deeper nesting (maxNestingDepth). */
#define JR_MAX_DEPTH 10000

enum jr_expect { JR_VALUE, JR_VALUE_OR_CLOSE, JR_KEY, JR_KEY_OR_CLOSE, JR_COLON, JR_NEXT };

struct jr {
    const unsigned char *s;
    size_t n, i, flushed; /* s[flushed..i) is still to copy */
    struct ce_buf *out;
    int rc;
    uint8_t *is_obj;
    int depth;
};

static void jr_flush(struct jr *j, size_t upto)
{
    if (j->rc == CE_OK && upto > j->flushed) {
        j->rc = ce_buf_append(j->out, j->s + j->flushed, upto - j->flushed);
    }
    j->flushed = upto;
}

static bool jr_fail(struct jr *j)
{
    if (j->rc == CE_OK) {
        j->rc = CE_EPARSE;
    }
    return false;
}

static void jr_ws(struct jr *j)
{
    size_t from = j->i;
    while (j->i < j->n &&
           (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r')) {
        j->i++;
    }
    if (j->i > from) {
        jr_flush(j, from);
        j->flushed = j->i;
    }
}

/* Replaces s[i..i+skip) with esc in the output. */
static void jr_escape(struct jr *j, const char *esc, size_t skip)
{
    jr_flush(j, j->i);
    if (j->rc == CE_OK) {
        j->rc = ce_buf_puts(j->out, esc);
    }
    j->i += skip;
    j->flushed = j->i;
}

static bool jr_hex4(const struct jr *j)
{
    for (size_t k = 0; k < 4; k++) {
        unsigned char c = j->i + k < j->n ? j->s[j->i + k] : 0;
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) {
            return false;
        }
    }
    return true;
}

static bool jr_string_escape(struct jr *j)
{
    unsigned char e = j->i + 1 < j->n ? j->s[j->i + 1] : 0;
    j->i += 2;
    if (e == 'u') {
        if (!jr_hex4(j)) {
            return jr_fail(j);
        }
        j->i += 4;
        return true;
    }
    return strchr("\"\\/bfnrt", e) != NULL && e != 0 ? true : jr_fail(j);
}

static bool jr_string(struct jr *j)
{
    j->i++; /* the opening quote */
    while (j->i < j->n) {
        unsigned char c = j->s[j->i];
        if (c == '"') {
            j->i++;
            return true;
        }
        if (c < 0x20) {
            return jr_fail(j);
        }
        if (c == '\\') {
            if (!jr_string_escape(j)) {
                return false;
            }
        }
        else if (c == '<' || c == '>' || c == '&') {
            jr_escape(j, c == '<' ? "\\u003c" : (c == '>' ? "\\u003e" : "\\u0026"), 1);
        }
        else if (c == 0xE2 && j->i + 2 < j->n && j->s[j->i + 1] == 0x80 &&
                 (j->s[j->i + 2] & ~1u) == 0xA8) {
            jr_escape(j, j->s[j->i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 3);
        }
        else {
            j->i++;
        }
    }
    return jr_fail(j);
}

static size_t jr_digits(struct jr *j)
{
    size_t from = j->i;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') {
        j->i++;
    }
    return j->i - from;
}

static bool jr_number(struct jr *j)
{
    if (j->s[j->i] == '-') {
        j->i++;
    }
    if (j->i < j->n && j->s[j->i] == '0') {
        j->i++;
    }
    else if (jr_digits(j) == 0) {
        return jr_fail(j);
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        j->i++;
        if (jr_digits(j) == 0) {
            return jr_fail(j);
        }
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-')) {
            j->i++;
        }
        if (jr_digits(j) == 0) {
            return jr_fail(j);
        }
    }
    return true;
}

static bool jr_literal(struct jr *j, const char *lit)
{
    size_t l = strlen(lit);
    if (j->n - j->i >= l && memcmp(j->s + j->i, lit, l) == 0) {
        j->i += l;
        return true;
    }
    return jr_fail(j);
}

/* A value at s[i]; a container is opened (pushed). Returns what comes next. */
static enum jr_expect jr_value(struct jr *j)
{
    unsigned char c = j->s[j->i];
    if (c == '{' || c == '[') {
        if (j->depth >= JR_MAX_DEPTH) {
            jr_fail(j);
            return JR_NEXT;
        }
        j->is_obj[j->depth++] = c == '{';
        j->i++;
        return c == '{' ? JR_KEY_OR_CLOSE : JR_VALUE_OR_CLOSE;
    }
    if (c == '"') {
        jr_string(j);
    }
    else if (c == '-' || (c >= '0' && c <= '9')) {
        jr_number(j);
    }
    else {
        jr_literal(j, c == 't' ? "true" : (c == 'f' ? "false" : "null"));
    }
    return JR_NEXT;
}

/* After a value: ',' or the container's close. */
static enum jr_expect jr_next(struct jr *j)
{
    unsigned char c = j->s[j->i++];
    bool obj = j->is_obj[j->depth - 1];
    if (c == ',') {
        return obj ? JR_KEY : JR_VALUE;
    }
    if (c != (obj ? '}' : ']')) {
        jr_fail(j);
    }
    j->depth--;
    return JR_NEXT;
}

static enum jr_expect jr_step(struct jr *j, enum jr_expect e)
{
    unsigned char c = j->s[j->i];
    switch (e) {
    case JR_VALUE_OR_CLOSE:
    case JR_KEY_OR_CLOSE:
        if (c == (e == JR_KEY_OR_CLOSE ? '}' : ']')) {
            j->i++;
            j->depth--;
            return JR_NEXT;
        }
        return e == JR_KEY_OR_CLOSE ? jr_step(j, JR_KEY) : jr_value(j);
    case JR_VALUE:
        return jr_value(j);
    case JR_KEY:
        if (c != '"') {
            jr_fail(j);
        }
        jr_string(j);
        return JR_COLON;
    case JR_COLON:
        if (c != ':') {
            jr_fail(j);
        }
        j->i++;
        return JR_VALUE;
    default:
        return jr_next(j);
    }
}

int ce_kafka_json_compact(const char *body, size_t len, struct ce_buf *out)
{
    size_t start = out->len;
    uint8_t stack[JR_MAX_DEPTH];
    struct jr j = {.s = (const unsigned char *)body, .n = len, .out = out, .is_obj = stack};
    enum jr_expect e = JR_VALUE;
    for (;;) {
        jr_ws(&j);
        if (j.rc != CE_OK || (e == JR_NEXT && j.depth == 0)) {
            break;
        }
        if (j.i >= j.n) {
            jr_fail(&j);
            break;
        }
        e = jr_step(&j, e);
    }
    if (j.rc == CE_OK && j.i != j.n) {
        jr_fail(&j); /* a second value or trailing garbage */
    }
    jr_flush(&j, j.i);
    if (j.rc != CE_OK && out->data != NULL) {
        out->len = start;
        out->data[start] = '\0';
    }
    return j.rc;
}
