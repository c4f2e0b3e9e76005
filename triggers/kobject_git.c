/* SPDX-License-Identifier: Apache-2.0 */
/* A `source.git` file, read with libgit2 as Argo reads it with go-git: the repository is cloned
 * into a fresh temporary directory (removed afterwards) or, with cloneDirectory, cloned once and
 * fetched at later firings; then filePath is read from the commit that ref, tag or branch (in that
 * order; none: "master") names, straight from the object database (no checkout). A symbolic link
 * is refused, as Argo does; the file is capped at CE_KOBJ_MAX_BYTES before it is copied. creds
 * answer an https basic challenge; sshKeySecret an ssh one (user "git"). */
#define _XOPEN_SOURCE 700
#include "core/base/mem.h"
#include "core/service/secrets.h"
#include "manifest/node.h"
#include "triggers/kobject.h"

#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KOBJ_GIT_DEFAULT_REMOTE "origin"
#define KOBJ_GIT_DEFAULT_BRANCH "master"

/* Firings sharing a cloneDirectory (this trigger's twice at once, or two triggers) take turns:
 * two clones into one directory, or two fetches into one repository, would fail each other. */
static pthread_mutex_t kobj_git_clone_dir_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const kobj_git_keys[] = {"url",       "cloneDirectory",
                                            "creds",     "sshKeySecret",
                                            "filePath",  "branch",
                                            "tag",       "ref",
                                            "remote",    "insecureIgnoreHostKey",
                                            "githubApp", NULL};
static const char *const kobj_git_creds_keys[] = {"username", "password", NULL};
static const char *const kobj_git_remote_keys[] = {"name", "urls", NULL};

/* ---- decoding ---- */

/* Argo refuses these in filePath and cloneDirectory (a path leaving the clone). */
static void kobj_git_check_path(struct ce_mdec *c, const struct ce_node *git, const char *key,
                                const char *value)
{
    static const char *const not_allowed[] = {"..", "~", "\\", NULL};
    for (int i = 0; value != NULL && not_allowed[i] != NULL; i++) {
        if (strstr(value, not_allowed[i]) != NULL) {
            ce_mdec_err_key(c, ce_node_get(git, key), key, "\"%s\" is not allowed in the %s",
                            not_allowed[i], key);
        }
    }
}

static void kobj_git_creds(struct ce_mdec *c, const struct ce_node *git, struct ce_kobj_git *g)
{
    const struct ce_node *n = ce_node_get(git, "creds");
    if (n == NULL || ce_node_is_null(n)) {
        return;
    }
    size_t old = ce_mdec_push(c, "creds");
    if (ce_mdec_map(c, n)) {
        ce_mdec_secret(c, n, "username", &g->username);
        ce_mdec_secret(c, n, "password", &g->password);
        if (!g->username.set || !g->password.set) {
            ce_mdec_err(c, n, "creds needs both username and password");
        }
        ce_mdec_known(c, n, kobj_git_creds_keys);
    }
    ce_mdec_pop(c, old);
}

static void kobj_git_remote(struct ce_mdec *c, const struct ce_node *git, struct ce_kobj_git *g)
{
    const struct ce_node *n = ce_node_get(git, "remote");
    if (n == NULL || ce_node_is_null(n)) {
        return;
    }
    size_t old = ce_mdec_push(c, "remote");
    if (ce_mdec_map(c, n)) {
        g->remote_name = ce_mdec_str(c, n, "name", true);
        const struct ce_node *urls = ce_node_get(n, "urls");
        if (urls == NULL || urls->type != CE_NODE_SEQ || urls->n_items < 1 ||
            !ce_node_is_string(urls->items[0])) {
            ce_mdec_err_missing(c, n, urls ? urls : n, "urls", "a list of at least one URL");
        }
        else {
            g->remote_url = ce_xstrdup(urls->items[0]->str);
        }
        ce_mdec_known(c, n, kobj_git_remote_keys);
    }
    ce_mdec_pop(c, old);
}

