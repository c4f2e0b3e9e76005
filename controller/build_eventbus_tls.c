/* SPDX-License-Identifier: Apache-2.0 */
/* The certificates of a `jetstream:` EventBus, as Argo's controller generates them: a CA of
 * its own and a certificate it signs, for the clients' connections (the Service's names) and
 * for the routes between the servers (every pod's name, both ends). ECDSA P-256, 10 years. */
#include "controller/build_eventbus_int.h"

#include "core/base/mem.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#define TLS_DAYS (10 * 365)
#define TLS_ORG "cevents"

static bool tls_name(X509 *x, const char *cn)
{
    X509_NAME *n = X509_get_subject_name(x);
    return X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)TLS_ORG, -1, -1,
                                      0) == 1 &&
           X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                      0) == 1;
}

static bool tls_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key, named cn, valid from now for TLS_DAYS, with a random serial. */
static X509 *tls_cert_new(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    BIGNUM *bn = BN_new();
    bool ok = x != NULL && bn != NULL && X509_set_version(x, 2) == 1 &&
              BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
              X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
              X509_gmtime_adj(X509_getm_notAfter(x), (long)TLS_DAYS * 86400) != NULL &&
              X509_set_pubkey(x, key) == 1 && tls_name(x, cn);
    BN_free(bn);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static X509 *tls_ca(EVP_PKEY *key, const char *cn)
{
    X509 *x = tls_cert_new(key, cn);
    bool ok = x != NULL && X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 &&
              tls_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
              tls_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
              tls_ext(x, x, NID_subject_key_identifier, "hash") &&
              X509_sign(x, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* names: "DNS:a,DNS:b"; the first is the common name too. */
static X509 *tls_leaf(EVP_PKEY *key, const char *cn, const char *sans, bool client, X509 *ca,
                      EVP_PKEY *ca_key)
{
    X509 *x = tls_cert_new(key, cn);
    bool ok = x != NULL && X509_set_issuer_name(x, X509_get_subject_name(ca)) == 1 &&
              tls_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") &&
              tls_ext(x, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
              tls_ext(x, ca, NID_ext_key_usage, client ? "serverAuth,clientAuth" : "serverAuth") &&
              tls_ext(x, ca, NID_subject_alt_name, sans) &&
              tls_ext(x, ca, NID_authority_key_identifier, "keyid:always") &&
              X509_sign(x, ca_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* The PEM text of a certificate or of a key (exactly one given), heap, or NULL. */
static char *tls_pem(X509 *x, EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    bool ok = bio != NULL &&
              (x != NULL ? PEM_write_bio_X509(bio, x)
                         : PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) == 1;
    char *data = NULL;
    long len = ok ? BIO_get_mem_data(bio, &data) : 0;
    char *out = ok && len > 0 ? ce_xstrndup(data, (size_t)len) : NULL;
    BIO_free(bio);
    return out;
}

int ce_ctl_eb_tls_pair(const char *cn, const char *sans, bool client, struct ce_ctl_eb_pem *out)
{
    memset(out, 0, sizeof(*out));
    EVP_PKEY *ca_key = EVP_EC_gen("P-256");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    char *ca_cn = ce_xasprintf("%s-ca", cn);
    X509 *ca = ca_key != NULL ? tls_ca(ca_key, ca_cn) : NULL;
    X509 *leaf = ca != NULL && key != NULL ? tls_leaf(key, cn, sans, client, ca, ca_key) : NULL;
    if (leaf != NULL) {
        out->key = tls_pem(NULL, key);
        out->cert = tls_pem(leaf, NULL);
        out->ca = tls_pem(ca, NULL);
    }
    X509_free(leaf);
    X509_free(ca);
    ce_free(ca_cn);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    if (out->key == NULL || out->cert == NULL || out->ca == NULL) {
        ce_ctl_eb_pem_fini(out);
        return CE_EIO;
    }
    return CE_OK;
}

void ce_ctl_eb_pem_fini(struct ce_ctl_eb_pem *p)
{
    if (p->key != NULL) {
        memset(p->key, 0, strlen(p->key));
    }
    ce_free(p->key);
    ce_free(p->cert);
    ce_free(p->ca);
    memset(p, 0, sizeof(*p));
}
