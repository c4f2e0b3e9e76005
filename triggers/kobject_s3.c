/* SPDX-License-Identifier: Apache-2.0 */
/* A `source.s3` object: one SigV4-signed GET of bucket.name/bucket.key at the endpoint, with the
 * keys read from their secrets at each firing (a rotated key is used by the next one), the body
 * capped at CE_AWS_RESPONSE_CAP. */
#include "core/base/mem.h"
#include "core/http/aws.h"
#include "core/service/secrets.h"
#include "manifest/node.h"
#include "triggers/kobject.h"

#include <stdio.h>
#include <string.h>

/* events, filter and metadata belong to the minio EventSource's use of the same type. */
static const char *const kobj_s3_keys[] = {"bucket",    "endpoint",      "region", "insecure",
                                           "accessKey", "secretKey",     "events", "filter",
                                           "metadata",  "caCertificate", NULL};
static const char *const kobj_s3_bucket_keys[] = {"name", "key", NULL};

static void kobj_s3_bucket(struct ce_mdec *c, const struct ce_node *s3, struct ce_kobj_s3 *out)
{
    const struct ce_node *b = ce_node_get(s3, "bucket");
    if (b == NULL || ce_node_is_null(b)) {
        ce_mdec_err_missing(c, s3, s3, "bucket", "required field is missing");
        return;
    }
    size_t old = ce_mdec_push(c, "bucket");
    if (ce_mdec_map(c, b)) {
        out->bucket = ce_mdec_str(c, b, "name", true);
        out->key = ce_mdec_str(c, b, "key", true);
        ce_mdec_known(c, b, kobj_s3_bucket_keys);
    }
    ce_mdec_pop(c, old);
}

void ce_kobj_s3_decode(struct ce_mdec *c, const struct ce_node *s3, struct ce_kobj_source *out)
{
    struct ce_kobj_s3 *k = ce_xcalloc(1, sizeof(*k));
    out->s3 = k;
    size_t old = ce_mdec_push(c, "s3");
    if (ce_mdec_map(c, s3)) {
        kobj_s3_bucket(c, s3, k);
        k->endpoint = ce_mdec_str(c, s3, "endpoint", true);
        if (k->endpoint != NULL && (k->endpoint[0] == '\0' || strstr(k->endpoint, "://") != NULL ||
                                    strpbrk(k->endpoint, "/?# ") != NULL)) {
            ce_mdec_err_key(c, ce_node_get(s3, "endpoint"), "endpoint",
                            "must be host or host:port, without a scheme or a path (insecure: "
                            "true for http)");
        }
        k->region = ce_mdec_str(c, s3, "region", false);
        k->insecure = ce_mdec_bool(c, s3, "insecure");
        ce_mdec_secret(c, s3, "accessKey", &k->access_key);
        ce_mdec_secret(c, s3, "secretKey", &k->secret_key);
        ce_mdec_secret(c, s3, "caCertificate", &k->ca_certificate);
        if (!k->access_key.set) {
            ce_mdec_err_missing(c, s3, s3, "accessKey", "required field is missing");
        }
        if (!k->secret_key.set) {
            ce_mdec_err_missing(c, s3, s3, "secretKey", "required field is missing");
        }
        ce_mdec_known(c, s3, kobj_s3_keys);
    }
    ce_mdec_pop(c, old);
}

void ce_kobj_s3_free(struct ce_kobj_s3 *s3)
{
    if (s3 == NULL) {
        return;
    }
    ce_free(s3->bucket);
    ce_free(s3->key);
    ce_free(s3->endpoint);
    ce_free(s3->region);
    ce_mdec_secret_free(&s3->access_key);
    ce_mdec_secret_free(&s3->secret_key);
    ce_mdec_secret_free(&s3->ca_certificate);
    ce_free(s3);
}

/* s without leading and trailing white space (heap). */
static char *kobj_s3_trim(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) {
        n--;
    }
    return ce_xstrndup(s, n);
}

