/* SPDX-License-Identifier: Apache-2.0 */
/* manifest/: loading the repo's example, several documents per buffer, Argo's decoding habits
 * (numbers as strings, case-insensitive keys, aliases and merge keys), a table of bad manifests
 * with the exact position, path and message of every error, strict mode, skipped kinds,
 * directory order, YAML syntax errors and `cevents lint` output and exit status. */
#include "tests/harness/plugins.h"
#include "manifest/diag.h"
#include "eventsource/webhook/config.h"
#include "manifest/model.h"
#include "triggers/log/log.h"
#include "manifest/node.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define TM_HEAD "apiVersion: argoproj.io/v1alpha1\n"

/* Event i of es, which must be a webhook event decoded by the webhook plugin. */
static const struct ce_webhook_config *tm_webhook(const struct ce_eventsource *es, int i)
{
    assert_true(i < es->n_events);
    assert_string_equal(es->events[i].type, "webhook");
    assert_non_null(es->events[i].config);
    return es->events[i].config;
}

/* Loads text as "t.yaml"; the caller destroys the set and finishes the diag. */
static struct ce_manifest_set *tm_load(const char *text, bool strict, struct ce_diag *diag, int *rc)
{
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    ce_diag_init(diag);
    *rc = ce_manifest_load_buf(set, text, strlen(text), "t.yaml", strict, diag);
    return set;
}

static void tm_dump(const struct ce_diag *d)
{
    ce_diag_print(d, stderr);
}

/* Each expected item is "line:col|path|message". */
static void tm_expect(const struct ce_diag *d, const char *const *want)
{
    int n = 0;
    while (want[n] != NULL) {
        n++;
    }
    int errors = 0;
    for (int i = 0; i < d->n; i++) {
        errors += d->items[i].severity == CE_DIAG_ERROR;
    }
    if (errors != n) {
        tm_dump(d);
    }
    assert_int_equal(errors, n);
    int k = 0;
    for (int i = 0; i < d->n; i++) {
        const struct ce_diag_item *it = &d->items[i];
        if (it->severity != CE_DIAG_ERROR) {
            continue;
        }
        char got[1024];
        snprintf(got, sizeof(got), "%d:%d|%s|%s", it->line, it->col, it->path, it->msg);
        if (strcmp(got, want[k]) != 0) {
            tm_dump(d);
        }
        assert_string_equal(got, want[k]);
        assert_string_equal(it->file, "t.yaml");
        k++;
    }
}

static void test_examples_dir(void **state)
{
    (void)state;
    const char *src = getenv("CE_SOURCE_DIR");
    char *dir = ce_xasprintf("%s/examples/webhook-log", src ? src : CE_SOURCE_DIR);
    struct ce_manifest_set *set = NULL;
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    assert_int_equal(ce_manifest_load_path(set, dir, true, &d), CE_OK);
    if (d.n != 0) {
        tm_dump(&d);
    }
    assert_int_equal(d.n, 0);
    assert_int_equal(set->n_eventsources, 1);
    assert_int_equal(set->n_sensors, 1);
    assert_int_equal(set->n_eventbuses, 0);
    const struct ce_eventsource *es = set->eventsources[0];
    assert_string_equal(es->name, "webhook");
    assert_null(es->namespace_);
    assert_string_equal(es->event_bus_name, "default");
    assert_int_equal(es->replicas, 1);
    assert_int_equal(es->n_source_types, 1);
    assert_string_equal(es->source_types[0], "webhook");
    assert_int_equal(es->n_events, 1);
    const struct ce_webhook_config *w = tm_webhook(es, 0);
    assert_string_equal(es->events[0].name, "example");
    assert_int_equal(w->port, 12000);
    assert_string_equal(w->endpoint, "/example");
    assert_string_equal(w->method, "POST");
    assert_int_equal(w->max_payload_size, 1048576);
    assert_false(w->server_cert_secret.set);
    assert_null(es->events[0].filter_expression);
    assert_non_null(strstr(es->events[0].pos.file, "webhook-eventsource.yaml"));
    const struct ce_sensor *sn = set->sensors[0];
    assert_string_equal(sn->name, "log");
    assert_int_equal(sn->n_deps, 1);
    assert_string_equal(sn->deps[0].name, "test-dep");
    assert_string_equal(sn->deps[0].event_source_name, "webhook");
    assert_string_equal(sn->deps[0].event_name, "example");
    assert_string_equal(sn->deps[0].filters_logical_operator, "and");
    assert_false(sn->deps[0].has_filters);
    assert_int_equal(sn->n_triggers, 1);
    assert_string_equal(sn->triggers[0].name, "log-trigger");
    assert_string_equal(sn->triggers[0].kind, "log");
    const struct ce_log_trigger_config *lc = sn->triggers[0].action;
    assert_non_null(lc);
    assert_int_equal(lc->interval_seconds, 1);
    assert_null(sn->triggers[0].conditions);
    assert_int_equal(sn->pos.line, 1);
    assert_int_equal(sn->pos.col, 1);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
    ce_free(dir);
}

