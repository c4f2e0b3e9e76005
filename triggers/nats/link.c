/* SPDX-License-Identifier: Apache-2.0 */
/* See link.h. The connection is what Argo's NATS trigger keeps per trigger, with two
 * differences that keep a firing from being lost: it reconnects without a limit (the library's
 * default gives up after a minute), and a publish counts only once the server has answered the
 * flush that follows it. */
#include "triggers/nats/link.h"
#include "core/base/mem.h"
#include "core/service/secrets.h"
#include "eventbus/bus.h"
#include "triggers/nats/config.h"
#include "triggers/nats/nkey.h"

#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct ce_nats_link {
    pthread_mutex_t mu;
    char *settings; /* what the connection was made with (nats_settings) */
    natsConnection *nc;
};

struct ce_nats_link *ce_nats_link_create(void)
{
    struct ce_nats_link *l = ce_xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

static void nats_link_close(struct ce_nats_link *l)
{
    if (l->nc != NULL) {
        natsConnection_Close(l->nc);
        natsConnection_Destroy(l->nc);
        l->nc = NULL;
    }
    ce_free(l->settings);
    l->settings = NULL;
}

void ce_nats_link_destroy(struct ce_nats_link *l)
{
    if (l == NULL) {
        return;
    }
    nats_link_close(l);
    pthread_mutex_destroy(&l->mu);
    ce_free(l);
}

static const char *nats_ref_text(const struct ce_secret_ref *r)
{
    return r->set ? r->name : "";
}

/* Every setting the connection depends on, as one string to compare. */
static char *nats_settings(const struct ce_nats_trigger_config *cfg, const char *secrets_dir)
{
    return ce_xasprintf("%s\n%s\n%d%d\n%s/%s\n%s/%s\n%s/%s\n%d\n%s/%s\n%s/%s", cfg->url,
                        secrets_dir ? secrets_dir : "", cfg->tls, cfg->tls_insecure,
                        nats_ref_text(&cfg->ca), cfg->ca.key ? cfg->ca.key : "",
                        nats_ref_text(&cfg->cert), cfg->cert.key ? cfg->cert.key : "",
                        nats_ref_text(&cfg->key), cfg->key.key ? cfg->key.key : "", (int)cfg->auth,
                        nats_ref_text(&cfg->user), cfg->user.key ? cfg->user.key : "",
                        nats_ref_text(&cfg->secret), cfg->secret.key ? cfg->secret.key : "");
}

/* Reads a secret the block names; what names the field in err. */
static int nats_read(const char *dir, const struct ce_secret_ref *r, const char *what, char **out,
                     size_t *len, char *err, size_t errlen)
{
    int rc = ce_secret_read(dir, r->name, r->key, out, len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "%s: cannot read secret \"%s\" key \"%s\" from %s: %s",
                          what, r->name, r->key, dir, ce_rc_str(rc));
    }
    return CE_OK;
}

static int nats_status_rc(natsStatus s, const char *what, char *err, size_t errlen)
{
    if (s == NATS_OK) {
        return CE_OK;
    }
    const char *last = nats_GetLastError(NULL);
    return ce_rc_fail(CE_EINVAL, err, errlen, "%s: %s", what,
                      last != NULL && *last ? last : natsStatus_GetText(s));
}

static int nats_set_tls(natsOptions *o, const struct ce_nats_trigger_config *cfg, const char *dir,
                        char *err, size_t errlen)
{
    ce_bus_nats_tls_used(); /* the library may not be closed at exit after TLS */
    int rc = nats_status_rc(natsOptions_SetSecure(o, true), "tls", err, errlen);
    if (rc != CE_OK || cfg->tls_insecure) { /* as in Argo: no CA and no client certificate */
        return rc != CE_OK ? rc
                           : nats_status_rc(natsOptions_SkipServerVerification(o, true), "tls", err,
                                            errlen);
    }
    char *ca = NULL, *cert = NULL, *key = NULL;
    size_t n = 0;
    if (cfg->ca.set &&
        (rc = nats_read(dir, &cfg->ca, "tls.caCertSecret", &ca, &n, err, errlen)) == CE_OK) {
        rc = nats_status_rc(natsOptions_SetCATrustedCertificates(o, ca), "tls.caCertSecret", err,
                            errlen);
    }
    if (rc == CE_OK && cfg->cert.set && cfg->key.set &&
        (rc = nats_read(dir, &cfg->cert, "tls.clientCertSecret", &cert, &n, err, errlen)) ==
            CE_OK &&
        (rc = nats_read(dir, &cfg->key, "tls.clientKeySecret", &key, &n, err, errlen)) == CE_OK) {
        rc = nats_status_rc(natsOptions_SetCertificatesChain(o, cert, key), "tls.clientCertSecret",
                            err, errlen);
    }
    if (key != NULL) {
        memset(key, 0, strlen(key));
    }
    ce_free(ca);
    ce_free(cert);
    ce_free(key);
    return rc;
}

