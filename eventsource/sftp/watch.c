/* SPDX-License-Identifier: Apache-2.0 */
/* Operation names, watched names, event data and id keys of the sftp source (see watch.h);
 * the file source keeps the same rules in eventsource/file/watch.c. */
#include "eventsource/sftp/watch.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} fsw_ops[] = {
    {"CREATE", CE_SFTPW_CREATE}, {"WRITE", CE_SFTPW_WRITE}, {"REMOVE", CE_SFTPW_REMOVE},
    {"RENAME", CE_SFTPW_RENAME}, {"CHMOD", CE_SFTPW_CHMOD},
};

unsigned ce_sftpw_op_parse(const char *s)
{
    unsigned op = 0;
    while (s != NULL && *s != '\0') {
        size_t n = strcspn(s, "|");
        for (size_t i = 0; i < sizeof fsw_ops / sizeof fsw_ops[0]; i++) {
            if (strlen(fsw_ops[i].name) == n && strncmp(s, fsw_ops[i].name, n) == 0) {
                op |= fsw_ops[i].bit;
            }
        }
        s += n + (s[n] == '|');
    }
    return op;
}

const char *ce_sftpw_op_name(unsigned op)
{
    for (size_t i = 0; i < sizeof fsw_ops / sizeof fsw_ops[0]; i++) {
        if (fsw_ops[i].bit == op) {
            return fsw_ops[i].name;
        }
    }
    return "";
}

char *ce_sftpw_clean_dir(const char *directory)
{
    size_t n = strlen(directory);
    while (n > 1 && directory[n - 1] == '/') {
        n--;
    }
    return ce_xstrndup(directory, n);
}

bool ce_sftpw_matches(const struct ce_sftpw_match *m, const char *name)
{
    if (m->path != NULL && m->path[0] != '\0') {
        return strcmp(m->path, name) == 0;
    }
    bool matched = false;
    return m->re != NULL && ce_regex_search(m->re, name, strlen(name), &matched) == CE_OK &&
           matched;
}

static int fsw_metadata(const struct ce_kv *meta, int n_meta, struct ce_buf *out)
{
    if (n_meta == 0) {
        return ce_buf_puts(out, "null"); /* Go marshals a nil map so */
    }
    int rc = ce_buf_puts(out, "{");
    for (int i = 0; rc == CE_OK && i < n_meta; i++) {
        rc = ce_buf_append(out, ",", i > 0 ? 1 : 0);
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].key, strlen(meta[i].key));
        }
        if (rc == CE_OK) {
            rc = ce_buf_puts(out, ":");
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].value, strlen(meta[i].value));
        }
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

int ce_sftpw_event_data(const char *name, unsigned op, const struct ce_kv *meta, int n_meta,
                        struct ce_buf *out)
{
    int rc = ce_buf_puts(out, "{\"name\":");
    if (rc == CE_OK) {
        rc = ce_buf_json_str(out, name, strlen(name));
    }
    if (rc == CE_OK) {
        rc = ce_buf_printf(out, ",\"op\":%u,\"metadata\":", op);
    }
    if (rc == CE_OK) {
        rc = fsw_metadata(meta, n_meta, out);
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

void ce_sftpw_event_key(const char *name, unsigned op, const struct ce_sftpw_stat *st,
                        struct ce_buf *out)
{
    if (ce_buf_printf(out, "%u\n%llu\n%lld\n%lld\n%s", op, (unsigned long long)st->ino,
                      (long long)st->size, (long long)st->mtime_ns, name) != CE_OK) {
        return; /* the buffer has no cap */
    }
}