static const char tm_multi[] =
    "# leading comment\n"
    "---\n" TM_HEAD "kind: EventSource\n"
    "metadata: {name: es1, namespace: ns}\n"
    "spec:\n"
    "  eventBusName: bus\n"
    "  replicas: 2\n"
    "  calendar:\n"
    "    tick: {interval: 10s}\n"
    "---\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata:\n"
    "  name: cm\n"
    "---\n" TM_HEAD "kind: EventBus\n"
    "metadata:\n"
    "  name: default\n"
    "spec:\n"
    "  jetstreamExotic:\n"
    "    url: nats://127.0.0.1:4222\n"
    "    accessSecret: {name: s, key: k}\n"
    "    streamConfig: |\n"
    "      replicas: 1\n"
    "...\n"
    "---\n" TM_HEAD "kind: Sensor\n"
    "metadata:\n"
    "  name: s1\n"
    "spec:\n"
    "  dependencies:\n"
    "    - {name: a, eventSourceName: es1, eventName: tick, filters: {data: [{path: body.x, "
    "type: number, value: ['1']}]}, filtersLogicalOperator: or}\n"
    "    - {name: b-1, eventSourceName: es1, eventName: tick, transform: {jq: .}}\n"
    "  triggers:\n"
    "    - template:\n"
    "        name: t1\n"
    "        conditions: \"a || (b_1 && a)\"\n"
    "        conditionsReset: [{byTime: {cron: '0 23 * * *'}}]\n"
    "        http:\n"
    "          url: http://x\n"
    "          payload: [{src: {dependencyName: a}}]\n"
    "          parameters: [{src: {dependencyName: a}, dest: url}]\n"
    "      parameters: [{src: {dependencyName: a, dataKey: x}, dest: http.url}]\n"
    "      retryStrategy: {steps: 3}\n"
    "      rateLimit: {unit: Second, requestsPerUnit: 5}\n"
    "      policy: {status: {allow: [200]}}\n"
    "      atLeastOnce: true\n"
    "      dlqTrigger:\n"
    "        atLeastOnce: true\n"
    "        template: {name: dlq, log: {}}\n";