static void kobj_git_fields(struct ce_mdec *c, const struct ce_node *git, struct ce_kobj_git *g)
{
    g->url = ce_mdec_str(c, git, "url", true);
    g->clone_dir = ce_mdec_str(c, git, "cloneDirectory", false);
    g->file_path = ce_mdec_str(c, git, "filePath", true);
    g->branch = ce_mdec_str(c, git, "branch", false);
    g->tag = ce_mdec_str(c, git, "tag", false);
    g->ref = ce_mdec_str(c, git, "ref", false);
    g->insecure_ignore_host_key = ce_mdec_bool(c, git, "insecureIgnoreHostKey");
    ce_mdec_secret(c, git, "sshKeySecret", &g->ssh_key);
    kobj_git_check_path(c, git, "filePath", g->file_path);
    kobj_git_check_path(c, git, "cloneDirectory", g->clone_dir);
    if (g->clone_dir != NULL && g->clone_dir[0] == '\0') {
        ce_free(g->clone_dir);
        g->clone_dir = NULL;
    }
}

void ce_kobj_git_decode(struct ce_mdec *c, const struct ce_node *git, struct ce_kobj_source *out)
{
    struct ce_kobj_git *g = ce_xcalloc(1, sizeof(*g));
    out->git = g;
    size_t old = ce_mdec_push(c, "git");
    if (ce_mdec_map(c, git)) {
        kobj_git_fields(c, git, g);
        kobj_git_creds(c, git, g);
        kobj_git_remote(c, git, g);
        const struct ce_node *app = ce_node_get(git, "githubApp");
        if (app != NULL && !ce_node_is_null(app)) {
            ce_mdec_err_key(c, app, "githubApp",
                            "githubApp is not supported by cevents: use creds with a token");
        }
        ce_mdec_known(c, git, kobj_git_keys);
    }
    ce_mdec_pop(c, old);
}

void ce_kobj_git_free(struct ce_kobj_git *g)
{
    if (g == NULL) {
        return;
    }
    ce_free(g->url);
    ce_free(g->clone_dir);
    ce_free(g->file_path);
    ce_free(g->branch);
    ce_free(g->tag);
    ce_free(g->ref);
    ce_free(g->remote_name);
    ce_free(g->remote_url);
    ce_mdec_secret_free(&g->username);
    ce_mdec_secret_free(&g->password);
    ce_mdec_secret_free(&g->ssh_key);
    ce_free(g);
}

/* ---- reading ---- */

struct kobj_git_ctx {
    const struct ce_kobj_git *g;
    char *username, *password, *ssh_key; /* read from their secrets, NULL when not given */
    int auth_tries;
    char dir[4096];
    bool temp_dir;
    git_repository *repo;
};

static int kobj_git_credential(git_credential **out, const char *url, const char *url_user,
                               unsigned int allowed, void *payload)
{
    (void)url;
    struct kobj_git_ctx *x = payload;
    if (x->auth_tries++ > 0) {
        git_error_set_str(GIT_ERROR_NET, "authentication failed");
        return GIT_EAUTH;
    }
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && x->username != NULL) {
        return git_credential_userpass_plaintext_new(out, x->username, x->password);
    }
    if ((allowed & GIT_CREDENTIAL_SSH_MEMORY) && x->ssh_key != NULL) {
        return git_credential_ssh_key_memory_new(out, url_user ? url_user : "git", NULL, x->ssh_key,
                                                 NULL);
    }
    return GIT_PASSTHROUGH;
}

static int kobj_git_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
    (void)valid;
    (void)host;
    const struct kobj_git_ctx *x = payload;
    bool ssh = cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2;
    return ssh && x->g->insecure_ignore_host_key ? 0 : GIT_PASSTHROUGH;
}

static void kobj_git_callbacks(struct kobj_git_ctx *x, git_fetch_options *fo)
{
    fo->callbacks.credentials = kobj_git_credential;
    fo->callbacks.certificate_check = kobj_git_certificate;
    fo->callbacks.payload = x;
    fo->download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
}

static int kobj_git_fail(const struct kobj_git_ctx *x, int rc, const char *step, char *err,
                         size_t errlen)
{
    const git_error *e = git_error_last();
    return ce_rc_fail(rc, err, errlen, "source.git %s %s: %s: %s", x->g->url, x->g->file_path, step,
                      e && e->message ? e->message : "failed");
}