static int nats_set_basic(natsOptions *o, const struct ce_nats_trigger_config *cfg, const char *dir,
                          char *err, size_t errlen)
{
    char *user = NULL, *pass = NULL;
    size_t n = 0;
    int rc = nats_read(dir, &cfg->user, "auth.basic.username", &user, &n, err, errlen);
    if (rc == CE_OK) {
        rc = nats_read(dir, &cfg->secret, "auth.basic.password", &pass, &n, err, errlen);
    }
    if (rc == CE_OK) {
        rc = nats_status_rc(natsOptions_SetUserInfo(o, user, pass), "auth.basic", err, errlen);
    }
    if (pass != NULL) {
        memset(pass, 0, strlen(pass));
    }
    ce_free(user);
    ce_free(pass);
    return rc;
}

/* nkey and credential: the library reads the file itself (at each connection); it is read here
 * first to report a missing file now, and for the NKey's public key. */
static int nats_set_file_auth(natsOptions *o, const struct ce_nats_trigger_config *cfg,
                              const char *dir, char *err, size_t errlen)
{
    bool nkey = cfg->auth == CE_NATS_AUTH_NKEY;
    const char *what = nkey ? "auth.nkey" : "auth.credential";
    char *text = NULL;
    size_t len = 0;
    int rc = nats_read(dir, &cfg->secret, what, &text, &len, err, errlen);
    char *path = ce_xasprintf("%s/%s/%s", dir, cfg->secret.name, cfg->secret.key);
    char pub[CE_NKEY_PUBLIC_LEN + 1];
    if (rc == CE_OK && nkey) {
        char why[128];
        rc = ce_nkey_user_public(text, len, pub, why, sizeof why);
        if (rc != CE_OK) {
            rc = ce_rc_fail(rc, err, errlen, "%s: %s", what, why);
        }
        else {
            rc = nats_status_rc(natsOptions_SetNKeyFromSeed(o, pub, path), what, err, errlen);
        }
    }
    else if (rc == CE_OK) {
        rc = nats_status_rc(natsOptions_SetUserCredentialsFromFiles(o, path, NULL), what, err,
                            errlen);
    }
    if (text != NULL) {
        memset(text, 0, len);
    }
    ce_free(text);
    ce_free(path);
    return rc;
}

static int nats_set_auth(natsOptions *o, const struct ce_nats_trigger_config *cfg, const char *dir,
                         char *err, size_t errlen)
{
    switch (cfg->auth) {
    case CE_NATS_AUTH_BASIC:
        return nats_set_basic(o, cfg, dir, err, errlen);
    case CE_NATS_AUTH_TOKEN: {
        char *token = NULL;
        size_t n = 0;
        int rc = nats_read(dir, &cfg->secret, "auth.token", &token, &n, err, errlen);
        if (rc == CE_OK) {
            rc = nats_status_rc(natsOptions_SetToken(o, token), "auth.token", err, errlen);
            memset(token, 0, n);
        }
        ce_free(token);
        return rc;
    }
    case CE_NATS_AUTH_NKEY:
    case CE_NATS_AUTH_CREDENTIAL:
        return nats_set_file_auth(o, cfg, dir, err, errlen);
    default:
        return CE_OK;
    }
}

