/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/harness/kube.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "controller/build.h"
#include "core/service/natsd.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define KUBE_ARGV_MAX 64
#define KUBECTL_TIMEOUT_MS 60000

void ce_test_require_kube_fixture(void)
{
    ce_test_require_program("python3");
    ce_test_require_program("openssl");
}

void ce_test_require_kubectl(void)
{
    ce_test_require_program("kubectl");
}

char *ce_test_kube_path(const struct ce_test_kube *k, const char *name)
{
    return ce_xasprintf("%s/%s", k->dir, name);
}

static char *kube_ca_data(const struct ce_test_kube *k)
{
    char *p = ce_test_kube_path(k, "ca.crt");
    size_t len = 0;
    char *pem = ce_test_read_file(p, &len);
    ce_free(p);
    if (pem == NULL) {
        fail_msg("the test API server wrote no ca.crt");
    }
    char *b64 = ce_base64_encode(pem, len);
    ce_free(pem);
    return b64;
}

static void kube_write_kubeconfig(struct ce_test_kube *k, const char *token)
{
    char *ca = k->tls ? kube_ca_data(k) : NULL;
    char *ca_line = ca ? ce_xasprintf("    certificate-authority-data: %s\n", ca) : ce_xstrdup("");
    char *text = ce_xasprintf("apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                              "clusters:\n- name: test\n  cluster:\n    server: %s\n%s"
                              "contexts:\n- name: test\n  context:\n    cluster: test\n"
                              "    user: test\n    namespace: default\n"
                              "users:\n- name: test\n  user:\n    token: %s\n",
                              k->url, ca_line, token ? token : "unused");
    k->kubeconfig = ce_test_write_file(k->dir, "kubeconfig", text);
    ce_free(text);
    ce_free(ca_line);
    ce_free(ca);
}

/* Starts the server process on port (0: a free one) and returns the port it listens on. */
static int kube_spawn(struct ce_test_kube *k, int port)
{
    char *script = ce_xasprintf("%s/tests/fixtures/kube_apiserver.py", CE_SOURCE_DIR);
    char portarg[16];
    snprintf(portarg, sizeof(portarg), "%d", port);
    char *argv[] = {"python3", script, "--cert-dir", k->dir, "--port",
                    portarg,   NULL,   NULL,         NULL,   NULL};
    int n = 6;
    if (k->tls) {
        argv[n++] = "--tls";
    }
    if (k->token != NULL) {
        argv[n++] = "--token";
        argv[n++] = k->token;
    }
    k->proc = ce_test_proc_start(argv);
    ce_free(script);
    if (k->proc == NULL || !ce_test_proc_wait_line(k->proc, "PORT ", 1, 20000)) {
        fail_msg("the test API server did not start");
    }
    char *line = ce_test_proc_line(k->proc, "PORT ", 0);
    int got = (int)strtol(line + 5, NULL, 10);
    ce_free(line);
    return got;
}

const char *ce_test_kube_start(struct ce_test_kube *k, bool tls, const char *token)
{
    memset(k, 0, sizeof(*k));
    k->tls = tls;
    k->token = token ? ce_xstrdup(token) : NULL;
    k->dir = ce_test_tmpdir("kube");
    k->port = kube_spawn(k, 0);
    k->url = ce_xasprintf("%s://127.0.0.1:%d", tls ? "https" : "http", k->port);
    if (tls) {
        char *ca = ce_test_kube_path(k, "ca.crt");
        ce_test_http_set_ca(ca);
        ce_free(ca);
    }
    kube_write_kubeconfig(k, token);
    return k->url;
}

void ce_test_kube_down(struct ce_test_kube *k)
{
    ce_test_proc_free(k->proc);
    k->proc = NULL;
}

void ce_test_kube_up(struct ce_test_kube *k)
{
    if (k->proc != NULL) {
        fail_msg("the test API server is already up");
    }
    if (kube_spawn(k, k->port) != k->port) {
        fail_msg("the test API server came back on another port");
    }
}

void ce_test_kube_stop(struct ce_test_kube *k)
{
    ce_test_proc_free(k->proc);
    if (k->tls) {
        ce_test_http_set_ca(NULL);
    }
    if (k->dir != NULL) {
        ce_test_rmtree(k->dir);
    }
    ce_free(k->dir);
    ce_free(k->url);
    ce_free(k->kubeconfig);
    ce_free(k->token);
    memset(k, 0, sizeof(*k));
}