static int kobj_git_secret(const struct ce_secret_ref *ref, const char *dir, char **out, char *err,
                           size_t errlen)
{
    if (!ref->set) {
        return CE_OK;
    }
    size_t len;
    int rc = ce_secret_read(dir, ref->name, ref->key, out, &len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "source.git: cannot read the secret %s/%s/%s: %s", dir,
                          ref->name, ref->key, rc == CE_ENOENT ? "not found" : ce_rc_str(rc));
    }
    return CE_OK;
}

/* Fetches remote (created with url when it does not exist yet). */
static int kobj_git_fetch(struct kobj_git_ctx *x, const char *name, const char *url,
                          const char *refspec, char *err, size_t errlen)
{
    git_remote *remote = NULL;
    if (git_remote_lookup(&remote, x->repo, name) != 0 &&
        (url == NULL || git_remote_create(&remote, x->repo, name, url) != 0)) {
        return kobj_git_fail(x, CE_EINVAL, "no such remote", err, errlen);
    }
    git_fetch_options fo;
    git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    kobj_git_callbacks(x, &fo);
    char *specs[1] = {(char *)refspec};
    git_strarray arr = {specs, 1};
    x->auth_tries = 0;
    int grc = git_remote_fetch(remote, refspec ? &arr : NULL, &fo, NULL);
    git_remote_free(remote);
    return grc == 0 ? CE_OK : kobj_git_fail(x, CE_EUNAVAIL, "fetch", err, errlen);
}

/* The clone: cloneDirectory reused when it holds one, else a fresh clone (no checkout). */
static int kobj_git_open(struct kobj_git_ctx *x, char *err, size_t errlen)
{
    if (x->g->clone_dir != NULL && git_repository_open(&x->repo, x->g->clone_dir) == 0) {
        return kobj_git_fetch(x, KOBJ_GIT_DEFAULT_REMOTE, NULL, NULL, err, errlen);
    }
    git_clone_options co;
    git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
    co.bare = x->temp_dir ? 1 : 0;
    co.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    kobj_git_callbacks(x, &co.fetch_opts);
    x->auth_tries = 0;
    if (git_clone(&x->repo, x->g->url, x->dir, &co) != 0) {
        x->repo = NULL;
        return kobj_git_fail(x, CE_EUNAVAIL, "clone", err, errlen);
    }
    return CE_OK;
}

/* The revision named by ref, tag or branch, fetching ref and the extra remote first. */
static int kobj_git_revision(struct kobj_git_ctx *x, char **spec, char *err, size_t errlen)
{
    const struct ce_kobj_git *g = x->g;
    int rc = CE_OK;
    if (g->remote_name != NULL) {
        rc = kobj_git_fetch(x, g->remote_name, g->remote_url, NULL, err, errlen);
    }
    const char *remote = g->remote_name ? g->remote_name : KOBJ_GIT_DEFAULT_REMOTE;
    if (rc == CE_OK && g->ref != NULL && g->ref[0] != '\0') {
        char *refspec = ce_xasprintf("+%s:%s", g->ref, g->ref);
        rc = kobj_git_fetch(x, remote, NULL, refspec, err, errlen);
        ce_free(refspec);
        *spec = ce_xstrdup(g->ref);
    }
    else if (g->tag != NULL && g->tag[0] != '\0') {
        *spec = ce_xasprintf("refs/tags/%s", g->tag);
    }
    else {
        const char *branch = g->branch && g->branch[0] ? g->branch : KOBJ_GIT_DEFAULT_BRANCH;
        *spec = ce_xasprintf("refs/remotes/%s/%s", remote, branch);
    }
    return rc;
}

