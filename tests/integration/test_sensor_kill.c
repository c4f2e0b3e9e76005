/* SPDX-License-Identifier: Apache-2.0 */
/* The sensor dies with SIGKILL while events keep arriving; a new sensor process takes over
 * the same durable consumer. Every event the webhook accepted (200) is logged by one of the
 * two sensors: nothing accepted is lost. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define KILL_MAX_EVENTS 4096

struct kill_producer {
    int port;
    atomic_bool stop;
    char ids[KILL_MAX_EVENTS][33];
    atomic_int n;
    int failures;
};

static void *kill_produce(void *arg)
{
    struct kill_producer *p = arg;
    while (!atomic_load(&p->stop) && atomic_load(&p->n) < KILL_MAX_EVENTS) {
        char id[33];
        if (ce_scn_post(p->port, "/example", CE_SCN_DEMO_BODY, NULL, id) == 200) {
            int i = atomic_load(&p->n);
            memcpy(p->ids[i], id, 33);
            atomic_store(&p->n, i + 1);
        }
        else {
            p->failures++;
        }
    }
    return NULL;
}

static void kill_wait_count(struct kill_producer *p, int at_least)
{
    int64_t deadline = ce_test_now_ms() + 30000;
    while (atomic_load(&p->n) < at_least && ce_test_now_ms() < deadline) {
        ce_test_sleep_ms(10);
    }
    assert_true(atomic_load(&p->n) >= at_least);
}

static void test_sensor_sigkill(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("sigkill");
    struct ce_natsd *natsd = ce_scn_natsd_start(dir);
    const char *url = ce_natsd_url(natsd);
    struct kill_producer *p = ce_xcalloc(1, sizeof(*p));
    p->port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(dir, "es.yaml", "eventsources/webhook.yaml", p->port);
    char *sn_file = ce_test_data_write(dir, "sensor.yaml", "sensors/log-interval.yaml", NULL);
    int mport = ce_test_free_port();
    struct ce_test_proc *es = ce_scn_start("eventsource", es_file, url, ce_test_free_port(), NULL,
                                           "Eventing server started.");
    struct ce_test_proc *first =
        ce_scn_start("sensor", sn_file, url, mport, NULL, CE_SENSOR_SUBSCRIBED_MSG);

    pthread_t producer;
    assert_int_equal(pthread_create(&producer, NULL, kill_produce, p), 0);
    kill_wait_count(p, 100);
    /* Kill while the sensor is busy logging. */
    assert_true(ce_test_proc_wait_line(first, "Successfully processed trigger", 20, 20000));
    ce_test_proc_kill(first);
    int killed_at = atomic_load(&p->n);
    kill_wait_count(p, killed_at + 100); /* events keep arriving with no sensor */
    struct ce_test_proc *second =
        ce_scn_start("sensor", sn_file, url, mport, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    kill_wait_count(p, atomic_load(&p->n) + 100);
    atomic_store(&p->stop, true);
    pthread_join(producer, NULL);
    assert_int_equal(p->failures, 0);

    /* Messages the killed sensor had fetched come back after the bus's ack wait (30 s). */
    int total = atomic_load(&p->n);
    int64_t deadline = ce_test_now_ms() + 120000;
    int missing = total;
    while (missing > 0 && ce_test_now_ms() < deadline) {
        missing = 0;
        for (int i = 0; i < total; i++) {
            if (ce_scn_logged_count(first, p->ids[i]) + ce_scn_logged_count(second, p->ids[i]) ==
                0) {
                missing++;
            }
        }
        if (missing > 0) {
            ce_test_sleep_ms(500);
        }
    }
    fprintf(stderr, "accepted %d events, %d killed-sensor lines, %d new-sensor lines\n", total,
            ce_test_proc_count(first, "Successfully processed trigger"),
            ce_test_proc_count(second, "Successfully processed trigger"));
    assert_int_equal(missing, 0);

    ce_test_proc_stop(es, 10000);
    ce_test_proc_stop(second, 10000);
    ce_test_proc_free(es);
    ce_test_proc_free(first);
    ce_test_proc_free(second);
    ce_natsd_destroy(natsd);
    ce_test_rmtree(dir);
    ce_free(p);
    ce_free(es_file);
    ce_free(sn_file);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensor_sigkill),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
