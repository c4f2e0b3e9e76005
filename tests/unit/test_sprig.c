/* SPDX-License-Identifier: Apache-2.0 */
/* core/sprig through the template engine: the sprig functions Argo Events templates use, with
 * the outputs sprig's documentation and tests give (and Go's formatting of their results). The
 * clock is fixed at 2023-11-14T22:13:20.123456789Z. */
#include "core/template/gotmpl.h"
#include "core/template/sprig.h"

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

struct tcase {
    const char *tmpl;
    const char *want; /* NULL: must fail */
};

static void check(const struct tcase *cases, size_t n)
{
    json_t *in = json_loads("{\"s\":\"Hello World\",\"n\":3,\"f\":1.5,\"list\":[1,2,3],"
                            "\"m\":{\"a\":1,\"b\":\"x\"},\"z\":\"\",\"nil\":null}",
                            JSON_DECODE_INT_AS_REAL, NULL);
    assert_non_null(in);
    struct ce_tmpl_opts o = {.now_ns = INT64_C(1700000000123456789)};
    for (size_t i = 0; i < n; i++) {
        char *out = NULL, err[512] = "";
        int rc = ce_tmpl_render_input(cases[i].tmpl, in, &o, &out, err, sizeof err);
        if (cases[i].want) {
            if (rc != CE_OK || strcmp(out, cases[i].want) != 0) {
                print_error("case %zu: %s\n  want [%s]\n  got  [%s] %s\n", i, cases[i].tmpl,
                            cases[i].want, out ? out : "", err);
                fail();
            }
        }
        else if (rc == CE_OK) {
            print_error("case %zu: %s should fail, got [%s]\n", i, cases[i].tmpl, out);
            fail();
        }
        ce_free(out);
    }
    json_decref(in);
}