static int kobj_git_blob(struct kobj_git_ctx *x, const git_tree_entry *entry, char **out,
                         size_t *len, char *err, size_t errlen)
{
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "source.git %s: \"%s\" is a symbolic link, which is not allowed",
                          x->g->url, x->g->file_path);
    }
    git_blob *blob = NULL;
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
        git_blob_lookup(&blob, x->repo, git_tree_entry_id(entry)) != 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "source.git %s: \"%s\" is not a file", x->g->url,
                          x->g->file_path);
    }
    git_object_size_t size = git_blob_rawsize(blob);
    int rc = CE_OK;
    if (size > CE_KOBJ_MAX_BYTES) {
        rc = ce_rc_fail(CE_ETOOBIG, err, errlen, "source.git %s %s: larger than 4 MiB", x->g->url,
                        x->g->file_path);
    }
    else {
        *len = (size_t)size;
        *out = ce_xstrndup(git_blob_rawcontent(blob), *len);
    }
    git_blob_free(blob);
    return rc;
}

static int kobj_git_read_file(struct kobj_git_ctx *x, const char *spec, char **out, size_t *len,
                              char *err, size_t errlen)
{
    git_object *obj = NULL, *commit = NULL;
    git_tree *tree = NULL;
    git_tree_entry *entry = NULL;
    int rc = CE_OK;
    if (git_revparse_single(&obj, x->repo, spec) != 0 ||
        git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
        rc = ce_rc_fail(CE_ENOENT, err, errlen, "source.git %s: no revision %s", x->g->url, spec);
    }
    else if (git_commit_tree(&tree, (git_commit *)commit) != 0 ||
             git_tree_entry_bypath(&entry, tree, x->g->file_path) != 0) {
        rc = ce_rc_fail(CE_ENOENT, err, errlen, "source.git %s: no file \"%s\" at %s", x->g->url,
                        x->g->file_path, spec);
    }
    else {
        rc = kobj_git_blob(x, entry, out, len, err, errlen);
    }
    git_tree_entry_free(entry);
    git_tree_free(tree);
    git_object_free(commit);
    git_object_free(obj);
    return rc;
}

static int kobj_git_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int kobj_git_prepare(struct kobj_git_ctx *x, const char *secrets_dir, char *err,
                            size_t errlen)
{
    const struct ce_kobj_git *g = x->g;
    int rc = kobj_git_secret(&g->username, secrets_dir, &x->username, err, errlen);
    if (rc == CE_OK) {
        rc = kobj_git_secret(&g->password, secrets_dir, &x->password, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kobj_git_secret(&g->ssh_key, secrets_dir, &x->ssh_key, err, errlen);
    }
    if (rc != CE_OK) {
        return rc;
    }
    if (g->clone_dir != NULL) {
        snprintf(x->dir, sizeof x->dir, "%s", g->clone_dir);
        return CE_OK;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(x->dir, sizeof x->dir, "%s/cevents-git-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(x->dir) == NULL) {
        return ce_rc_fail(CE_EIO, err, errlen, "source.git: cannot make a directory to clone into");
    }
    x->temp_dir = true;
    return CE_OK;
}

static int kobj_git_read_locked(const struct ce_kobj_git *g, const char *secrets_dir, char **out,
                                size_t *len, char *err, size_t errlen)
{
    git_libgit2_init();
    struct kobj_git_ctx x = {.g = g};
    char *spec = NULL;
    int rc = kobj_git_prepare(&x, secrets_dir, err, errlen);
    if (rc == CE_OK) {
        rc = kobj_git_open(&x, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kobj_git_revision(&x, &spec, err, errlen);
    }
    if (rc == CE_OK) {
        rc = kobj_git_read_file(&x, spec, out, len, err, errlen);
    }
    git_repository_free(x.repo);
    if (x.temp_dir) {
        nftw(x.dir, kobj_git_rm, 16, FTW_DEPTH | FTW_PHYS);
    }
    ce_free(spec);
    ce_free(x.username);
    ce_free(x.password);
    ce_free(x.ssh_key);
    git_libgit2_shutdown();
    return rc;
}

int ce_kobj_git_read(const struct ce_kobj_git *g, const char *secrets_dir, char **out, size_t *len,
                     char *err, size_t errlen)
{
    if (g->clone_dir == NULL) {
        return kobj_git_read_locked(g, secrets_dir, out, len, err, errlen);
    }
    pthread_mutex_lock(&kobj_git_clone_dir_lock);
    int rc = kobj_git_read_locked(g, secrets_dir, out, len, err, errlen);
    pthread_mutex_unlock(&kobj_git_clone_dir_lock);
    return rc;
}
