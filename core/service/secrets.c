/* SPDX-License-Identifier: Apache-2.0 */
/* Reading mounted secrets and config maps. Names come from manifests, so they are checked
 * before they become path parts, and the file size is capped before anything is allocated.
 * Symlinks are followed: Kubernetes mounts each key as a link into a ..data directory. */
#include "core/service/secrets.h"

#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdbool.h>
#include <string.h>

/* A single path component: not empty, no '/', not "." or "..". */
static bool secrets_valid_part(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

int ce_secret_read(const char *dir, const char *name, const char *key, char **out, size_t *len)
{
    *out = NULL;
    if (len) {
        *len = 0;
    }
    if (!dir || !*dir || !secrets_valid_part(name) || !secrets_valid_part(key)) {
        return CE_EINVAL;
    }
    char *path = ce_xasprintf("%s/%s/%s", dir, name, key);
    char *data = NULL;
    size_t n = 0;
    int rc = ce_file_read(path, CE_SECRET_MAX_BYTES, &data, &n, NULL);
    ce_free(path);
    if (rc != CE_OK) {
        return rc;
    }
    /* strings.TrimSuffix(data, "\n"), as Argo Events does: exactly one "\n", "\r" stays. */
    if (n > 0 && data[n - 1] == '\n') {
        data[--n] = '\0';
    }
    *out = data;
    if (len) {
        *len = n;
    }
    return CE_OK;
}
