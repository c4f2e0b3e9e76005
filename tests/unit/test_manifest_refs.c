/* SPDX-License-Identifier: Apache-2.0 */
/* manifest/: the secrets and config maps the decoders resolve are recorded in the set
 * (ce_manifest_set_refs), each once in the order met, so the controller mounts exactly what the
 * processes read: a source's secret, a trigger's secret and config map selectors, a Kubernetes
 * trigger's configmap source; nothing from a document that is not an Argo object; a cap. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct ce_manifest_set *load(const char *yaml)
{
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    struct ce_diag diag;
    ce_diag_init(&diag);
    assert_int_equal(ce_manifest_load_buf(set, yaml, strlen(yaml), "t.yaml", false, &diag), CE_OK);
    ce_diag_print(&diag, stderr);
    assert_int_equal(ce_diag_errors(&diag), 0);
    ce_diag_fini(&diag);
    return set;
}

/* The names of kind joined by ",". */
static void names(const struct ce_manifest_set *set, enum ce_mdec_ref_kind kind, char *out,
                  size_t n)
{
    const char *const *list = NULL;
    int count = ce_manifest_set_refs(set, kind, &list);
    assert_true(count >= 0);
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? "," : "", list[i]);
    }
}

static void test_source_and_trigger_refs(void **state)
{
    (void)state;
    struct ce_manifest_set *set = load("apiVersion: argoproj.io/v1alpha1\n"
                                       "kind: EventSource\n"
                                       "metadata: {name: w}\n"
                                       "spec:\n"
                                       "  webhook:\n"
                                       "    a: {port: '1', endpoint: /a, method: POST,\n"
                                       "        authSecret: {name: tok, key: t}}\n"
                                       "    b: {port: '1', endpoint: /b, method: POST,\n"
                                       "        authSecret: {name: tok, key: u}}\n"
                                       "---\n"
                                       "apiVersion: v1\n"
                                       "kind: ConfigMap\n"
                                       "metadata: {name: not-an-argo-object}\n"
                                       "data: {authSecret: x}\n"
                                       "---\n"
                                       "apiVersion: argoproj.io/v1alpha1\n"
                                       "kind: Sensor\n"
                                       "metadata: {name: s}\n"
                                       "spec:\n"
                                       "  dependencies:\n"
                                       "  - {name: d, eventSourceName: w, eventName: a}\n"
                                       "  triggers:\n"
                                       "  - template:\n"
                                       "      name: h\n"
                                       "      http:\n"
                                       "        url: http://x/\n"
                                       "        basicAuth:\n"
                                       "          username: {name: user, key: u}\n"
                                       "          password: {name: pass, key: p}\n"
                                       "        secureHeaders:\n"
                                       "        - name: X-A\n"
                                       "          valueFrom:\n"
                                       "            configMapKeyRef: {name: hdrs, key: a}\n"
                                       "        - name: X-B\n"
                                       "          valueFrom:\n"
                                       "            secretKeyRef: {name: tok, key: b}\n"
                                       "  - template:\n"
                                       "      name: k\n"
                                       "      k8s:\n"
                                       "        operation: create\n"
                                       "        source:\n"
                                       "          configmap: {name: objects, key: pod}\n");
    char out[512];
    names(set, CE_MDEC_REF_SECRET, out, sizeof out);
    assert_string_equal(out, "tok,user,pass");
    names(set, CE_MDEC_REF_CONFIG_MAP, out, sizeof out);
    assert_string_equal(out, "hdrs,objects");
    ce_manifest_set_destroy(set);
}

static void test_nothing_referenced(void **state)
{
    (void)state;
    struct ce_manifest_set *set = load("apiVersion: argoproj.io/v1alpha1\n"
                                       "kind: EventSource\n"
                                       "metadata: {name: w}\n"
                                       "spec:\n"
                                       "  webhook:\n"
                                       "    a: {port: '1', endpoint: /a, method: POST}\n");
    const char *const *list = NULL;
    assert_int_equal(ce_manifest_set_refs(set, CE_MDEC_REF_SECRET, &list), 0);
    assert_int_equal(ce_manifest_set_refs(set, CE_MDEC_REF_CONFIG_MAP, &list), 0);
    ce_manifest_set_destroy(set);
}

/* More distinct names than a pod could mount: -1, not a silently short list. */
static void test_too_many_names(void **state)
{
    (void)state;
    char *yaml = ce_xstrdup("apiVersion: argoproj.io/v1alpha1\nkind: EventSource\n"
                            "metadata: {name: w}\nspec:\n  webhook:\n");
    for (int i = 0; i <= CE_MDEC_MAX_REFS; i++) {
        char *more = ce_xasprintf("%s    e%d: {port: '1', endpoint: /e%d, method: POST, "
                                  "authSecret: {name: s%d, key: k}}\n",
                                  yaml, i, i, i);
        ce_free(yaml);
        yaml = more;
    }
    struct ce_manifest_set *set = load(yaml);
    const char *const *list = NULL;
    assert_int_equal(ce_manifest_set_refs(set, CE_MDEC_REF_SECRET, &list), -1);
    ce_manifest_set_destroy(set);
    ce_free(yaml);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_and_trigger_refs),
        cmocka_unit_test(test_nothing_referenced),
        cmocka_unit_test(test_too_many_names),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
