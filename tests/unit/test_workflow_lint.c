/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/wflint: the Workflow checks `cevents lint` makes, each error at the value's line and
 * column with its path; the shapes users submit (workflows.md) pass without a word; what is
 * decided at run time (computed template names, templateRef, workflowTemplateRef) is left
 * alone. */
#include "core/base/mem.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/node.h"
#include "tests/harness/harness.h"
#include "triggers/wflint.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Lints text; the diagnostics in d (ce_diag_fini it). */
static void lint(const char *text, const struct ce_wflint_opts *opts, struct ce_diag *d)
{
    ce_diag_init(d);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    assert_int_equal(ce_node_parse(text, strlen(text), "wf.yaml", d, &docs, &n), CE_OK);
    struct ce_mdec c;
    memset(&c, 0, sizeof c);
    c.file = "wf.yaml";
    c.diag = d;
    for (int i = 0; i < n; i++) {
        ce_wflint_check(&c, docs[i].root, opts);
    }
    ce_node_docs_free(docs, n);
}

/* The diagnostic at line:col has path and a message containing msg. */
static void expect(const struct ce_diag *d, int line, int col, const char *path, const char *msg)
{
    for (int i = 0; i < d->n; i++) {
        const struct ce_diag_item *it = &d->items[i];
        if (it->line == line && it->col == col && strcmp(it->path, path) == 0 &&
            strstr(it->msg, msg) != NULL) {
            return;
        }
    }
    for (int i = 0; i < d->n; i++) {
        fprintf(stderr, "  %d:%d %s: %s\n", d->items[i].line, d->items[i].col, d->items[i].path,
                d->items[i].msg);
    }
    fail_msg("no %d:%d %s: %s", line, col, path, msg);
}

static const char *const shapes =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Workflow\n"
    "metadata: {generateName: hello-}\n"
    "spec:\n"
    "  entrypoint: main\n"
    "  onExit: say\n"
    "  arguments: {parameters: [{name: message, value: hello}]}\n"
    "  templates:\n"
    "  - name: main\n"
    "    steps:\n"
    "    - - {name: produce, template: produce}\n"
    "    - - name: consume\n"
    "        template: say\n"
    "        arguments: {parameters: [{name: message, value: "
    "\"{{steps.produce.outputs.result}}\"}]}\n"
    "    - - {name: each, template: \"{{item}}\", withItems: [say]}\n"
    "    - - {name: lib, templateRef: {name: lib, template: x}}\n"
    "    - - name: inline\n"
    "        inline: {inputs: {parameters: [{name: z}]}, container: {image: b, args: "
    "['{{inputs.parameters.z}}']}}\n"
    "  - name: produce\n"
    "    script: {image: python, command: [python], source: 'print(1)'}\n"
    "  - name: say\n"
    "    inputs: {parameters: [{name: message}]}\n"
    "    container: {image: busybox, args: ['{{inputs.parameters.message}}', '{{ "
    "workflow.parameters.message }}', '{{workflow.parameters.json}}', "
    "'{{=inputs.parameters.x}}']}\n"
    "  - name: diamond\n"
    "    dag:\n"
    "      tasks:\n"
    "      - {name: A, template: say}\n"
    "      - {name: B, template: say, dependencies: [A]}\n"
    "      - {name: C, template: say, depends: \"A.Succeeded || A.Failed\"}\n"
    "      - {name: D, template: say, depends: \"(B && C) && !A.Errored\"}\n"
    "  - name: wait\n"
    "    suspend: {duration: 10s}\n";

static void test_valid_shapes_pass(void **state)
{
    (void)state;
    struct ce_diag d;
    lint(shapes, NULL, &d);
    if (d.n != 0) {
        ce_diag_print(&d, stderr);
    }
    assert_int_equal(d.n, 0);
    ce_diag_fini(&d);
}

static void test_names_and_kinds(void **state)
{
    (void)state;
    struct ce_diag d;
    lint("apiVersion: argoproj.io/v1alpha1\n"
         "kind: Workflow\n"
         "spec:\n"
         "  entrypoint: mian\n"
         "  templates:\n"
         "  - name: main\n"
         "    steps:\n"
         "    - - {name: a, template: nope}\n"
         "    - - {name: b}\n"
         "  - name: main\n"
         "    container: {image: x}\n"
         "    script: {image: x, source: y}\n"
         "  - name: empty\n",
         NULL, &d);
    expect(&d, 4, 15, "spec.entrypoint", "\"mian\" names no template");
    expect(&d, 8, 29, "spec.templates[0].steps[0][0].template", "no template named \"nope\"");
    expect(&d, 9, 9, "spec.templates[0].steps[1][0]", "needs template, templateRef or inline");
    expect(&d, 10, 11, "spec.templates[1].name", "duplicate template name \"main\"");
    expect(&d, 12, 13, "spec.templates[1].script", "exactly one kind; it already has container");
    expect(&d, 13, 5, "spec.templates[2]", "has no kind");
    assert_int_equal(ce_diag_errors(&d), 6);
    ce_diag_fini(&d);
}

