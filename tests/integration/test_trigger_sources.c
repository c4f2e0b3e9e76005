/* SPDX-License-Identifier: Apache-2.0 */
/* The s3 and git object sources of the k8s trigger end to end: webhook → nats-server → Sensor →
 * the test API server, read back with the real kubectl. The object is uploaded to the S3 test
 * server with curl, or committed to a local git repository made here with the git tool and read
 * over file://, git:// (git daemon), ssh (a real sshd, sshKeySecret) and http with basic auth
 * (git http-backend behind tests/data/git/http_backend.py, creds). Wrong S3 keys and a missing
 * branch fail the trigger with a message naming the cause; lint names bad s3 and git fields. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/s3.h"
#include "tests/harness/scenario.h"
#include "tests/harness/sshd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#define AK "trigger-access"
#define SK "trigger-secret-key"

static const char src_object[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
                                 "data:\n  a: \"%s\"\n  b: placeholder\n";

struct src_env {
    struct ce_test_kube_scene sc;
    char *secrets, *repo;
    struct ce_test_s3 *s3;
};

static void src_write_secret(struct src_env *e, const char *name, const char *key,
                             const char *value)
{
    char *d = ce_xasprintf("%s/%s", e->secrets, name);
    mkdir(d, 0700);
    ce_free(ce_test_write_file(d, key, value));
    ce_free(d);
}

static int src_setup(void **state)
{
    struct src_env *e = ce_xcalloc(1, sizeof(*e));
    ce_test_kube_scene_start(&e->sc, "trigger-sources");
    e->secrets = ce_xasprintf("%s/secrets", e->sc.dir);
    mkdir(e->secrets, 0700);
    /* The sensor finds the trigger's secrets here (it inherits the environment). */
    setenv("CEVENTS_SECRETS_DIR", e->secrets, 1);
    *state = e;
    return 0;
}

static int src_teardown(void **state)
{
    struct src_env *e = *state;
    ce_test_s3_stop(e->s3);
    ce_test_kube_scene_stop(&e->sc);
    ce_free(e->repo);
    ce_free(e->secrets);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *src_sensor(struct src_env *e, const char *what, const char *source)
{
    char *file = ce_test_data_write(e->sc.dir, "sensor.yaml", "sensors/k8s-source.yaml", "WHAT",
                                    what, "SOURCE", source, NULL);
    struct ce_test_proc *p =
        ce_scn_start("sensor", file, ce_natsd_url(e->sc.natsd), 0, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    return p;
}

static void src_fire(struct src_env *e, struct ce_test_proc *sn, const char *message,
                     const char *want_line)
{
    char body[256], id[33];
    snprintf(body, sizeof body, "{\"message\":\"%s\"}", message);
    assert_int_equal(ce_scn_post(e->sc.port, "/example", body, NULL, id), 200);
    assert_true(ce_test_proc_wait_line(sn, want_line, 1, 30000));
}

static void src_has(const char *text, const char *want)
{
    if (text == NULL || strstr(text, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, text ? text : "(none)");
    }
}

/* kubectl get configmap settings -o yaml holds each of the wanted lines. */
static void src_settings_have(struct src_env *e, const char *want1, const char *want2)
{
    char *out = NULL;
    assert_int_equal(
        ce_test_kubectl(&e->sc.k, &out, "get", "configmap", "settings", "-o", "yaml", NULL), 0);
    src_has(out, want1);
    src_has(out, want2);
    src_has(out, "events.argoproj.io/trigger: fetched");
    ce_free(out);
}

/* The failure line of the sensor holds want. */
static void src_failed_with(struct ce_test_proc *sn, const char *want)
{
    char *line = ce_test_proc_line(sn, "Failed to execute a trigger", 0);
    src_has(line, want);
    ce_free(line);
}

/* ---- s3 ---- */

static struct ce_test_proc *src_s3_sensor(struct src_env *e, const char *secret_key)
{
    const char *keys[] = {AK ":" SK, NULL};
    const char *buckets[] = {"manifests", NULL};
    e->s3 = ce_test_s3_start(keys, buckets);
    char object[256];
    snprintf(object, sizeof object, src_object, "from-s3");
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "manifests", "cm/settings.yaml", object), 200);
    src_write_secret(e, "s3-keys", "accesskey", AK "\n");
    src_write_secret(e, "s3-keys", "secretkey", secret_key);
    char *source = ce_xasprintf("          s3:\n"
                                "            bucket: {name: manifests, key: cm/settings.yaml}\n"
                                "            endpoint: 127.0.0.1:%d\n"
                                "            insecure: true\n"
                                "            accessKey: {name: s3-keys, key: accesskey}\n"
                                "            secretKey: {name: s3-keys, key: secretkey}",
                                ce_test_s3_port(e->s3));
    struct ce_test_proc *sn = src_sensor(e, "an S3 object", source);
    ce_free(source);
    return sn;
}