void ce_test_kube_control(struct ce_test_kube *k, const char *what, const char *body)
{
    char *url = ce_xasprintf("%s/_fixture/%s", k->url, what);
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    struct ce_test_http_resp r;
    int rc = ce_test_http("POST", url, hdrs, body, body ? strlen(body) : 0, 10000, &r);
    ce_free(url);
    if (rc != 0 || r.status != 200) {
        fail_msg("the test API server's /_fixture/%s failed (%d, %ld)", what, rc,
                 rc == 0 ? r.status : 0L);
    }
    ce_test_http_resp_fini(&r);
}

void ce_test_kube_inject(struct ce_test_kube *k, const char *method, const char *path, int status,
                         const char *reason, int count)
{
    char *body = ce_xasprintf("{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"reason\":\"%s\","
                              "\"count\":%d}",
                              method, path, status, reason ? reason : "", count);
    ce_test_kube_control(k, "inject", body);
    ce_free(body);
}

char *ce_test_kube_requests(struct ce_test_kube *k)
{
    char *url = ce_xasprintf("%s/_fixture/requests", k->url);
    struct ce_test_http_resp r;
    int rc = ce_test_http("GET", url, NULL, NULL, 0, 10000, &r);
    ce_free(url);
    if (rc != 0 || r.status != 200) {
        fail_msg("the test API server's /_fixture/requests failed");
    }
    char *out = ce_xstrdup(r.body);
    ce_test_http_resp_fini(&r);
    return out;
}

/* argv for kubectl with the fixture's kubeconfig and a fresh cache dir, then args. */
static struct ce_test_proc *kubectl_start_va(struct ce_test_kube *k, va_list ap)
{
    char *argv[KUBE_ARGV_MAX];
    char *kc = ce_xasprintf("--kubeconfig=%s", k->kubeconfig);
    char *cache = ce_xasprintf("--cache-dir=%s/kubectl-cache", k->dir);
    int n = 0;
    argv[n++] = "kubectl";
    argv[n++] = kc;
    argv[n++] = cache;
    for (const char *a = va_arg(ap, const char *); a != NULL && n < KUBE_ARGV_MAX - 1;
         a = va_arg(ap, const char *)) {
        argv[n++] = (char *)a;
    }
    argv[n] = NULL;
    struct ce_test_proc *p = ce_test_proc_start(argv);
    ce_free(kc);
    ce_free(cache);
    return p;
}

struct ce_test_proc *ce_test_kubectl_start(struct ce_test_kube *k, ...)
{
    va_list ap;
    va_start(ap, k);
    struct ce_test_proc *p = kubectl_start_va(k, ap);
    va_end(ap);
    return p;
}

int ce_test_kubectl(struct ce_test_kube *k, char **out, ...)
{
    va_list ap;
    va_start(ap, out);
    struct ce_test_proc *p = kubectl_start_va(k, ap);
    va_end(ap);
    if (p == NULL) {
        return 127;
    }
    int status = 0;
    bool exited = ce_test_proc_wait_exit(p, KUBECTL_TIMEOUT_MS, &status);
    if (out != NULL) {
        *out = ce_test_proc_output(p);
    }
    ce_test_proc_free(p);
    return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ce_test_kube_scene_start(struct ce_test_kube_scene *s, const char *tag)
{
    s->dir = ce_test_tmpdir(tag);
    s->natsd = ce_scn_natsd_start(s->dir);
    ce_test_kube_start(&s->k, false, NULL);
    setenv("KUBECONFIG", s->k.kubeconfig, 1); /* the Sensor finds the API server as kubectl */
    s->port = ce_test_free_port();
    char *es = ce_scn_write_manifest(s->dir, "es.yaml", "eventsources/webhook.yaml", s->port);
    s->es = ce_scn_start("eventsource", es, ce_natsd_url(s->natsd), 0, NULL,
                         "Eventing server started.");
    ce_free(es);
}

void ce_test_kube_scene_stop(struct ce_test_kube_scene *s)
{
    ce_test_proc_free(s->es);
    ce_test_kube_stop(&s->k);
    ce_natsd_destroy(s->natsd);
    ce_test_rmtree(s->dir);
    ce_free(s->dir);
}

json_t *ce_test_ctl_built_object(const struct ce_ctl_built *b, const char *kind, int *mode)
{
    size_t i;
    json_t *item;
    json_array_foreach(b->objects, i, item)
    {
        json_t *o = json_object_get(item, "object");
        if (strcmp(json_string_value(json_object_get(o, "kind")), kind) == 0) {
            if (mode != NULL) {
                *mode = (int)json_integer_value(json_object_get(item, "mode"));
            }
            return o;
        }
    }
    return NULL;
}
