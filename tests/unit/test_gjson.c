/* SPDX-License-Identifier: Apache-2.0 */
/* core/gjson: path lookups over raw JSON text. The expected values are those of the path
 * language's own documentation (syntax guide and README) and its upstream test tables, so they
 * pin down byte-exact results, String() forms, numeric coercion and truthiness. */
#include "core/json/gjson.h"

#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const syntax_json =
    "{\n"
    "  \"name\": {\"first\": \"Tom\", \"last\": \"Anderson\"},\n"
    "  \"age\":37,\n"
    "  \"children\": [\"Sara\",\"Alex\",\"Jack\"],\n"
    "  \"fav.movie\": \"Deer Hunter\",\n"
    "  \"friends\": [\n"
    "    {\"first\": \"Dale\", \"last\": \"Murphy\", \"age\": 44, \"nets\": [\"ig\", \"fb\", "
    "\"tw\"]},\n"
    "    {\"first\": \"Roger\", \"last\": \"Craig\", \"age\": 68, \"nets\": [\"fb\", \"tw\"]},\n"
    "    {\"first\": \"Jane\", \"last\": \"Murphy\", \"age\": 47, \"nets\": [\"ig\", \"tw\"]}\n"
    "  ]\n"
    "}";

/* Poorly formed on purpose, as upstream's basic fixture. */
static const char *const basic_json =
    "  {\"age\":100, \"name\":{\"here\":\"B\\\\\\\"R\"},\n"
    "\t\"noop\":{\"what is a wren?\":\"a bird\"},\n"
    "\t\"happy\":true,\"immortal\":false,\n"
    "\t\"items\":[1,2,3,{\"tags\":[1,2,3],\"points\":[[1,2],[3,4]]},4,5,6,7],\n"
    "\t\"arr\":[\"1\",2,\"3\",{\"hello\":\"world\"},\"4\",5],\n"
    "\t\"vals\":[1,2,3,{\"sadf\":sdf\"asdf\"}],\"name\":{\"first\":\"tom\",\"last\":null},\n"
    "\t\"created\":\"2014-05-16T08:28:06.989Z\",\n"
    "\t\"loggy\":{\n"
    "\t\t\"programmers\": [\n"
    "\t\t\t{\"firstName\": \"Brett\", \"lastName\": \"McLaughlin\", \"email\": \"aaaa\", "
    "\"tag\": \"good\"},\n"
    "\t\t\t{\"firstName\": \"Jason\", \"lastName\": \"Hunter\", \"email\": \"bbbb\", \"tag\": "
    "\"bad\"},\n"
    "\t\t\t{\"firstName\": \"Elliotte\", \"lastName\": \"Harold\", \"email\": \"cccc\", "
    "\"tag\":, \"good\"},\n"
    "\t\t\t{\"firstName\": 1002.3, \"age\": 101}\n"
    "\t\t]\n"
    "\t},\n"
    "\t\"lastly\":{\"end...ing\":\"soon\",\"yay\":\"final\"}\n"
    "}";

static const char *const friends_json =
    "{\"info\": {\"friends\": [\n"
    " {\"first\": \"Dale\", \"last\": \"Murphy\", \"kind\": \"Person\", \"cust1\": true,\n"
    "  \"extra\": [10,20,30], \"details\": {\"city\": \"Tempe\", \"state\": \"Arizona\"}},\n"
    " {\"first\": \"Roger\", \"last\": \"Craig\", \"kind\": \"Person\", \"cust2\": false,\n"
    "  \"extra\": [40,50,60], \"details\": {\"city\": \"Phoenix\", \"state\": \"Arizona\"}}\n"
    "]}}";

static const char *const tilde_json =
    "{\"vals\": [{ \"a\": 1, \"b\": \"data\" }, { \"a\": 2, \"b\": true }, { \"a\": 3, \"b\": "
    "false },\n"
    " { \"a\": 4, \"b\": \"0\" }, { \"a\": 5, \"b\": 0 }, { \"a\": 6, \"b\": \"1\" }, { \"a\": "
    "7, \"b\": 1 },\n"
    " { \"a\": 8, \"b\": \"true\" }, { \"a\": 9, \"b\": false }, { \"a\": 10, \"b\": null }, { "
    "\"a\": 11 }]}";

static const char *const escape_json =
    "{\"test\":{\"*\":\"valZ\",\"*v\":\"val0\",\"keyv*\":\"val1\",\"key*v\":\"val2\","
    "\"keyv?\":\"val3\",\"key?v\":\"val4\",\"keyv.\":\"val5\",\"key.v\":\"val6\","
    "\"keyk*\":{\"key?\":\"val7\"}}}";

