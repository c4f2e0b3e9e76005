/* SPDX-License-Identifier: Apache-2.0 */
/* Operation names, watched names, event data and id keys of the file source (see watch.h). */
#include "eventsource/file/watch.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} fsw_ops[] = {
    {"CREATE", CE_FSW_CREATE}, {"WRITE", CE_FSW_WRITE}, {"REMOVE", CE_FSW_REMOVE},
    {"RENAME", CE_FSW_RENAME}, {"CHMOD", CE_FSW_CHMOD},
};

const char *ce_fsw_remote_fs(long f_type)
{
    static const struct {
        long magic;
        const char *name;
    } remote[] = {
        {0x6969, "nfs"},      {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},  {0x517B, "smb"},
        {0x65735546, "fuse"}, {0x01021997, "9p"},   {0x47504653, "gpfs"},  {0x0BD00BD0, "lustre"},
        {0x6B414653, "afs"},  {0x00C36400, "ceph"}, {0x013111A8, "ibrix"}, {0x564C, "ncp"},
    };
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++) {
        if ((unsigned long)f_type == (unsigned long)remote[i].magic ||
            (uint32_t)f_type == (uint32_t)remote[i].magic) {
            return remote[i].name;
        }
    }
    return NULL;
}

unsigned ce_fsw_op_parse(const char *s)
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

const char *ce_fsw_op_name(unsigned op)
{
    for (size_t i = 0; i < sizeof fsw_ops / sizeof fsw_ops[0]; i++) {
        if (fsw_ops[i].bit == op) {
            return fsw_ops[i].name;
        }
    }
    return "";
}

char *ce_fsw_clean_dir(const char *directory)
{
    size_t n = strlen(directory);
    while (n > 1 && directory[n - 1] == '/') {
        n--;
    }
    return ce_xstrndup(directory, n);
}

bool ce_fsw_matches(const struct ce_fsw_match *m, const char *name)
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

int ce_fsw_event_data(const char *name, unsigned op, const struct ce_kv *meta, int n_meta,
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

void ce_fsw_event_key(const char *name, unsigned op, const struct ce_fsw_stat *st,
                      struct ce_buf *out)
{
    if (ce_buf_printf(out, "%u\n%llu\n%lld\n%lld\n%s", op, (unsigned long long)st->ino,
                      (long long)st->size, (long long)st->mtime_ns, name) != CE_OK) {
        return; /* the buffer has no cap */
    }
}
