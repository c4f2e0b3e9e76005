/* SPDX-License-Identifier: Apache-2.0 */
/* template.nats: the controller's checks (url, subject and payload are required, payload
 * entries need src.dependencyName and dest) and the shape of tls and auth, each problem at its
 * line and column. */
#include "triggers/nats/config.h"
#include "core/base/mem.h"
#include "manifest/mdec.h"
#include "manifest/plugin.h"
#include "triggers/block_config.h"

#include <string.h>

static const char *const nats_keys[] = {"url", "subject", "payload", "parameters",
                                        "tls", "auth",    NULL};
static const char *const nats_auth_keys[] = {"basic", "token", "nkey", "credential", NULL};
static const char *const nats_basic_keys[] = {"username", "password", NULL};

/* NATS subjects are tokens separated by dots, without white space; a publish to a wildcard is
 * refused by the server. */
static void nats_check_subject(struct ce_mdec *c, const struct ce_node *block, const char *s)
{
    const struct ce_node *at = ce_node_get(block, "subject");
    if (strpbrk(s, " \t\r\n") != NULL) {
        ce_mdec_err_key(c, at, "subject", "a NATS subject cannot hold white space");
    }
    else if (s[0] == '.' || s[strlen(s) - 1] == '.' || strstr(s, "..") != NULL) {
        ce_mdec_err_key(c, at, "subject", "a NATS subject cannot have an empty token (\"%s\")", s);
    }
    else if (strcmp(s, "*") == 0 || strcmp(s, ">") == 0 || strstr(s, ".*") || strstr(s, ".>") ||
             strncmp(s, "*.", 2) == 0) {
        ce_mdec_err_key(c, at, "subject", "cannot publish to the wildcard subject \"%s\"", s);
    }
}

static void nats_decode_tls(struct ce_mdec *c, const struct ce_node *block,
                            struct ce_nats_trigger_config *cfg)
{
    struct ce_trigger_tls t = ce_trigger_tls_decode(c, block, 0);
    cfg->tls = t.present;
    cfg->tls_insecure = t.insecure;
    cfg->ca = t.ca;
    cfg->cert = t.cert;
    cfg->key = t.key;
}

static void nats_decode_basic(struct ce_mdec *c, const struct ce_node *auth,
                              struct ce_nats_trigger_config *cfg)
{
    const struct ce_node *basic = ce_node_get(auth, "basic");
    size_t old = ce_mdec_push(c, "basic");
    ce_mdec_known(c, basic, nats_basic_keys);
    ce_mdec_secret(c, basic, "username", &cfg->user);
    ce_mdec_secret(c, basic, "password", &cfg->secret);
    if (!cfg->user.set || !cfg->secret.set) {
        const char *miss = cfg->user.set ? "password" : "username";
        ce_mdec_err_missing(c, basic, basic, miss, "required field is missing");
    }
    ce_mdec_pop(c, old);
}

/* The first method set wins, as in Argo; the others are reported as unused. */
static void nats_decode_auth(struct ce_mdec *c, const struct ce_node *block,
                             struct ce_nats_trigger_config *cfg)
{
    static const char *const order[] = {"basic", "token", "nkey", "credential"};
    const struct ce_node *auth = ce_node_get(block, "auth");
    size_t old = ce_mdec_push(c, "auth");
    if (ce_mdec_map(c, auth)) {
        ce_mdec_known(c, auth, nats_auth_keys);
        for (int i = 0; i < 4; i++) {
            const struct ce_node *v = ce_node_get(auth, order[i]);
            if (v == NULL || ce_node_is_null(v)) {
                continue;
            }
            if (cfg->auth != CE_NATS_AUTH_NONE) {
                size_t old_k = ce_mdec_push(c, order[i]);
                ce_mdec_warn(c, v,
                             "not used: only the first of basic, token, nkey and credential "
                             "that is set is");
                ce_mdec_pop(c, old_k);
            }
            else if (i == 0) {
                cfg->auth = CE_NATS_AUTH_BASIC;
                nats_decode_basic(c, auth, cfg);
            }
            else {
                cfg->auth = (enum ce_nats_auth)(CE_NATS_AUTH_BASIC + i);
                ce_mdec_secret(c, auth, order[i], &cfg->secret);
            }
        }
        if (cfg->auth == CE_NATS_AUTH_NONE) {
            ce_mdec_err(c, auth, "set one of basic, token, nkey or credential");
        }
    }
    ce_mdec_pop(c, old);
}

/* The block's own parameters edit only what Argo reads from the edited block: the payload list.
 * The connection and the subject are taken as written (set them with the trigger's parameters,
 * dest nats.subject, to vary them). */
static void nats_warn_inert_parameters(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *list = ce_node_get(block, "parameters");
    for (int i = 0; list != NULL && list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        const struct ce_node *dest = ce_node_get(list->items[i], "dest");
        if (dest == NULL || dest->type != CE_NODE_SCALAR || strncmp(dest->str, "payload", 7) == 0) {
            continue;
        }
        size_t old = ce_mdec_push(c, "parameters");
        size_t old_i = ce_mdec_push_index(c, i);
        ce_mdec_warn(c, dest,
                     "dest \"%s\" has no effect: the NATS trigger uses its url, subject, tls and "
                     "auth as written (as Argo Events does); use the trigger's parameters with "
                     "dest nats.%s instead",
                     dest->str, dest->str);
        ce_mdec_pop(c, old_i);
        ce_mdec_pop(c, old);
    }
}

static void *nats_decode(struct ce_mdec *c, const struct ce_node *block)
{
    struct ce_nats_trigger_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, block)) {
        ce_mdec_err(c, block, "the nats trigger needs url, subject and payload");
        return cfg;
    }
    cfg->url = ce_trigger_required_str(c, block, "url");
    cfg->subject = ce_trigger_required_str(c, block, "subject");
    if (cfg->subject != NULL) {
        nats_check_subject(c, block, cfg->subject);
    }
    ce_trigger_required_payload(c, block);
    nats_decode_tls(c, block, cfg);
    nats_decode_auth(c, block, cfg);
    nats_warn_inert_parameters(c, block);
    return cfg;
}

static void nats_free(void *config)
{
    struct ce_nats_trigger_config *cfg = config;
    if (cfg == NULL) {
        return;
    }
    ce_free(cfg->url);
    ce_free(cfg->subject);
    ce_mdec_secret_free(&cfg->ca);
    ce_mdec_secret_free(&cfg->cert);
    ce_mdec_secret_free(&cfg->key);
    ce_mdec_secret_free(&cfg->user);
    ce_mdec_secret_free(&cfg->secret);
    ce_free(cfg);
}

const struct ce_block_decoder ce_nats_trigger_decoder = {
    .key = "nats",
    .keys = nats_keys,
    .decode = nats_decode,
    .free_config = nats_free,
};
