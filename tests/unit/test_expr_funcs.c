/* SPDX-License-Identifier: Apache-2.0 */
/* core/expr_funcs: EventSource filter expressions calling jsonpath() and sprig.<name>() the way
 * Argo Events manifests use them, Go-reflection argument errors, failures of the called
 * function, and that every sprig function of core/sprig is offered. */
#include "core/expr/expr_funcs.h"

#include "core/base/rc.h"
#include "core/template/sprig_int.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char event[] = "{\"body\":{\"name\":\"Joe\",\"id\":4,\"tags\":[\"a\",\"b\"],"
                            "\"items\":[{\"id\":1,\"price\":5},{\"id\":2,\"price\":15}],"
                            "\"raw\":\"{\\\"x\\\":{\\\"y\\\":[10,20]}}\",\"bad\":\"{nope\"}}";

struct bcase {
    const char *src;
    bool want;
};

struct ecase {
    const char *src;
    const char *err; /* a substring of the message */
};

static int eval(const char *src, bool *out, char *err, size_t errlen)
{
    json_t *data = json_loads(event, JSON_DECODE_INT_AS_REAL, NULL);
    assert_non_null(data);
    json_t *env = ce_expr_env_from_event(data, err, errlen);
    assert_non_null(env);
    struct ce_expr *e = NULL;
    int rc = ce_expr_compile(CE_EXPR_EXPRLANG, src, &e, err, errlen);
    if (rc == CE_OK) {
        rc = ce_expr_eval_bool(e, env, ce_expr_funcs_argo(), out, err, errlen);
        ce_expr_destroy(e);
    }
    json_decref(env);
    json_decref(data);
    return rc;
}

