/* SPDX-License-Identifier: Apache-2.0 */
/* A real sshd for the sftp tests (see sshd.h). */
#include "tests/harness/sshd.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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

#define SSHD_PATH "/usr/sbin/sshd"

void ce_test_require_sshd(void)
{
    if (access(SSHD_PATH, X_OK) != 0 || !ce_test_have_program("ssh-keygen")) {
        ce_test_skip("sshd (openssh-server) is not installed");
    }
}

static void sshd_keygen(const char *path)
{
    char *const argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (char *)path, NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    int status = -1;
    assert_non_null(p);
    assert_true(ce_test_proc_wait_exit(p, 20000, &status));
    ce_test_proc_free(p);
    assert_int_equal(status, 0);
}

static char *sshd_read(const char *dir, const char *name)
{
    char *path = ce_xasprintf("%s/%s", dir, name);
    char *text = ce_test_read_file(path, NULL);
    assert_non_null(text);
    ce_free(path);
    return text;
}

static void sshd_write_config(struct ce_test_sshd *s)
{
    char *conf = ce_xasprintf("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\n"
                              "PidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\n"
                              "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                              "PermitRootLogin yes\nSubsystem sftp internal-sftp\n"
                              "LogLevel ERROR\n",
                              s->port, s->dir, s->dir, s->dir);
    ce_free(ce_test_write_file(s->dir, "sshd_config", conf));
    ce_free(conf);
}

static bool sshd_answers(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

static void sshd_run(struct ce_test_sshd *s)
{
    char *conf = ce_xasprintf("%s/sshd_config", s->dir);
    char *const argv[] = {SSHD_PATH, "-D", "-e", "-f", conf, NULL};
    s->p = ce_test_proc_start(argv);
    ce_free(conf);
    assert_non_null(s->p);
    if (!CE_TEST_WAIT_UNTIL(sshd_answers(s->port), 10000)) {
        char *out = ce_test_proc_output(s->p);
        fail_msg("sshd did not start:\n%s", out);
    }
}

struct ce_test_sshd *ce_test_sshd_start(const char *dir)
{
    struct ce_test_sshd *s = ce_xcalloc(1, sizeof(*s));
    s->dir = ce_xasprintf("%s/sshd", dir);
    assert_int_equal(mkdir(s->dir, 0700), 0);
    (void)mkdir("/run/sshd", 0755); /* sshd's privilege separation directory */
    const struct passwd *pw = getpwuid(getuid());
    assert_non_null(pw);
    s->user = ce_xstrdup(pw->pw_name);
    char *host = ce_xasprintf("%s/host_key", s->dir), *client = ce_xasprintf("%s/id", s->dir);
    sshd_keygen(host);
    sshd_keygen(client);
    ce_free(host);
    ce_free(client);
    s->client_key = sshd_read(s->dir, "id");
    char *pub = sshd_read(s->dir, "id.pub");
    ce_free(ce_test_write_file(s->dir, "authorized_keys", pub));
    ce_free(pub);
    s->port = ce_test_free_port();
    char *host_pub = sshd_read(s->dir, "host_key.pub");
    s->known_hosts = ce_xasprintf("[127.0.0.1]:%d %s", s->port, host_pub);
    ce_free(host_pub);
    sshd_write_config(s);
    sshd_run(s);
    return s;
}

/* SIGKILLs every process whose parent is ppid, and theirs. */
static void sshd_kill_children(pid_t ppid)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        FILE *f = fopen(path, "r");
        size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f != NULL) {
            fclose(f);
        }
        buf[n] = '\0';
        const char *close_paren = strrchr(buf, ')');
        long pid = strtol(de->d_name, NULL, 10), parent = 0;
        if (close_paren != NULL && sscanf(close_paren + 2, "%*c %ld", &parent) == 1 &&
            parent == (long)ppid && pid > 0) {
            sshd_kill_children((pid_t)pid);
            kill((pid_t)pid, SIGKILL);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

void ce_test_sshd_stop(struct ce_test_sshd *s)
{
    if (s->p == NULL) {
        return;
    }
    pid_t pid = ce_test_proc_pid(s->p);
    /* frozen first, so it accepts no connection while its sessions are ended; twice, for a
     * session that was forking its own child meanwhile */
    kill(pid, SIGSTOP);
    sshd_kill_children(pid);
    sshd_kill_children(pid);
    (void)ce_test_proc_kill(s->p);
    ce_test_proc_free(s->p);
    s->p = NULL;
}

void ce_test_sshd_restart(struct ce_test_sshd *s)
{
    ce_test_sshd_stop(s);
    sshd_run(s);
}

void ce_test_sshd_free(struct ce_test_sshd *s)
{
    if (s == NULL) {
        return;
    }
    ce_test_sshd_stop(s);
    ce_free(s->dir);
    ce_free(s->user);
    ce_free(s->client_key);
    ce_free(s->known_hosts);
    ce_free(s);
}
