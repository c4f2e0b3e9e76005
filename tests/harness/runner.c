/* SPDX-License-Identifier: Apache-2.0 */
/* How every test file runs its cmocka group (see harness.h): one case by name for CTest's
 * per-case entries, and missing prerequisites reported as skipped (exit 77), never as a pass. */
#include "tests/harness/harness.h"
#include "core/base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* Set while cmocka runs the group: a skip then belongs to the running case. */
static bool runner_running;
/* A case skipped itself for a missing prerequisite. */
static bool runner_skipped;

void ce_test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("SKIPPED: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(NULL);
    if (!runner_running) {
        exit(CE_TEST_SKIPPED);
    }
    runner_skipped = true;
    skip();
    abort(); /* cmocka's skip jumps back into the runner */
}

static bool runner_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool ce_test_have_program(const char *name)
{
    const char *path = getenv("PATH");
    while (path != NULL && *path != '\0') {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0) {
            char *cand = ce_xasprintf("%.*s/%s", (int)n, path, name);
            bool ok = runner_executable(cand);
            ce_free(cand);
            if (ok) {
                return true;
            }
        }
        path += n;
        if (*path == ':') {
            path++;
        }
    }
    return false;
}

void ce_test_require_program(const char *name)
{
    if (!ce_test_have_program(name)) {
        ce_test_skip("%s is not installed (not found in PATH)", name);
    }
}

bool ce_test_have_natsd(void)
{
    /* The same places core/service/natsd.c searches, so false means it would not start. */
    return ce_test_have_program("nats-server") || runner_executable("/usr/sbin/nats-server") ||
           runner_executable("/usr/bin/nats-server");
}

void ce_test_require_natsd(void)
{
    if (!ce_test_have_natsd()) {
        ce_test_skip("nats-server is not installed (needed for a real JetStream bus)");
    }
}

void ce_test_require_tzdata(void)
{
    static const char *const dirs[] = {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo",
                                       "/usr/lib/locale/TZ", "/etc/zoneinfo"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char *zone = ce_xasprintf("%s/America/New_York", dirs[i]);
        struct stat st;
        bool ok = stat(zone, &st) == 0 && S_ISREG(st.st_mode);
        ce_free(zone);
        if (ok) {
            return;
        }
    }
    ce_test_skip("the time zone database (tzdata) is not installed");
}

int ce_test_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                      int (*setup)(void **state), int (*teardown)(void **state))
{
    const char *group = strrchr(argv[0], '/');
    group = group ? group + 1 : argv[0];
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++) {
            printf("%s\n", tests[i].name);
        }
        return 0;
    }
    if (argc > 1) {
        /* An exact name only: a typo must not pass by running nothing. */
        bool known = false;
        for (size_t i = 0; i < n && !known; i++) {
            known = strcmp(tests[i].name, argv[1]) == 0;
        }
        if (!known) {
            fprintf(stderr, "%s: no test case \"%s\" (--list shows them)\n", group, argv[1]);
            return 1;
        }
        cmocka_set_test_filter(argv[1]);
    }
    runner_running = true;
    runner_skipped = false;
    int failed = _cmocka_run_group_tests(group, tests, n, setup, teardown);
    runner_running = false;
    if (failed != 0) {
        return 1;
    }
    return runner_skipped ? CE_TEST_SKIPPED : 0;
}
