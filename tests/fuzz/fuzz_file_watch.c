/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for what the file and sftp sources make of a manifest's watch and of a
 * directory's names. Input: lines "directory\npattern\nname\nrest". The directory is cleaned,
 * the pattern compiled as a pathRegexp and matched against the name (and used as a path), the
 * name made into event data (which must be JSON-shaped: starts and ends as an object) and into
 * a record that must parse back to the same name and state; the rest is parsed as a record and
 * as an eventType. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "eventsource/seen_set.h"
#include "eventsource/watch_path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of [*p, end) as a heap string (NULs allowed in the input end it early). */
static char *fuzz_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl != NULL ? nl : end;
    char *s = ce_xstrndup(*p, (size_t)(stop - *p));
    *p = nl != NULL ? nl + 1 : end;
    return s;
}

static void fuzz_record(const char *name, const struct ce_watch_stat *st)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    ce_seen_record_format(name, st, &b);
    char *back = NULL;
    struct ce_watch_stat bst;
    bool ok = ce_seen_record_parse(b.data, &back, &bst);
    bool expect = name[0] != '\0' && strlen(name) < CE_SEEN_NAME_MAX;
    if (ok != expect ||
        (ok && (strcmp(back, name) != 0 || bst.ino != st->ino || bst.size != st->size ||
                bst.mtime_ns != st->mtime_ns || bst.mode != st->mode))) {
        abort();
    }
    ce_free(back);
    ce_buf_fini(&b);
}

static void fuzz_match(const char *dir, const char *pattern, const char *name)
{
    char *clean = ce_watch_clean_dir(dir);
    size_t n = strlen(clean);
    if (n == 0 ? dir[0] != '\0' : (n > 1 && clean[n - 1] == '/')) {
        abort();
    }
    struct ce_regex *re = NULL;
    char err[256];
    if (ce_regex_compile(pattern, strlen(pattern), &re, err, sizeof err) == CE_OK) {
        struct ce_watch_match m = {.dir = clean, .re = re};
        (void)ce_watch_matches(&m, name);
        ce_regex_destroy(re);
    }
    struct ce_watch_match by_path = {.dir = clean, .path = pattern};
    if (pattern[0] != '\0' && ce_watch_matches(&by_path, name) != (strcmp(pattern, name) == 0)) {
        abort();
    }
    ce_free(clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char *dir = fuzz_line(&p, end), *pattern = fuzz_line(&p, end), *name = fuzz_line(&p, end);
    char *rest = ce_xstrndup(p, (size_t)(end - p));
    fuzz_match(dir, pattern, name);
    unsigned op = ce_watch_op_parse(pattern);
    if (op > 31) {
        abort();
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    if (ce_watch_event_data(name, op, NULL, 0, &b) != CE_OK || b.data[0] != '{' ||
        b.data[b.len - 1] != '}') {
        abort();
    }
    ce_buf_fini(&b);
    struct ce_watch_stat st = {.ino = size, .size = (int64_t)size - 7, .mtime_ns = -(int64_t)size};
    fuzz_record(name, &st);
    char *rec_name = NULL;
    if (ce_seen_record_parse(rest, &rec_name, &st) && rec_name == NULL) {
        abort();
    }
    ce_free(rec_name);
    ce_free(dir);
    ce_free(pattern);
    ce_free(name);
    ce_free(rest);
    return 0;
}
