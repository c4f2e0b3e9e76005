/* SPDX-License-Identifier: Apache-2.0 */
/* kube/config: kubeconfig files (current context, CA data, token, client certificate files
 * relative to the kubeconfig, KUBECONFIG lists merged, exec and auth-provider refused), the
 * in-pod service account under an overridable root, and the order they are looked for in. */
#include "kube/config.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
    char *dir;
};

static int setup(void **state)
{
    struct fx *f = ce_xcalloc(1, sizeof(*f));
    f->dir = ce_test_tmpdir("kubecfg");
    unsetenv("KUBECONFIG");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ce_test_rmtree(f->dir);
    ce_free(f->dir);
    ce_free(f);
    return 0;
}

/* "-----BEGIN CERTIFICATE-----\nX\n" base64-encoded */
#define CA_PEM "-----BEGIN CERTIFICATE-----\nX\n"
#define CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClgK"

static char *write_token_config(struct fx *f)
{
    return ce_test_data_write(f->dir, "config", "kube/kubeconfig-token.yaml", "PORT", "6443",
                              "CA_DATA", CA_B64, NULL);
}

static void test_kubeconfig_current_context_token_and_ca_data(void **state)
{
    struct fx *f = *state;
    char *path = write_token_config(f);
    struct ce_kube_config_opts o = {.kubeconfig = path};
    struct ce_kube_config *c = NULL;
    char err[512];
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
    assert_string_equal(c->server, "https://127.0.0.1:6443");
    assert_string_equal(c->ns, "argo");
    assert_string_equal(c->token, "tok-123");
    assert_string_equal(c->context, "dev");
    assert_non_null(c->ca.data);
    assert_int_equal(c->ca.len, strlen(CA_PEM));
    assert_memory_equal(c->ca.data, CA_PEM, c->ca.len);
    assert_null(c->cert.data);
    assert_false(c->insecure);
    ce_kube_config_free(c);
    ce_free(path);
}

static void test_kubeconfig_client_cert_files_relative(void **state)
{
    struct fx *f = *state;
    char *path = write_token_config(f);
    char *certs = ce_xasprintf("%s/certs", f->dir);
    assert_int_equal(mkdir(certs, 0700), 0);
    ce_free(ce_test_write_file(certs, "client.crt", "CERT"));
    ce_free(ce_test_write_file(certs, "client.key", "KEY"));
    ce_free(ce_test_write_file(certs, "ca.crt", "CA-FILE"));
    struct ce_kube_config_opts o = {.kubeconfig = path, .context = "prod"};
    struct ce_kube_config *c = NULL;
    char err[512];
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
    assert_string_equal(c->server, "https://prod.example:6443");
    assert_string_equal(c->ns, "default");
    assert_string_equal(c->cert.data, "CERT");
    assert_string_equal(c->key.data, "KEY");
    assert_string_equal(c->ca.data, "CA-FILE");
    assert_null(c->token);
    ce_kube_config_free(c);
    /* a missing key file is an error naming the file */
    char *key = ce_xasprintf("%s/client.key", certs);
    assert_int_equal(unlink(key), 0);
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_ENOENT);
    assert_non_null(strstr(err, "certs/client.key"));
    assert_null(c);
    ce_free(key);
    ce_free(certs);
    ce_free(path);
}

static void refused(struct fx *f, const char *auth)
{
    char *path =
        ce_test_data_write(f->dir, "config", "kube/kubeconfig-exec.yaml", "AUTH", auth, NULL);
    struct ce_kube_config_opts o = {.kubeconfig = path};
    struct ce_kube_config *c = NULL;
    char err[512];
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_EAUTH);
    char *want = ce_xasprintf("with an %s entry", auth);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "eks-user"));
    assert_non_null(strstr(err, "not supported"));
    ce_free(want);
    ce_free(path);
}

static void test_exec_and_auth_provider_refused(void **state)
{
    refused(*state, "exec");
    refused(*state, "auth-provider");
}

