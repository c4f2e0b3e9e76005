/* SPDX-License-Identifier: Apache-2.0 */
/* sensor/conditions: Argo's trigger conditions (&&, ||, parentheses, '-' and '_' alike in
 * names), && binding tighter than ||, the default "all dependencies" expression, pure-OR
 * detection as Argo decides it, error columns, and deep nesting. Random expression trees are
 * checked against a direct evaluation of the tree for every assignment. */
#include "sensor/conditions.h"

#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const deps[] = {"test-dep-1", "test-dep-2", "test-dep-3", "dep_1a", "dep-x",
                                   "a",          "b",          "c",          "d"};
#define NDEPS ((int)(sizeof deps / sizeof deps[0]))

/* Index of a dependency in deps by its exact name. */
static int dep(const char *name)
{
    for (int i = 0; i < NDEPS; i++) {
        if (strcmp(deps[i], name) == 0) {
            return i;
        }
    }
    fail_msg("no dependency %s", name);
    return -1;
}

struct eval_case {
    const char *expr;
    const char *sat; /* space-separated satisfied dependency names */
    bool want;
};

static void fill(bool *sat, const char *names)
{
    char buf[256];
    memset(sat, 0, NDEPS * sizeof *sat);
    snprintf(buf, sizeof buf, "%s", names);
    for (char *p = buf; *p != '\0';) {
        char *e = p + strcspn(p, " ");
        char save = *e;
        *e = '\0';
        if (*p != '\0') {
            sat[dep(p)] = true;
        }
        p = save != '\0' ? e + 1 : e;
    }
}

static void test_eval_table(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        /* Argo's e2e example (sensor-multi-dep.yaml) */
        {"(test-dep-1 && test-dep-2) || test-dep-3", "", false},
        {"(test-dep-1 && test-dep-2) || test-dep-3", "test-dep-1", false},
        {"(test-dep-1 && test-dep-2) || test-dep-3", "test-dep-2", false},
        {"(test-dep-1 && test-dep-2) || test-dep-3", "test-dep-1 test-dep-2", true},
        {"(test-dep-1 && test-dep-2) || test-dep-3", "test-dep-3", true},
        /* && binds tighter than || */
        {"a || b && c", "a", true},
        {"a || b && c", "b", false},
        {"a || b && c", "b c", true},
        {"a || b && c", "c", false},
        {"a && b || c", "a b", true},
        {"a && b || c", "c", true},
        {"a && b || c", "a", false},
        {"a && b || c", "a c", true},
        {"(a || b) && c", "a", false},
        {"(a || b) && c", "a c", true},
        {"a && (b || c) && d", "a c d", true},
        {"a && (b || c) && d", "a b c", false},
        {"a || b || c || d", "d", true},
        {"a && b && c && d", "a b c", false},
        {"a && b && c && d", "a b c d", true},
        {"((a))", "a", true},
        {"((a))", "", false},
        /* free white space */
        {"  a\t&&\nb  ", "a b", true},
        {"a&&b", "a", false},
        {"(a)||(b)", "b", true},
        /* '-' and '_' are the same in names */
        {"dep-1a", "dep_1a", true},
        {"dep_x || a", "dep-x", true},
        {"test_dep_1 && test-dep_2", "test-dep-1 test-dep-2", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_cond *c = NULL;
        char err[160] = "";
        bool sat[NDEPS];
        int rc = ce_cond_compile(cases[i].expr, deps, NDEPS, &c, err, sizeof err);
        if (rc != CE_OK) {
            print_error("case %zu \"%s\": %s\n", i, cases[i].expr, err);
        }
        assert_int_equal(rc, CE_OK);
        fill(sat, cases[i].sat);
        if (ce_cond_eval(c, sat) != cases[i].want) {
            print_error("case %zu \"%s\" with {%s}\n", i, cases[i].expr, cases[i].sat);
        }
        assert_true(ce_cond_eval(c, sat) == cases[i].want);
        ce_cond_destroy(c);
    }
}

struct err_case {
    const char *expr;
    int rc;
    const char *msg;
};