static int nats_options(const struct ce_nats_trigger_config *cfg, const char *dir,
                        natsOptions **out, char *err, size_t errlen)
{
    natsOptions *o = NULL;
    int rc = nats_status_rc(natsOptions_Create(&o), "options", err, errlen);
    if (rc == CE_OK) {
        rc = nats_status_rc(natsOptions_SetURL(o, cfg->url), "url", err, errlen);
    }
    if (rc == CE_OK) {
        rc = nats_status_rc(natsOptions_SetMaxReconnect(o, -1), "options", err, errlen);
    }
    if (rc == CE_OK) {
        rc = nats_status_rc(natsOptions_SetReconnectWait(o, CE_NATS_RECONNECT_WAIT_MS), "options",
                            err, errlen);
    }
    if (rc == CE_OK && cfg->tls) {
        rc = nats_set_tls(o, cfg, dir, err, errlen);
    }
    if (rc == CE_OK) {
        rc = nats_set_auth(o, cfg, dir, err, errlen);
    }
    if (rc != CE_OK) {
        natsOptions_Destroy(o);
        o = NULL;
    }
    *out = o;
    return rc;
}

/* The connection for cfg: the one kept, or a new one. */
static int nats_link_connect(struct ce_nats_link *l, const struct ce_nats_trigger_config *cfg,
                             const char *secrets_dir, char *err, size_t errlen)
{
    const char *dir = secrets_dir != NULL ? secrets_dir : CE_SECRETS_DIR_DEFAULT;
    char *settings = nats_settings(cfg, dir);
    if (l->nc != NULL && (strcmp(settings, l->settings) != 0 || natsConnection_IsClosed(l->nc))) {
        nats_link_close(l);
    }
    if (l->nc != NULL) {
        ce_free(settings);
        return CE_OK;
    }
    natsOptions *o = NULL;
    int rc = nats_options(cfg, dir, &o, err, errlen);
    if (rc == CE_OK) {
        natsStatus s = natsConnection_Connect(&l->nc, o);
        if (s != NATS_OK) {
            const char *last = nats_GetLastError(NULL);
            rc = ce_rc_fail(CE_RETRY, err, errlen, "cannot connect to %s: %s", cfg->url,
                            last != NULL && *last ? last : natsStatus_GetText(s));
            l->nc = NULL;
        }
    }
    natsOptions_Destroy(o);
    if (rc == CE_OK) {
        l->settings = settings;
        settings = NULL;
    }
    ce_free(settings);
    return rc;
}

static int nats_publish_flushed(natsConnection *nc, const char *subject, const char *data,
                                size_t len, char *err, size_t errlen)
{
    if (natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED) {
        return ce_rc_fail(CE_RETRY, err, errlen, "not connected to the NATS server (reconnecting)");
    }
    if (len > (size_t)natsConnection_GetMaxPayload(nc)) {
        return ce_rc_fail(CE_EMSGSIZE, err, errlen,
                          "the message (%zu bytes) is larger than the server takes (%lld)", len,
                          (long long)natsConnection_GetMaxPayload(nc));
    }
    natsStatus s = natsConnection_Publish(nc, subject, data, (int)len);
    if (s == NATS_OK) {
        s = natsConnection_FlushTimeout(nc, CE_NATS_FLUSH_TIMEOUT_MS);
    }
    if (s == NATS_OK) {
        return CE_OK;
    }
    int rc = s == NATS_INVALID_SUBJECT ? CE_EINVAL : CE_RETRY;
    return ce_rc_fail(rc, err, errlen, "publish to \"%s\": %s", subject, natsStatus_GetText(s));
}

int ce_nats_link_publish(struct ce_nats_link *l, const struct ce_nats_trigger_config *cfg,
                         const char *secrets_dir, const char *subject, const char *data, size_t len,
                         char *err, size_t errlen)
{
    pthread_mutex_lock(&l->mu);
    int rc = nats_link_connect(l, cfg, secrets_dir, err, errlen);
    if (rc == CE_OK) {
        rc = nats_publish_flushed(l->nc, subject, data, len, err, errlen);
    }
    pthread_mutex_unlock(&l->mu);
    return rc;
}
