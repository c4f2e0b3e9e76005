/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/harness/kafka.h"
#include "core/base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define KAFKA_ARGV_MAX 64
#define KCAT_TIMEOUT_MS 30000

void ce_test_require_kcat(void)
{
    ce_test_require_program("kcat");
}

const char *ce_test_kafka_start(struct ce_test_kafka *k, int brokers, ...)
{
    char *argv[KAFKA_ARGV_MAX];
    char nb[16];
    int n = 0;
    snprintf(nb, sizeof(nb), "%d", brokers);
    argv[n++] = (char *)CE_TEST_KAFKA_MOCK;
    argv[n++] = "-b";
    argv[n++] = nb;
    va_list ap;
    va_start(ap, brokers);
    for (const char *t = va_arg(ap, const char *); t != NULL && n < KAFKA_ARGV_MAX - 1;
         t = va_arg(ap, const char *)) {
        argv[n++] = (char *)t;
    }
    va_end(ap);
    argv[n] = NULL;
    memset(k, 0, sizeof(*k));
    k->proc = ce_test_proc_start(argv);
    if (k->proc == NULL || !ce_test_proc_wait_line(k->proc, "127.0.0.1:", 1, 10000)) {
        fail_msg("the mock Kafka cluster did not start");
    }
    k->bootstrap = ce_test_proc_line(k->proc, "127.0.0.1:", 0);
    return k->bootstrap;
}

void ce_test_kafka_stop(struct ce_test_kafka *k)
{
    ce_test_proc_free(k->proc);
    ce_free(k->bootstrap);
    memset(k, 0, sizeof(*k));
}

/* Runs kcat with argv (argv[0] "kcat"); its exit status, its output in *out when out is not
 * NULL (heap). */
static int kcat_run(char *argv[], char **out)
{
    struct ce_test_proc *p = ce_test_proc_start(argv);
    if (p == NULL) {
        return 127;
    }
    int status = 0;
    bool exited = ce_test_proc_wait_exit(p, KCAT_TIMEOUT_MS, &status);
    if (out != NULL) {
        *out = ce_test_proc_output(p);
    }
    if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = ce_test_proc_output(p);
        print_message("kcat failed: %s\n", text);
        ce_free(text);
    }
    ce_test_proc_free(p);
    return exited && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* argv for `kcat -P -b bootstrap -t topic [-p partition]` into argv; returns the count. */
static int kcat_producer_argv(char *argv[], const char *bootstrap, const char *topic, char *pbuf,
                              size_t plen, int partition)
{
    int n = 0;
    argv[n++] = "kcat";
    argv[n++] = "-P";
    argv[n++] = "-q";
    argv[n++] = "-b";
    argv[n++] = (char *)bootstrap;
    argv[n++] = "-t";
    argv[n++] = (char *)topic;
    if (partition >= 0) {
        snprintf(pbuf, plen, "%d", partition);
        argv[n++] = "-p";
        argv[n++] = pbuf;
    }
    return n;
}

int ce_test_kcat_produce(const char *bootstrap, const char *topic, int partition, const char *key,
                         const char *const headers[], const char *value)
{
    char *dir = ce_test_tmpdir("kcat");
    /* kcat sends a null value only in its line mode, for a keyed line with nothing after the
     * key's delimiter (a null key too when the key is empty) */
    char *tombstone = ce_xasprintf("%s\x1f\n", key != NULL ? key : "");
    char *file = ce_test_write_file(dir, "value", value != NULL ? value : tombstone);
    char *argv[KAFKA_ARGV_MAX], pbuf[16];
    int n = kcat_producer_argv(argv, bootstrap, topic, pbuf, sizeof(pbuf), partition);
    if (key != NULL && value != NULL) {
        argv[n++] = "-k";
        argv[n++] = (char *)key;
    }
    for (int i = 0; headers != NULL && headers[i] != NULL && n < KAFKA_ARGV_MAX - 6; i++) {
        argv[n++] = "-H";
        argv[n++] = (char *)headers[i];
    }
    if (value == NULL) {
        argv[n++] = "-Z";
        argv[n++] = "-K\x1f";
        argv[n++] = "-l";
    }
    argv[n++] = file;
    argv[n] = NULL;
    int rc = kcat_run(argv, NULL);
    ce_test_rmtree(dir);
    ce_free(tombstone);
    ce_free(file);
    ce_free(dir);
    return rc;
}

int ce_test_kcat_produce_lines(const char *bootstrap, const char *topic, int partition, bool keyed,
                               const char *lines)
{
    char *dir = ce_test_tmpdir("kcat");
    char *file = ce_test_write_file(dir, "lines", lines);
    char *argv[KAFKA_ARGV_MAX], pbuf[16];
    int n = kcat_producer_argv(argv, bootstrap, topic, pbuf, sizeof(pbuf), partition);
    if (keyed) {
        argv[n++] = "-K:";
    }
    argv[n++] = "-l";
    argv[n++] = file;
    argv[n] = NULL;
    int rc = kcat_run(argv, NULL);
    ce_test_rmtree(dir);
    ce_free(file);
    ce_free(dir);
    return rc;
}

char *ce_test_kcat_consume(const char *bootstrap, const char *topic, const char *fmt)
{
    char *argv[] = {"kcat", "-C",        "-q", "-b", (char *)bootstrap, "-t", (char *)topic,
                    "-o",   "beginning", "-e", "-f", (char *)fmt,       NULL};
    char *out = NULL;
    if (kcat_run(argv, &out) != 0) {
        ce_free(out);
        return NULL;
    }
    return out;
}