static void test_strings(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ upper \"hello\" }} {{ lower \"HeLLo\" }} {{ title \"hello world\" }}",
         "HELLO hello Hello World"},
        {"{{ .Input.s | upper }} {{ .Input.s | lower }}", "HELLO WORLD hello world"},
        {"{{ upper \"h\xc3\xa9llo \xd0\xbf\" }}", "H\xc3\x89LLO \xd0\x9f"},
        {"{{ title \"hello_world foo-bar\" }}", "Hello_world Foo-Bar"},
        {"{{ untitle \"Hello\" }}", "hello"},
        {"[{{ trim \"   hello  \\n\" }}]", "[hello]"},
        {"{{ trimAll \"$\" \"$5.00$\" }} {{ trimPrefix \"-\" \"-hello\" }} {{ trimSuffix \"-\" "
         "\"hello-\" }}",
         "5.00 hello hello"},
        {"{{ nospace \"hello w o r l d\" }}", "helloworld"},
        {"{{ replace \" \" \"-\" \"I Am Henry VIII\" }}", "I-Am-Henry-VIII"},
        {"{{ contains \"cat\" \"catch\" }} {{ hasPrefix \"cat\" \"catch\" }} {{ hasSuffix \"cat\" "
         "\"catch\" }}",
         "true true false"},
        {"{{ repeat 3 \"hello\" }}", "hellohellohello"},
        {"{{ \"hello\" | repeat 2 }}", "hellohello"},
        {"{{ substr 0 5 \"hello world\" }} {{ substr 6 -1 \"hello world\" }}", "hello world"},
        {"{{ substr 3 1 \"hello\" }}", NULL},
        {"{{ trunc 5 \"hello world\" }} {{ trunc -5 \"hello world\" }} {{ trunc 50 \"hi\" }}",
         "hello world hi"},
        {"{{ abbrev 5 \"hello world\" }} {{ abbrev 3 \"hello\" }}", "he... hello"},
        {"{{ quote \"hello\" 1 }} {{ squote \"hello\" }} {{ quote \"a\\\"b\\n\" }}",
         "\"hello\" \"1\" 'hello' \"a\\\"b\\n\""},
        {"{{ cat \"hello\" \"beautiful\" \"world\" }} {{ cat 1 nil 2.5 }}",
         "hello beautiful world 1 2.5"},
        {"{{ indent 4 \"a\\nb\" }}|{{ nindent 2 \"x\" }}", "    a\n    b|\n  x"},
        {"{{ split \"$\" \"foo$bar$baz\" }} {{ (split \"$\" \"foo$bar\")._1 }}",
         "map[_0:foo _1:bar _2:baz] bar"},
        {"{{ splitList \"$\" \"foo$bar$baz\" }} {{ splitList \",\" \"\" }}", "[foo bar baz] []"},
        {"{{ splitn \"$\" 2 \"foo$bar$baz\" }}", "map[_0:foo _1:bar$baz]"},
        {"{{ join \"-\" (list 1 \"a\" 2.5) }} {{ splitList \",\" \"a,b\" | join \"+\" }}",
         "1-a-2.5 a+b"},
        {"{{ sortAlpha (list \"c\" \"a\" \"b\") }}", "[a b c]"},
        {"{{ toString 1.5 }} {{ toString .Input.list }}", "1.5 [1 2 3]"},
        {"{{ plural \"one\" \"many\" 2 }}", "many"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_encoding(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }}", "aGVsbG8= hello"},
        {"{{ b64dec \"aGVsbG8\" }}", "illegal base64 data at input byte 4"},
        {"{{ b64dec \"a$==\" }}", "illegal base64 data at input byte 1"},
        {"{{ b64dec \"aGVs\\nbG8=\" }}", "hello"},
        {"{{ sha256sum \"hello\" }}",
         "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
        {"{{ sha256sum \"\" }}",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"{{ toJson (dict \"b\" \"<x>&\" \"a\" 1 \"c\" (list 1.5 true nil)) }}",
         "{\"a\":1,\"b\":\"\\u003cx\\u003e\\u0026\",\"c\":[1.5,true,null]}"},
        {"{{ toJson .Input.m }} {{ toJson .Input.f }} {{ toJson 1e21 }} {{ toJson 0.0000001 }}",
         "{\"a\":1,\"b\":\"x\"} 1.5 1e+21 1e-7"},
        {"{{ toJson 123456789.0 }} {{ toJson \"\\u2028\" }}", "123456789 \"\\u2028\""},
        {"{{ toPrettyJson (dict \"a\" (list 1 2) \"b\" (dict)) }}",
         "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"},
        {"{{ toRawJson (dict \"a\" \"<b>\") }}", "{\"a\":\"<b>\"}"},
        {"{{ fromJson \"{\\\"a\\\":[1,2]}\" }} {{ (fromJson \"{\\\"a\\\":7}\").a }}",
         "map[a:[1 2]] 7"},
        {"{{ fromJson \"not json\" }}", "<no value>"},
        {"{{ mustFromJson \"not json\" }}", NULL},
        {"{{ len uuidv4 }}", "36"},
        {"{{ fail \"boom\" }}", NULL},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_defaults_lists_dicts(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ default \"foo\" \"\" }} {{ default \"foo\" \"bar\" }} {{ default \"d\" .Input.nope }}",
         "foo bar d"},
        {"{{ .Input.z | default \"empty\" }} {{ .Input.nil | default 5 }}", "empty 5"},
        {"{{ empty 0 }} {{ empty \"x\" }} {{ empty .Input.nil }} {{ empty (list) }}",
         "true false true true"},
        {"{{ coalesce 0 \"\" \"x\" }} {{ coalesce 0 }}", "x <no value>"},
        {"{{ ternary \"a\" \"b\" false }} {{ true | ternary 1 2 }}", "b 1"},
        {"{{ list 1 \"a\" 2.5 nil }}", "[1 a 2.5 <nil>]"},
        {"{{ dict \"a\" 1 \"b\" }}", "map[a:1 b:]"},
        {"{{ get (dict \"a\" 1) \"a\" }}|{{ get (dict) \"x\" }}|", "1||"},
        {"{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }} {{ hasKey $d \"b\" }}",
         "map[a:1 b:2] true"},
        {"{{ $d := dict \"a\" 1 \"b\" 2 }}{{ unset $d \"a\" }}", "map[b:2]"},
        {"{{ keys (dict \"b\" 1 \"a\" 2) | sortAlpha }}", "[a b]"},
        {"{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}", "[1 3]"},
        {"{{ pick (dict \"a\" 1 \"b\" 2) \"b\" }} {{ omit (dict \"a\" 1 \"b\" 2) \"b\" }}",
         "map[b:2] map[a:1]"},
        {"{{ first .Input.list }} {{ last .Input.list }} {{ rest .Input.list }} {{ initial "
         ".Input.list }}",
         "1 3 [2 3] [1 2]"},
        {"{{ append .Input.list 4 }} {{ prepend .Input.list 0 }} {{ reverse .Input.list }}",
         "[1 2 3 4] [0 1 2 3] [3 2 1]"},
        {"{{ uniq (list 1 1 2 1) }} {{ without (list 1 2 3) 2 }} {{ compact (list 1 \"\" 0 2) }}",
         "[1 2] [1 3] [1 2]"},
        {"{{ has 2 (list 1 2) }} {{ has 2.0 .Input.list }}", "true true"},
        {"{{ slice (list 1 2 3 4) 1 3 }} {{ slice (list 1 2 3) 1 }}", "[2 3] [2 3]"},
        {"{{ concat (list 1) (list 2 3) }}", "[1 2 3]"},
        {"{{ first \"abc\" }}", NULL},
        {"{{ get .Input.list \"a\" }}", NULL},
        {"{{ get (split \",\" \"a,b\") \"_0\" }}", NULL}, /* map[string]string is no dict */
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_math(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ add 1 2 3 }} {{ add 1.5 2 }} {{ add .Input.n 1 }} {{ add1 4 }}", "6 3 4 5"},
        {"{{ sub 5 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}", "2 24 3 1"},
        {"{{ div 1 0 }}", NULL},
        {"{{ max 1 5 3 }} {{ min 4 2 9 }} {{ biggest 1 2 }}", "5 2 2"},
        {"{{ int \"42\" }} {{ int64 3.9 }} {{ float64 \"1.5\" }} {{ atoi \"12\" }} {{ atoi \"x\" "
         "}}",
         "42 3 1.5 12 0"},
        {"{{ int \"0x10\" }} {{ int \"010\" }} {{ int \"5.0\" }} {{ int \"5.5\" }} {{ int true }}",
         "16 8 5 0 1"},
        {"{{ floor 1.7 }} {{ ceil 1.2 }} {{ round 3.14159 2 }}", "1 2 3.14"},
        {"{{ printf \"%T %T %T\" (add 1 1) (int 1) (float64 1) }}", "int64 int float64"},
        {"{{ until 3 }}", "[0 1 2]"},
        {"{{ typeOf 1 }} {{ typeOf .Input.list }} {{ kindOf \"x\" }} {{ kindIs \"map\" .Input.m }}",
         "int []interface {} string true"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_dates_regex(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    static const struct tcase cases[] = {
        {"{{ now | date \"2006-01-02T15:04:05Z07:00\" }}", "2023-11-14T22:13:20Z"},
        {"{{ now | unixEpoch }} {{ now.Unix }} {{ now.Year }}", "1700000000 1700000000 2023"},
        {"{{ dateInZone \"2006-01-02 15:04:05.000 MST\" now \"America/New_York\" }}",
         "2023-11-14 17:13:20.123 EST"},
        {"{{ dateInZone \"Jan _2 3:04PM -07:00\" 0 \"Asia/Kolkata\" }}", "Jan  1 5:30AM +05:30"},
        {"{{ date \"Monday, 02-Jan-06\" 86400 }}", "Friday, 02-Jan-70"},
        {"{{ date \"2006\" .Input.f }}", "2023"}, /* a float64 is not a Go int: now */
        {"{{ dateInZone \"15:04\" now \"No/Such_Zone\" }}", "22:13"},
        {"{{ htmlDate now }}", "2023-11-14"},
        {"{{ toDate \"2006-01-02\" \"2017-12-31\" | date \"02/01/2006\" }}", "31/12/2017"},
        {"{{ (toDate \"2006-01-02T15:04:05Z07:00\" \"2024-03-05T10:11:12+02:00\").Unix }}",
         "1709626272"},
        {"{{ toDate \"2006-01-02\" \"garbage\" }}", "0001-01-01 00:00:00 +0000 UTC"},
        {"{{ now | dateModify \"-1.5h\" | date \"15:04\" }}", "20:43"},
        {"{{ now.Format \"Jan 2, 2006 at 3:04pm (MST)\" }}", "Nov 14, 2023 at 10:13pm (UTC)"},
        {"{{ regexMatch \"^[a-z]+$\" \"abc\" }} {{ regexMatch \"(\" \"x\" }}", "true false"},
        {"{{ regexFind \"[0-9]+\" \"abc123def456\" }}", "123"},
        {"{{ regexFindAll \"a.\" \"paranormal\" -1 }} {{ regexFindAll \"a.\" \"paranormal\" 2 }}",
         "[ar an al] [ar an]"},
        {"{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexReplaceAll "
         "\"a(x*)b\" \"-ab-axxb-\" \"$1W\" }}|{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1\" "
         "}}",
         "-W-xxW-|---|--xx-"},
        {"{{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"${1}\" }}", "-${1}-${1}-"},
        {"{{ regexReplaceAll \"x*\" \"abc\" \"-\" }}", "-a-b-c-"},
        {"{{ regexSplit \"a\" \"banana\" -1 }} {{ regexSplit \"z+\" \"pizza\" 1 }}",
         "[b n n ] [pizza]"},
        {"{{ regexQuoteMeta \"1.5+2\" }}", "1\\.5\\+2"},
        {"{{ regexFind \"(\" \"x\" }}", NULL},
        {"{{ regexFind \"a(?=b)\" \"ab\" }}", NULL}, /* no lookahead in Go's RE2 */
        {"{{ env \"HOME\" }}", NULL},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_float_math(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ addf 1.1 2.2 }} {{ addf }} {{ addf 1 \"1.5\" .Input.f }}", "3.3 0 4"},
        {"{{ add1f 1.4 }} {{ add1f -1 }} {{ add1f \"x\" }}", "2.4 0 1"},
        {"{{ subf 0.3 0.1 }} {{ subf 1.5 2 2 }} {{ subf 7 }}", "0.2 -2.5 7"},
        {"{{ mulf 0.1 0.2 }} {{ mulf 1.1 3 }} {{ mulf 2 -0.5 4 }}", "0.02 3.3 -4"},
        {"{{ divf 10 4 }} {{ divf 2 3 }} {{ divf 10 3 }} {{ divf -1 3 }}",
         "2.5 0.6666666666666667 3.3333333333333335 -0.3333333333333333"},
        {"{{ divf 1 0 }}", NULL},
        {"{{ mulf 1e300 1e300 }} {{ addf 1e300 1e-300 }}", "+Inf 1e+300"},
        {"{{ maxf 1 2.5 -3 }} {{ minf 1 2.5 -3 }} {{ maxf \"4.5\" }} {{ printf \"%T\" (maxf 1) }}",
         "2.5 -3 4.5 float64"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_hash_words(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ sha1sum \"hello\" }} {{ sha1sum \"\" }}",
         "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"{{ adler32sum \"Wikipedia\" }} {{ adler32sum \"\" }}", "300286872 1"},
        {"{{ b32enc \"hello\" }} {{ b32enc \"f\" }} {{ b32enc \"foobar\" }}|{{ b32enc \"\" }}|",
         "NBSWY3DP MY====== MZXW6YTBOI======||"},
        {"{{ b32dec \"NBSWY3DP\" }} {{ b32dec \"MY======\" }} {{ b32dec \"MZXW6YTB\\nOI======\" }}",
         "hello f foobar"},
        {"{{ b32dec \"MY=\" }}", "illegal base32 data at input byte 3"},
        {"{{ b32dec \"M1======\" }}", "illegal base32 data at input byte 1"},
        {"{{ b32dec \"NBSWY3D\" }}", "illegal base32 data at input byte 0"},
        {"{{ b32dec \"MZX=====\" }}", "illegal base32 data at input byte 3"},
        {"{{ wrap 5 \"Hello World\" }}|{{ wrap 3 \"abcdefg hi\" }}|{{ wrap 0 \"a b\" }}",
         "Hello\nWorld|abcdefg\nhi|a\nb"},
        {"{{ wrapWith 5 \"\\t\" \"Hello World\" }}|{{ wrapWith 3 \"-\" \"abcdefg\" }}|{{ wrap 9 "
         "\"\" }}|",
         "Hello\tWorld|abc-def-g||"},
        {"{{ initials \"First Try\" }}|{{ initials \"  a\\tb  c \" }}|{{ initials \"\" }}|",
         "FT|abc||"},
        {"{{ camelcase \"http_server\" }} {{ camelcase \"_complex__case_\" }} {{ camelcase "
         "\"some words\" }} {{ camelcase \"someWords\" }}",
         "HttpServer _Complex_Case_ SomeWords Somewords"},
        {"{{ camelcase \"a\" }}|{{ camelcase \"\" }}|{{ camelcase \"__\" }}|{{ camelcase \"x-\" }}",
         "A||___|X-"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_dicts_seqs(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ dig \"a\" \"b\" \"def\" (dict \"a\" (dict \"b\" 1)) }} {{ dig \"a\" \"x\" \"def\" "
         "(dict \"a\" (dict)) }} {{ dig \"x\" \"y\" \"def\" (dict) }}",
         "1 def def"},
        {"{{ dig \"m\" \"b\" \"none\" .Input }} {{ dig \"m\" \"q\" \"none\" .Input }}", "x none"},
        {"{{ dig \"a\" \"b\" \"d\" (dict \"a\" 1) }}", NULL},
        {"{{ dig \"a\" \"d\" }}", NULL},
        {"{{ dig 1 \"d\" (dict) }}", NULL},
        {"{{ merge (dict \"a\" 1 \"b\" \"\") (dict \"b\" 2 \"c\" 3) }}", "map[a:1 b:2 c:3]"},
        {"{{ merge (dict \"a\" 1 \"k\" true) (dict \"a\" 2 \"k\" false) (dict \"z\" 0) }}",
         "map[a:1 k:true z:0]"},
        {"{{ mergeOverwrite (dict \"a\" 1 \"k\" true) (dict \"a\" 2 \"k\" false) }}",
         "map[a:2 k:false]"},
        {"{{ merge (dict \"n\" (dict \"x\" 1)) (dict \"n\" (dict \"x\" 2 \"y\" 3)) }} "
         "{{ mergeOverwrite (dict \"n\" (dict \"x\" 1)) (dict \"n\" (dict \"x\" 2)) }}",
         "map[n:map[x:1 y:3]] map[n:map[x:2]]"},
        {"{{ merge (dict \"a\" 1) (dict \"a\" nil \"b\" nil) }} {{ mergeOverwrite (dict \"a\" 1) "
         "(dict \"a\" nil \"b\" nil) }}",
         "map[a:1] map[a:<nil> b:<nil>]"},
        {"{{ merge (dict \"l\" (list 1)) (dict \"l\" (list 2)) }} {{ mustMergeOverwrite (dict "
         "\"l\" (list 1)) (dict \"l\" (list 2)) }} {{ mustMerge (dict \"l\" \"\") (dict \"l\" "
         "(list 2)) }}",
         "map[l:[1]] map[l:[2]] map[l:[2]]"},
        {"{{ $d := dict \"a\" 1 }}{{ $_ := merge $d (dict \"b\" 2) }}{{ $d }}", "map[a:1 b:2]"},
        {"{{ $d := dict \"a\" (list 1) }}{{ $c := deepCopy $d }}{{ $_ := set $c \"b\" 2 }}"
         "{{ $d }} {{ $c }} {{ mustDeepCopy .Input.list }} {{ deepCopy 1.5 }}",
         "map[a:[1]] map[a:[1] b:2] [1 2 3] 1.5"},
        {"{{ chunk 2 (list 1 2 3 4 5) }} {{ chunk 3 (list) }} {{ chunk 9 .Input.list }} "
         "{{ mustChunk 1 (list 1 2) }}",
         "[[1 2] [3 4] [5]] [] [[1 2 3]] [[1] [2]]"},
        {"{{ chunk 0 (list 1) }}", NULL},
        {"{{ chunk 2 \"ab\" }}", NULL},
        {"{{ untilStep 3 6 2 }} {{ untilStep 5 0 -2 }} {{ untilStep 0 5 0 }} {{ untilStep 0 5 -1 "
         "}}",
         "[3 5] [5 3 1] [] []"},
        {"{{ seq 5 }}|{{ seq -3 }}|{{ seq 0 2 }}|{{ seq 2 -2 }}|{{ seq 0 2 10 }}|{{ seq 0 -2 -10 "
         "}}|{{ seq 10 2 0 }}|{{ seq 0 0 5 }}|{{ seq }}|",
         "1 2 3 4 5|1 0 -1 -2 -3|0 1 2|2 1 0 -1 -2|0 2 4 6 8 10|0 -2 -4 -6 -8 -10||||"},
        {"{{ untilStep 0 2000000000 1 }}", NULL},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_paths(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ base \"foo/bar/baz\" }} {{ base \"/\" }} {{ base \"\" }} {{ base \"a/b//\" }} "
         "{{ osBase \"x.txt\" }}",
         "baz / . b x.txt"},
        {"{{ dir \"foo/bar/baz\" }} {{ dir \"baz\" }} {{ dir \"/a\" }} {{ dir \"\" }} {{ osDir "
         "\"/a//b/\" }}",
         "foo/bar . / . /a/b"},
        {"{{ ext \"foo.bar\" }}|{{ ext \"a.b/c\" }}|{{ osExt \"x.tar.gz\" }}|{{ ext \".\" }}",
         ".bar||.gz|."},
        {"{{ clean \"foo//bar/../baz/.\" }} {{ clean \"/../a\" }} {{ clean \"../../x/..\" }} "
         "{{ clean \"\" }} {{ osClean \"a/../..\" }} {{ clean \"//\" }}",
         "foo/baz /a ../.. . .. /"},
        {"{{ isAbs \"/x\" }} {{ isAbs \"x\" }} {{ osIsAbs \"\" }}", "true false false"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_urls(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"{{ urlParse \"https://user:pass@Example.com:8080/a%20b/c?x=1&y=2#frag%21\" }}",
         "map[fragment:frag! host:Example.com:8080 hostname:Example.com opaque: path:/a b/c "
         "query:x=1&y=2 scheme:https userinfo:user:pass]"},
        {"{{ (urlParse \"MAILTO:joe@x.org\").opaque }} {{ (urlParse \"HTTP://[::1]:80/\").hostname "
         "}} {{ (urlParse \"http://u%40v@h\").userinfo }} {{ (urlParse \"/p?q\").path }}",
         "joe@x.org ::1 u%40v /p"},
        {"{{ urlParse \"http://a b.com/\" }}", NULL},
        {"{{ urlParse \":foo\" }}", NULL},
        {"{{ urlParse \"a:b/c\" }}", "map[fragment: host: hostname: opaque:b/c path: query: "
                                     "scheme:a userinfo:]"},
        {"{{ urlParse \"x/a:b\" }} {{ urlParse \"http://h:8x/\" }}", NULL},
        {"{{ urlParse \"%zz\" }}", NULL},
        {"{{ urlJoin (dict \"scheme\" \"https\" \"host\" \"example.com\" \"path\" \"/a b\" "
         "\"query\" \"x=1\" \"fragment\" \"f g\" \"userinfo\" \"u:p\") }}",
         "https://u:p@example.com/a%20b?x=1#f%20g"},
        {"{{ urlJoin (dict \"host\" \"h\" \"path\" \"p\") }} {{ urlJoin (dict \"path\" \"a:b\") }} "
         "{{ urlJoin (dict \"scheme\" \"mailto\" \"opaque\" \"joe@x.org\") }}",
         "//h/p ./a:b mailto:joe@x.org"},
        {"{{ urlJoin (urlParse \"http://x.com/a?b=c#d\") }} {{ urlJoin (dict \"scheme\" \"s\" "
         "\"host\" \"h\" \"userinfo\" \"a@b\") }} {{ urlJoin (dict) }}|",
         "http://x.com/a?b=c#d s://a%40b@h |"},
        {"{{ urlJoin (dict \"host\" 1.5) }}", NULL},
        {"{{ urlJoin (dict \"userinfo\" \"a b\") }}", NULL},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        /* sprig reads only a string or an int64: a number literal is a Go int, so 0 */
        {"{{ duration \"95\" }} {{ duration (int64 95) }} {{ duration 95 }} {{ duration \"-3600\" "
         "}} {{ duration \"x\" }} {{ duration 1.5 }}",
         "1m35s 1m35s 0s -1h0m0s 0s 0s"},
        {"{{ durationRound \"2h10m5s\" }} {{ durationRound \"3600s\" }} {{ durationRound \"-90s\" "
         "}} {{ durationRound (int64 1500000000) }} {{ durationRound \"1s\" }}",
         "2h 60m 1m 1s 0s"},
        {"{{ durationRound \"10000h\" }} {{ durationRound \"800h\" }} {{ durationRound 5 }} "
         "{{ durationRound \"bad\" }} {{ now | dateModify \"-50h\" | durationRound }}",
         "1y 1mo 0s 0s 2d"},
        {"{{ now | dateModify \"-95s\" | ago }} {{ ago 1699999000 }} {{ ago now }} {{ ago (int64 "
         "1700000001) }} {{ ago \"x\" }}",
         "1m35s 16m40s 0s -1s 0s"},
    };
    check(cases, sizeof cases / sizeof cases[0]);
}

/* xstrings' own cases, through snakecase and (with '-') kebabcase. */
static void test_snake_kebab(void **state)
{
    (void)state;
#define R "\xef\xbf\xbd" /* U+FFFD */
    static const struct {
        const char *in, *snake;
    } words[] = {
        {"HTTPServer", "http_server"},
        {"_camelCase", "_camel_case"},
        {"NoHTTPS", "no_https"},
        {"Wi_thF", "wi_th_f"},
        {"_AnotherTES_TCaseP", "_another_tes_t_case_p"},
        {"ALL", "all"},
        {"_HELLO_WORLD_", "_hello_world_"},
        {"HELLO____WORLD", "hello____world"},
        {"TW", "tw"},
        {"_C", "_c"},
        {"http2xx", "http_2xx"},
        {"HTTP2XX", "http2_xx"},
        {"HTTP20xOK", "http_20x_ok"},
        {"HTTP20xStatus", "http_20x_status"},
        {"HTTP-20xStatus", "http_20x_status"},
        {"a", "a"},
        {"Duration2m3s", "duration_2m3s"},
        {"Bld4Floor3rd", "bld4_floor_3rd"},
        {" _-_ ", "_____"},
        {"a1b2c3d", "a_1b2c3d"},
        {"A//B%%2c", "a//b%%2c"},
        {"HTTP状态码404/502Error", "http_状态码404/502_error"},
        {"中文(字符)", "中文(字符)"},
        {"混合ABCWords与123数字456", "混合_abc_words_与123_数字456"},
        {"  sentence case  ", "__sentence_case__"},
        {" Mixed-hyphen case _and SENTENCE_case and UPPER-case",
         "_mixed_hyphen_case__and_sentence_case_and_upper_case"},
        {"FROM CamelCase to snake/kebab-case", "from_camel_case_to_snake/kebab_case"},
        {"", ""},
        {"Abc" R "E" R "f" R "d" R "2" R "00z" R "ZZ" R "ZZ",
         "abc_" R "e" R "f" R "d_" R "2" R "00z_" R "zz" R "zz"},
        {"" R "" R "" R "" R "" R "", "" R "" R "" R "" R "" R ""},
        {"abc_123_def", "abc_123_def"},
        {"FirstName", "first_name"},
        {"GO PATH", "go_path"},
    };
#undef R
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char tmpl[256], want[256];
        snprintf(tmpl, sizeof tmpl, "{{ snakecase `%s` }}|{{ kebabcase `%s` }}", words[i].in,
                 words[i].in);
        snprintf(want, sizeof want, "%s|%s", words[i].snake, words[i].snake);
        for (char *k = strchr(want, '|'); k && *k; k++) {
            *k = *k == '_' ? '-' : *k;
        }
        const struct tcase one = {tmpl, want};
        check(&one, 1);
    }
}

static void test_conversions(void **state)
{
    (void)state;
    struct ce_tv i = ce_tv_int(7), f = ce_tv_float(-2.9), s = ce_tv_cstr("0x1f"),
                 b = ce_tv_bool(true), bad = ce_tv_cstr("abc");
    assert_int_equal(ce_sprig_to_int64(&i), 7);
    assert_int_equal(ce_sprig_to_int64(&f), -2);
    assert_int_equal(ce_sprig_to_int64(&s), 31);
    assert_int_equal(ce_sprig_to_int64(&b), 1);
    assert_int_equal(ce_sprig_to_int64(&bad), 0);
    struct ce_tv fs = ce_tv_cstr("2.5e3");
    assert_true(ce_sprig_to_float64(&fs) == 2500.0);
    assert_true(ce_sprig_to_float64(&bad) == 0.0);
    assert_non_null(ce_sprig_lookup("toJson", 6));
    assert_null(ce_sprig_lookup("env", 3));
    assert_null(ce_sprig_lookup("expandenv", 9));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_defaults_lists_dicts),
        cmocka_unit_test(test_math),
        cmocka_unit_test(test_dates_regex),
        cmocka_unit_test(test_float_math),
        cmocka_unit_test(test_hash_words),
        cmocka_unit_test(test_dicts_seqs),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_snake_kebab),
        cmocka_unit_test(test_conversions),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