static void test_true_false(void **state)
{
    (void)state;
    static const struct bcase cases[] = {
        {"sprig.upper(body.name) == \"JOE\"", true},
        {"sprig.lower(body.name) == \"JOE\"", false},
        {"sprig.contains(\"oe\", body.name)", true},
        {"sprig.contains(\"xx\", body.name)", false},
        {"sprig.hasPrefix(\"J\", body.name) && sprig.hasSuffix(\"e\", body.name)", true},
        {"sprig.trim(\"  x \") == \"x\"", true},
        {"sprig.replace(\"o\", \"0\", body.name) == \"J0e\"", true},
        {"sprig.join(\",\", body.tags) == \"a,b\"", true},
        {"sprig.default(\"d\", body.missing) == \"d\"", true},
        {"sprig.empty(body.missing)", true},
        {"sprig.has(\"b\", body.tags)", true},
        {"sprig.regexMatch(\"^J.e$\", body.name)", true},
        {"sprig.b64enc(body.name) == \"Sm9l\"", true},
        {"sprig.toString(body.id) == \"4\"", true},
        {"sprig.add(1, 2) == 3", true},
        {"sprig.atoi(\"42\") == 42", true},
        {"sprig.max(1, 7, 3) == 7", true},
        {"sprig.toJson(body.tags) == \"[\\\"a\\\",\\\"b\\\"]\"", true},
        {"sprig.fromJson(body.raw).x.y[1] == 20", true},
        {"sprig.dict(\"a\", 1).a == 1", true},
        {"sprig.list(1, 2, 3)[2] == 3", true},
        {"sprig.toDate(\"2006-01-02\", \"2024-03-10\") != \"\"", true},
        {"jsonpath(toJson(body), \"$.items[0].id\") == 1", true},
        {"jsonpath(toJson(body), \"$.items[?(@.price > 10)].id\")[0] == 2", true},
        {"len(jsonpath(toJson(body), \"$.items[*].id\")) == 2", true},
        {"jsonpath(toJson(body), \"$.items.length\") == 2", true},
        {"jsonpath(body.raw, \"$.x.y[-1]\") == 20", true},
        {"jsonpath(body.raw, \"$..y[0]\")[0] == 10", true},
        {"jsonpath(toJson(body), \"$.name\") == \"Joe\"", true},
        {"jsonpath(\"5\", \"$\") == 5", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = !cases[i].want;
        char err[512] = "";
        int rc = eval(cases[i].src, &got, err, sizeof err);
        if (rc != CE_OK || got != cases[i].want) {
            fprintf(stderr, "%s: rc %d got %d err %s\n", cases[i].src, rc, got, err);
        }
        assert_int_equal(rc, CE_OK);
        assert_int_equal(got, cases[i].want);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct ecase cases[] = {
        {"sprig.nosuch(body.name) == \"\"", ""},
        {"sprig.env(\"HOME\") == \"\"", ""},
        {"jsonpath(body.bad, \"$.a\") == 1", "invalid JSON"},
        {"jsonpath(toJson(body), \"$.missing\") == 1",
         "key: invalid token key 'missing' not found"},
        {"jsonpath(toJson(body), \"items\") == 1", "invalid JSONPath selector 'items'"},
        {"jsonpath(toJson(body)) == 1", "reflect: Call with too few input arguments"},
        {"jsonpath(body.id, \"$\") == 1", "reflect: Call using float64 as type string"},
        {"sprig.upper(body.id) == \"\"", "reflect: Call using float64 as type string"},
        {"sprig.upper(body.missing) == \"\"", "reflect: Call using interface {} as type string"},
        {"sprig.repeat(body.id, \"x\") == \"\"", "reflect: Call using float64 as type int"},
        {"sprig.upper(\"a\", \"b\") == \"\"", "reflect: Call with too many input arguments"},
        {"sprig.mustRegexMatch(\"(\", \"x\")", "error parsing regexp"},
        {"sprig.fail(\"boom\")", "boom"},
        {"sprig.repeat(100000000, \"xxxxxxxxxx\") == \"\"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = false;
        char err[512] = "";
        int rc = eval(cases[i].src, &got, err, sizeof err);
        if (rc == CE_OK || strstr(err, cases[i].err) == NULL) {
            fprintf(stderr, "%s: rc %d err '%s' want '%s'\n", cases[i].src, rc, err, cases[i].err);
        }
        assert_int_not_equal(rc, CE_OK);
        assert_non_null(strstr(err, cases[i].err));
    }
}

/* Every function of the sprig module is offered as sprig.<name>, and nothing else is. */
static void test_table_complete(void **state)
{
    (void)state;
    const struct ce_expr_funcs *t = ce_expr_funcs_argo();
    static const struct {
        const struct ce_fn *fns;
        const size_t *n;
    } tables[] = {
        {ce_sprig_case_fns, &ce_sprig_case_nfns}, {ce_sprig_str_fns, &ce_sprig_str_nfns},
        {ce_sprig_list_fns, &ce_sprig_list_nfns}, {ce_sprig_math_fns, &ce_sprig_math_nfns},
        {ce_sprig_enc_fns, &ce_sprig_enc_nfns},   {ce_sprig_regex_fns, &ce_sprig_regex_nfns},
        {ce_sprig_date_fns, &ce_sprig_date_nfns},
    };
    size_t total = 0;
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++) {
        for (size_t i = 0; i < *tables[k].n; i++) {
            char name[128];
            snprintf(name, sizeof name, "sprig.%s", tables[k].fns[i].name);
            bool found = false;
            for (size_t j = 0; j < t->n && !found; j++) {
                found = strcmp(t->items[j].name, name) == 0;
            }
            if (!found) {
                fprintf(stderr, "missing %s\n", name);
            }
            assert_true(found);
            total++;
        }
    }
    assert_int_equal(t->n, total + 1); /* + jsonpath */
    for (size_t j = 0; j < t->n; j++) {
        assert_true(strcmp(t->items[j].name, "sprig.env") != 0);
        assert_true(strcmp(t->items[j].name, "sprig.expandenv") != 0);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_true_false),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_table_complete),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