static int kobj_s3_secret(const struct ce_kobj_s3 *s3, const struct ce_secret_ref *ref,
                          const char *field, const char *dir, char **out, size_t *len, char *err,
                          size_t errlen)
{
    int rc = ce_secret_read(dir, ref->name, ref->key, out, len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "source.s3 %s/%s: cannot read %s (%s/%s/%s): %s",
                          s3->bucket, s3->key, field, dir, ref->name, ref->key,
                          rc == CE_ENOENT ? "not found" : ce_rc_str(rc));
    }
    return CE_OK;
}

/* The keys (surrounding white space trimmed, as Argo does) and the optional CA. */
static int kobj_s3_creds(const struct ce_kobj_s3 *s3, const char *dir, struct ce_aws_creds *creds,
                         char **ca, size_t *ca_len, char *err, size_t errlen)
{
    char *ak = NULL, *sk = NULL;
    size_t n;
    int rc = kobj_s3_secret(s3, &s3->access_key, "accessKey", dir, &ak, &n, err, errlen);
    if (rc == CE_OK) {
        rc = kobj_s3_secret(s3, &s3->secret_key, "secretKey", dir, &sk, &n, err, errlen);
    }
    if (rc == CE_OK && s3->ca_certificate.set) {
        rc = kobj_s3_secret(s3, &s3->ca_certificate, "caCertificate", dir, ca, ca_len, err, errlen);
    }
    if (rc == CE_OK) {
        char *a = kobj_s3_trim(ak), *s = kobj_s3_trim(sk);
        char why[200];
        rc = ce_aws_creds_resolve(a, s, NULL, creds, why, sizeof why);
        if (rc != CE_OK) {
            ce_rc_fail(rc, err, errlen, "source.s3 %s/%s: unusable keys: %s", s3->bucket, s3->key,
                       why);
        }
        ce_free(a);
        ce_free(s);
    }
    ce_free(ak);
    ce_free(sk);
    return rc;
}

static char *kobj_s3_url(const struct ce_kobj_s3 *s3)
{
    char *bucket = ce_aws_uri_encode(s3->bucket, false);
    char *key = ce_aws_uri_encode(s3->key, true);
    char *url =
        ce_xasprintf("%s://%s/%s/%s", s3->insecure ? "http" : "https", s3->endpoint, bucket, key);
    ce_free(bucket);
    ce_free(key);
    return url;
}

int ce_kobj_s3_read(const struct ce_kobj_s3 *s3, const char *secrets_dir, char **out, size_t *len,
                    char *err, size_t errlen)
{
    struct ce_aws_creds creds;
    char *ca = NULL;
    size_t ca_len = 0;
    int rc = kobj_s3_creds(s3, secrets_dir, &creds, &ca, &ca_len, err, errlen);
    if (rc != CE_OK) {
        ce_free(ca);
        return rc;
    }
    char *url = kobj_s3_url(s3);
    struct ce_aws_request rq = {.method = "GET",
                                .url = url,
                                .region = s3->region && s3->region[0] ? s3->region : "us-east-1",
                                .service = "s3",
                                .creds = &creds,
                                .ca_pem = ca,
                                .ca_len = ca_len};
    struct ce_aws_response rs = {0};
    rc = ce_aws_send(&rq, &rs);
    if (rc == CE_OK && (rs.status < 200 || rs.status > 299)) {
        char why[200];
        ce_aws_error_text(rs.body, rs.len, why, sizeof why);
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "source.s3 %s/%s: HTTP %ld%s%s", s3->bucket,
                        s3->key, rs.status, why[0] ? ": " : "", why);
    }
    else if (rc == CE_OK) {
        *out = rs.body ? rs.body : ce_xstrdup("");
        *len = rs.body ? rs.len : 0;
        rs.body = NULL;
    }
    else {
        ce_rc_fail(rc, err, errlen, "source.s3 %s/%s: %s", s3->bucket, s3->key,
                   rc == CE_ETOOBIG ? "larger than 1 MiB" : rs.err);
    }
    ce_aws_response_fini(&rs);
    ce_aws_creds_fini(&creds);
    ce_free(url);
    ce_free(ca);
    return rc;
}
