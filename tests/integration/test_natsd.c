/* SPDX-License-Identifier: Apache-2.0 */
/* core/natsd against the real nats-server binary: it greets on the port it reports, refuses
 * connections once stopped, comes back on the same port after a restart, and uses its store
 * directory. */
#include "core/service/natsd.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Connects to 127.0.0.1:port. Returns the first bytes read into buf (NUL-terminated), or -1
 * with *err = errno when the connection fails. */
static int tn_probe(int port, char *buf, size_t cap, int *err)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n = 0;
    if (poll(&pfd, 1, 5000) == 1) {
        n = recv(fd, buf, cap - 1, 0);
    }
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return (int)(n > 0 ? n : 0);
}

static char *tn_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = ce_xasprintf("%s/cevents-natsd-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(tmpl));
    return tmpl;
}

static void tn_rmtree(const char *dir)
{
    char *cmd[] = {"/bin/rm", "-rf", (char *)dir, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execv(cmd[0], cmd);
        _exit(127);
    }
    assert_true(pid > 0);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
}

static void test_start_stop_restart(void **state)
{
    (void)state;
    char *dir = tn_tmpdir();
    struct ce_natsd *n = NULL;
    int rc = ce_natsd_start(dir, 0, -1, &n);
    assert_int_equal(rc, CE_OK);
    int port = ce_natsd_port(n);
    assert_true(port > 0 && port < 65536);
    char want[64];
    snprintf(want, sizeof(want), "nats://127.0.0.1:%d", port);
    assert_string_equal(ce_natsd_url(n), want);

    char buf[4096];
    int err = 0;
    assert_true(tn_probe(port, buf, sizeof(buf), &err) > 4);
    assert_memory_equal(buf, "INFO", 4);
    assert_non_null(strstr(buf, "\"jetstream\":true"));

    /* JetStream keeps its store under <dir>/jetstream. */
    char *store = ce_xasprintf("%s/jetstream", dir);
    struct stat st;
    assert_int_equal(stat(store, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    ce_free(store);

    ce_natsd_stop(n);
    assert_int_equal(tn_probe(port, buf, sizeof(buf), &err), -1);
    assert_int_equal(err, ECONNREFUSED);
    ce_natsd_stop(n); /* stopping twice is harmless */

    assert_int_equal(ce_natsd_restart(n), CE_OK);
    assert_int_equal(ce_natsd_port(n), port);
    assert_true(tn_probe(port, buf, sizeof(buf), &err) > 4);
    assert_memory_equal(buf, "INFO", 4);

    ce_natsd_destroy(n);
    assert_int_equal(tn_probe(port, buf, sizeof(buf), &err), -1);
    ce_natsd_destroy(NULL);
    tn_rmtree(dir);
    ce_free(dir);
}

/* A given port is used as is, and the log goes to the caller's fd. */
static void test_fixed_port_and_log(void **state)
{
    (void)state;
    char *dir = tn_tmpdir();
    /* Find a free port the same way the tests do. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    int port = ntohs(sa.sin_port);
    close(s);

    char *log = ce_xasprintf("%s/nats.log", dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    struct ce_natsd *n = NULL;
    int rc = ce_natsd_start(dir, port, fd, &n);
    close(fd); /* natsd keeps its own copy */
    assert_int_equal(rc, CE_OK);
    assert_int_equal(ce_natsd_port(n), port);
    ce_natsd_destroy(n);

    FILE *f = fopen(log, "r");
    assert_non_null(f);
    char line[1024];
    bool ready = false;
    while (fgets(line, sizeof(line), f)) {
        ready = ready || strstr(line, "Server is ready") != NULL;
    }
    fclose(f);
    assert_true(ready);
    ce_free(log);
    tn_rmtree(dir);
    ce_free(dir);
}

/* A port held by someone else: the server cannot bind, start reports CE_EIO quickly. */
static void test_port_taken(void **state)
{
    (void)state;
    char *dir = tn_tmpdir();
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(s, 1), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    struct ce_natsd *n = NULL;
    int rc = ce_natsd_start(dir, ntohs(sa.sin_port), -1, &n);
    close(s);
    assert_int_equal(rc, CE_EIO);
    assert_null(n);
    tn_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop_restart),
        cmocka_unit_test(test_fixed_port_and_log),
        cmocka_unit_test(test_port_taken),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