static void test_multi_documents(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(tm_multi, true, &d, &rc);
    assert_int_equal(rc, CE_OK);
    tm_expect(&d, (const char *const[]){NULL});
    assert_int_equal(set->n_eventsources, 1);
    assert_int_equal(set->n_sensors, 1);
    assert_int_equal(set->n_eventbuses, 1);
    assert_int_equal(set->n_skipped, 1);
    assert_string_equal(set->skipped[0], "t.yaml:13:1: ConfigMap cm");
    const struct ce_eventsource *es = set->eventsources[0];
    assert_string_equal(es->namespace_, "ns");
    assert_string_equal(es->event_bus_name, "bus");
    assert_int_equal(es->replicas, 2);
    assert_string_equal(es->source_types[0], "calendar");
    assert_true(es->n_events > 0);
    assert_string_equal(es->events[0].type, "calendar");
    assert_non_null(es->events[0].decoder); /* the calendar plugin decoded its block */
    assert_non_null(es->events[0].config);
    assert_int_equal(es->pos.line, 3);
    const struct ce_eventbus *eb = set->eventbuses[0];
    assert_string_equal(eb->kind, "jetstreamExotic");
    assert_string_equal(eb->url, "nats://127.0.0.1:4222");
    assert_true(eb->access_secret.set);
    assert_string_equal(eb->access_secret.name, "s");
    assert_string_equal(eb->access_secret.key, "k");
    assert_non_null(eb->stream_config);
    assert_string_equal(eb->stream_config->str, "replicas: 1\n");
    const struct ce_sensor *sn = set->sensors[0];
    assert_true(sn->deps[0].has_filters);
    assert_string_equal(sn->deps[0].filters_logical_operator, "or");
    assert_true(sn->deps[1].has_transform);
    /* the file name is interned once per file */
    assert_ptr_equal(sn->pos.file, es->pos.file);
    assert_ptr_equal(sn->triggers[0].pos.file, eb->pos.file);
    const struct ce_trigger *t = &sn->triggers[0];
    assert_string_equal(t->kind, "http");
    assert_string_equal(t->conditions, "a || (b_1 && a)");
    assert_true(t->has_conditions_reset);
    assert_true(t->has_payload);
    assert_true(t->has_action_parameters);
    assert_true(t->has_template_parameters);
    assert_true(t->has_retry_strategy);
    assert_true(t->has_rate_limit);
    assert_true(t->has_policy);
    assert_true(t->has_dlq_trigger);
    assert_true(t->at_least_once);
    assert_int_equal(t->pos.line, 39);
    assert_int_equal(t->pos.col, 7);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static const char tm_numbers[] = TM_HEAD "kind: EventSource\n"
                                         "metadata: {name: es}\n"
                                         "spec:\n"
                                         "  replicas: \"3\"\n"
                                         "  webhook:\n"
                                         "    quoted:\n"
                                         "      port: \"12000\"\n"
                                         "      endpoint: /q\n"
                                         "      method: post\n"
                                         "      maxPayloadSize: \"2048\"\n"
                                         "      metadata: {z: last, a: first, n: 3}\n"
                                         "      filter: {expression: \"body.a == 1\"}\n"
                                         "      authSecret: {name: tok, key: t, optional: true}\n"
                                         "      serverCertSecret: {name: tls, key: crt}\n"
                                         "      serverKeySecret: {name: tls, key: key}\n"
                                         "    a-plain:\n"
                                         "      port: 12001\n"
                                         "      endpoint: /p\n"
                                         "      method: GET\n"
                                         "      maxPayloadSize: 100\n";

static void test_numbers_as_strings(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(tm_numbers, true, &d, &rc);
    assert_int_equal(rc, CE_OK);
    tm_expect(&d, (const char *const[]){NULL});
    assert_int_equal(set->n_eventsources, 1);
    const struct ce_eventsource *es = set->eventsources[0];
    assert_int_equal(es->replicas, 3);
    assert_int_equal(es->n_events, 2);
    /* sorted by event name */
    assert_string_equal(es->events[0].name, "a-plain");
    assert_int_equal(tm_webhook(es, 0)->port, 12001);
    assert_int_equal(tm_webhook(es, 0)->max_payload_size, 100);
    const struct ce_webhook_config *q = tm_webhook(es, 1);
    assert_string_equal(es->events[1].name, "quoted");
    assert_int_equal(q->port, 12000);
    assert_string_equal(q->method, "POST");
    assert_int_equal(q->max_payload_size, 2048);
    assert_int_equal(q->n_metadata, 3);
    assert_string_equal(q->metadata[0].key, "a");
    assert_string_equal(q->metadata[1].key, "n");
    assert_string_equal(q->metadata[1].value, "3");
    assert_string_equal(q->metadata[2].value, "last");
    assert_string_equal(es->events[1].filter_expression, "body.a == 1");
    assert_true(q->auth_secret.set);
    assert_true(q->auth_secret.optional);
    assert_string_equal(q->server_cert_secret.key, "crt");
    assert_string_equal(q->server_key_secret.key, "key");
    assert_int_equal(es->events[1].pos.line, 7);
    assert_int_equal(es->events[1].pos.col, 5);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static const char tm_case[] = TM_HEAD "kind: EventSource\n"
                                      "metadata: {Name: es}\n"
                                      "Spec:\n"
                                      "  WebHook:\n"
                                      "    ev:\n"
                                      "      Port: 2\n"
                                      "      port: 1\n"
                                      "      ENDPOINT: /e\n"
                                      "      Method: POST\n"
                                      "---\n" TM_HEAD "kind: Sensor\n"
                                      "metadata: {name: s}\n"
                                      "spec:\n"
                                      "  Dependencies: [{Name: d, EventSourceName: es, "
                                      "eventname: ev}]\n"
                                      "  triggers:\n"
                                      "    - Template:\n"
                                      "        name: ow\n"
                                      "        openwhisk: {actionName: a, host: h, "
                                      "payload: [{src: {dependencyName: d}, dest: x}]}\n";

static void test_case_insensitive_keys(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(tm_case, true, &d, &rc);
    assert_int_equal(rc, CE_OK);
    tm_expect(&d, (const char *const[]){NULL});
    assert_int_equal(set->n_eventsources, 1);
    assert_string_equal(set->eventsources[0]->source_types[0], "webhook");
    /* the exact key wins over an earlier case-insensitive one */
    assert_int_equal(tm_webhook(set->eventsources[0], 0)->port, 1);
    assert_string_equal(tm_webhook(set->eventsources[0], 0)->endpoint, "/e");
    assert_int_equal(set->n_sensors, 1);
    assert_string_equal(set->sensors[0]->deps[0].event_name, "ev");
    assert_string_equal(set->sensors[0]->triggers[0].kind, "openWhisk");
    assert_true(set->sensors[0]->triggers[0].has_payload);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static const char tm_alias[] = "base: &base\n"
                               "  port: \"13000\"\n"
                               "  method: POST\n"
                               "---\n" TM_HEAD "kind: EventSource\n"
                               "metadata: {name: es}\n"
                               "spec:\n"
                               "  webhook:\n"
                               "    one: &one\n"
                               "      port: 13001\n"
                               "      endpoint: /one\n"
                               "      method: GET\n"
                               "    two:\n"
                               "      <<: *one\n"
                               "      endpoint: /two\n";

static void test_aliases_and_merge(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(tm_alias, false, &d, &rc);
    assert_int_equal(rc, CE_OK);
    tm_expect(&d, (const char *const[]){NULL});
    assert_int_equal(set->n_skipped, 1); /* the first document has no kind */
    const struct ce_eventsource *es = set->eventsources[0];
    assert_int_equal(es->n_events, 2);
    assert_string_equal(es->events[1].name, "two");
    assert_int_equal(tm_webhook(es, 1)->port, 13001);
    assert_string_equal(tm_webhook(es, 1)->endpoint, "/two");
    assert_string_equal(tm_webhook(es, 1)->method, "GET");
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static void test_caps(void **state)
{
    (void)state;
    /* billion laughs: every level doubles... ten times */
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(bomb, false, &d, &rc);
    assert_int_equal(rc, CE_ETOOBIG);
    assert_int_equal(ce_diag_errors(&d), 1);
    assert_string_equal(d.items[0].msg, "too many YAML nodes (aliases included)");
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    set = tm_load(deep, false, &d, &rc);
    assert_int_equal(rc, CE_ETOOBIG);
    tm_expect(&d, (const char *const[]){"1:65||YAML nested too deeply", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    /* aliases may not nest deeper than parsing allows: 40 + 40 levels */
    char *chain =
        ce_xasprintf("a: &a %.40s%.40s\nb: %.40s*a%.40s\n", deep, deep + 100, deep, deep + 100);
    set = tm_load(chain, false, &d, &rc);
    assert_int_equal(rc, CE_ETOOBIG);
    tm_expect(&d, (const char *const[]){"2:44||YAML nested too deeply", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
    ce_free(chain);

    set = tm_load("a: *nope\n", false, &d, &rc);
    assert_int_equal(rc, CE_EPARSE);
    tm_expect(&d, (const char *const[]){"1:4||unknown anchor \"nope\" referenced", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

struct tm_bad {
    const char *yaml;
    const char *const *want;
};

static const struct tm_bad tm_bad_cases[] = {
    {TM_HEAD "kind: EventSource\n"
             "metadata:\n"
             "  name: es\n"
             "spec:\n"
             "  webhook:\n"
             "    example:\n"
             "      port: abc\n"
             "      endpoint: example\n"
             "      method: POST\n",
     (const char *const[]){"8:13|spec.webhook.example.port|not a port number",
                           "9:17|spec.webhook.example.endpoint|must start with \"/\"", NULL}},
    {TM_HEAD "kind: EventSource\n"
             "metadata:\n"
             "  namespace: x\n"
             "spec:\n"
             "  webhook:\n"
             "    a:\n"
             "      port: 70000\n"
             "      maxPayloadSize: -1\n"
             "    b:\n"
             "      port: \"0\"\n"
             "      endpoint: /b\n"
             "      method: POST\n"
             "      serverCertSecret: {name: tls}\n",
     (const char *const[]){
         "1:1|metadata.name|required field is missing",
         "8:13|spec.webhook.a.port|not a port number",
         "8:7|spec.webhook.a.endpoint|required field is missing",
         "8:7|spec.webhook.a.method|required field is missing",
         "9:23|spec.webhook.a.maxPayloadSize|must be a positive number of bytes",
         "11:13|spec.webhook.b.port|not a port number",
         "14:25|spec.webhook.b.serverCertSecret.key|required field is missing",
         "14:7|spec.webhook.b.serverCertSecret|serverCertSecret needs serverKeySecret: TLS needs "
         "both the certificate and the key",
         NULL}},
    {TM_HEAD "kind: EventSource\n"
             "metadata: {name: es}\n"
             "spec:\n"
             "  webhook:\n"
             "    e1: {port: 1, endpoint: /a, method: GET}\n"
             "  calendar:\n"
             "    e1: {interval: 1s}\n",
     (const char *const[]){"7:3|spec.calendar|\"webhook\" and \"calendar\" event sources cannot be "
                           "put in one spec (one kind is leader-elected, the other runs on every "
                           "replica)",
                           "8:5|spec.calendar.e1|more than one \"e1\" found (first at line 6)",
                           NULL}},
    {TM_HEAD "kind: Sensor\n"
             "metadata: {name: s}\n"
             "spec:\n"
             "  dependencies: []\n"
             "  triggers:\n"
             "    - template:\n"
             "        conditions: \"nodep && (x\"\n"
             "        log: {}\n"
             "        http: {url: u}\n"
             "    - template: {name: t, log: {intervalSeconds: x}}\n"
             "      dlqTrigger: {template: {name: d, log: {}}}\n"
             "    - template: {name: t, k8s: {operation: explode}}\n"
             "    - parameters: [{dest: x}]\n",
     (const char *const[]){
         "5:17|spec.dependencies|at least one dependency is required",
         "8:9|spec.triggers[0].template.name|required field is missing",
         "8:21|spec.triggers[0].template.conditions|unknown dependency \"nodep\" in conditions",
         "8:21|spec.triggers[0].template.conditions|unknown dependency \"x\" in conditions",
         "8:21|spec.triggers[0].template.conditions|unbalanced parentheses in conditions",
         "10:9|spec.triggers[0].template.http|a trigger has exactly one type; \"log\" is already "
         "given at line 9",
         "11:50|spec.triggers[1].template.log.intervalSeconds|not an integer",
         "12:19|spec.triggers[1].dlqTrigger|to use dlqTrigger, atLeastOnce must be true on the "
         "trigger",
         "12:19|spec.triggers[1].dlqTrigger|atLeastOnce must be true within the dlqTrigger",
         "13:32|spec.triggers[2].template.k8s.source|required field is missing",
         "13:44|spec.triggers[2].template.k8s.operation|unknown operation \"explode\"",
         "13:24|spec.triggers[2].template.name|duplicate trigger name \"t\" (first at line 11)",
         "14:7|spec.triggers[3].template|required field is missing",
         "14:20|spec.triggers[3].parameters[0].src|required field is missing", NULL}},
    {TM_HEAD "kind: Sensor\n"
             "metadata: {name: s}\n"
             "spec:\n"
             "  dependencies:\n"
             "    - name: d\n"
             "      eventSourceName: es\n"
             "    - name: d\n"
             "      eventSourceName: es\n"
             "      eventName: e\n"
             "      filtersLogicalOperator: AND\n"
             "      filters:\n"
             "        time: {start: \"25:00:00\", stop: \"10:00:00\"}\n"
             "        context: {id: x}\n"
             "        data: [{path: a, type: regex, value: []}]\n"
             "  triggers: [{template: {name: t}}]\n",
     (const char *const[]){
         "6:7|spec.dependencies[0].eventName|required field is missing",
         "11:31|spec.dependencies[1].filtersLogicalOperator|logical operator must be \"and\" or "
         "\"or\", not \"AND\"",
         "15:32|spec.dependencies[1].filters.data[0].type|type must be string, number or bool, "
         "not \"regex\"",
         "15:46|spec.dependencies[1].filters.data[0].value|a non-empty list of values is "
         "required",
         "14:18|spec.dependencies[1].filters.context|a context filter needs one of type, "
         "subject, source, datacontenttype",
         "13:23|spec.dependencies[1].filters.time.start|time must be HH:MM:SS",
         "8:13|spec.dependencies[1].name|duplicate dependency name \"d\" (first at line 6)",
         "16:25|spec.triggers[0].template|no trigger type (one of k8s, argoWorkflow, http, log, "
         "...) is given",
         NULL}},
    {TM_HEAD "kind: EventBus\n"
             "metadata: {name: default}\n"
             "spec:\n"
             "  jetstreamExotic: {accessSecret: {key: k}, streamConfig: {replicas: 1}}\n"
             "  nats: {native: {}}\n",
     (const char *const[]){
         "6:3|spec.nats|an EventBus has exactly one of jetstream, jetstreamExotic, nats or "
         "kafka; \"jetstreamExotic\" is already given at line 5",
         "5:20|spec.jetstreamExotic.url|required field is missing",
         "5:35|spec.jetstreamExotic.accessSecret.name|required field is missing",
         "5:59|spec.jetstreamExotic.streamConfig|streamConfig is a string of YAML (use "
         "\"streamConfig: |\"), got a map",
         NULL}},
    {TM_HEAD "kind: EventBus\n"
             "metadata: {name: b}\n"
             "spec: {jetstream: {replicas: 2}}\n"
             "---\n" TM_HEAD "kind: EventBus\n"
             "metadata: {name: b}\n"
             "spec: {jetstream: {version: latest}}\n"
             "---\n" TM_HEAD "kind: EventBus\n"
             "metadata: {name: b}\n"
             "spec: {jetstream: {version: latest}}\n",
     (const char *const[]){
         "4:19|spec.jetstream.version|required field is missing",
         "4:30|spec.jetstream.replicas|replicas must be 1 or at least 3 (a JetStream cluster "
         "needs a quorum)",
         "13:18|metadata.name|duplicate EventBus name \"b\" (first in t.yaml)", NULL}},
    /* a misspelled required key gets its did-you-mean without --strict */
    {TM_HEAD "kind: Sensor\n"
             "metadata: {name: s}\n"
             "spec:\n"
             "  dependencie: [{name: d, eventSourceName: es, eventName: e}]\n"
             "  triggers: [{template: {name: t, log: {}}}]\n",
     (const char *const[]){"5:3|spec.dependencies|at least one dependency is required; is "
                           "\"dependencie\" a misspelling of \"dependencies\"?",
                           NULL}},
    /* a trigger URL is checked as a URL (a fuzz finding), unless a parameter writes it */
    {TM_HEAD "kind: Sensor\n"
             "metadata: {name: s}\n"
             "spec:\n"
             "  dependencies: [{name: d, eventSourceName: es, eventName: e}]\n"
             "  triggers:\n"
             "    - template: {name: a, http: {url: \"http:/ple.com/x\"}}\n"
             "    - template: {name: b, http: {url: \"ftp://h/x\"}}\n"
             "    - template: {name: c, http: {url: \"http:/x\"}}\n"
             "      parameters: [{src: {dependencyName: d, dataKey: u}, dest: http.url}]\n"
             "    - template:\n"
             "        name: e\n"
             "        http:\n"
             "          url: \"http:/x\"\n"
             "          parameters: [{src: {dependencyName: d, dataKey: u}, dest: url}]\n",
     (const char *const[]){"7:39|spec.triggers[0].template.http.url|url \"http:/ple.com/x\": no "
                           "host",
                           "8:39|spec.triggers[1].template.http.url|url \"ftp://h/x\": the scheme "
                           "must be http or https",
                           NULL}},
    {TM_HEAD "kind: Sensr\nmetadata: {name: x}\n---\napiVersion: argoproj.io/v1beta1\n"
             "kind: Sensor\nmetadata: {name: y}\n---\n- a list\n",
     (const char *const[]){"2:7|kind|unknown kind \"Sensr\"; did you mean \"Sensor\"?",
                           "5:13|apiVersion|unsupported apiVersion \"argoproj.io/v1beta1\" "
                           "(cevents reads argoproj.io/v1alpha1)",
                           "9:1||a manifest must be a map, got a list", NULL}},
};

static void test_bad_manifests(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(tm_bad_cases) / sizeof(tm_bad_cases[0]); i++) {
        struct ce_diag d;
        int rc;
        struct ce_manifest_set *set = tm_load(tm_bad_cases[i].yaml, false, &d, &rc);
        assert_int_equal(rc, CE_OK);
        tm_expect(&d, tm_bad_cases[i].want);
        /* objects with errors are not added */
        assert_int_equal(set->n_eventsources + set->n_sensors, 0);
        ce_diag_fini(&d);
        ce_manifest_set_destroy(set);
    }
}

static const char tm_strict[] = TM_HEAD "kind: EventSource\n"
                                        "metadata: {name: es, lables: {a: b}}\n"
                                        "spec:\n"
                                        "  service: {ports: [{port: 1}]}\n"
                                        "  xyzzy: 1\n"
                                        "  webhook:\n"
                                        "    ev:\n"
                                        "      prot: 12000\n"
                                        "      endpoint: /e\n"
                                        "      method: POST\n"
                                        "      filter: {expresion: x}\n"
                                        "statuz: {}\n";

static void test_strict_unknown_keys(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(tm_strict, false, &d, &rc);
    tm_expect(&d, (const char *const[]){"9:7|spec.webhook.ev.port|required field is missing; is "
                                        "\"prot\" (line 9) a misspelling of \"port\"?",
                                        NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    set = tm_load(tm_strict, true, &d, &rc);
    tm_expect(&d, (const char *const[]){
                      "3:22|metadata.lables|unknown field \"lables\"; did you mean \"labels\"?",
                      "9:7|spec.webhook.ev.port|required field is missing; is \"prot\" (line 9) a "
                      "misspelling of \"port\"?",
                      "12:16|spec.webhook.ev.filter.expresion|unknown field \"expresion\"; did "
                      "you mean \"expression\"?",
                      "9:7|spec.webhook.ev.prot|unknown field \"prot\"; did you mean \"port\"?",
                      "6:3|spec.xyzzy|unknown field \"xyzzy\"",
                      "13:1|statuz|unknown field \"statuz\"; did you mean \"status\"?", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static void test_skipped_kinds(void **state)
{
    (void)state;
    static const char text[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
                               "---\n"
                               "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"
                               "metadata: {generateName: wf-}\n"
                               "---\n"
                               "apiVersion: example.com/v1\nkind: Sensor\nmetadata: {name: s}\n"
                               "---\n"
                               "just: a map\n";
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set = tm_load(text, true, &d, &rc);
    assert_int_equal(rc, CE_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(set->n_skipped, 4);
    assert_string_equal(set->skipped[0], "t.yaml:1:1: ConfigMap cm");
    assert_string_equal(set->skipped[1], "t.yaml:5:1: Workflow (unnamed)");
    assert_string_equal(set->skipped[2], "t.yaml:9:1: Sensor s");
    assert_string_equal(set->skipped[3], "t.yaml:13:1: (no kind) (unnamed)");
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

static char *tm_es(const char *name)
{
    return ce_xasprintf(TM_HEAD "kind: EventSource\nmetadata: {name: %s}\n"
                                "spec: {calendar: {%s: {interval: 1s}}}\n",
                        name, name);
}

static void tm_put(const char *dir, const char *file, const char *name)
{
    char *text = tm_es(name);
    ce_free(ce_test_write_file(dir, file, text));
    ce_free(text);
}

static void test_directory_order(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("manifest");
    tm_put(dir, "b.yaml", "bee");
    tm_put(dir, "a.yml", "ay");
    tm_put(dir, "c.txt", "ignored");
    tm_put(dir, ".hidden.yaml", "hidden");
    ce_free(ce_test_write_file(dir, "d.json",
                               "{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": "
                               "\"EventSource\", \"metadata\": {\"name\": \"dee\"}, \"spec\": "
                               "{\"calendar\": {\"x\": {\"interval\": \"1s\"}}}}"));
    char *sub = ce_xasprintf("%s/sub.yaml", dir);
    assert_int_equal(mkdir(sub, 0700), 0); /* a subdirectory, read in its name's turn */
    tm_put(sub, "e.yaml", "nested");
    char *hidden = ce_xasprintf("%s/.git", dir);
    assert_int_equal(mkdir(hidden, 0700), 0); /* hidden: not read */
    tm_put(hidden, "f.yaml", "hid");
    struct ce_manifest_set *set = NULL;
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    int rc = ce_manifest_load_path(set, dir, true, &d);
    if (d.n) {
        tm_dump(&d);
    }
    assert_int_equal(rc, CE_OK);
    assert_int_equal(set->n_eventsources, 4);
    assert_string_equal(set->eventsources[0]->name, "ay");
    assert_string_equal(set->eventsources[1]->name, "bee");
    assert_string_equal(set->eventsources[2]->name, "dee");
    assert_string_equal(set->eventsources[3]->name, "nested");
    char *want = ce_xasprintf("%s/a.yml", dir);
    assert_string_equal(set->eventsources[0]->pos.file, want);
    ce_free(want);
    /* a missing path is an error, not a crash */
    char *missing = ce_xasprintf("%s/nope.yaml", dir);
    assert_int_equal(ce_manifest_load_path(set, missing, false, &d), CE_ENOENT);
    assert_int_equal(ce_diag_errors(&d), 1);
    ce_free(missing);
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
    ce_test_rmtree(dir);
    ce_free(sub);
    ce_free(hidden);
    ce_free(dir);
}

static void test_yaml_syntax_error(void **state)
{
    (void)state;
    struct ce_diag d;
    int rc;
    struct ce_manifest_set *set =
        tm_load(TM_HEAD "kind: Sensor\nmetadata:\n  name: [a, b\nspec: {}\n", false, &d, &rc);
    assert_int_equal(rc, CE_EPARSE);
    tm_expect(&d, (const char *const[]){"5:5||invalid YAML: did not find expected ',' or ']' "
                                        "while parsing a flow sequence",
                                        NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    set = tm_load("a: 1\n  b: 2\n", false, &d, &rc);
    assert_int_equal(rc, CE_EPARSE);
    tm_expect(&d, (const char *const[]){"2:4||invalid YAML: mapping values are not allowed in "
                                        "this context",
                                        NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    set = tm_load("a: 1\nb: \xff\n", false, &d, &rc);
    assert_int_equal(rc, CE_EPARSE);
    tm_expect(&d, (const char *const[]){"2:4||invalid YAML: invalid leading UTF-8 octet", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);

    set = tm_load("a: 1\na: 2\n", false, &d, &rc);
    assert_int_equal(rc, CE_EPARSE);
    tm_expect(&d, (const char *const[]){"2:1||mapping key \"a\" already defined at line 1", NULL});
    ce_diag_fini(&d);
    ce_manifest_set_destroy(set);
}

/* Runs the built `cevents` with args (args[0] is "lint"), its stdout and stderr sent to files;
 * returns the exit status. */
static int tm_lint(const char *dir, char *const *args, int n, char **out, char **err)
{
    char *outp = ce_xasprintf("%s/.stdout", dir);
    char *errp = ce_xasprintf("%s/.stderr", dir);
    fflush(stdout);
    fflush(stderr);
    char **argv = ce_xcalloc((size_t)n + 2, sizeof(*argv));
    argv[0] = CE_TEST_BINARY;
    for (int i = 0; i < n; i++) {
        argv[i + 1] = args[i];
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) {
            _exit(127);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int wstatus = 0;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    ce_free(argv);
    assert_true(WIFEXITED(wstatus));
    int status = WEXITSTATUS(wstatus);
    *out = ce_test_read_file(outp, NULL);
    *err = ce_test_read_file(errp, NULL);
    unlink(outp);
    unlink(errp);
    ce_free(outp);
    ce_free(errp);
    return status;
}

static void test_lint_main(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("lint");
    char *bad = ce_test_write_file(dir, "bad.yaml",
                                   TM_HEAD "kind: EventSource\nmetadata:\n  name: es\nspec:\n"
                                           "  webhook:\n    example:\n      port: abc\n"
                                           "      endpoint: /x\n      method: POST\n"
                                           "---\napiVersion: v1\nkind: ConfigMap\n"
                                           "metadata: {name: cm}\n");
    char *good = ce_test_write_file(dir, "good.yaml", tm_multi);
    char *out = NULL;
    char *err = NULL;

    char *a1[] = {"lint", good, NULL};
    assert_int_equal(tm_lint(dir, a1, 2, &out, &err), 0);
    assert_string_equal(out, "1 file, 3 objects, 0 errors\n");
    char *note = ce_xasprintf("%s:13:1: note: skipped ConfigMap cm: not an argoproj.io/v1alpha1 "
                              "EventSource, Sensor or EventBus\n",
                              good);
    assert_string_equal(err, note);
    ce_free(note);
    ce_free(out);
    ce_free(err);

    char *a2[] = {"lint", "--strict", good, bad, NULL};
    assert_int_equal(tm_lint(dir, a2, 4, &out, &err), 1);
    assert_string_equal(out, "2 files, 3 objects, 1 error\n");
    char *line =
        ce_xasprintf("%s:8:13: error: spec.webhook.example.port: not a port number\n", bad);
    assert_non_null(strstr(err, line));
    ce_free(line);
    ce_free(out);
    ce_free(err);

    char *a3[] = {"lint", NULL};
    assert_int_equal(tm_lint(dir, a3, 1, &out, &err), 2);
    assert_non_null(strstr(err, "usage: cevents lint"));
    ce_free(out);
    ce_free(err);
    char *a4[] = {"lint", "--bogus", good, NULL};
    assert_int_equal(tm_lint(dir, a4, 3, &out, &err), 2);
    ce_free(out);
    ce_free(err);
    char *missing = ce_xasprintf("%s/missing.yaml", dir);
    char *a5[] = {"lint", missing, NULL};
    assert_int_equal(tm_lint(dir, a5, 2, &out, &err), 1);
    assert_string_equal(out, "0 files, 0 objects, 1 error\n");
    ce_free(missing);
    ce_free(out);
    ce_free(err);

    ce_free(bad);
    ce_free(good);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_node_helpers(void **state)
{
    (void)state;
    struct ce_diag d;
    ce_diag_init(&d);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    static const char text[] = "i: 12\nq: \"12\"\nneg: -3\nx: 1.5\nt: yes\nf: \"false\"\n"
                               "nul: ~\ns: 'null'\nbig: 99999999999999999999999\n";
    assert_int_equal(ce_node_parse(text, strlen(text), "n.yaml", &d, &docs, &n), CE_OK);
    assert_int_equal(n, 1);
    const struct ce_node *r = docs[0].root;
    int64_t v = 0;
    bool b = false;
    assert_true(ce_node_int(ce_node_get(r, "i"), &v));
    assert_int_equal(v, 12);
    assert_true(ce_node_int(ce_node_get(r, "q"), &v));
    assert_int_equal(v, 12);
    assert_true(ce_node_int(ce_node_get(r, "neg"), &v));
    assert_int_equal(v, -3);
    assert_false(ce_node_int(ce_node_get(r, "x"), &v));
    assert_false(ce_node_int(ce_node_get(r, "big"), &v));
    assert_true(ce_node_bool(ce_node_get(r, "t"), &b));
    assert_true(b);
    assert_true(ce_node_bool(ce_node_get(r, "f"), &b));
    assert_false(b);
    assert_true(ce_node_is_null(ce_node_get(r, "nul")));
    assert_false(ce_node_is_null(ce_node_get(r, "s")));
    assert_true(ce_node_is_string(ce_node_get(r, "s")));
    assert_null(ce_node_get(r, "absent"));
    assert_int_equal(ce_node_get(r, "neg")->line, 3);
    assert_int_equal(ce_node_get(r, "neg")->col, 6);
    ce_node_docs_free(docs, n);

    /* paths into a tree, and findings placed at the node they name */
    static const char tree[] = "filters:\n  data:\n  - {path: a, value: [x, \"y(\"]}\n";
    assert_int_equal(ce_node_parse(tree, strlen(tree), "t.yaml", &d, &docs, &n), CE_OK);
    const char *p = "filters.data[0].value[1]";
    const struct ce_node *at = ce_node_at(docs[0].root, p, strlen(p));
    assert_non_null(at);
    assert_string_equal(at->str, "y(");
    assert_null(ce_node_at(docs[0].root, "filters.data[1]", 15));
    assert_null(ce_node_at(docs[0].root, "filters.data[x]", 15));
    struct ce_pos dep = {"t.yaml", 1, 1};
    ce_diag_add_found(&d, CE_DIAG_ERROR, &dep, docs[0].root, "spec.dependencies[0]",
                      "filters.data[0].value[1]: bad");
    ce_diag_add_found(&d, CE_DIAG_ERROR, &dep, docs[0].root, "spec.dependencies[0]",
                      "not a path: at the object");
    tm_expect(&d,
              (const char *const[]){"3:26|spec.dependencies[0].filters.data[0].value[1]|bad",
                                    "1:1|spec.dependencies[0]|not a path: at the object", NULL});
    ce_node_docs_free(docs, n);
    ce_diag_fini(&d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_dir),       cmocka_unit_test(test_multi_documents),
        cmocka_unit_test(test_numbers_as_strings), cmocka_unit_test(test_case_insensitive_keys),
        cmocka_unit_test(test_aliases_and_merge),  cmocka_unit_test(test_caps),
        cmocka_unit_test(test_bad_manifests),      cmocka_unit_test(test_strict_unknown_keys),
        cmocka_unit_test(test_skipped_kinds),      cmocka_unit_test(test_directory_order),
        cmocka_unit_test(test_yaml_syntax_error),  cmocka_unit_test(test_lint_main),
        cmocka_unit_test(test_node_helpers),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