static void test_errors(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        {"a &&", CE_EPARSE, "conditions end at column 5 where a dependency name was expected"},
        {"&& a", CE_EPARSE, "expected a dependency name or '(' at column 1, found '&&'"},
        {"a b", CE_EPARSE, "expected '&&', '||' or ')' at column 3, found 'b'"},
        {"a (b)", CE_EPARSE, "expected '&&', '||' or ')' at column 3, found '('"},
        {"(a", CE_EPARSE, "'(' at column 1 is never closed"},
        {"a && ((b || c)", CE_EPARSE, "'(' at column 6 is never closed"},
        {"a)", CE_EPARSE, "unmatched ')' at column 2"},
        {"()", CE_EPARSE, "expected a dependency name or '(' at column 2, found ')'"},
        {"a & b", CE_EPARSE, "single '&' at column 3 (use '&&')"},
        {"a | b", CE_EPARSE, "single '|' at column 3 (use '||')"},
        {"a ||| b", CE_EPARSE, "single '|' at column 5 (use '||')"},
        {"a &&& b", CE_EPARSE, "single '&' at column 5 (use '&&')"},
        {"zzz", CE_EPARSE, "unknown dependency \"zzz\" at column 1"},
        {"a && test-dep-9", CE_EPARSE, "unknown dependency \"test-dep-9\" at column 6"},
        {"a && dep1a", CE_EPARSE, "unknown dependency \"dep1a\" at column 6"},
        {"1a", CE_EPARSE, "unexpected character '1' at column 1"},
        {"a + b", CE_EPARSE, "unexpected character '+' at column 3"},
        {"!a", CE_EPARSE, "unexpected character '!' at column 1"},
        {"a.b", CE_EPARSE, "unexpected character '.' at column 2"},
        {"a$", CE_EPARSE, "unexpected character '$' at column 2"},
        {"\"a\" && b", CE_EPARSE, "unexpected character '\"' at column 1"},
        {"true || a", CE_EPARSE, "\"true\" at column 1 is a reserved word"},
        {"a && and", CE_EPARSE, "\"and\" at column 6 is a reserved word"},
        {"   ", CE_EPARSE, "conditions hold only white space"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_cond *c = (struct ce_cond *)&c;
        char err[160] = "";
        int rc = ce_cond_compile(cases[i].expr, deps, NDEPS, &c, err, sizeof err);
        if (rc != cases[i].rc || strcmp(err, cases[i].msg) != 0) {
            print_error("case %zu \"%s\": rc %d \"%s\"\n", i, cases[i].expr, rc, err);
        }
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(err, cases[i].msg);
        assert_null(c);
    }
    struct ce_cond *c = NULL;
    assert_int_equal(ce_cond_compile("a", deps, -1, &c, NULL, 0), CE_EINVAL);
    assert_int_equal(ce_cond_compile(NULL, deps, 0, &c, NULL, 0), CE_EINVAL);
    assert_int_equal(ce_cond_compile("a", deps, 0, &c, NULL, 0), CE_EPARSE);
    char *big = malloc(CE_COND_MAX_LEN + 2);
    assert_non_null(big);
    memset(big, 'a', CE_COND_MAX_LEN + 1);
    big[CE_COND_MAX_LEN + 1] = '\0';
    assert_int_equal(ce_cond_compile(big, deps, NDEPS, &c, NULL, 0), CE_ETOOBIG);
    assert_null(c);
    free(big);
    ce_cond_destroy(NULL);
}

/* Argo's translation output: real names, no spaces. */
static void test_text_and_deps(void **state)
{
    (void)state;
    struct ce_cond *c = NULL;
    int idx[16];
    assert_int_equal(
        ce_cond_compile("(test-dep-1 && test-dep-2) || test-dep-3", deps, NDEPS, &c, NULL, 0),
        CE_OK);
    assert_string_equal(ce_cond_text(c), "(test-dep-1&&test-dep-2)||test-dep-3");
    assert_int_equal(ce_cond_deps(c, idx, 16), 3);
    assert_int_equal(idx[0], dep("test-dep-1"));
    assert_int_equal(idx[1], dep("test-dep-2"));
    assert_int_equal(idx[2], dep("test-dep-3"));
    ce_cond_destroy(c);

    assert_int_equal(ce_cond_compile("dep-1a || dep_x", deps, NDEPS, &c, NULL, 0), CE_OK);
    assert_string_equal(ce_cond_text(c), "dep_1a||dep-x");
    ce_cond_destroy(c);

    /* each referenced dependency once, in order of first appearance */
    assert_int_equal(ce_cond_compile("c || a || c && b", deps, NDEPS, &c, NULL, 0), CE_OK);
    assert_int_equal(ce_cond_deps(c, idx, 16), 3);
    assert_int_equal(idx[0], dep("c"));
    assert_int_equal(idx[1], dep("a"));
    assert_int_equal(idx[2], dep("b"));
    assert_int_equal(ce_cond_deps(c, idx, 1), 3); /* count even when max is smaller */
    ce_cond_destroy(c);
}

