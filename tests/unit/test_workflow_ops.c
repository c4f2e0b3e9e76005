/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/argoWorkflow: `args` read as the argo CLI reads them and applied as ApplySubmitOpts
 * does; the Workflows made for submit-from and resubmit, and the changes of resume, as Argo
 * Workflows' own code makes them; the name a generateName-only object gets from its firing. */
#include "core/base/mem.h"
#include "eventbus/cloudevent.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/node.h"
#include "tests/harness/harness.h"
#include "triggers/argoWorkflow/config.h"
#include "triggers/argoWorkflow/formulate.h"
#include "triggers/kaction.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Decodes an argoWorkflow block; the config (aw_free it through the decoder) and diagnostics. */
static struct aw_config *decode(const char *text, struct ce_diag *d)
{
    ce_diag_init(d);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    assert_int_equal(ce_node_parse(text, strlen(text), "b.yaml", d, &docs, &n), CE_OK);
    struct ce_mdec c;
    memset(&c, 0, sizeof c);
    c.file = "b.yaml";
    c.diag = d;
    c.owner = docs[0].root;
    struct aw_config *cfg = ce_aw_block.decode(&c, docs[0].root);
    ce_node_docs_free(docs, n);
    return cfg;
}

static const char *const wf_source =
    "source:\n"
    "  resource:\n"
    "    apiVersion: argoproj.io/v1alpha1\n"
    "    kind: Workflow\n"
    "    metadata: {generateName: x-}\n"
    "    spec:\n"
    "      entrypoint: main\n"
    "      arguments: {parameters: [{name: a, value: '1'}, {name: b, value: '2'}]}\n"
    "      templates: [{name: main, container: {image: b}}, {name: other, container: {image: "
    "b}}]\n";

static void test_args_applied_as_the_cli_does(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text,
             "operation: submit\n%sargs: [-p, b=new, --parameter=c=3, -pd=4, --entrypoint, other, "
             "--serviceaccount=runner, -l, 'team=data,tier=1', --priority, '5', --name, fixed, "
             "--instanceid, i1, -o, json, --wait]\n",
             wf_source);
    struct ce_diag d;
    struct aw_config *cfg = decode(text, &d);
    if (ce_diag_errors(&d) != 0) {
        ce_diag_print(&d, stderr);
    }
    assert_int_equal(ce_diag_errors(&d), 0);
    json_t *wf = json_deep_copy(cfg->source.object);
    aw_submit_opts_apply(&cfg->opts, wf);
    json_t *spec = json_object_get(wf, "spec");
    assert_string_equal(json_string_value(json_object_get(spec, "entrypoint")), "other");
    assert_string_equal(json_string_value(json_object_get(spec, "serviceAccountName")), "runner");
    assert_int_equal(json_integer_value(json_object_get(spec, "priority")), 5);
    char *params = json_dumps(json_object_get(json_object_get(spec, "arguments"), "parameters"),
                              JSON_COMPACT | JSON_PRESERVE_ORDER);
    /* given ones first, then the old ones not given */
    assert_string_equal(params,
                        "[{\"name\":\"b\",\"value\":\"new\"},{\"name\":\"c\",\"value\":\"3\"},"
                        "{\"name\":\"d\",\"value\":\"4\"},{\"name\":\"a\",\"value\":\"1\"}]");
    free(params);
    assert_string_equal(ce_kobj_meta(wf, "name"), "fixed");
    json_t *labels = json_object_get(json_object_get(wf, "metadata"), "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "team")), "data");
    assert_string_equal(json_string_value(json_object_get(labels, "tier")), "1");
    assert_string_equal(
        json_string_value(json_object_get(labels, "workflows.argoproj.io/controller-instanceid")),
        "i1");
    json_decref(wf);
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
}

