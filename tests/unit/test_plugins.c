/* SPDX-License-Identifier: Apache-2.0 */
/* Every registered plugin keeps the contract (eventsource/source.h, triggers/trigger.h): the
 * current API version, a key of its own that `cevents lint --strict` knows, and a decoder that
 * answers an empty block with errors that name the block and its place in the file. */
#include "tests/harness/plugins.h"
#include "tests/harness/harness.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "triggers/trigger.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define TP_HEAD "apiVersion: argoproj.io/v1alpha1\n"

/* Loads text strictly as "p.yaml" with every plugin; diag holds what it found. */
static struct ce_manifest_set *tp_load(const char *text, struct ce_diag *diag)
{
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    ce_diag_init(diag);
    assert_int_equal(ce_manifest_load_buf(set, text, strlen(text), "p.yaml", true, diag), CE_OK);
    return set;
}

/* Every finding is an error under path (never "unknown field" for the key itself), at a line of
 * the file; returns how many there are. */
static int tp_errors_under(const struct ce_diag *d, const char *path, const char *key)
{
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        const struct ce_diag_item *it = &d->items[i];
        if (strncmp(it->path, path, strlen(path)) != 0 || it->line < 1) {
            ce_diag_print(d, stderr);
            fail_msg("%s: finding outside %s: %s: %s", key, path, it->path, it->msg);
        }
        assert_null(strstr(it->msg, "unknown field"));
        n += it->severity == CE_DIAG_ERROR;
    }
    return n;
}

static void test_sources_keep_the_contract(void **state)
{
    (void)state;
    int n = 0;
    const struct ce_source_plugin *const *all = ce_source_plugins(&n);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        const struct ce_source_plugin *p = all[i];
        assert_int_equal(p->api_version, CE_SOURCE_API_VERSION);
        assert_non_null(p->block);
        assert_non_null(p->block->key);
        assert_non_null(p->block->decode);
        assert_true(p->start && p->quiesce && p->in_flight && p->stop);
        assert_ptr_equal(ce_source_find(p->block->key), p);
        assert_ptr_equal(ce_source_decoder(p->block->key), p->block);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(all[j]->block->key, p->block->key);
        }
        /* filter is every event's, decoded by manifest/: a strict key list must allow it */
        bool has_filter = p->block->keys == NULL;
        for (int k = 0; p->block->keys && p->block->keys[k]; k++) {
            has_filter = has_filter || strcmp(p->block->keys[k], "filter") == 0;
        }
        assert_true(has_filter);
    }
}

static void test_sources_refuse_an_empty_block(void **state)
{
    (void)state;
    int n = 0;
    const struct ce_source_plugin *const *all = ce_source_plugins(&n);
    for (int i = 0; i < n; i++) {
        const char *key = all[i]->block->key;
        char *text = ce_xasprintf(TP_HEAD "kind: EventSource\nmetadata: {name: es}\nspec:\n"
                                          "  %s:\n    ev: {}\n",
                                  key);
        struct ce_diag d;
        struct ce_manifest_set *set = tp_load(text, &d);
        char *path = ce_xasprintf("spec.%s.ev", key);
        /* an event with no settings cannot run: at least one error, each naming the event */
        assert_true(tp_errors_under(&d, path, key) > 0);
        assert_int_equal(set->n_eventsources, 0);
        ce_free(path);
        ce_diag_fini(&d);
        ce_manifest_set_destroy(set);
        ce_free(text);
    }
}

static void test_triggers_keep_the_contract(void **state)
{
    (void)state;
    int n = 0;
    const struct ce_trigger_plugin *const *all = ce_trigger_plugins(&n);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        const struct ce_trigger_plugin *p = all[i];
        assert_int_equal(p->api_version, CE_TRIGGER_API_VERSION);
        assert_non_null(p->block);
        assert_non_null(p->block->key);
        assert_non_null(p->block->decode);
        assert_true(p->create && p->execute && p->describe && p->destroy);
        assert_true((p->keep_create == NULL) == (p->keep_destroy == NULL));
        assert_ptr_equal(ce_trigger_find(p->block->key), p);
        assert_ptr_equal(ce_trigger_decoder(p->block->key), p->block);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(all[j]->block->key, p->block->key);
        }
    }
}

/* An empty action block: decoded (what it yields is freed with the set), and whatever it lacks
 * is reported under template.<key>. Some kinds need nothing (log). */
static void test_triggers_decode_an_empty_block(void **state)
{
    (void)state;
    int n = 0;
    const struct ce_trigger_plugin *const *all = ce_trigger_plugins(&n);
    for (int i = 0; i < n; i++) {
        const char *key = all[i]->block->key;
        char *text = ce_xasprintf(TP_HEAD "kind: Sensor\nmetadata: {name: s}\nspec:\n"
                                          "  dependencies:\n"
                                          "    - {name: d, eventSourceName: es, eventName: ev}\n"
                                          "  triggers:\n    - template:\n        name: t\n"
                                          "        %s: {}\n",
                                  key);
        struct ce_diag d;
        struct ce_manifest_set *set = tp_load(text, &d);
        char *path = ce_xasprintf("spec.triggers[0].template.%s", key);
        int errors = tp_errors_under(&d, path, key);
        assert_int_equal(set->n_sensors, errors == 0 ? 1 : 0);
        if (errors == 0) {
            assert_string_equal(set->sensors[0]->triggers[0].kind, key);
            assert_ptr_equal(set->sensors[0]->triggers[0].action_decoder, all[i]->block);
        }
        ce_free(path);
        ce_diag_fini(&d);
        ce_manifest_set_destroy(set);
        ce_free(text);
    }
}

/* A type cevents has no plugin for keeps its node and is refused when the process starts. */
static void test_unplugged_type_is_kept_as_its_node(void **state)
{
    (void)state;
    const char *key = "amqp";
    assert_null(ce_source_find(key));
    struct ce_diag d;
    struct ce_manifest_set *set = tp_load(TP_HEAD "kind: EventSource\nmetadata: {name: es}\n"
                                                  "spec:\n  amqp:\n    ev: {url: x}\n",
                                          &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(set->n_eventsources, 1);
    const struct ce_es_event *ev = &set->eventsources[0]->events[0];
    assert_string_equal(ev->type, key);
    assert_null(ev->decoder);
    assert_null(ev->config);
    assert_non_null(ev->node);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sources_keep_the_contract),
        cmocka_unit_test(test_sources_refuse_an_empty_block),
        cmocka_unit_test(test_triggers_keep_the_contract),
        cmocka_unit_test(test_triggers_decode_an_empty_block),
        cmocka_unit_test(test_unplugged_type_is_kept_as_its_node),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
