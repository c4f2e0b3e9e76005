/* SPDX-License-Identifier: Apache-2.0 */
/* AWS credentials as the SDKs find them: given, the environment, the shared credentials file.
 * See aws.h. */
#include "core/http/aws.h"
#include "core/base/file.h"
#include "core/base/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ce_aws_creds_fini(struct ce_aws_creds *c)
{
    if (c == NULL) {
        return;
    }
    CE_FREE(c->access_key);
    CE_FREE(c->secret_key);
    CE_FREE(c->session_token);
}

static bool aws_nonempty(const char *s)
{
    return s != NULL && *s != '\0';
}

/* A value that can go into a header and a user name: bounded, no control characters. */
static int aws_cred_check(const char *what, const char *v, char *err, size_t errlen)
{
    if (strlen(v) > CE_AWS_MAX_CRED_BYTES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: longer than %d bytes", what,
                          CE_AWS_MAX_CRED_BYTES);
    }
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "%s: holds a control character", what);
        }
    }
    return CE_OK;
}

static int aws_creds_set(struct ce_aws_creds *out, const char *ak, const char *sk,
                         const char *token, const char *origin, char *err, size_t errlen)
{
    int rc = aws_cred_check("access key", ak, err, errlen);
    if (rc == CE_OK) {
        rc = aws_cred_check("secret key", sk, err, errlen);
    }
    if (rc == CE_OK && aws_nonempty(token)) {
        rc = aws_cred_check("session token", token, err, errlen);
    }
    if (rc != CE_OK) {
        return rc;
    }
    out->access_key = ce_xstrdup(ak);
    out->secret_key = ce_xstrdup(sk);
    out->session_token = aws_nonempty(token) ? ce_xstrdup(token) : NULL;
    out->origin = origin;
    return CE_OK;
}

static const char *aws_env2(const char *a, const char *b)
{
    const char *v = getenv(a);
    return aws_nonempty(v) ? v : getenv(b);
}

/* Trims blanks (and a CR) at both ends, in place. */
static char *aws_trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t')) {
        s++;
    }
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
        end--;
    }
    *end = '\0';
    return s;
}

struct aws_ini_found {
    char *ak, *sk, *token;
};

/* One "key = value" line of the wanted profile. */
static void aws_ini_pair(char *line, struct aws_ini_found *f)
{
    char *eq = strchr(line, '=');
    if (eq == NULL) {
        return;
    }
    char *key = aws_trim(line, eq);
    char *val = aws_trim(eq + 1, eq + 1 + strlen(eq + 1));
    char **slot = strcmp(key, "aws_access_key_id") == 0       ? &f->ak
                  : strcmp(key, "aws_secret_access_key") == 0 ? &f->sk
                  : strcmp(key, "aws_session_token") == 0     ? &f->token
                                                              : NULL;
    if (slot != NULL) {
        ce_free(*slot);
        *slot = ce_xstrdup(val);
    }
}

int ce_aws_creds_parse_file(const char *text, const char *profile, struct ce_aws_creds *out,
                            char *err, size_t errlen)
{
    char *copy = ce_xstrdup(text);
    struct aws_ini_found f = {0};
    bool in_profile = false, seen = false;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line = aws_trim(line, line + strlen(line));
        if (*line == '#' || *line == ';' || *line == '\0') {
            continue;
        }
        if (*line == '[') {
            char *close = strchr(line, ']');
            char *name = close ? aws_trim(line + 1, close) : "";
            in_profile = strcmp(name, profile) == 0;
            seen = seen || in_profile;
            continue;
        }
        if (in_profile) {
            aws_ini_pair(line, &f);
        }
    }
    int rc;
    if (!seen) {
        rc = ce_rc_fail(CE_ENOENT, err, errlen, "no profile [%.64s]", profile);
    }
    else if (!aws_nonempty(f.ak) || !aws_nonempty(f.sk)) {
        rc = ce_rc_fail(CE_ENOENT, err, errlen,
                        "profile [%.64s] has no aws_access_key_id and aws_secret_access_key",
                        profile);
    }
    else {
        rc = aws_creds_set(out, f.ak, f.sk, f.token, "shared credentials file", err, errlen);
    }
    ce_free(f.ak);
    ce_free(f.sk);
    ce_free(f.token);
    ce_free(copy);
    return rc;
}

/* The shared credentials file's path (heap), NULL when neither the variable nor HOME is set. */
static char *aws_creds_path(void)
{
    const char *p = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (aws_nonempty(p)) {
        return ce_xstrdup(p);
    }
    const char *home = getenv("HOME");
    return aws_nonempty(home) ? ce_xasprintf("%s/.aws/credentials", home) : NULL;
}

static int aws_creds_from_file(struct ce_aws_creds *out, char *err, size_t errlen)
{
    char *path = aws_creds_path();
    if (path == NULL) {
        return ce_rc_fail(CE_ENOENT, err, errlen, "no shared credentials file (HOME is not set)");
    }
    const char *profile = getenv("AWS_PROFILE");
    if (!aws_nonempty(profile)) {
        profile = "default";
    }
    char *text = NULL;
    size_t len = 0;
    int sys = 0;
    int rc = ce_file_read(path, CE_AWS_MAX_CRED_FILE, &text, &len, &sys);
    if (rc != CE_OK) {
        rc = ce_rc_fail(rc, err, errlen, "%.200s: %s", path,
                        rc == CE_ENOENT ? "not found"
                        : sys           ? strerror(sys)
                                        : ce_rc_str(rc));
    }
    else {
        char why[160];
        rc = ce_aws_creds_parse_file(text, profile, out, why, sizeof why);
        if (rc != CE_OK) {
            rc = ce_rc_fail(rc, err, errlen, "%.200s: %s", path, why);
        }
    }
    ce_free(text);
    ce_free(path);
    return rc;
}

int ce_aws_creds_resolve(const char *access_key, const char *secret_key, const char *session_token,
                         struct ce_aws_creds *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (aws_nonempty(access_key) && aws_nonempty(secret_key)) {
        return aws_creds_set(out, access_key, secret_key, session_token, "given", err, errlen);
    }
    const char *ak = aws_env2("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY");
    const char *sk = aws_env2("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY");
    if (aws_nonempty(ak) && aws_nonempty(sk)) {
        return aws_creds_set(out, ak, sk, getenv("AWS_SESSION_TOKEN"), "environment", err, errlen);
    }
    char why[300];
    int rc = aws_creds_from_file(out, why, sizeof why);
    if (rc == CE_ENOENT) {
        return ce_rc_fail(CE_ENOENT, err, errlen,
                          "no AWS credentials: none given, AWS_ACCESS_KEY_ID/"
                          "AWS_SECRET_ACCESS_KEY not set, and the shared credentials file has "
                          "none (%s)",
                          why);
    }
    return rc == CE_OK ? CE_OK : ce_rc_fail(rc, err, errlen, "%s", why);
}
