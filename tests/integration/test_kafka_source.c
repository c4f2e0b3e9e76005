/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka EventSource against librdkafka's mock cluster (tests/fixtures/kafka_mock.c), kcat
 * as the producer, and a real nats-server. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"
#include "tests/harness/kafka.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* The fixture itself: kcat writes to the mock cluster and reads back keys, headers and values
 * per partition. */
static void test_mock_cluster_roundtrip(void **state)
{
    (void)state;
    struct ce_test_kafka k;
    const char *bs = ce_test_kafka_start(&k, 3, "t1:2", NULL);
    const char *headers[] = {"h1=v1", "h1=v2", NULL};
    assert_int_equal(ce_test_kcat_produce(bs, "t1", 1, "k1", headers, "hello"), 0);
    assert_int_equal(ce_test_kcat_produce_lines(bs, "t1", 0, true, "a:1\nb:2\n"), 0);
    char *out = ce_test_kcat_consume(bs, "t1", "%p %o %k %h %s\n");
    assert_non_null(out);
    assert_non_null(strstr(out, "1 0 k1 h1=v1,h1=v2 hello"));
    assert_non_null(strstr(out, "0 0 a  1"));
    assert_non_null(strstr(out, "0 1 b  2"));
    ce_free(out);
    ce_test_kafka_stop(&k);
}

int main(int argc, char **argv)
{
    ce_test_require_kcat();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mock_cluster_roundtrip),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