static void test_s3_object_is_created(void **state)
{
    struct src_env *e = *state;
    struct ce_test_proc *sn = src_s3_sensor(e, SK);
    src_fire(e, sn, "via-s3", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: from-s3", "b: via-s3");
    ce_test_proc_free(sn);
}

static void test_s3_wrong_keys_fail_clearly(void **state)
{
    struct src_env *e = *state;
    struct ce_test_proc *sn = src_s3_sensor(e, "not-the-secret");
    src_fire(e, sn, "denied", "Failed to execute a trigger");
    src_failed_with(sn, "source.s3 manifests/cm/settings.yaml: HTTP 403: SignatureDoesNotMatch");
    ce_test_proc_free(sn);
}

/* ---- git ---- */

/* Runs a shell script in the repository directory; fails the test unless it exits 0. */
static void src_sh(struct src_env *e, const char *script)
{
    char *full = ce_xasprintf("set -e; cd '%s'; %s", e->repo, script);
    char *argv[] = {"sh", "-c", full, NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    int st = -1;
    bool done = ce_test_proc_wait_exit(p, 30000, &st);
    if (!done || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *out = ce_test_proc_output(p);
        fail_msg("script failed: %s\n%s", script, out ? out : "");
    }
    ce_test_proc_free(p);
    ce_free(full);
}

/* A repository: tag v1 holds "tagged", master one commit later "head". */
static void src_git_repo(struct src_env *e)
{
    e->repo = ce_xasprintf("%s/repo", e->sc.dir);
    mkdir(e->repo, 0700);
    char object[256];
    snprintf(object, sizeof object, src_object, "tagged");
    ce_free(ce_test_write_file(e->repo, "tagged.yaml", object));
    snprintf(object, sizeof object, src_object, "head");
    ce_free(ce_test_write_file(e->repo, "head.yaml", object));
    src_sh(e, "git init -q; git symbolic-ref HEAD refs/heads/master; "
              "git config user.email t@example.com; git config user.name t; "
              "mkdir -p k8s; cp tagged.yaml k8s/cm.yaml; git add k8s; git commit -q -m one; "
              "git tag v1; cp head.yaml k8s/cm.yaml; git commit -q -am two");
}

static struct ce_test_proc *src_git_sensor(struct src_env *e, const char *extra)
{
    src_git_repo(e);
    char *source = ce_xasprintf("          git:\n"
                                "            url: file://%s\n"
                                "            filePath: k8s/cm.yaml\n%s",
                                e->repo, extra);
    struct ce_test_proc *sn = src_sensor(e, "a git file", source);
    ce_free(source);
    return sn;
}

static void test_git_default_branch_is_created(void **state)
{
    struct src_env *e = *state;
    struct ce_test_proc *sn = src_git_sensor(e, "");
    src_fire(e, sn, "via-git", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: head", "b: via-git");
    ce_test_proc_free(sn);
}

/* A tag, into a clone directory kept between firings (the second one fetches). */
static void test_git_tag_in_clone_directory(void **state)
{
    struct src_env *e = *state;
    char *extra = ce_xasprintf("            tag: v1\n"
                               "            cloneDirectory: %s/clone\n",
                               e->sc.dir);
    struct ce_test_proc *sn = src_git_sensor(e, extra);
    ce_free(extra);
    src_fire(e, sn, "first", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: tagged", "b: first");
    char *out = NULL;
    assert_int_equal(ce_test_kubectl(&e->sc.k, &out, "delete", "configmap", "settings", NULL), 0);
    ce_free(out);
    src_sh(e, "git tag -f v1 HEAD");
    src_fire(e, sn, "second", "Successfully processed trigger 'fetched'");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'fetched'", 2, 30000));
    src_settings_have(e, "a: head", "b: second");
    ce_test_proc_free(sn);
}

/* ref names the commit (fetched as it is named). */
static void test_git_ref(void **state)
{
    struct src_env *e = *state;
    struct ce_test_proc *sn = src_git_sensor(e, "            ref: refs/tags/v1\n");
    src_fire(e, sn, "by-ref", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: tagged", "b: by-ref");
    ce_test_proc_free(sn);
}

/* The same repository served by `git daemon` over git://. */
static void test_git_over_git_protocol(void **state)
{
    struct src_env *e = *state;
    src_git_repo(e);
    char port[16], base[1100], where[1100];
    snprintf(port, sizeof port, "--port=%d", ce_test_free_port());
    snprintf(base, sizeof base, "--base-path=%s", e->sc.dir);
    char *argv[] = {
        "git", "daemon",  "--verbose", "--export-all", "--reuseaddr", "--listen=127.0.0.1", port,
        base,  e->sc.dir, NULL};
    struct ce_test_proc *daemon = ce_test_proc_start(argv);
    assert_true(ce_test_proc_wait_line(daemon, "Ready to rumble", 1, 15000));
    snprintf(where, sizeof where,
             "          git:\n            url: git://127.0.0.1:%s/repo\n"
             "            filePath: k8s/cm.yaml\n            branch: master",
             port + strlen("--port="));
    struct ce_test_proc *sn = src_sensor(e, "a git file over git://", where);
    src_fire(e, sn, "via-daemon", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: head", "b: via-daemon");
    ce_test_proc_free(sn);
    ce_test_proc_free(daemon);
}

/* Over ssh with sshKeySecret (the test's client key) against a real sshd. */
static void test_git_over_ssh_with_key(void **state)
{
    struct src_env *e = *state;
    ce_test_require_sshd();
    src_git_repo(e);
    char *sdir = ce_xasprintf("%s/sshd", e->sc.dir);
    mkdir(sdir, 0700);
    struct ce_test_sshd *sshd = ce_test_sshd_start(sdir);
    src_write_secret(e, "git-ssh", "key", sshd->client_key);
    char *source = ce_xasprintf("          git:\n"
                                "            url: ssh://%s@127.0.0.1:%d%s\n"
                                "            filePath: k8s/cm.yaml\n"
                                "            sshKeySecret: {name: git-ssh, key: key}\n"
                                "            insecureIgnoreHostKey: true",
                                sshd->user, sshd->port, e->repo);
    struct ce_test_proc *sn = src_sensor(e, "a git file over ssh", source);
    ce_free(source);
    src_fire(e, sn, "via-ssh", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: head", "b: via-ssh");
    ce_test_proc_free(sn);
    ce_test_sshd_free(sshd);
    ce_free(sdir);
}

/* Over http behind basic auth with creds: a wrong password fails naming authentication, the
 * right one reads the file. */
static void test_git_over_http_with_creds(void **state)
{
    struct src_env *e = *state;
    src_git_repo(e);
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/data/git/http_backend.py", CE_SOURCE_DIR);
    char *argv[] = {"python3", script,       "--root", e->sc.dir, "--user",
                    "reader",  "--password", "right",  NULL};
    struct ce_test_proc *srv = ce_test_proc_start(argv);
    assert_true(ce_test_proc_wait_line(srv, "PORT ", 1, 15000));
    char *line = ce_test_proc_line(srv, "PORT ", 0);
    int port = (int)strtol(strstr(line, "PORT ") + 5, NULL, 10);
    ce_free(line);
    src_write_secret(e, "git-creds", "username", "reader");
    src_write_secret(e, "git-creds", "password", "wrong");
    char *source = ce_xasprintf("          git:\n"
                                "            url: http://127.0.0.1:%d/repo\n"
                                "            filePath: k8s/cm.yaml\n"
                                "            creds:\n"
                                "              username: {name: git-creds, key: username}\n"
                                "              password: {name: git-creds, key: password}",
                                port);
    struct ce_test_proc *sn = src_sensor(e, "a git file over http", source);
    src_fire(e, sn, "denied", "Failed to execute a trigger");
    src_failed_with(sn, "clone: authentication failed");
    ce_test_proc_free(sn);
    src_write_secret(e, "git-creds", "password", "right");
    sn = src_sensor(e, "a git file over http", source);
    src_fire(e, sn, "via-http", "Successfully processed trigger 'fetched'");
    src_settings_have(e, "a: head", "b: via-http");
    ce_test_proc_free(sn);
    ce_free(source);
    ce_test_proc_free(srv);
}

static void test_git_missing_branch_fails_clearly(void **state)
{
    struct src_env *e = *state;
    struct ce_test_proc *sn = src_git_sensor(e, "            branch: nope\n");
    src_fire(e, sn, "none", "Failed to execute a trigger");
    src_failed_with(sn, "no revision refs/remotes/origin/nope");
    ce_test_proc_free(sn);
}

/* ---- lint ---- */

/* `cevents lint` on the Sensor with source; its output (status 1 expected). */
static char *src_lint(struct src_env *e, const char *source)
{
    char *file = ce_test_data_write(e->sc.dir, "lint.yaml", "sensors/k8s-source.yaml", "WHAT",
                                    "a bad source", "SOURCE", source, NULL);
    const char *args[] = {"lint", file, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    int st = -1;
    assert_true(ce_test_proc_wait_exit(p, 30000, &st));
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    char *out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    ce_free(file);
    return out;
}

static void test_lint_names_bad_s3_and_git_fields(void **state)
{
    struct src_env *e = *state;
    char *out = src_lint(e, "          git:\n"
                            "            url: file:///nowhere\n"
                            "            filePath: ../../etc/passwd\n"
                            "            githubApp: {appID: 1}");
    src_has(out, "source.git.filePath: \"..\" is not allowed in the filePath");
    src_has(out, "source.git.githubApp: githubApp is not supported by cevents");
    ce_free(out);
    out = src_lint(e, "          s3:\n"
                      "            bucket: {name: b}\n"
                      "            endpoint: http://host:9000\n"
                      "            accessKey: {name: k, key: a}");
    src_has(out, "source.s3.bucket.key");
    src_has(out, "source.s3.endpoint: must be host or host:port");
    src_has(out, "source.s3.secretKey");
    ce_free(out);
}

/* Under AddressSanitizer, leak reports of the processes started here get whole stacks (the fast
 * unwinder stops in libraries built without frame pointers), so tests/lsan.supp can tell
 * libgit2's own leak from one of cevents. */
static void srcs_full_leak_stacks(void)
{
#if defined(__SANITIZE_ADDRESS__)
    const char *old = getenv("ASAN_OPTIONS");
    char *opts = ce_xasprintf("%s%sfast_unwind_on_malloc=0", old ? old : "", old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    ce_free(opts);
#endif
}

int main(int argc, char **argv)
{
    srcs_full_leak_stacks();
    ce_test_require_natsd();
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    ce_test_s3_require();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s3_object_is_created),
        cmocka_unit_test(test_s3_wrong_keys_fail_clearly),
        cmocka_unit_test(test_git_default_branch_is_created),
        cmocka_unit_test(test_git_tag_in_clone_directory),
        cmocka_unit_test(test_git_ref),
        cmocka_unit_test(test_git_over_git_protocol),
        cmocka_unit_test(test_git_over_ssh_with_key),
        cmocka_unit_test(test_git_over_http_with_creds),
        cmocka_unit_test(test_git_missing_branch_fails_clearly),
        cmocka_unit_test(test_lint_names_bad_s3_and_git_fields),
    };
    return ce_test_run(argc, argv, tests, src_setup, src_teardown);
}
