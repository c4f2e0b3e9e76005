/* SPDX-License-Identifier: Apache-2.0 */
/* core/gotmpl: Go text/template behaviour as Argo Events' parameter templates and data filters
 * see it. Expected outputs are what Go prints for the same template and data (cases adapted
 * from Go's text/template exec_test.go and parse tests, with data decoded as json.Unmarshal into
 * interface{} does). */
#include "core/template/gotmpl.h"

#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char data_json[] =
    "{\"Input\":{\"body\":{\"message\":\"hello\",\"n\":3,\"f\":2.5,\"big\":1000000,"
    "\"list\":[\"a\",\"b\",\"c\"],\"nums\":[1,2,3],\"map\":{\"b\":2,\"a\":1,\"c\":\"x\"},"
    "\"html\":\"<a href=\\\"x\\\">&</a>\",\"empty\":\"\",\"zero\":0,\"t\":true,\"f0\":false,"
    "\"null\":null,\"nested\":{\"x\":{\"y\":\"deep\"}},\"emptylist\":[],\"emptymap\":{}},"
    "\"header\":{\"X-Id\":[\"42\"]}}}";

struct tcase {
    const char *tmpl;
    const char *want; /* NULL: execution must fail */
};

static json_t *load_data(void)
{
    json_error_t je;
    json_t *j = json_loads(data_json, JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(j);
    return j;
}

static int run(const char *tmpl, const json_t *data, char **out, char *err, size_t errlen)
{
    struct ce_tmpl *t = NULL;
    int rc = ce_tmpl_parse(tmpl, &t, err, errlen);
    if (rc != CE_OK) {
        assert_null(t);
        return rc;
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    struct ce_tmpl_opts o = {.now_ns = INT64_C(1700000000123456789)};
    rc = ce_tmpl_exec(t, data, &o, &b, err, errlen);
    ce_tmpl_destroy(t);
    *out = ce_xstrndup(b.data ? b.data : "", b.len);
    ce_buf_fini(&b);
    return rc;
}

static void check_cases(const struct tcase *cases, size_t n)
{
    json_t *data = load_data();
    for (size_t i = 0; i < n; i++) {
        char *out = NULL, err[512] = "";
        int rc = run(cases[i].tmpl, data, &out, err, sizeof err);
        if (cases[i].want) {
            if (rc != CE_OK || strcmp(out, cases[i].want) != 0) {
                print_error("case %zu: %s\n  want [%s]\n  got  [%s] rc=%d %s\n", i, cases[i].tmpl,
                            cases[i].want, out ? out : "", rc, err);
                fail();
            }
        }
        else if (rc == CE_OK) {
            print_error("case %zu: %s should fail, got [%s]\n", i, cases[i].tmpl, out);
            fail();
        }
        ce_free(out);
    }
    json_decref(data);
}

static void test_fields_and_printing(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ .Input.body.message }}", "hello"},
        {"{{.Input.body.message}}", "hello"},
        {"{{ .Input.body.missing }}", "<no value>"},
        {"{{ .Input.nokey.deeper.still }}", "<no value>"},
        {"{{ .Input.body.null }}", "<no value>"},
        {"{{ .Input.body.n }}", "3"},
        {"{{ .Input.body.f }}", "2.5"},
        {"{{ .Input.body.big }}", "1e+06"},
        {"{{ .Input.body.list }}", "[a b c]"},
        {"{{ .Input.body.nums }}", "[1 2 3]"},
        {"{{ .Input.body.map }}", "map[a:1 b:2 c:x]"},
        {"{{ .Input.body.nested }}", "map[x:map[y:deep]]"},
        {"{{ .Input.body.nested.x.y }}", "deep"},
        {"{{ .Input.body.t }} {{ .Input.body.f0 }}", "true false"},
        {"{{ .Input.body.emptylist }}{{ .Input.body.emptymap }}", "[]map[]"},
        {"{{ index .Input.header \"X-Id\" 0 }}", "42"},
        {"{{ printf \"%v\" .Input.body.null }}", "<nil>"},
        {"{{ .Input.body.list | len }}", "3"},
        {"{{ $ }}", "map[Input:map[body:map[big:1e+06 empty: emptylist:[] emptymap:map[] f:2.5 "
                    "f0:false html:<a href=\"x\">&</a> list:[a b c] map:map[a:1 b:2 c:x] "
                    "message:hello n:3 nested:map[x:map[y:deep]] null:<nil> nums:[1 2 3] t:true "
                    "zero:0] header:map[X-Id:[42]]]]"},
        {"text only", "text only"},
        {"", ""},
        {"{{/* a comment */}}x", "x"},
        {"a  {{- /* c */ -}}  b", "ab"},
        {"a {{- 1 -}} b", "a1b"},
        {"a {{ 1 -}}\n\n b", "a 1b"},
        {"{{ 3 }} {{ 3.5 }} {{ 1e3 }} {{ 0x10 }} {{ 'a' }} {{ -7 }} {{ 1_000 }}",
         "3 3.5 1000 16 97 -7 1000"},
        {"{{ \"a\\tb\" }}|{{ `raw\\n` }}", "a\tb|raw\\n"},
        {"{{ true }} {{ false }}", "true false"},
        {"{{ .Input.body.message.x }}", NULL},
        {"{{ .Input.body.null.x }}", NULL},
        {"{{ .Input.body.list.x }}", NULL},
        {"{{ .Input.body.message 1 }}", NULL},
        {"{{ nil }}", NULL},
        {"{{ 1 2 }}", NULL},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_control(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ if .Input.body.t }}yes{{ end }}", "yes"},
        {"{{ if .Input.body.f0 }}yes{{ else }}no{{ end }}", "no"},
        {"{{ if .Input.body.missing }}y{{ else if .Input.body.zero }}z{{ else if .Input.body.n }}n"
         "{{ end }}",
         "n"},
        {"{{ if .Input.body.empty }}y{{ else }}empty{{ end }}", "empty"},
        {"{{ if .Input.body.emptylist }}y{{ else }}e{{ end }}", "e"},
        {"{{ if .Input.body.null }}y{{ else }}nil{{ end }}", "nil"},
        {"{{ with .Input.body.nested.x }}{{ .y }}{{ end }}", "deep"},
        {"{{ with .Input.body.missing }}x{{ else }}none{{ end }}", "none"},
        {"{{ with .Input.body.missing }}x{{ else with .Input.body.n }}{{ . }}{{ end }}", "3"},
        {"{{ range .Input.body.list }}[{{ . }}]{{ end }}", "[a][b][c]"},
        {"{{ range $i, $v := .Input.body.list }}{{ $i }}={{ $v }},{{ end }}", "0=a,1=b,2=c,"},
        {"{{ range $k, $v := .Input.body.map }}{{ $k }}:{{ $v }} {{ end }}", "a:1 b:2 c:x "},
        {"{{ range .Input.body.emptylist }}x{{ else }}empty{{ end }}", "empty"},
        {"{{ range .Input.body.missing }}x{{ else }}none{{ end }}", "none"},
        {"{{ range .Input.body.list }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
         "a"},
        {"{{ range .Input.body.list }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
         "ac"},
        {"{{ range 3 }}{{ . }}{{ end }}", "012"},
        {"{{ range .Input.body.message }}x{{ end }}", NULL},
        {"{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"},
        {"{{ $x := \"outer\" }}{{ with .Input.body }}{{ $x := \"inner\" }}{{ $x }}{{ end }}"
         "{{ $x }}",
         "innerouter"},
        {"{{ with .Input.body }}{{ $.Input.body.message }}{{ end }}", "hello"},
        {"{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" .Input.body.message }}", "[hello]"},
        {"{{ block \"b\" .Input.body.n }}<{{ . }}>{{ end }}", "<3>"},
        {"{{ template \"nope\" }}", NULL},
        {"{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", NULL},
        {"{{ and 1 0 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" }} {{ not 0 }}", "0 2  x true"},
        {"{{ and .Input.body.missing .Input.nope.x.y }}", "<no value>"},
        {"{{ (.Input.body).message }}", "hello"},
        {"{{ (index .Input.body.list 1) | printf \"%s-%s\" \"x\" }}", "x-b"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_builtins(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ eq .Input.body.message \"hello\" }}", "true"},
        {"{{ eq .Input.body.n 3.0 }}", "true"},
        {"{{ eq .Input.body.n 3 }}", NULL}, /* float64 vs int: incompatible types */
        {"{{ eq 1 2 3 1 }}", "true"},
        {"{{ ne \"a\" \"b\" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}",
         "true true true true false"},
        {"{{ eq .Input.body.missing \"x\" }}", "false"},
        {"{{ lt .Input.body.missing 1 }}", NULL},
        {"{{ eq .Input.body.list .Input.body.list }}", NULL},
        {"{{ len .Input.body.message }} {{ len .Input.body.map }}", "5 3"},
        {"{{ len 3 }}", NULL},
        {"{{ index .Input.body.list 2 }} {{ index .Input.body.map \"b\" }}", "c 2"},
        {"{{ index .Input.body.map \"zz\" }}", "<no value>"},
        {"{{ index .Input.body.list 3 }}", NULL},
        {"{{ index .Input.body.message 0 }}", "104"},
        {"{{ index .Input.body.list .Input.body.n }}", NULL},
        {"{{ print 1 2 \"a\" \"b\" 3 }}", "1 2ab3"},
        {"{{ println 1 \"a\" }}", "1 a\n"},
        {"{{ printf \"%d %s %v %q\" 7 \"s\" .Input.body.f \"x\" }}", "7 s 2.5 \"x\""},
        {"{{ printf \"%.2f|%8.3f|%-8.1f|%e|%g\" 3.14159 2.5 1.25 123456.0 0.000012 }}",
         "3.14|   2.500|1.2     |1.234560e+05|1.2e-05"},
        {"{{ printf \"%5d|%-5d|%05d|%x|%X|%o|%b|%+d\" 42 42 42 255 255 8 5 3 }}",
         "   42|42   |00042|ff|FF|10|101|+3"},
        {"{{ printf \"%t %v %s\" true .Input.body.list .Input.body.map }}",
         "true [a b c] map[a:%!s(float64=1) b:%!s(float64=2) c:x]"},
        {"{{ printf \"%d\" .Input.body.n }}", "%!d(float64=3)"},
        {"{{ printf \"%s %s\" \"a\" }}", "a %!s(MISSING)"},
        {"{{ printf \"%s\" \"a\" \"b\" }}", "a%!(EXTRA string=b)"},
        {"{{ printf \"%%|%c|%U|%x\" 65 65 \"hi\" }}", "%|A|U+0041|6869"},
        {"{{ printf \"%v %T %T\" nil 1 .Input.body.f }}", "<nil> int float64"},
        {"{{ printf \"%6.2f%%\" 12.3456 }}", " 12.35%"},
        {"{{ printf \"%*d|%.*f\" 4 7 1 2.55 }}", "   7|2.5"},
        {"{{ html .Input.body.html }}", "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;"},
        {"{{ js \"a'b\\\"<>\" }}", "a\\'b\\\"\\u003C\\u003E"},
        {"{{ urlquery \"a b&c/d\" }}", "a+b%26c%2Fd"},
        {"{{ .Input.body.message | printf \"%s!\" }}", "hello!"},
        {"{{ \"x\" | .Input.body.message }}", NULL},
        {"{{ call .Input.body.message }}", NULL},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

struct perr {
    const char *tmpl;
    const char *msg; /* expected error text (prefix) */
};

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct perr cases[] = {
        {"{{ foo }}", "template: param:1: function \"foo\" not defined"},
        {"{{ $x }}", "template: param:1: undefined variable \"$x\""},
        {"{{ if true }}", "template: param:1: unexpected EOF"},
        {"{{ end }}", "template: param:1: unexpected {{end}}"},
        {"{{ else }}", "template: param:1: unexpected {{else}}"},
        {"{{ .x", "template: param:1: unclosed action"},
        {"{{ \"abc }}", "template: param:1: unterminated quoted string"},
        {"{{ break }}", "template: param:1: {{break}} outside {{range}}"},
        {"{{ ( 1 }}", "template: param:1: unclosed left paren"},
        {"{{ 1 | 2 }}", "template: param:1: non executable command in pipeline stage 2"},
        {"{{ }}", "template: param:1: missing value for command"},
        {"{{/* x }}", "template: param:1: unclosed comment"},
        {"{{/* x */ 1 }}", "template: param:1: comment ends before closing delimiter"},
        {"line1\n{{ bad }}", "template: param:2: function \"bad\" not defined"},
        {"{{ 0x }}", "template: param:1: illegal number syntax"},
        {"{{ 99999999999999999999 }}", "template: param:1: integer overflow"},
        {"{{ \"\\q\" }}", "template: param:1: invalid syntax"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_tmpl *t = NULL;
        char err[256] = "";
        int rc = ce_tmpl_parse(cases[i].tmpl, &t, err, sizeof err);
        if (rc != CE_EPARSE || strncmp(err, cases[i].msg, strlen(cases[i].msg)) != 0) {
            print_error("case %zu: %s\n  want %s\n  got  %s (rc %d)\n", i, cases[i].tmpl,
                        cases[i].msg, err, rc);
            fail();
        }
        assert_null(t);
    }
}

static void test_exec_errors(void **state)
{
    (void)state;
    static const struct perr cases[] = {
        {"{{ .Input.body.message.x }}",
         "template: param:1:3: executing \"param\" at <.Input.body.message....>: can't evaluate "
         "field x in type interface {}"},
        {"{{ .Input.body.null.x }}",
         "template: param:1:3: executing \"param\" at <.Input.body.null.x>: nil pointer "
         "evaluating interface {}.x"},
        {"x\n {{ index .Input.body.list 5 }}",
         "template: param:2:4: executing \"param\" at <index .Input.body.li...>: error calling "
         "index: index out of range: 5"},
        {"{{ repeat .Input.body.n \"x\" }}",
         "template: param:1:10: executing \"param\" at <.Input.body.n>: wrong type for value; "
         "expected int; got float64"},
        {"{{ upper .Input.body.missing }}",
         "template: param:1:9: executing \"param\" at <.Input.body.missing>: invalid value; "
         "expected string"},
        {"{{ len }}", "template: param:1:3: executing \"param\" at <len>: wrong number of args for "
                      "len: want 1 got 0"},
        {"{{ eq 1 \"a\" }}", "template: param:1:3: executing \"param\" at <eq 1 \"a\">: error "
                             "calling eq: incompatible types for comparison"},
    };
    json_t *data = load_data();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, err[512] = "";
        int rc = run(cases[i].tmpl, data, &out, err, sizeof err);
        if (rc != CE_EINVAL || strcmp(err, cases[i].msg) != 0) {
            print_error("case %zu: %s\n  want %s\n  got  %s (rc %d)\n", i, cases[i].tmpl,
                        cases[i].msg, err, rc);
            fail();
        }
        ce_free(out);
    }
    json_decref(data);
}

