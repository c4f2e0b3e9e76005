/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka for the tests: librdkafka's mock cluster run as a process (tests/fixtures/kafka_mock.c)
 * and kcat to produce to it and read it back, as a user would. */
#ifndef CE_TESTS_HARNESS_KAFKA_H
#define CE_TESTS_HARNESS_KAFKA_H

#include "tests/harness/harness.h"

#include <stdbool.h>

struct ce_test_kafka {
    struct ce_test_proc *proc;
    char *bootstrap; /* "127.0.0.1:p1,127.0.0.1:p2,..." (heap) */
};

/* ce_test_skip unless kcat is installed (call it from main, before ce_test_run). */
void ce_test_require_kcat(void);

/* Starts a mock cluster of brokers brokers with the topics given as "name:partitions" strings
 * (NULL-terminated), waits for its bootstrap list (10 s) and fails the test when it does not
 * come. Returns k->bootstrap. */
const char *ce_test_kafka_start(struct ce_test_kafka *k, int brokers, ...)
    __attribute__((sentinel));
/* Stops the cluster and frees k's contents; accepts a k that never started. */
void ce_test_kafka_stop(struct ce_test_kafka *k);

/* Produces one message with kcat to topic's partition (-1: kcat's partitioner). key may be
 * NULL (no key), headers is a NULL-terminated list of "name=value" (may be NULL), value NULL
 * produces a tombstone (a null value). Returns kcat's exit status (0 on success). */
int ce_test_kcat_produce(const char *bootstrap, const char *topic, int partition, const char *key,
                         const char *const headers[], const char *value);
/* Produces one message per line of lines ("key:value" lines when keyed, else "value") to
 * topic's partition in a single kcat run. Returns kcat's exit status. */
int ce_test_kcat_produce_lines(const char *bootstrap, const char *topic, int partition, bool keyed,
                               const char *lines);
/* Reads topic from the beginning to its end with kcat, each message formatted with fmt (kcat's
 * -f, e.g. "%p %o %k %s\n"); the heap text, or NULL when kcat failed. */
char *ce_test_kcat_consume(const char *bootstrap, const char *topic, const char *fmt);

#endif
