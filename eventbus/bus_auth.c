/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus accessSecret: see bus_auth.h. */
#include "eventbus/bus_auth.h"
#include "eventbus/bus.h"

#include "core/base/mem.h"
#include "core/service/secrets.h"
#include "manifest/diag.h"
#include "manifest/node.h"

#include <stdio.h>
#include <string.h>

static char *auth_scalar(const struct ce_node *map, const char *key)
{
    const struct ce_node *v = ce_node_get(map, key);
    if (v == NULL || v->type != CE_NODE_SCALAR || ce_node_is_null(v)) {
        return NULL;
    }
    return ce_xstrdup(v->str);
}

static int auth_parse(const char *text, size_t len, struct ce_bus_auth *out, char *err,
                      size_t errlen)
{
    struct ce_diag diag;
    ce_diag_init(&diag);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    int rc = ce_node_parse(text, len, "accessSecret", &diag, &docs, &n);
    if (rc != CE_OK || n < 1 || docs[0].root->type != CE_NODE_MAP) {
        snprintf(err, errlen, "not YAML with username and password");
        rc = CE_EINVAL;
    }
    else {
        out->username = auth_scalar(docs[0].root, "username");
        out->password = auth_scalar(docs[0].root, "password");
        if (out->username == NULL) {
            snprintf(err, errlen, "no username in it");
            rc = CE_EINVAL;
        }
    }
    ce_node_docs_free(docs, n);
    ce_diag_fini(&diag);
    return rc;
}

int ce_bus_auth_load(const struct ce_bus_config *cfg, struct ce_bus_auth *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char *text = NULL;
    size_t len = 0;
    const char *dir = cfg->secrets_dir != NULL ? cfg->secrets_dir : CE_SECRETS_DIR_DEFAULT;
    int rc = ce_secret_read(dir, cfg->auth_secret, cfg->auth_key, &text, &len);
    if (rc != CE_OK) {
        snprintf(err, errlen, "cannot read %s/%s/%s: %s", dir, cfg->auth_secret, cfg->auth_key,
                 ce_rc_str(rc));
        return rc;
    }
    rc = auth_parse(text, len, out, err, errlen);
    memset(text, 0, len);
    ce_free(text);
    if (rc != CE_OK) {
        ce_bus_auth_fini(out);
    }
    return rc;
}

static void auth_wipe(char *s)
{
    if (s != NULL) {
        memset(s, 0, strlen(s));
        ce_free(s);
    }
}

void ce_bus_auth_fini(struct ce_bus_auth *a)
{
    auth_wipe(a->username);
    auth_wipe(a->password);
    a->username = a->password = NULL;
}