struct get_case {
    const char *json;
    const char *path;
    enum ce_gj_type type;
    const char *str; /* String() */
};

static void check_case(const struct get_case *c)
{
    struct ce_gj_result r;
    char err[128] = "";
    int rc = ce_gj_get(c->json, strlen(c->json), c->path, &r, err, sizeof err);
    if (rc != CE_OK || r.type != c->type || strcmp(r.str, c->str) != 0 ||
        strlen(r.str) != r.str_len) {
        print_error("path %s: rc=%d type=%d (want %d) str=[%s] want [%s] %s\n", c->path, rc, r.type,
                    c->type, r.str, c->str, err);
        fail();
    }
    ce_gj_result_fini(&r);
}

static void run_cases(const struct get_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check_case(&cases[i]);
    }
}

#define S CE_GJ_STRING
#define N CE_GJ_NUMBER
#define J CE_GJ_JSON
#define T CE_GJ_TRUE
#define F CE_GJ_FALSE
#define Z CE_GJ_NULL
#define NONE CE_GJ_NONE

static void test_syntax_guide(void **state)
{
    (void)state;
    const char *js = syntax_json;
    const struct get_case cases[] = {
        {js, "name.last", S, "Anderson"},
        {js, "name.first", S, "Tom"},
        {js, "age", N, "37"},
        {js, "children", J, "[\"Sara\",\"Alex\",\"Jack\"]"},
        {js, "children.0", S, "Sara"},
        {js, "children.1", S, "Alex"},
        {js, "friends.1.first", S, "Roger"},
        {js, "child*.2", S, "Jack"},
        {js, "c?ildren.0", S, "Sara"},
        {js, "fav\\.movie", S, "Deer Hunter"},
        {js, "friends.#", N, "3"},
        {js, "friends.#.age", J, "[44,68,47]"},
        {js, "friends.#(last==\"Murphy\").first", S, "Dale"},
        {js, "friends.#(last==\"Murphy\")#.first", J, "[\"Dale\",\"Jane\"]"},
        {js, "friends.#(age>45)#.last", J, "[\"Craig\",\"Murphy\"]"},
        {js, "friends.#(first%\"D*\").last", S, "Murphy"},
        {js, "friends.#(first!%\"D*\").last", S, "Craig"},
        {js, "children.#(!%\"*a*\")", S, "Alex"},
        {js, "children.#(%\"*a*\")#", J, "[\"Sara\",\"Jack\"]"},
        {js, "friends.#(nets.#(==\"fb\"))#.first", J, "[\"Dale\",\"Roger\"]"},
        {js, "friends|0.first", S, "Dale"},
        {js, "friends.0|first", S, "Dale"},
        {js, "friends|0|first", S, "Dale"},
        {js, "friends|#", N, "3"},
        {js, "friends.#(last=\"Murphy\")#|first", NONE, ""},
        {js, "friends.#(last=\"Murphy\")#.0", J, "[]"},
        {js, "friends.#(last=\"Murphy\")#.#", J, "[]"},
        {js, "friends.#(last=\"Murphy\")#|#", N, "2"},
        {js, "friends.#(last=\"Murphy\")#|0.age", N, "44"},
        {js, "children.@reverse", J, "[\"Jack\",\"Alex\",\"Sara\"]"},
        {js, "children.@reverse.0", S, "Jack"},
        {js, "{name.first,age,\"the_murphys\":friends.#(last=\"Murphy\")#.first}", J,
         "{\"first\":\"Tom\",\"age\":37,\"the_murphys\":[\"Dale\",\"Jane\"]}"},
        {js, "{name.first,age,\"company\":!\"Happysoft\",\"employed\":!true}", J,
         "{\"first\":\"Tom\",\"age\":37,\"company\":\"Happysoft\",\"employed\":true}"},
        {js, "[name.first,age,missing]", J, "[\"Tom\",37]"},
        {js, "name.@keys", J, "[\"first\",\"last\"]"},
        {js, "name.@values", J, "[\"Tom\",\"Anderson\"]"},
        {js, "missing", NONE, ""},
        {js, "name.middle", NONE, ""},
        {js, "children.3", NONE, ""},
        {js, "friends.#(last==\"Nobody\").first", NONE, ""},
        {js, "friends.#(last==\"Nobody\")#", J, "[]"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    const struct get_case friend1 = {
        js, "friends.1", J,
        "{\"first\": \"Roger\", \"last\": \"Craig\", \"age\": 68, \"nets\": [\"fb\", \"tw\"]}"};
    check_case(&friend1);
}

static void test_basic_fixture(void **state)
{
    (void)state;
    const char *js = basic_json;
    const struct get_case cases[] = {
        {js, "loggy.programmers.#[age=101].firstName", N, "1002.3"},
        {js, "loggy.programmers.#[firstName != \"Brett\"].firstName", S, "Jason"},
        {js, "loggy.programmers.#[firstName % \"Bre*\"].email", S, "aaaa"},
        {js, "loggy.programmers.#[firstName !% \"Bre*\"].email", S, "bbbb"},
        {js, "loggy.programmers.#[firstName == \"Brett\"].email", S, "aaaa"},
        {js, "loggy.programmers.1.firstName", S, "Jason"},
        {js, "loggy.programmers.#.firstName", J, "[\"Brett\",\"Jason\",\"Elliotte\",1002.3]"},
        {js, "loggy.programmers.#.asd", J, "[]"},
        {js, "items.3.tags.#", N, "3"},
        {js, "items.3.points.1.#", N, "2"},
        {js, "items.#", N, "8"},
        {js, "vals.#", N, "4"},
        {js, "name.last", Z, ""},
        {js, "name.here", S, "B\\\"R"},
        {js, "arr.#", N, "6"},
        {js, "arr.3.hello", S, "world"},
        {js, "name.first", S, "tom"},
        {js, "age", N, "100"},
        {js, "happy", T, "true"},
        {js, "immortal", F, "false"},
        {js, "noop", J, "{\"what is a wren?\":\"a bird\"}"},
        {js, "noop.what is a wren?", S, "a bird"},
        {js, "lastly.end\\.\\.\\.ing", S, "soon"},
        {js, "lastly.yay", S, "final"},
        {js, "created", S, "2014-05-16T08:28:06.989Z"},
        {js, "", NONE, ""},
        {js, "vals.hello", NONE, ""},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_escapes_and_wildcards(void **state)
{
    (void)state;
    const char *js = escape_json;
    const struct get_case cases[] = {
        {js, "test.\\*", S, "valZ"},
        {js, "test.\\*v", S, "val0"},
        {js, "test.keyv\\*", S, "val1"},
        {js, "test.key\\*v", S, "val2"},
        {js, "test.keyv\\?", S, "val3"},
        {js, "test.key\\?v", S, "val4"},
        {js, "test.keyv\\.", S, "val5"},
        {js, "test.key\\.v", S, "val6"},
        {js, "test.keyk\\*.key\\?", S, "val7"},
        {js, "test.key?v", S, "val2"},
        {js, "test.k*v", S, "val2"},
        {"{\"key\":0,\"\xe7\x9a\x84\xe6\x83\x85\xe5\x86\xb5\":{\"key\":1,\"\xe7\x9a\x84\":2}}",
         "\xe7\x9a\x84?\xe5\x86\xb5.\xe7\x9a\x84", N, "2"},
        {"{\"key\":0,\"\xe7\x9a\x84\xe6\x83\x85\xe5\x86\xb5\":{\"key\":1,\"\xe7\x9a\x84\":2}}",
         "\xe7\x9a\x84*.key", N, "1"},
        {"{\"@key\": \"value\"}", "@key", S, "value"},
        {"{\"@key\": \"value\"}", "\\@key", S, "value"},
        {"{\"a\\\"b\":1,\"c\\u0064\":2}", "a\"b", N, "1"},
        {"{\"a\\\"b\":1,\"c\\u0064\":2}", "cd", N, "2"},
        {"{\"name\": \"Alex\",\"name\": \"Peter\"}", "name", S, "Alex"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_queries(void **state)
{
    (void)state;
    const char *js = friends_json;
    const struct get_case cases[] = {
        {js, "i*.f*.#[extra.0<11].first", S, "Dale"},
        {js, "i*.f*.#[extra.0<10].first", NONE, ""},
        {js, "i*.f*.#[extra.0<=10].first", S, "Dale"},
        {js, "i*.f*.#[extra.0!=10].first", S, "Roger"},
        {js, "i*.f*.#[extra.0>10].first", S, "Roger"},
        {js, "i*.f*.#[extra.0>=10].first", S, "Dale"},
        {js, "i*.f*.#[first>\"Dale\"].last", S, "Craig"},
        {js, "i*.f*.#[first>=\"Dale\"].last", S, "Murphy"},
        {js, "i*.f*.#[first<\"Dale\"].last", NONE, ""},
        {js, "i*.f*.#[first%\"*a*\"]#|#", N, "1"},
        {js, "i*.f*.#[first%\"*e*\"]#|#", N, "2"},
        {js, "i*.f*.#[first!%\"*e*\"]#|#", N, "0"},
        {js, "i*.f*.#[cust1=true].first", S, "Dale"},
        {js, "i*.f*.#[cust2=false].first", S, "Roger"},
        {js, "i*.f*.#[cust1!=false].first", S, "Dale"},
        {js, "i*.f*.#[cust1>true].first", NONE, ""},
        {js, "i*.f*.#[cust1>=true].first", S, "Dale"},
        {js, "i*.f*.#[cust2<=false].first", S, "Roger"},
        {js, "info.friends.#[first=\"Dale\"].extra|0", N, "10"},
        {js, "info.friends.#[first=\"Dale\"]|extra|0", N, "10"},
        {js, "info.friends.#[details.city=\"Phoenix\"].last", S, "Craig"},
        {js, "info.friends.#[kind=\"Person\"]#.kind|0", S, "Person"},
        {js, "info.friends.#.kind|0", S, "Person"},
        {js, "info.friends.#[kind=\"Person\"]#.kind", J, "[\"Person\",\"Person\"]"},
        {js, "info.friends.#[kind=\"Person\"]#|kind", NONE, ""},
        {js, "info.friends.#|kind", NONE, ""},
        {js, "i*.f*.#[kind=\"Other\"]#", J, "[]"},
        {js, "info|friends|#[first=\"Dale\"]|last", S, "Murphy"},
        {js, "@ugly|info.@ugly|friends|#[first=\"Dale\"]|last", S, "Murphy"},
        {js, "info.friends.[0.first,1.extra.0]", J, "[\"Dale\",40]"},
        {js, "info.friends.#.[first,extra.0]", J, "[[\"Dale\",10],[\"Roger\",40]]"},
        {"{\"friends\": [{\"a\":10},{\"a\":20},{\"a\":30},{\"a\":40}]}", "friends.#(a>10)#|#", N,
         "3"},
        {"[]", "#(hello)#", J, "[]"},
        {"[\"ig\",\"\",\"tw\",\"fb\",\"tw\",\"ig\",\"tw\"]", "#(!=\"\")#", J,
         "[\"ig\",\"tw\",\"fb\",\"tw\",\"ig\",\"tw\"]"},
        {"[\"ig\",\"\",\"tw\"]", "#(!=)#", J, "[\"ig\",\"tw\"]"},
        {"{\"f\": [{\"l\": \"Mur\\nphy\", \"age\": 44},{\"l\": \"Murphy\", \"age\": 47}]}",
         "f.#(l==\"Mur\\nphy\").age", N, "44"},
        {"{\"a\": [[\"Bob Dylan\"], \"John Lennon\", \"Elton John\", \"John Smith\", true, 123, "
         "false, null]}",
         "a*.#[%\"John*\"]#|#", N, "2"},
        {"{\"a\": [[\"Bob Dylan\"], \"John\", 123]}", "a*.#[0=\"Bob Dylan\"]#|#", N, "1"},
        {"{\"a\": [[\"Bob Dylan\"], \"John\", 123]}", "a*.#[=\"123\"]#|#", N, "1"},
        {"{\"t\":{\"i\":[{\"v\":\"1.2.3\",\"r\":[\"one\",\"two\"]},{\"v\":\"1.2.4\",\"r\":"
         "[\"three\"]},{\"v\":\"1.2.2\",\"r\":[\"one\"]}]}}",
         "t.i.#( r.#(==\"one\"))#.v", J, "[\"1.2.3\",\"1.2.2\"]"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_tilde(void **state)
{
    (void)state;
    const char *js = tilde_json;
    const struct get_case cases[] = {
        {js, "vals.#(b==~true)#.a", J, "[2,6,7,8]"},
        {js, "vals.#(b!=~true)#.a", J, "[1,3,4,5,9,10,11]"},
        {js, "vals.#(b==~false)#.a", J, "[3,4,5,9,10,11]"},
        {js, "vals.#(b!=~false)#.a", J, "[1,2,6,7,8]"},
        {js, "vals.#(b==~null)#.a", J, "[10,11]"},
        {js, "vals.#(b!=~null)#.a", J, "[1,2,3,4,5,6,7,8,9]"},
        {js, "vals.#(b==~*)#.a", J, "[1,2,3,4,5,6,7,8,9,10]"},
        {js, "vals.#(b!=~*)#.a", J, "[11]"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_modifiers(void **state)
{
    (void)state;
    const char *flat = "[1,[2],[3,4],[5,[6,[7]]],{\"hi\":\"there\"},8,[9]]";
    const char *kv = "{\"1300014\": {\"code\": \"1300014\", \"price\": 59.18},\n"
                     " \"1300015\": {\"code\": \"1300015\", \"price\": 43.31}}";
    const char *chain = "{\"info\": {\"friends\": [{\"first\": \"Dale\", \"age\": 44},\n"
                        "  {\"first\": \"Roger\", \"age\": 68}, {\"first\": \"Jane\", \"age\": "
                        "47}]}}";
    const char *sub = "[{\"a\": 1}, {\"a\": 2, \"values\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}, "
                      "true, [\"a\", \"b\", \"c\", \"d\", \"e\"], 4]";
    const struct get_case cases[] = {
        {flat, "@flatten", J, "[1,2,3,4,5,[6,[7]],{\"hi\":\"there\"},8,9]"},
        {flat, "@flatten:{\"deep\":true}", J, "[1,2,3,4,5,6,7,{\"hi\":\"there\"},8,9]"},
        {"{\"9999\":1234}", "@flatten", J, "{\"9999\":1234}"},
        {"[[1],[2,[[],[3]],[4,[5],[],[[[6]]]]]]", "@flatten:{\"deep\":true}", J, "[1,2,3,4,5,6]"},
        {"[{},{}]", "@join", J, "{}"},
        {"[{\"a\":1},{\"b\":2}]", "@join", J, "{\"a\":1,\"b\":2}"},
        {"[{\"a\":1,\"b\":1},{\"b\":2},5,{\"c\":3}]", "@join", J, "{\"a\":1,\"b\":2,\"c\":3}"},
        {"[{\"a\":1,\"b\":1},{\"b\":2},5,{\"c\":3}]", "@join:{\"preserve\":true}", J,
         "{\"a\":1,\"b\":1,\"b\":2,\"c\":3}"},
        {"[{\"a\":1,\"b\":1},{\"b\":2},5,{\"c\":3}]", "@join:{\"preserve\":true}.b", N, "1"},
        {"[{}", "@valid", NONE, ""},
        {"[{}]", "@valid", J, "[{}]"},
        {kv, "@keys", J, "[\"1300014\",\"1300015\"]"},
        {"", "@keys", J, "[]"},
        {"\"hello\"", "@keys", J, "[null]"},
        {"[1,2,3]", "@keys", J, "[null,null,null]"},
        {kv, "@values.#.code", J, "[\"1300014\",\"1300015\"]"},
        {"\"hello\"", "@values", J, "[\"hello\"]"},
        {"[1,2,3]", "@values", J, "[1,2,3]"},
        {chain, "info.friends|0|first", S, "Dale"},
        {chain, "info.friends|@reverse|0|age", N, "47"},
        {chain, "@ugly|i\\nfo|friends.0.first", S, "Dale"},
        {"{\"other\":{\"hello\":\"world\"},\"arr\":[1,2,3,4,5,6]}", "other.@this", J,
         "{\"hello\":\"world\"}"},
        {"{\"a\": {\"b\" : [ 1, \"x y\" ]}}", "@ugly", J, "{\"a\":{\"b\":[1,\"x y\"]}}"},
        {"{\"a\":1,\"b\":[2]}", "@reverse", J, "{\"b\":[2],\"a\":1}"},
        {"{\"Message\":\"{\\\"Records\\\":[{\\\"eventVersion\\\":\\\"2.1\\\"}]\"}",
         "Message.@fromstr.Records.#.eventVersion.@tostr", J, "[\"\\\"2.1\\\"\"]"},
        {"{\"id\":[\"123\",\"456\",\"789\"],\"val\":[2,1]}", "@group", J,
         "[{\"id\":\"123\",\"val\":2},{\"id\":\"456\",\"val\":1},{\"id\":\"789\"}]"},
        {"{\"a\":{\"x\":1,\"b\":{\"x\":2}},\"c\":[{\"x\":3}]}", "@dig:x", J, "[1,2,3]"},
        {"{\"data\": [{\"q\": 11, \"w\": 12}, {\"q\": 21, \"w\": 22}]}", "data.#.{q}|@ugly", J,
         "[{\"q\":11},{\"q\":21}]"},
        {sub, "1.values.[0,3]", J, "[\"a\",\"d\"]"},
        {sub, "3.@ugly", J, "[\"a\",\"b\",\"c\",\"d\",\"e\"]"},
        {sub, "#.[0,3]", J, "[[],[],[],[\"a\",\"d\"],[]]"},
        {"{\"children\": [\"Sara\",\"Alex\",\"Jack\"], \"fav.movie\": [\"Deer Hunter\"]}",
         "children.[1]", J, "[\"Alex\"]"},
        {"{\"children\": [\"Sara\",\"Alex\",\"Jack\"]}", "children.[10]", J, "[]"},
        {"{\"fav.movie\": [\"Deer Hunter\"]}", "fav\\.movie.[1]", J, "[]"},
        {"{\"n\": {\"first\": \"Tom\", \"last\": \"Anderson\"}}", "!\"bar\"", S, "bar"},
        {"{\"n\": {\"first\": \"Tom\", \"last\": \"Anderson\"}}", "\"bar\"", NONE, ""},
        {"{\"name\": {\"first\": \"Tom\", \"last\": \"Anderson\"}}",
         "!{\"name\":{\"first\":\"Tom\"}}.{name.first}.first", S, "Tom"},
        {"{\"name\": {\"first\": \"Tom\", \"last\": \"Anderson\"}}",
         "{name.last,\"foo\":!{\"c\":\"d\"},!\"that\"}", J,
         "{\"last\":\"Anderson\",\"foo\":{\"c\":\"d\"},\"_\":\"that\"}"},
        {"{\"name\": {\"first\": \"Tom\", \"last\": \"Anderson\"}}",
         "[!true,!false,!null,!inf,!nan,!hello,{\"name\":!\"andy\",name.last},+inf,!["
         "\"any\",\"thing\"]]",
         J,
         "[true,false,null,inf,nan,{\"name\":\"andy\",\"last\":\"Anderson\"},[\"any\","
         "\"thing\"]]"},
        {"{\"a\":1}", "[]", J, "[]"},
        {"{\"a\":1}", "{}", J, "{}"},
        {"{\"a\":{\"b\":1}}", "{a.b,\"x\\ry\":a.b,{a}}", J,
         "{\"b\":1,\"x\\ry\":1,\"_\":{\"a\":{\"b\":1}}}"},
        {"{\"a\":\"<&>\"}", "{\"k<\":a}", J, "{\"k<\":\"<&>\"}"},
        {"{\"a\":\"<&>\"}", "{k<:a}", J, "{\"k\\u003c\":\"<&>\"}"},
        {"{\"a\":\"x\"}", "a.@tostr", S, "\"x\""},
        {"{\"a\":\"<\\u2028>\"}", "a|@tostr", S, "\"<\\u2028>\""},
        {"{\"a\":[1,2]}", "a.@nosuch", NONE, ""},
        {"{\"a\":{\"@nosuch\":5}}", "a.@nosuch", N, "5"},
        {"{\"a\":[1,2]}", "a.@pretty", J, "[1, 2]\n"},
        {"{\"x\":[{\"y\":[{\"z\":{\"b\":1, \"c\": 2, \"a\": 3}}]}]}",
         "x.#.y.#.z.@pretty:{\"sortKeys\":true}", J,
         "[[{\n  \"a\": 3,\n  \"b\": 1,\n  \"c\": 2\n}\n]]"},
        {"{\"other\":{\"hello\":\"world\"},\"arr\":[1,2,3,4,5,6]}", "@pretty", J,
         "{\n  \"other\": {\n    \"hello\": \"world\"\n  },\n  \"arr\": [1, 2, 3, 4, 5, "
         "6]\n}\n"},
        {"{\"other\":{\"hello\":\"world\"},\"arr\":[1,2,3,4,5,6]}",
         "@pretty:{\"sortKeys\":true}|@reverse|@ugly", J,
         "{\"other\":{\"hello\":\"world\"},\"arr\":[1,2,3,4,5,6]}"},
        {"{\"other\":{\"hello\":\"world\"},\"arr\":[1,2,3,4,5,6]}",
         "@pretty|@reverse|arr|@reverse|2", N, "4"},
        {"{\"a\":[1,[2,3]],\"b\":{}}", "@pretty:{\"indent\":\"\\t\",\"width\":4}", J,
         "{\n\t\"a\": [\n\t\t1,\n\t\t[\n\t\t\t2,\n\t\t\t3\n\t\t]\n\t],\n\t\"b\": {}\n}\n"},
        {"{\"a\":1}\n{\"a\":2}\n{\"a\":3}", "..#", N, "3"},
        {"{\"a\":1}\n{\"a\":2}\n{\"a\":3}", "..1.a", N, "2"},
        {"{\"a\":1}\n{\"a\":2}\n{\"a\":3}", "..#.a", J, "[1,2,3]"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    /* @tostr wraps the raw text: its raw form shows the HTML and U+2028 escaping */
    struct ce_gj_result r;
    const char *js = "{\"a\":\"<\xe2\x80\xa8>\"}";
    assert_int_equal(ce_gj_get(js, strlen(js), "a|@tostr", &r, NULL, 0), CE_OK);
    assert_string_equal(r.str, "\"<\xe2\x80\xa8>\"");
    assert_int_equal(r.raw_len, strlen("\"\\\"\\u003c\\u2028\\u003e\\\"\""));
    assert_memory_equal(r.raw, "\"\\\"\\u003c\\u2028\\u003e\\\"\"", r.raw_len);
    ce_gj_result_fini(&r);
}

/* String() of numbers: integer text is kept as written, everything else is the shortest
 * float form; Float() coerces strings, Bool() follows the documented truthiness. */
static void test_numbers_and_coercion(void **state)
{
    (void)state;
    const char *js = "{\"i\":-120,\"f\":1.50,\"e\":1e3,\"big\":12345678901234567890,"
                     "\"neg0\":-0.0,\"small\":1e-7,\"huge\":1e400,\"s\":\"42.5\",\"t\":true,"
                     "\"z\":0,\"str1\":\"1\",\"strT\":\"TRUE\",\"strt\":\"tRuE\",\"stry\":\"yes\","
                     "\"nan\":NaN,\"inf\":-Inf,\"u\":\"1_000\",\"h\":\"0x1p-2\",\"bad\":\"1x\","
                     "\"p\":0.1,\"q\":123456789.125,\"r\":5e-324}";
    const struct {
        const char *path;
        const char *str;
        double num;
        bool b;
    } cases[] = {
        {"i", "-120", -120, true},
        {"f", "1.5", 1.5, true},
        {"e", "1000", 1000, true},
        {"big", "12345678901234567890", 12345678901234567890.0, true},
        {"neg0", "-0", 0, false},
        {"small", "0.0000001", 1e-7, true},
        {"huge", "+Inf", INFINITY, true},
        {"s", "42.5", 42.5, false},
        {"t", "true", 1, true},
        {"z", "0", 0, false},
        {"str1", "1", 1, true},
        {"strT", "TRUE", 0, true},
        {"strt", "tRuE", 0, true},
        {"stry", "yes", 0, false},
        {"inf", "-Inf", -INFINITY, true},
        {"u", "1_000", 1000, false},
        {"h", "0x1p-2", 0.25, false},
        {"bad", "1x", 0, false},
        {"p", "0.1", 0.1, true},
        {"q", "123456789.125", 123456789.125, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_gj_result r;
        assert_int_equal(ce_gj_get(js, strlen(js), cases[i].path, &r, NULL, 0), CE_OK);
        if (strcmp(r.str, cases[i].str) != 0 || r.num != cases[i].num ||
            ce_gj_bool(&r) != cases[i].b) {
            print_error("%s: str=[%s] num=%g bool=%d\n", cases[i].path, r.str, r.num,
                        ce_gj_bool(&r));
            fail();
        }
        ce_gj_result_fini(&r);
    }
    struct ce_gj_result r;
    char want[400] = "0.";
    memset(want + 2, '0', 323);
    want[325] = '5'; /* want[326] is already the terminator */
    assert_int_equal(ce_gj_get(js, strlen(js), "r", &r, NULL, 0), CE_OK);
    assert_string_equal(r.str, want); /* the smallest subnormal, without an exponent */
    assert_true(r.num == 5e-324);
    ce_gj_result_fini(&r);
    assert_int_equal(ce_gj_get(js, strlen(js), "nan", &r, NULL, 0), CE_OK);
    assert_int_equal(r.type, CE_GJ_NUMBER);
    assert_string_equal(r.str, "NaN");
    assert_true(isnan(r.num));
    ce_gj_result_fini(&r);
}

/* \u escapes, surrogate pairs and lone surrogates in String(). */
static void test_unicode(void **state)
{
    (void)state;
    const char *js = "{\"a\":\"\\u00e9\\u4e2d\",\"b\":\"\\ud83d\\udd13!\",\"c\":\"x\\ud800y\","
                     "\"d\":\"\\ud800\\u0041\",\"e\":\"tab\\there\\/\\\\\",\"f\":\"\xe2\x9d\xa4\"}";
    const struct get_case cases[] = {
        {js, "a", S, "\xc3\xa9\xe4\xb8\xad"}, {js, "b", S, "\xf0\x9f\x94\x93!"},
        {js, "c", S, "x\xef\xbf\xbdy"},       {js, "d", S, "\xef\xbf\xbd"},
        {js, "e", S, "tab\there/\\"},         {js, "f", S, "\xe2\x9d\xa4"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    struct ce_gj_result r;
    assert_int_equal(ce_gj_get(js, strlen(js), "b", &r, NULL, 0), CE_OK);
    assert_int_equal(r.raw_len, strlen("\"\\ud83d\\udd13!\""));
    assert_memory_equal(r.raw, "\"\\ud83d\\udd13!\"", r.raw_len);
    assert_true(r.raw >= js && r.raw < js + strlen(js)); /* points into the input */
    ce_gj_result_fini(&r);
}

static void test_errors_and_caps(void **state)
{
    (void)state;
    struct ce_gj_result r;
    char err[128];
    assert_int_equal(ce_gj_get(NULL, 0, "a", &r, err, sizeof err), CE_EINVAL);
    assert_int_equal(r.type, CE_GJ_NONE);
    assert_string_equal(r.str, "");
    ce_gj_result_fini(&r);
    assert_int_equal(ce_gj_get("{}", 2, NULL, &r, err, sizeof err), CE_EINVAL);
    ce_gj_result_fini(&r);

    char *longpath = malloc(CE_GJ_PATH_MAX + 2);
    memset(longpath, 'a', CE_GJ_PATH_MAX + 1);
    longpath[CE_GJ_PATH_MAX + 1] = '\0';
    assert_int_equal(ce_gj_get("{}", 2, longpath, &r, err, sizeof err), CE_EINVAL);
    assert_non_null(strstr(err, "path"));
    ce_gj_result_fini(&r);
    longpath[CE_GJ_PATH_MAX] = '\0';
    assert_int_equal(ce_gj_get("{}", 2, longpath, &r, err, sizeof err), CE_OK);
    assert_int_equal(r.type, CE_GJ_NONE);
    ce_gj_result_fini(&r);

    /* nesting of the path beyond the depth cap is refused, not followed */
    for (size_t i = 0; i < CE_GJ_PATH_MAX; i += 2) {
        longpath[i] = 'a';
        longpath[i + 1] = '.';
    }
    longpath[CE_GJ_PATH_MAX - 1] = 'a';
    const size_t deep_cap = 4 * CE_GJ_PATH_MAX;
    char *deep = malloc(deep_cap);
    size_t n = 0;
    for (size_t i = 0; i < CE_GJ_PATH_MAX / 2; i++) {
        n += (size_t)snprintf(deep + n, deep_cap - n, "{\"a\":");
    }
    n += (size_t)snprintf(deep + n, deep_cap - n, "1");
    for (size_t i = 0; i < CE_GJ_PATH_MAX / 2; i++) {
        deep[n++] = '}';
    }
    assert_int_equal(ce_gj_get(deep, n, longpath, &r, err, sizeof err), CE_ETOOBIG);
    assert_int_equal(r.type, CE_GJ_NONE);
    ce_gj_result_fini(&r);
    free(deep);
    free(longpath);

    /* truncated and garbage documents give no result and read nothing past the end */
    const char *bad[] = {
        "{\"a\":\"unterminated",  "{\"a\":[1,2", "[\"\\", "{\"a", "\"", "{", "[{\"a\":1}",
        "{\"a\":{\"b\":\"c\\\"}}"};
    const char *paths[] = {"a", "a.1", "0", "a", "a", "a", "#.a", "a.b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i]);
        char *copy = malloc(len);
        memcpy(copy, bad[i], len); /* no NUL after the text */
        assert_int_equal(ce_gj_get(copy, len, paths[i], &r, err, sizeof err), CE_OK);
        ce_gj_result_fini(&r);
        free(copy);
    }
    assert_false(ce_gj_valid("[{}", 3));
    assert_true(ce_gj_valid(" [{}] ", 6));
    assert_false(ce_gj_valid("{\"a\":01}", 8));
    assert_true(ce_gj_valid("{\"a\":-0.5e+3}", 13));
    assert_false(ce_gj_valid("\"\\x\"", 4));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_guide),
        cmocka_unit_test(test_basic_fixture),
        cmocka_unit_test(test_escapes_and_wildcards),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_tilde),
        cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_numbers_and_coercion),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_errors_and_caps),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