static void test_caps(void **state)
{
    (void)state;
    json_t *data = load_data();
    struct ce_tmpl *t = NULL;
    char err[256];
    /* output cap */
    assert_int_equal(ce_tmpl_parse("{{ range 2000 }}0123456789{{ end }}", &t, err, sizeof err),
                     CE_OK);
    struct ce_buf b;
    ce_buf_init(&b, 0);
    struct ce_tmpl_opts o = {.max_output = 1000};
    assert_int_equal(ce_tmpl_exec(t, data, &o, &b, err, sizeof err), CE_ETOOBIG);
    assert_true(b.len <= 1000);
    ce_buf_fini(&b);
    ce_tmpl_destroy(t);
    /* iteration cap */
    assert_int_equal(ce_tmpl_parse("{{ range 200000 }}{{ end }}", &t, err, sizeof err), CE_OK);
    ce_buf_init(&b, 0);
    assert_int_equal(ce_tmpl_exec(t, data, NULL, &b, err, sizeof err), CE_EINVAL);
    assert_non_null(strstr(err, "iterations"));
    ce_buf_fini(&b);
    ce_tmpl_destroy(t);
    /* memory cap through a huge repeat */
    assert_int_equal(ce_tmpl_parse("{{ repeat 100000000 \"abcdefgh\" }}", &t, err, sizeof err),
                     CE_OK);
    ce_buf_init(&b, 0);
    assert_int_equal(ce_tmpl_exec(t, data, NULL, &b, err, sizeof err), CE_ETOOBIG);
    ce_buf_fini(&b);
    ce_tmpl_destroy(t);
    /* nesting cap */
    char deep[1024] = "{{ ";
    for (int i = 0; i < 100; i++) {
        strcat(deep, "(");
    }
    strcat(deep, "1");
    for (int i = 0; i < 100; i++) {
        strcat(deep, ")");
    }
    strcat(deep, " }}");
    assert_int_not_equal(ce_tmpl_parse(deep, &t, err, sizeof err), CE_OK);
    /* template length cap */
    char *big = ce_xmalloc(CE_TMPL_MAX_SRC + 2);
    memset(big, 'a', CE_TMPL_MAX_SRC + 1);
    big[CE_TMPL_MAX_SRC + 1] = '\0';
    assert_int_equal(ce_tmpl_parse(big, &t, err, sizeof err), CE_ETOOBIG);
    ce_free(big);
    json_decref(data);
}

