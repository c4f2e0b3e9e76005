/* SPDX-License-Identifier: Apache-2.0 */
/* Manifest YAML → JSON as kubectl stores it (plain scalars typed by YAML 1.1, quoted ones
 * strings), and RFC 3339 times as saved in the Sensor state. */
#include "core/base/mem.h"
#include "core/base/clock.h"
#include "manifest/diag.h"
#include "manifest/node.h"
#include "manifest/tojson.h"
#include "sensor/state.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static char *tj_convert(const char *yaml)
{
    struct ce_diag d;
    ce_diag_init(&d);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    assert_int_equal(ce_node_parse(yaml, strlen(yaml), "t.yaml", &d, &docs, &n), 0);
    assert_int_equal(n, 1);
    char *text = ce_node_to_json_text(docs[0].root);
    ce_node_docs_free(docs, n);
    ce_diag_fini(&d);
    return text;
}

static void test_scalars(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *json;
    } cases[] = {
        {"a: 1", "{\"a\":1}"},
        {"a: -12", "{\"a\":-12}"},
        {"a: 0x1F", "{\"a\":31}"},
        {"a: 0o17", "{\"a\":15}"},
        {"a: 1_000", "{\"a\":1000}"},
        {"a: 1.5", "{\"a\":1.5}"},
        {"a: 1e3", "{\"a\":1000.0}"},
        {"a: \"1\"", "{\"a\":\"1\"}"},
        {"a: '12000'", "{\"a\":\"12000\"}"},
        {"a: true", "{\"a\":true}"},
        {"a: yes", "{\"a\":true}"},
        {"a: Off", "{\"a\":false}"},
        {"a: y", "{\"a\":\"y\"}"},
        {"a: ~", "{\"a\":null}"},
        {"a:", "{\"a\":null}"},
        {"a: null", "{\"a\":null}"},
        {"a: \"null\"", "{\"a\":\"null\"}"},
        {"a: .inf", "{\"a\":\".inf\"}"},
        {"a: 1.2.3", "{\"a\":\"1.2.3\"}"},
        {"a: 12abc", "{\"a\":\"12abc\"}"},
        {"a: !!str 5", "{\"a\":\"5\"}"},
        {"a: |\n  x\n  y\n", "{\"a\":\"x\\ny\\n\"}"},
        {"b: [1, x, {c: d}]\na: {}", "{\"a\":{},\"b\":[1,\"x\",{\"c\":\"d\"}]}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = tj_convert(cases[i].yaml);
        assert_string_equal(got, cases[i].json);
        ce_free(got);
    }
    assert_null(ce_node_to_json(NULL));
    assert_null(ce_node_to_json_text(NULL));
}

static void test_times(void **state)
{
    (void)state;
    assert_true(ce_clock_parse_rfc3339_ns("1970-01-01T00:00:00Z") == 0);
    assert_true(ce_clock_parse_rfc3339_ns("1970-01-01T00:00:01.5Z") == 1500000000);
    assert_true(ce_clock_parse_rfc3339_ns("2026-11-22T23:14:07.014305729Z") ==
                INT64_C(1795389247014305729));
    assert_true(ce_clock_parse_rfc3339_ns("1970-01-01T01:00:00+01:00") == 0);
    assert_true(ce_clock_parse_rfc3339_ns("1970-01-01T00:00:00-00:30") == INT64_C(1800000000000));
    assert_true(ce_clock_parse_rfc3339_ns("1970-01-01 00:00:00Z") == 0);
    static const char *const bad[] = {"",
                                      "1970-01-01",
                                      "1970-13-01T00:00:00Z",
                                      "1970-01-01T00:00:00",
                                      "1970-01-01T00:00:00Zjunk",
                                      "1970-01-01T25:00:00Z",
                                      "x970-01-01T00:00:00Z",
                                      "1970-01-01T",
                                      "1970-01-01T00:00:00+01",
                                      "1970-01-01T00:00:00.",
                                      "1970-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(ce_clock_parse_rfc3339_ns(bad[i]) == -1);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_times),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
