/* SPDX-License-Identifier: Apache-2.0 */
/* The rate limit shared by a trigger's workers: four threads take from one limit of 20 per
 * second while a test clock runs through 3 s; no more firings go than three and a bit windows
 * allow (4 × 20), and the limit does not starve them either (at least 3 × 20). Run under TSan
 * by the sanitizer builds. */
#include "core/base/rc.h"
#include "sensor/ratelimit.h"
#include "tests/harness/harness.h"

#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define RL_PER_SECOND 20
#define RL_THREADS 4
#define RL_END_MS 3000

struct rl_shared {
    struct ce_ratelimit *rl;
    atomic_llong now_ms; /* the test's clock */
    atomic_bool done;
    atomic_int taken;
};

static void *rl_taker(void *arg)
{
    struct rl_shared *s = arg;
    while (!atomic_load(&s->done)) {
        if (ce_ratelimit_take(s->rl, (int64_t)atomic_load(&s->now_ms)) == 0) {
            atomic_fetch_add(&s->taken, 1);
        }
    }
    return NULL;
}

static void test_shared_limit_holds(void **state)
{
    (void)state;
    struct rl_shared s = {0};
    json_t *j = json_pack("{s:s, s:i}", "unit", "Second", "requestsPerUnit", RL_PER_SECOND);
    char err[256];
    assert_int_equal(ce_ratelimit_from_json(j, &s.rl, err, sizeof(err)), CE_OK);
    json_decref(j);
    pthread_t th[RL_THREADS];
    for (int i = 0; i < RL_THREADS; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, rl_taker, &s), 0);
    }
    for (int ms = 0; ms <= RL_END_MS; ms++) {
        atomic_store(&s.now_ms, ms);
        ce_test_sleep_ms(ms % 100 == 0 ? 1 : 0); /* let the takers run at some instants */
    }
    ce_test_sleep_ms(20);
    atomic_store(&s.done, true);
    for (int i = 0; i < RL_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    int taken = atomic_load(&s.taken);
    assert_true(taken <= (RL_END_MS / 1000 + 1) * RL_PER_SECOND);
    assert_true(taken >= (RL_END_MS / 1000) * RL_PER_SECOND);
    ce_ratelimit_destroy(s.rl);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_limit_holds),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