static void test_render_input(void **state)
{
    (void)state;
    char *out = NULL, err[256];
    json_t *s = json_string("aGVsbG8gd29ybGQ=");
    assert_int_equal(ce_tmpl_render_input("{{ b64dec .Input }}", s, NULL, &out, err, sizeof err),
                     CE_OK);
    assert_string_equal(out, "hello world");
    ce_free(out);
    json_decref(s);
    json_t *obj = json_loads("{\"a\":{\"b\":[1,\"<x>\"]}}", JSON_DECODE_INT_AS_REAL, NULL);
    assert_int_equal(ce_tmpl_render_input("{{ toJson .Input }}", obj, NULL, &out, err, sizeof err),
                     CE_OK);
    assert_string_equal(out, "{\"a\":{\"b\":[1,\"\\u003cx\\u003e\"]}}");
    ce_free(out);
    /* integers are accepted and behave like float64 */
    json_t *ints = json_loads("{\"n\":5}", 0, NULL);
    assert_int_equal(ce_tmpl_render_input("{{ .Input.n }} {{ printf \"%T\" .Input.n }}", ints, NULL,
                                          &out, err, sizeof err),
                     CE_OK);
    assert_string_equal(out, "5 float64");
    ce_free(out);
    json_decref(ints);
    json_decref(obj);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_printing),
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_exec_errors),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_render_input),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