static void test_refused_args_and_operations(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text,
             "operation: submit\n%sargs: [--dry-run, -p, novalue, -l, 'a', --priority, x, "
             "--entrypoint]\n",
             wf_source);
    struct ce_diag d;
    struct aw_config *cfg = decode(text, &d);
    assert_int_equal(ce_diag_errors(&d), 5);
    assert_non_null(strstr(d.items[0].msg, "argument \"--dry-run\" is not supported"));
    assert_non_null(strstr(d.items[1].msg, "expected parameter of the form: NAME=VALUE"));
    assert_non_null(strstr(d.items[2].msg, "expected labels of the form"));
    assert_non_null(strstr(d.items[3].msg, "--priority: \"x\" is not a whole number"));
    assert_non_null(strstr(d.items[4].msg, "--entrypoint needs a value"));
    assert_string_equal(d.items[0].path, "args[0]");
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
    cfg =
        decode("operation: retry\nsource: {resource: {kind: Workflow, metadata: {name: w}}}\n", &d);
    assert_int_equal(ce_diag_errors(&d), 0); /* retry is made as `argo retry` makes it */
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
    cfg = decode("operation: retry\nsource: {resource: {kind: Workflow, metadata: {name: w}}}\n"
                 "args: [-n, default, --restart-successful, -p, a=b]\n",
                 &d);
    assert_int_equal(ce_diag_errors(&d), 2);
    assert_non_null(strstr(d.items[0].msg, "argument \"--restart-successful\" is not supported"));
    assert_non_null(strstr(d.items[1].msg, "applies to submit and submit-from only"));
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
    cfg = decode("operation: suspend\nsource: {resource: {kind: Workflow, metadata: {generateName: "
                 "w-}}}\nargs: [--entrypoint, x]\n",
                 &d);
    assert_int_equal(ce_diag_errors(&d), 2);
    assert_non_null(strstr(d.items[0].msg, "applies to submit and submit-from only"));
    assert_non_null(strstr(d.items[1].msg, "operation suspend needs the object's metadata.name"));
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
    cfg = decode("operation: submit-from\nsource: {resource: {kind: Workflow, metadata: {name: "
                 "w}}}\n",
                 &d);
    assert_int_equal(ce_diag_errors(&d), 1);
    assert_non_null(strstr(d.items[0].msg, "submit-from needs a WorkflowTemplate"));
    ce_aw_block.free_config(cfg);
    ce_diag_fini(&d);
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void test_from_templates_and_cron(void **state)
{
    (void)state;
    json_t *wf = aw_from_template("greet", false);
    char *s = dump(wf);
    assert_string_equal(s, "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Workflow\","
                           "\"metadata\":{\"generateName\":\"greet-\",\"labels\":{"
                           "\"workflows.argoproj.io/workflow-template\":\"greet\"}},\"spec\":{"
                           "\"workflowTemplateRef\":{\"name\":\"greet\"}}}");
    free(s);
    json_decref(wf);
    wf = aw_from_template("greet", true);
    s = dump(wf);
    assert_non_null(strstr(s, "\"clusterScope\":true"));
    assert_non_null(strstr(s, "\"workflows.argoproj.io/cluster-workflow-template\":\"greet\""));
    free(s);
    json_decref(wf);
    json_t *cron = json_loads(
        "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"CronWorkflow\",\"metadata\":{"
        "\"name\":\"nightly\",\"uid\":\"u-1\",\"labels\":{\"workflows.argoproj.io/"
        "controller-instanceid\":\"i\",\"other\":\"no\"}},\"spec\":{\"workflowSpec\":{"
        "\"entrypoint\":\"m\"},\"workflowMetadata\":{\"labels\":{\"team\":\"d\"},"
        "\"annotations\":{\"a\":\"b\"}}}}",
        0, NULL);
    wf = aw_from_cron(cron, 0);
    s = dump(wf);
    assert_string_equal(
        s, "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Workflow\",\"metadata\":{"
           "\"annotations\":{\"a\":\"b\",\"workflows.argoproj.io/scheduled-time\":"
           "\"1970-01-01T00:00:00Z\"},\"generateName\":\"nightly-\",\"labels\":{\"team\":\"d\","
           "\"workflows.argoproj.io/controller-instanceid\":\"i\",\"workflows.argoproj.io/"
           "cron-workflow\":\"nightly\"},\"ownerReferences\":[{\"apiVersion\":\"argoproj.io/"
           "v1alpha1\",\"blockOwnerDeletion\":true,\"controller\":true,\"kind\":\"CronWorkflow\","
           "\"name\":\"nightly\",\"uid\":\"u-1\"}]},\"spec\":{\"entrypoint\":\"m\"}}");
    free(s);
    json_decref(wf);
    json_decref(cron);
}

