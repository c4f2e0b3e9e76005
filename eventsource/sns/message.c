/* SPDX-License-Identifier: Apache-2.0 */
/* SNS messages: parse, the signed text, the certificate URL rule, the signature check. */
#include "eventsource/sns/message.h"
#include "core/base/base64.h"
#include "core/base/buf.h"
#include "core/base/mem.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SNS_MAX_SIGNATURE_B64 4096 /* an RSA-16384 signature in base64 is under 3 KiB */

struct sns_field {
    const char *name;
    size_t offset;
};

#define SNS_FIELD(name, member)                                                                    \
    {                                                                                              \
        name, offsetof(struct ce_sns_message, member)                                              \
    }
static const struct sns_field sns_fields[] = {
    SNS_FIELD("Type", type),
    SNS_FIELD("MessageId", message_id),
    SNS_FIELD("Token", token),
    SNS_FIELD("TopicArn", topic_arn),
    SNS_FIELD("Subject", subject),
    SNS_FIELD("Message", message),
    SNS_FIELD("SubscribeURL", subscribe_url),
    SNS_FIELD("Timestamp", timestamp),
    SNS_FIELD("SignatureVersion", signature_version),
    SNS_FIELD("Signature", signature),
    SNS_FIELD("SigningCertURL", signing_cert_url),
    SNS_FIELD("UnsubscribeURL", unsubscribe_url),
};
#define SNS_N_FIELDS (sizeof(sns_fields) / sizeof(sns_fields[0]))

static char **sns_slot(struct ce_sns_message *m, size_t i)
{
    return (char **)(void *)((char *)m + sns_fields[i].offset);
}

void ce_sns_message_fini(struct ce_sns_message *m)
{
    for (size_t i = 0; i < SNS_N_FIELDS; i++) {
        ce_free(*sns_slot(m, i));
        *sns_slot(m, i) = NULL;
    }
}

int ce_sns_message_parse(const char *body, size_t len, struct ce_sns_message *m, char *err,
                         size_t errlen)
{
    memset(m, 0, sizeof(*m));
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        snprintf(err, errlen, "not a valid SNS message: %s",
                 root == NULL ? jerr.text : "not a JSON object");
        json_decref(root);
        return CE_EPARSE;
    }
    for (size_t i = 0; i < SNS_N_FIELDS; i++) {
        json_t *v = json_object_get(root, sns_fields[i].name);
        if (v != NULL && !json_is_string(v) && !json_is_null(v)) {
            snprintf(err, errlen, "not a valid SNS message: %s is not a string",
                     sns_fields[i].name);
            json_decref(root);
            ce_sns_message_fini(m);
            return CE_EPARSE;
        }
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        size_t n = json_is_string(v) ? json_string_length(v) : 0;
        *sns_slot(m, i) = ce_xstrndup(s, n);
    }
    json_decref(root);
    return CE_OK;
}

/* The keys SNS signs for each type, in the order it signs them. */
static const char *const sns_notification_keys[] = {"Message",  "MessageId", "Subject", "Timestamp",
                                                    "TopicArn", "Type",      NULL};
static const char *const sns_confirmation_keys[] = {
    "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type", NULL};

static const char *sns_value(const struct ce_sns_message *m, const char *name)
{
    for (size_t i = 0; i < SNS_N_FIELDS; i++) {
        if (strcmp(sns_fields[i].name, name) == 0) {
            return *sns_slot((struct ce_sns_message *)m, i);
        }
    }
    return "";
}

char *ce_sns_string_to_sign(const struct ce_sns_message *m, size_t *len)
{
    const char *const *keys = NULL;
    if (strcmp(m->type, "Notification") == 0) {
        keys = sns_notification_keys;
    }
    else if (strcmp(m->type, "SubscriptionConfirmation") == 0 ||
             strcmp(m->type, "UnsubscribeConfirmation") == 0) {
        keys = sns_confirmation_keys;
    }
    if (keys == NULL) {
        return NULL;
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = CE_OK;
    for (int i = 0; keys[i] != NULL && rc == CE_OK; i++) {
        const char *v = sns_value(m, keys[i]);
        if (v[0] != '\0') { /* an empty value is not signed, its key neither */
            rc = ce_buf_printf(&b, "%s\n%s\n", keys[i], v);
        }
    }
    if (rc != CE_OK) {
        ce_buf_fini(&b);
        return NULL;
    }
    char *out = ce_buf_steal(&b, len);
    return out != NULL ? out : ce_xstrdup("");
}

/* Splits "scheme://authority/..." into the scheme's length and the authority (without user
 * info, which a URL may carry before '@': the host is what follows it). */
static bool sns_url_parts(const char *url, size_t *scheme_len, const char **host, size_t *host_len)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL || sep == url) {
        return false;
    }
    *scheme_len = (size_t)(sep - url);
    const char *a = sep + 3;
    size_t n = strcspn(a, "/?#");
    const char *at = memchr(a, '@', n);
    while (at != NULL) {
        n -= (size_t)(at + 1 - a);
        a = at + 1;
        at = memchr(a, '@', n);
    }
    *host = a;
    *host_len = n;
    return n > 0;
}