/* No conditions: every dependency joined with && in spec order. */
static void test_default(void **state)
{
    (void)state;
    static const char *const three[] = {"x-1", "y", "z"};
    struct ce_cond *c = NULL;
    bool sat[3] = {true, true, false};
    assert_int_equal(ce_cond_compile(NULL, three, 3, &c, NULL, 0), CE_OK);
    assert_string_equal(ce_cond_text(c), "x-1&&y&&z");
    assert_false(ce_cond_eval(c, sat));
    sat[2] = true;
    assert_true(ce_cond_eval(c, sat));
    assert_false(ce_cond_is_pure_or(c));
    int idx[3];
    assert_int_equal(ce_cond_deps(c, idx, 3), 3);
    ce_cond_destroy(c);
    assert_int_equal(ce_cond_compile("", three, 1, &c, NULL, 0), CE_OK);
    assert_string_equal(ce_cond_text(c), "x-1");
    assert_true(ce_cond_is_pure_or(c));
    ce_cond_destroy(c);
}

/* Argo (JetStream: strings.Contains(expr, "&"); Kafka: no "&&" token) keeps no state for a
 * trigger whose expression has no &&: it is decided on the text, not on the logic. */
static void test_pure_or(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        bool pure;
    } cases[] = {
        {"a", true},
        {"a || b || c", true},
        {"(a || (b)) || c", true},
        {"a && b", false},
        {"a || b && c", false},
        {"(test-dep-1 && test-dep-2) || test-dep-3", false},
        {"a || (a && b)", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_cond *c = NULL;
        assert_int_equal(ce_cond_compile(cases[i].expr, deps, NDEPS, &c, NULL, 0), CE_OK);
        assert_true(ce_cond_is_pure_or(c) == cases[i].pure);
        ce_cond_destroy(c);
    }
}

/* Two dependencies that differ only by '-'/'_': the later one in the spec wins. */
static void test_name_collision(void **state)
{
    (void)state;
    static const char *const clash[] = {"x-1", "x_1"};
    struct ce_cond *c = NULL;
    int idx[2];
    assert_int_equal(ce_cond_compile("x-1", clash, 2, &c, NULL, 0), CE_OK);
    assert_int_equal(ce_cond_deps(c, idx, 2), 1);
    assert_int_equal(idx[0], 1);
    assert_string_equal(ce_cond_text(c), "x_1");
    ce_cond_destroy(c);
    static const char *const holes[] = {NULL, "a"};
    assert_int_equal(ce_cond_compile("a", holes, 2, &c, NULL, 0), CE_OK);
    assert_int_equal(ce_cond_deps(c, idx, 2), 1);
    assert_int_equal(idx[0], 1);
    ce_cond_destroy(c);
}

/* Appends s to the NUL-terminated out of capacity len (truncating). */
static void app(char *out, size_t len, const char *s)
{
    size_t have = strlen(out), n = strlen(s);
    if (have + n >= len) {
        n = len - have - 1;
    }
    memcpy(out + have, s, n);
    out[have + n] = '\0';
}

static char *repeat_wrap(const char *open, const char *inner, const char *close, int n)
{
    size_t len = strlen(open) * (size_t)n + strlen(inner) + strlen(close) * (size_t)n + 1;
    char *s = malloc(len);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        app(s, len, open);
    }
    app(s, len, inner);
    for (int i = 0; i < n; i++) {
        app(s, len, close);
    }
    return s;
}