static void test_resubmit_and_resume(void **state)
{
    (void)state;
    json_t *old = json_loads(
        "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Workflow\",\"metadata\":{\"name\":"
        "\"w1\",\"uid\":\"x\",\"resourceVersion\":\"7\",\"labels\":{\"team\":\"d\","
        "\"workflows.argoproj.io/phase\":\"Failed\",\"workflows.argoproj.io/completed\":"
        "\"true\"}},\"spec\":{\"shutdown\":\"Stop\",\"activeDeadlineSeconds\":0,\"arguments\":{"
        "\"parameters\":[{\"name\":\"p\",\"value\":\"1\"}]}},\"status\":{\"phase\":\"Failed\"}}",
        0, NULL);
    struct aw_submit_opts o = {0};
    o.param_names[0] = "p";
    o.param_values[0] = "2";
    o.n_params = 1;
    json_t *wf = aw_resubmit(old, &o);
    char *s = dump(wf);
    assert_string_equal(s, "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Workflow\","
                           "\"metadata\":{\"generateName\":\"w1-\",\"labels\":{\"team\":\"d\","
                           "\"workflows.argoproj.io/resubmitted-from-workflow\":\"w1\"}},"
                           "\"spec\":{\"arguments\":{\"parameters\":[{\"name\":\"p\","
                           "\"value\":\"2\"}]}}}");
    free(s);
    json_decref(wf);
    json_decref(old);
    json_t *susp = json_loads(
        "{\"spec\":{\"suspend\":true},\"status\":{\"nodes\":{\"n1\":{\"type\":\"Suspend\","
        "\"phase\":\"Running\",\"message\":\"waiting\",\"outputs\":{\"parameters\":[{\"name\":"
        "\"ok\",\"valueFrom\":{\"supplied\":{},\"default\":\"yes\"}}]}},\"n2\":{\"type\":\"Pod\","
        "\"phase\":\"Running\"}}}}",
        0, NULL);
    bool updated = false;
    char err[256];
    assert_int_equal(aw_resume_edit(susp, 0, &updated, err, sizeof err), CE_OK);
    assert_true(updated);
    s = dump(susp);
    assert_string_equal(s, "{\"spec\":{},\"status\":{\"nodes\":{\"n1\":{\"finishedAt\":"
                           "\"1970-01-01T00:00:00Z\",\"message\":\"waiting; \",\"outputs\":{"
                           "\"parameters\":[{\"name\":\"ok\",\"value\":\"yes\"}]},\"phase\":"
                           "\"Succeeded\",\"type\":\"Suspend\"},\"n2\":{\"phase\":\"Running\","
                           "\"type\":\"Pod\"}}}}");
    free(s);
    json_decref(susp);
}

static void test_firing_name(void **state)
{
    (void)state;
    struct ce_cloudevent a = {.source = "webhook", .subject = "example", .id = "id-1"};
    struct ce_cloudevent b = {.source = "webhook", .subject = "example", .id = "id-2"};
    struct ce_trigger_event ea = {"dep", &a}, eb = {"dep", &b};
    char n1[128], n2[128], n3[128], n4[128];
    ce_kaction_firing_name("hello-", "s", "t", &ea, 1, n1, sizeof n1);
    ce_kaction_firing_name("hello-", "s", "t", &ea, 1, n2, sizeof n2);
    ce_kaction_firing_name("hello-", "s", "t", &eb, 1, n3, sizeof n3);
    ce_kaction_firing_name("hello-", "s", "t2", &ea, 1, n4, sizeof n4);
    assert_string_equal(n1, n2); /* a redelivery names the same object */
    assert_string_not_equal(n1, n3);
    assert_string_not_equal(n1, n4);
    assert_int_equal(strlen(n1), 16);
    assert_int_equal(strncmp(n1, "hello-", 6), 0);
    for (const char *p = n1 + 6; *p; p++) {
        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
    }
    char long_gen[100];
    memset(long_gen, 'g', sizeof long_gen - 1);
    long_gen[99] = '\0';
    ce_kaction_firing_name(long_gen, "s", "t", &ea, 1, n1, sizeof n1);
    assert_int_equal(strlen(n1), 62); /* within a label's 63 characters */
}

/* explain's YAML: strings that would read back as another type are quoted. */
static void test_yaml_of_an_object(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"a\":\"true\",\"b\":\"10\",\"c\":\"\",\"d\":true,\"e\":10,"
                           "\"f\":\"x: y\",\"g\":null,\"h\":[\"{{x}}\",1.5],\"i\":{}}",
                           JSON_PRESERVE_ORDER, NULL);
    char *y = ce_kobj_to_yaml(o);
    assert_string_equal(y, "a: \"true\"\nb: \"10\"\nc: \"\"\nd: true\ne: 10\nf: 'x: y'\ng: null\n"
                           "h:\n- '{{x}}'\n- 1.5\ni: {}\n");
    ce_free(y);
    json_decref(o);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args_applied_as_the_cli_does),
        cmocka_unit_test(test_refused_args_and_operations),
        cmocka_unit_test(test_from_templates_and_cron),
        cmocka_unit_test(test_resubmit_and_resume),
        cmocka_unit_test(test_firing_name),
        cmocka_unit_test(test_yaml_of_an_object),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