/* sns.<region>.amazonaws.com or .com.cn, the region being 3 or more of [A-Za-z0-9-]. */
static bool sns_aws_host(const char *h, size_t n)
{
    static const char com[] = ".amazonaws.com", cn[] = ".amazonaws.com.cn";
    size_t tail = 0;
    if (n > sizeof(cn) - 1 && strncmp(h + n - (sizeof(cn) - 1), cn, sizeof(cn) - 1) == 0) {
        tail = sizeof(cn) - 1;
    }
    else if (n > sizeof(com) - 1 && strncmp(h + n - (sizeof(com) - 1), com, sizeof(com) - 1) == 0) {
        tail = sizeof(com) - 1;
    }
    if (tail == 0 || n < 4 + tail || strncmp(h, "sns.", 4) != 0) {
        return false;
    }
    size_t region = n - tail - 4;
    for (size_t i = 4; i < 4 + region; i++) {
        char c = h[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) {
            return false;
        }
    }
    return region >= 3;
}

int ce_sns_cert_url_check(const char *url, const char *endpoint, char *err, size_t errlen)
{
    size_t sl, hl, esl, ehl;
    const char *h, *eh;
    if (!sns_url_parts(url, &sl, &h, &hl)) {
        snprintf(err, errlen, "SigningCertURL is not a valid URL");
        return CE_EINVAL;
    }
    if (endpoint != NULL && sns_url_parts(endpoint, &esl, &eh, &ehl) && sl == esl && hl == ehl &&
        strncasecmp(url, endpoint, sl) == 0 && strncasecmp(h, eh, hl) == 0) {
        return CE_OK; /* served by the SNS the manifest's endpoint names */
    }
    size_t port = hl;
    const char *colon = memchr(h, ':', hl);
    if (colon != NULL) {
        port = (size_t)(colon - h);
    }
    if (!sns_aws_host(h, port)) {
        snprintf(err, errlen,
                 "SigningCertURL host %.*s is not sns.<region>.amazonaws.com(.cn) nor the "
                 "endpoint's",
                 (int)(hl > 200 ? 200 : hl), h);
        return CE_EINVAL;
    }
    if (sl != 5 || strncasecmp(url, "https", 5) != 0) {
        snprintf(err, errlen, "SigningCertURL is not using https");
        return CE_EINVAL;
    }
    return CE_OK;
}

static EVP_PKEY *sns_cert_key(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = cert != NULL ? X509_get_pubkey(cert) : NULL;
    X509_free(cert);
    BIO_free(bio);
    return key;
}

static int sns_check_rsa(EVP_PKEY *key, const EVP_MD *md, const unsigned char *sig, size_t sig_len,
                         const char *text, size_t text_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)text, text_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? CE_OK : CE_EINVAL;
}

static const EVP_MD *sns_digest(const char *version)
{
    if (strcmp(version, "1") == 0) {
        return EVP_sha1();
    }
    return strcmp(version, "2") == 0 ? EVP_sha256() : NULL;
}

int ce_sns_verify(const struct ce_sns_message *m, const char *cert_pem, size_t pem_len, char *err,
                  size_t errlen)
{
    size_t sig_b64 = strlen(m->signature);
    const EVP_MD *md = sns_digest(m->signature_version);
    if (sig_b64 == 0) {
        snprintf(err, errlen, "the message is not signed");
        return CE_EINVAL;
    }
    if (md == NULL) {
        snprintf(err, errlen, "unknown SignatureVersion \"%.16s\"", m->signature_version);
        return CE_EINVAL;
    }
    if (sig_b64 > SNS_MAX_SIGNATURE_B64 || pem_len > CE_SNS_CERT_MAX_BYTES) {
        snprintf(err, errlen, "the signature or the certificate is too long");
        return CE_EINVAL;
    }
    unsigned char *sig = ce_xmalloc(ce_base64_decoded_max(sig_b64) + 1);
    size_t sig_len = 0;
    size_t text_len = 0;
    char *text = NULL;
    EVP_PKEY *key = NULL;
    int rc = CE_EINVAL;
    if (ce_base64_decode(m->signature, sig_b64, sig, &sig_len) != -1) {
        snprintf(err, errlen, "the signature is not base64");
    }
    else if ((text = ce_sns_string_to_sign(m, &text_len)) == NULL) {
        snprintf(err, errlen, "messages of type \"%.64s\" are not signed", m->type);
    }
    else if ((key = sns_cert_key(cert_pem, pem_len)) == NULL) {
        snprintf(err, errlen, "the signing certificate is not a PEM certificate");
    }
    else if ((rc = sns_check_rsa(key, md, sig, sig_len, text, text_len)) != CE_OK) {
        snprintf(err, errlen, "the message's signature does not match its signing certificate");
    }
    EVP_PKEY_free(key);
    ce_free(text);
    ce_free(sig);
    return rc;
}
