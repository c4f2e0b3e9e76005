/* SPDX-License-Identifier: Apache-2.0 */
/* The recorder on the decode context (manifest/mdec.h), which the CRD generator builds its
 * schemas from: each getter reports the map, the field and what it read it as; each check of
 * known keys reports its list, strict or not; and decoding with a recorder reports exactly what
 * it reports without one. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/model.h"
#include "manifest/node.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char manifests[] = "apiVersion: argoproj.io/v1alpha1\n"
                                "kind: EventSource\n"
                                "metadata:\n"
                                "  name: es\n"
                                "spec:\n"
                                "  eventBusName: main\n"
                                "  replicas: \"2\"\n"
                                "  nonsense: 1\n"
                                "  webhook:\n"
                                "    example:\n"
                                "      port: \"12000\"\n"
                                "      endpoint: /example\n"
                                "      method: POST\n"
                                "---\n"
                                "apiVersion: argoproj.io/v1alpha1\n"
                                "kind: EventBus\n"
                                "metadata:\n"
                                "  name: exotic\n"
                                "spec:\n"
                                "  jetstreamExotic:\n"
                                "    url: nats://bus:4222\n"
                                "    accessSecret: {name: auth, key: token}\n";

#define REC_MAX 256

struct rec {
    const struct ce_node *map[REC_MAX];
    char key[REC_MAX][64]; /* "" for a known-keys report */
    int kind[REC_MAX];
    const char *const *keys[REC_MAX];
    int n;
};

static void rec_field(void *arg, const struct ce_node *map, const char *key, enum ce_mdec_kind kind)
{
    struct rec *r = arg;
    assert_true(r->n < REC_MAX);
    r->map[r->n] = map;
    snprintf(r->key[r->n], sizeof(r->key[r->n]), "%s", key);
    r->kind[r->n] = (int)kind;
    r->keys[r->n++] = NULL;
}

static void rec_known(void *arg, const struct ce_node *map, const char *const *keys)
{
    struct rec *r = arg;
    assert_true(r->n < REC_MAX);
    r->map[r->n] = map;
    r->key[r->n][0] = '\0';
    r->keys[r->n++] = keys;
}

/* Loads the manifests (recording into r when r is not NULL); diag is the caller's. */
static struct ce_manifest_set *load(struct rec *r, bool strict, struct ce_diag *diag)
{
    static struct ce_mdec_recorder recorder = {rec_field, rec_known, NULL};
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    if (r != NULL) {
        recorder.arg = r;
        ce_manifest_set_record(set, &recorder);
    }
    ce_diag_init(diag);
    assert_int_equal(
        ce_manifest_load_buf(set, manifests, sizeof(manifests) - 1, "t.yaml", strict, diag), CE_OK);
    return set;
}

/* The kind the getter read map.key as, or -1 when no getter asked for it. */
static int asked(const struct rec *r, const struct ce_node *map, const char *key)
{
    for (int i = 0; i < r->n; i++) {
        if (r->map[i] == map && strcmp(r->key[i], key) == 0) {
            return r->kind[i];
        }
    }
    return -1;
}

/* Whether a known-keys list reported for map holds key. */
static bool knows(const struct rec *r, const struct ce_node *map, const char *key)
{
    for (int i = 0; i < r->n; i++) {
        for (int j = 0; r->map[i] == map && r->keys[i] != NULL && r->keys[i][j] != NULL; j++) {
            if (strcmp(r->keys[i][j], key) == 0) {
                return true;
            }
        }
    }
    return false;
}

static void test_getters_report_field_and_kind(void **state)
{
    (void)state;
    struct rec r = {0};
    struct ce_diag diag;
    struct ce_manifest_set *set = load(&r, false, &diag);
    assert_int_equal(ce_diag_errors(&diag), 0);
    assert_int_equal(set->n_eventsources, 1);
    assert_int_equal(set->n_eventbuses, 1);
    const struct ce_node *spec = set->eventsources[0]->spec;
    assert_int_equal(asked(&r, spec, "eventBusName"), CE_MDEC_STRING);
    assert_int_equal(asked(&r, spec, "replicas"), CE_MDEC_INT);
    const struct ce_node *event = ce_node_get(ce_node_get(spec, "webhook"), "example");
    assert_int_equal(asked(&r, event, "endpoint"), CE_MDEC_STRING);
    const struct ce_node *exotic = ce_node_get(set->eventbuses[0]->spec, "jetstreamExotic");
    assert_int_equal(asked(&r, exotic, "url"), CE_MDEC_STRING);
    assert_int_equal(asked(&r, exotic, "accessSecret"), CE_MDEC_SECRET);
    assert_int_equal(asked(&r, ce_node_get(exotic, "accessSecret"), "optional"), CE_MDEC_BOOL);
    /* the map of event names is no field map: nothing is asked of it */
    assert_int_equal(asked(&r, ce_node_get(spec, "webhook"), "example"), -1);
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
}

/* Known keys are reported whether or not the load is strict: the generator loads leniently. */
static void test_known_keys_reported_without_strict(void **state)
{
    (void)state;
    struct rec r = {0};
    struct ce_diag diag;
    struct ce_manifest_set *set = load(&r, false, &diag);
    const struct ce_node *spec = set->eventsources[0]->spec;
    assert_true(knows(&r, spec, "webhook"));
    assert_true(knows(&r, spec, "template"));
    assert_false(knows(&r, spec, "nonsense"));
    const struct ce_node *event = ce_node_get(ce_node_get(spec, "webhook"), "example");
    assert_true(knows(&r, event, "port"));
    assert_true(knows(&r, event, "filter"));
    assert_true(knows(&r, set->eventbuses[0]->spec, "jetstreamExotic"));
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
}

/* The same findings, strict and lenient, with a recorder and without. */
static void test_recorder_changes_no_finding(void **state)
{
    (void)state;
    for (int strict = 0; strict < 2; strict++) {
        struct rec r = {0};
        struct ce_diag with;
        struct ce_diag without;
        struct ce_manifest_set *a = load(&r, strict, &with);
        struct ce_manifest_set *b = load(NULL, strict, &without);
        assert_int_equal(with.n, without.n);
        assert_int_equal(ce_diag_errors(&with), strict ? 1 : 0); /* spec.nonsense */
        assert_int_equal(ce_diag_errors(&with), ce_diag_errors(&without));
        assert_int_equal(a->n_eventsources, b->n_eventsources);
        ce_diag_fini(&with);
        ce_diag_fini(&without);
        ce_manifest_set_destroy(a);
        ce_manifest_set_destroy(b);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getters_report_field_and_kind),
        cmocka_unit_test(test_known_keys_reported_without_strict),
        cmocka_unit_test(test_recorder_changes_no_finding),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
