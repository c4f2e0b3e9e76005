/* SPDX-License-Identifier: Apache-2.0 */
/* The tls block and the required fields of the kafka and nats triggers (see block_config.h). */
#include "triggers/block_config.h"
#include "core/base/mem.h"
#include "manifest/mdec.h"
#include "manifest/plugin.h"

static const char *const tls_keys[] = {"caCertSecret",       "clientCertSecret", "clientKeySecret",
                                       "insecureSkipVerify", "enabled",          NULL};

static void tls_check(struct ce_mdec *c, const struct ce_node *tls, const struct ce_trigger_tls *t,
                      bool enabled, unsigned checks)
{
    bool pair_checked = !t->insecure || (checks & CE_TRIGGER_TLS_PAIR_INSECURE) != 0;
    if (!t->insecure && !enabled && !t->ca.set && !t->cert.set && !t->key.set) {
        ce_mdec_err(c, tls,
                    "configure caCertSecret, or clientCertSecret and clientKeySecret, or "
                    "insecureSkipVerify%s",
                    (checks & CE_TRIGGER_TLS_HINT_ENABLED) != 0 ? ", or enabled" : "");
    }
    else if (pair_checked && t->cert.set != t->key.set) {
        ce_mdec_err(c, tls, "clientCertSecret and clientKeySecret go together");
    }
}

struct ce_trigger_tls ce_trigger_tls_decode(struct ce_mdec *c, const struct ce_node *block,
                                            unsigned checks)
{
    struct ce_trigger_tls t = {0};
    const struct ce_node *tls = ce_node_get(block, "tls");
    size_t old = ce_mdec_push(c, "tls");
    if (ce_mdec_map(c, tls)) {
        t.present = true;
        ce_mdec_known(c, tls, tls_keys);
        ce_mdec_secret(c, tls, "caCertSecret", &t.ca);
        ce_mdec_secret(c, tls, "clientCertSecret", &t.cert);
        ce_mdec_secret(c, tls, "clientKeySecret", &t.key);
        t.insecure = ce_mdec_bool(c, tls, "insecureSkipVerify");
        tls_check(c, tls, &t, ce_mdec_bool(c, tls, "enabled"), checks);
    }
    ce_mdec_pop(c, old);
    return t;
}

char *ce_trigger_required_str(struct ce_mdec *c, const struct ce_node *block, const char *key)
{
    const struct ce_node *at = ce_node_get(block, key);
    if (!ce_mdec_nonempty(block, key)) {
        ce_mdec_err_missing(c, block, at ? at : block, key, "required field is missing");
        return NULL;
    }
    return ce_mdec_str(c, block, key, false);
}

void ce_trigger_required_payload(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *payload = ce_node_get(block, "payload");
    if (payload == NULL || ce_node_is_null(payload)) {
        ce_mdec_err_missing(c, block, block, "payload", "required field is missing");
    }
    else {
        (void)ce_mdec_parameters(c, block, "payload", false);
    }
}

static void secure_header_decode(struct ce_mdec *c, const struct ce_node *sh)
{
    static const char *const sh_keys[] = {"name", "valueFrom", NULL};
    static const char *const from_keys[] = {"secretKeyRef", "configMapKeyRef", NULL};
    if (!ce_mdec_map(c, sh)) {
        ce_mdec_err(c, sh, "a secure header needs name and valueFrom");
        return;
    }
    ce_mdec_known(c, sh, sh_keys);
    ce_free(ce_mdec_str(c, sh, "name", true));
    const struct ce_node *from = ce_node_get(sh, "valueFrom");
    size_t old = ce_mdec_push(c, "valueFrom");
    if (!ce_mdec_map(c, from)) {
        ce_mdec_err_missing(c, sh, sh, "valueFrom", "required field is missing");
    }
    else {
        ce_mdec_known(c, from, from_keys);
        struct ce_secret_ref s, m;
        ce_mdec_secret(c, from, "secretKeyRef", &s);
        ce_mdec_config_map(c, from, "configMapKeyRef", &m);
        if (!s.set && !m.set) {
            ce_mdec_err(c, from, "secretKeyRef or configMapKeyRef is required");
        }
        ce_mdec_secret_free(&s);
        ce_mdec_secret_free(&m);
    }
    ce_mdec_pop(c, old);
}

void ce_trigger_secure_headers_decode(struct ce_mdec *c, const struct ce_node *block)
{
    const struct ce_node *list = ce_node_get(block, "secureHeaders");
    if (list == NULL || ce_node_is_null(list)) {
        return;
    }
    size_t old = ce_mdec_push(c, "secureHeaders");
    if (list->type != CE_NODE_SEQ) {
        ce_mdec_err(c, list, "must be a list");
    }
    for (int i = 0; list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        size_t old_i = ce_mdec_push_index(c, i);
        secure_header_decode(c, list->items[i]);
        ce_mdec_pop(c, old_i);
    }
    ce_mdec_pop(c, old);
}