static void test_dag_dependencies_and_cycles(void **state)
{
    (void)state;
    struct ce_diag d;
    lint("apiVersion: argoproj.io/v1alpha1\n"
         "kind: WorkflowTemplate\n"
         "spec:\n"
         "  templates:\n"
         "  - name: s\n"
         "    container: {image: x}\n"
         "  - name: g\n"
         "    dag:\n"
         "      tasks:\n"
         "      - {name: A, template: s, dependencies: [C]}\n"
         "      - {name: B, template: s, dependencies: [A, Z], depends: A}\n"
         "      - {name: C, template: s, depends: \"B.Suceeded\"}\n"
         "      - {name: A, template: s}\n",
         NULL, &d);
    expect(&d, 11, 50, "spec.templates[1].dag.tasks[1].dependencies[1]", "no task named \"Z\"");
    expect(&d, 11, 63, "spec.templates[1].dag.tasks[1].depends", "dependencies or depends");
    expect(&d, 12, 41, "spec.templates[1].dag.tasks[2].depends", "unknown task result");
    expect(&d, 13, 16, "spec.templates[1].dag.tasks[3].name", "duplicate task name \"A\"");
    expect(&d, 11, 9, "spec.templates[1].dag.tasks[1]", "form a cycle: A -> C -> B -> A");
    assert_int_equal(ce_diag_errors(&d), 5);
    ce_diag_fini(&d);
}

static void test_parameter_references(void **state)
{
    (void)state;
    struct ce_diag d;
    const char *text =
        "apiVersion: argoproj.io/v1alpha1\n"
        "kind: CronWorkflow\n"
        "spec:\n"
        "  workflowSpec:\n"
        "    entrypoint: say\n"
        "    arguments: {parameters: [{name: who}]}\n"
        "    templates:\n"
        "    - name: say\n"
        "      inputs: {parameters: [{name: msg}]}\n"
        "      container:\n"
        "        args: [\"{{inputs.parameters.mgs}} {{workflow.parameters.when}}\"]\n";
    lint(text, NULL, &d);
    expect(&d, 11, 16, "spec.workflowSpec.templates[0].container.args[0]",
           "the template \"say\" declares no input parameter \"mgs\"");
    expect(&d, 11, 16, "spec.workflowSpec.templates[0].container.args[0]",
           "declares no parameter \"when\"");
    assert_int_equal(ce_diag_errors(&d), 2);
    ce_diag_fini(&d);
    /* -p when=... at submission declares it */
    const char *const given[] = {"when", "other", NULL}; /* any of them, not the last only */
    struct ce_wflint_opts o = {.wf_params = given};
    lint(text, &o, &d);
    assert_int_equal(ce_diag_errors(&d), 1);
    ce_diag_fini(&d);
}

static void test_left_to_run_time(void **state)
{
    (void)state;
    struct ce_diag d;
    /* the spec comes from the template: entrypoint and parameters are not checked here */
    lint("apiVersion: argoproj.io/v1alpha1\n"
         "kind: Workflow\n"
         "spec:\n"
         "  workflowTemplateRef: {name: t}\n"
         "  entrypoint: elsewhere\n"
         "  arguments: {parameters: [{name: x, value: '{{workflow.parameters.y}}'}]}\n"
         "---\n"
         "apiVersion: v1\n"
         "kind: ConfigMap\n"
         "data: {a: '{{inputs.parameters.q}}'}\n",
         NULL, &d);
    assert_int_equal(d.n, 0);
    ce_diag_fini(&d);
    struct ce_wflint_opts o = {.entrypoint_given = true};
    lint("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  entrypoint: x\n"
         "  templates: [{name: y, container: {image: b}}]\n",
         &o, &d);
    assert_int_equal(d.n, 0);
    ce_diag_fini(&d);
}

/* An `inline` source: the finding is at the text's node, naming its place in the text. */
static void test_inline_text(void **state)
{
    (void)state;
    struct ce_diag d;
    ce_diag_init(&d);
    const char *text = "inline: |\n"
                       "  kind: Workflow\n"
                       "  apiVersion: argoproj.io/v1alpha1\n"
                       "  spec: {entrypoint: x, templates: [{name: y, container: {image: b}}]}\n";
    struct ce_node_doc *docs = NULL;
    int n = 0;
    assert_int_equal(ce_node_parse(text, strlen(text), "s.yaml", &d, &docs, &n), CE_OK);
    struct ce_mdec c;
    memset(&c, 0, sizeof c);
    c.file = "s.yaml";
    c.diag = &d;
    size_t old = ce_mdec_push(&c, "inline");
    ce_wflint_check_text(&c, ce_node_get(docs[0].root, "inline"), NULL);
    ce_mdec_pop(&c, old);
    expect(&d, 1, 9, "inline", "line 3 column 20 of the text: spec.entrypoint: \"x\" names no");
    assert_int_equal(ce_diag_errors(&d), 1);
    ce_node_docs_free(docs, n);
    ce_diag_fini(&d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_shapes_pass),
        cmocka_unit_test(test_names_and_kinds),
        cmocka_unit_test(test_dag_dependencies_and_cycles),
        cmocka_unit_test(test_parameter_references),
        cmocka_unit_test(test_left_to_run_time),
        cmocka_unit_test(test_inline_text),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