static void test_kubeconfig_env_list_merged(void **state)
{
    struct fx *f = *state;
    /* the first file's current-context and context win; the second defines the cluster */
    char *first = ce_test_write_file(f->dir, "first",
                                     "current-context: dev\ncontexts:\n- name: dev\n"
                                     "  context: {cluster: prod, namespace: first}\n");
    char *second = write_token_config(f);
    char *certs = ce_xasprintf("%s/certs", f->dir);
    assert_int_equal(mkdir(certs, 0700), 0);
    ce_free(ce_test_write_file(certs, "ca.crt", "CA-FILE"));
    ce_free(certs);
    char *list = ce_xasprintf("%s:%s/missing:%s", first, f->dir, second);
    setenv("KUBECONFIG", list, 1);
    struct ce_kube_config *c = NULL;
    char err[512];
    struct ce_kube_config_opts o = {.home = f->dir};
    int rc = ce_kube_config_load(&o, &c, err, sizeof(err));
    unsetenv("KUBECONFIG");
    assert_int_equal(rc, CE_OK);
    assert_string_equal(c->context, "dev");
    assert_string_equal(c->ns, "first");
    assert_string_equal(c->server, "https://prod.example:6443");
    assert_null(c->token);
    ce_kube_config_free(c);
    ce_free(list);
    ce_free(first);
    ce_free(second);
}

static void test_bad_kubeconfigs(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"current-context: x\n", "context \"x\" is not defined"},
        {"clusters: []\n", "no current-context"},
        {"current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\n",
         "cluster \"c\" is not defined"},
        {"current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\n"
         "clusters:\n- name: c\n  cluster: {certificate-authority-data: '!!'}\n",
         "has no server"},
        {"a: [b\n", "not a kubeconfig"},
        {"- a\n", "not a mapping"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = ce_test_write_file(f->dir, "bad", cases[i].text);
        struct ce_kube_config_opts o = {.kubeconfig = path};
        struct ce_kube_config *c = NULL;
        char err[512] = "";
        assert_int_not_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
        if (strstr(err, cases[i].want) == NULL) {
            fail_msg("case %zu: %s does not say %s", i, err, cases[i].want);
        }
        ce_free(path);
    }
}

static char *write_pod(struct fx *f, const char *ns)
{
    char *root = ce_xasprintf("%s/pod", f->dir);
    char *sa = ce_xasprintf("%s/%s", root, CE_KUBE_POD_SA_DIR);
    char *cmd = ce_xasprintf("mkdir -p '%s'", sa);
    assert_int_equal(system(cmd), 0);
    ce_free(ce_test_write_file(sa, "token", "pod-token\n"));
    ce_free(ce_test_write_file(sa, "ca.crt", CA_PEM));
    if (ns != NULL) {
        ce_free(ce_test_write_file(sa, "namespace", ns));
    }
    ce_free(cmd);
    ce_free(sa);
    return root;
}

static void test_in_pod(void **state)
{
    struct fx *f = *state;
    char *root = write_pod(f, "argo-events\n");
    struct ce_kube_config_opts o = {.pod_root = root, .home = f->dir};
    struct ce_kube_config *c = NULL;
    char err[512];
    /* not in a pod without the environment, and nothing else: CE_ENOENT */
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_ENOENT);
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
    assert_string_equal(c->server, "https://[fd00::1]:443");
    assert_string_equal(c->ns, "argo-events");
    assert_non_null(strstr(c->token_file, "serviceaccount/token"));
    assert_string_equal(c->ca.data, CA_PEM);
    assert_string_equal(c->source, "in-cluster");
    ce_kube_config_free(c);
    /* an explicit kubeconfig wins over the pod */
    char *path = write_token_config(f);
    o.kubeconfig = path;
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
    assert_string_equal(c->ns, "argo");
    ce_kube_config_free(c);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    ce_free(path);
    ce_free(root);
}

static void test_home_kubeconfig_last(void **state)
{
    struct fx *f = *state;
    char *kdir = ce_xasprintf("%s/.kube", f->dir);
    assert_int_equal(mkdir(kdir, 0700), 0);
    char *path = ce_test_data_write(kdir, "config", "kube/kubeconfig-token.yaml", "PORT", "1",
                                    "CA_DATA", CA_B64, NULL);
    struct ce_kube_config_opts o = {.home = f->dir, .pod_root = f->dir};
    struct ce_kube_config *c = NULL;
    char err[512];
    assert_int_equal(ce_kube_config_load(&o, &c, err, sizeof(err)), CE_OK);
    assert_string_equal(c->server, "https://127.0.0.1:1");
    assert_string_equal(c->source, path);
    ce_kube_config_free(c);
    ce_free(path);
    ce_free(kdir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubeconfig_current_context_token_and_ca_data),
        cmocka_unit_test(test_kubeconfig_client_cert_files_relative),
        cmocka_unit_test(test_exec_and_auth_provider_refused),
        cmocka_unit_test(test_kubeconfig_env_list_merged),
        cmocka_unit_test(test_bad_kubeconfigs),
        cmocka_unit_test(test_in_pod),
        cmocka_unit_test(test_home_kubeconfig_last),
    };
    return ce_test_run(argc, argv, tests, setup, teardown);
}