static void test_deep_nesting(void **state)
{
    (void)state;
    struct ce_cond *c = NULL;
    char err[160];
    bool sat[NDEPS];
    fill(sat, "a c");
    char *s = repeat_wrap("(", "a", ")", CE_COND_MAX_DEPTH);
    assert_int_equal(ce_cond_compile(s, deps, NDEPS, &c, err, sizeof err), CE_OK);
    assert_true(ce_cond_eval(c, sat));
    ce_cond_destroy(c);
    free(s);
    s = repeat_wrap("(", "a", ")", CE_COND_MAX_DEPTH + 1);
    assert_int_equal(ce_cond_compile(s, deps, NDEPS, &c, err, sizeof err), CE_EPARSE);
    assert_string_equal(err, "parentheses nested deeper than 256 at column 257");
    free(s);
    /* the widest evaluation stack the nesting cap allows */
    s = repeat_wrap("b || c && (", "b || c && a", ")", CE_COND_MAX_DEPTH);
    assert_int_equal(ce_cond_compile(s, deps, NDEPS, &c, err, sizeof err), CE_OK);
    assert_true(ce_cond_eval(c, sat));
    fill(sat, "a");
    assert_false(ce_cond_eval(c, sat));
    ce_cond_destroy(c);
    free(s);
    /* long flat chains need no nesting at all */
    s = repeat_wrap("", "d", " && a || b", 5000);
    assert_int_equal(ce_cond_compile(s, deps, NDEPS, &c, err, sizeof err), CE_OK);
    fill(sat, "a");
    assert_false(ce_cond_eval(c, sat));
    fill(sat, "b");
    assert_true(ce_cond_eval(c, sat));
    ce_cond_destroy(c);
    free(s);
}

/* ---- random trees against a direct evaluation ---- */

struct node {
    int op; /* 0 leaf, 1 &&, 2 || */
    int leaf;
    int l, r;
};

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static int gen(struct node *n, int *count, int depth)
{
    int me = (*count)++;
    if (depth == 0 || rnd() % 3 == 0) {
        n[me] = (struct node){0, 5 + (int)(rnd() % 4), -1, -1}; /* a..d */
        return me;
    }
    n[me].op = 1 + (int)(rnd() % 2);
    n[me].l = gen(n, count, depth - 1);
    n[me].r = gen(n, count, depth - 1);
    return me;
}

static bool tree_eval(const struct node *n, int i, const bool *sat)
{
    if (n[i].op == 0) {
        return sat[n[i].leaf];
    }
    bool l = tree_eval(n, n[i].l, sat), r = tree_eval(n, n[i].r, sat);
    return n[i].op == 1 ? (l && r) : (l || r);
}

/* Parenthesises only where precedence needs it (plus some at random), so the compiler's
 * precedence handling is what makes the results agree. */
static void render(const struct node *n, int i, int parent_op, bool right, char *out, size_t len)
{
    if (n[i].op == 0) {
        app(out, len, deps[n[i].leaf]);
        return;
    }
    bool paren =
        (parent_op == 1 && n[i].op == 2) || (right && parent_op == n[i].op) || rnd() % 5 == 0;
    if (paren) {
        app(out, len, rnd() % 2 ? "(" : "( ");
    }
    render(n, n[i].l, n[i].op, false, out, len);
    app(out, len, n[i].op == 1 ? " && " : "||");
    render(n, n[i].r, n[i].op, true, out, len);
    if (paren) {
        app(out, len, ")");
    }
}

static void test_random_trees(void **state)
{
    (void)state;
    for (int iter = 0; iter < 300; iter++) {
        struct node n[128];
        int count = 0;
        char text[4096] = "";
        gen(n, &count, 5);
        render(n, 0, 0, false, text, sizeof text);
        struct ce_cond *c = NULL;
        char err[160];
        int rc = ce_cond_compile(text, deps, NDEPS, &c, err, sizeof err);
        if (rc != CE_OK) {
            print_error("\"%s\": %s\n", text, err);
        }
        assert_int_equal(rc, CE_OK);
        for (int mask = 0; mask < 16; mask++) {
            bool sat[NDEPS] = {false};
            for (int b = 0; b < 4; b++) {
                sat[5 + b] = (mask >> b) & 1;
            }
            if (ce_cond_eval(c, sat) != tree_eval(n, 0, sat)) {
                print_error("\"%s\" mask %d\n", text, mask);
            }
            assert_true(ce_cond_eval(c, sat) == tree_eval(n, 0, sat));
        }
        ce_cond_destroy(c);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),    cmocka_unit_test(test_errors),
        cmocka_unit_test(test_text_and_deps), cmocka_unit_test(test_default),
        cmocka_unit_test(test_pure_or),       cmocka_unit_test(test_name_collision),
        cmocka_unit_test(test_deep_nesting),  cmocka_unit_test(test_random_trees),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
