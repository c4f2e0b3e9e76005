/* SPDX-License-Identifier: Apache-2.0 */
/* The test harness every unit and integration test links: temp dirs, free ports, child
 * processes with their output captured line by line, a small libcurl HTTP client, file helpers
 * and polling with deadlines (tests never sleep a fixed time). Failures that make a test
 * meaningless (cannot create a temp dir, cannot write a file) fail the running cmocka test. */
#ifndef CE_TESTS_HARNESS_HARNESS_H
#define CE_TESTS_HARNESS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- running a test file ---- */

struct CMUnitTest;

/* The exit status CTest counts as skipped (every test has SKIP_RETURN_CODE 77). */
#define CE_TEST_SKIPPED 77

/* Every test file's main ends with `return ce_test_run(argc, argv, tests, setup, teardown);`.
 * Without arguments it runs the whole cmocka group; `test_x <case>` runs that one case (CTest
 * has one entry per case, named test_x.<case>), and an unknown case name fails; `test_x --list`
 * prints the case names. Returns main's exit status: 0 when everything run passed,
 * CE_TEST_SKIPPED when nothing failed but a case was skipped for a missing prerequisite, else
 * 1. */
#define ce_test_run(argc, argv, tests, setup, teardown)                                            \
    ce_test_run_group((argc), (argv), (tests), sizeof(tests) / sizeof((tests)[0]), (setup),        \
                      (teardown))
int ce_test_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                      int (*setup)(void **state), int (*teardown)(void **state));

/* A missing prerequisite (a program, a server) makes a test meaningless, not failed. Called
 * from main before ce_test_run, ce_test_skip prints why and exits with CE_TEST_SKIPPED at once;
 * called in a test body it skips that case and ce_test_run reports the run as skipped unless
 * something failed. Not for fixtures: cmocka counts a skip there as an error. */
void ce_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Whether name is an executable file in a PATH directory. */
bool ce_test_have_program(const char *name);
/* ce_test_skip unless ce_test_have_program(name). */
void ce_test_require_program(const char *name);
/* Whether nats-server is where core/service/natsd looks for it (PATH, /usr/sbin, /usr/bin). */
bool ce_test_have_natsd(void);
/* ce_test_skip unless ce_test_have_natsd(). */
void ce_test_require_natsd(void);
/* ce_test_skip unless the time zone database is installed where core/time/tz.c reads it (for
 * tests that name zones such as America/New_York). */
void ce_test_require_tzdata(void);

/* ---- time and polling ---- */

/* Monotonic milliseconds. */
int64_t ce_test_now_ms(void);
/* Sleeps ms; only for the pacing inside a poll loop, never as the thing a test waits for. */
void ce_test_sleep_ms(int ms);

typedef bool ce_test_cond_fn(void *arg);
/* Calls cond(arg) every 10 ms until it returns true (true) or timeout_ms passed (false; cond is
 * evaluated once more at the deadline). */
bool ce_test_poll(ce_test_cond_fn *cond, void *arg, int timeout_ms);
/* The same for an expression: evaluates to true once expr holds, false at the deadline. */
#define CE_TEST_WAIT_UNTIL(expr, timeout_ms)                                                       \
    __extension__({                                                                                \
        int64_t ce_wu_deadline_ = ce_test_now_ms() + (timeout_ms);                                 \
        bool ce_wu_ok_ = false;                                                                    \
        for (;;) {                                                                                 \
            if ((expr)) {                                                                          \
                ce_wu_ok_ = true;                                                                  \
                break;                                                                             \
            }                                                                                      \
            if (ce_test_now_ms() >= ce_wu_deadline_) {                                             \
                break;                                                                             \
            }                                                                                      \
            ce_test_sleep_ms(10);                                                                  \
        }                                                                                          \
        ce_wu_ok_;                                                                                 \
    })

/* ---- temp dirs, ports, files ---- */

/* A fresh directory $TMPDIR/cevents-<tag>-XXXXXX (or under /tmp); heap path, the caller frees
 * it after ce_test_rmtree. */
char *ce_test_tmpdir(const char *tag);
/* Removes dir and everything below it (symlinks are removed, not followed). Refuses "/" and
 * relative paths. */
void ce_test_rmtree(const char *dir);
/* A TCP port free on 127.0.0.1 right now, never the same one twice in this process. */
int ce_test_free_port(void);
/* First of n consecutive free ports (for `cevents run --metrics-port`, which numbers its
 * children's ports from the one given). */
int ce_test_free_ports(int n);
/* Writes content to dir/name (created or truncated); returns the heap path. */
char *ce_test_write_file(const char *dir, const char *name, const char *content);
/* The whole file, NUL-terminated (heap), its size in *len (may be NULL); NULL when it cannot
 * be read. */
char *ce_test_read_file(const char *path, size_t *len);

/* ---- test data (tests/data/) ---- */

/* text with every ${NAME} replaced by its value; the variable arguments are NAME, value pairs
 * ending with NULL. A placeholder alone on its line takes the whole line: the value goes in as
 * lines (an empty value drops the line), so a manifest can leave a slot for a YAML block.
 * Fails the test when a placeholder has no value or a value is not used. Heap string. */
char *ce_test_expand(const char *text, ...) __attribute__((sentinel));
/* The same for the file tests/data/<rel> (manifests, events); fails the test when it cannot be
 * read. */
char *ce_test_data(const char *rel, ...) __attribute__((sentinel));
/* ce_test_data's text written to dir/name; returns that path (heap). */
char *ce_test_data_write(const char *dir, const char *name, const char *rel, ...)
    __attribute__((sentinel));

/* ---- child processes with captured output ---- */

struct ce_test_proc;

/* Starts argv (argv[0] a path, or a name looked up in PATH) with stdout and stderr on one pipe;
 * a thread stores every line (without its '\n') in memory, up to 64 MiB, and, when the
 * environment has CE_TEST_VERBOSE set, echoes each line to stderr as "[tag] line". NULL when
 * the process could not be started. */
struct ce_test_proc *ce_test_proc_start(char *const argv[]);
/* The built cevents binary (CE_TEST_BINARY) with args (NULL-terminated, args[0] is the first
 * argument, e.g. "eventsource"). */
struct ce_test_proc *ce_test_proc_start_cevents(const char *const args[]);
pid_t ce_test_proc_pid(const struct ce_test_proc *p);
/* Waits until at least count captured lines contain substr. False at the deadline, or as soon
 * as the output ended (the process and its children closed it) without enough lines. */
bool ce_test_proc_wait_line(struct ce_test_proc *p, const char *substr, int count, int timeout_ms);
/* Number of captured lines containing substr so far. */
int ce_test_proc_count(struct ce_test_proc *p, const char *substr);
/* A heap copy of the nth (0-based) captured line containing substr, or NULL. */
char *ce_test_proc_line(struct ce_test_proc *p, const char *substr, int nth);
/* Everything captured so far, lines joined with '\n' (heap). */
char *ce_test_proc_output(struct ce_test_proc *p);
/* Sends sig to the process; 0 or -1 (errno set). */
int ce_test_proc_signal(struct ce_test_proc *p, int sig);
/* Waits up to timeout_ms for the process to exit by itself. True and *status (wait status, may
 * be NULL) when it did. */
bool ce_test_proc_wait_exit(struct ce_test_proc *p, int timeout_ms, int *status);
/* SIGTERM, waits up to timeout_ms, then SIGKILL (its process group too). Returns the wait
 * status (use WIFEXITED etc.); repeated calls return the same status. */
int ce_test_proc_stop(struct ce_test_proc *p, int timeout_ms);
/* SIGKILL and reap; the captured lines stay readable. Returns the wait status. */
int ce_test_proc_kill(struct ce_test_proc *p);
/* True when the output so far holds an ASan, LSan, TSan or UBSan report (printed to stderr).
 * ce_test_proc_free fails the test on one. */
bool ce_test_proc_sanitizer_report(struct ce_test_proc *p);
/* Stops the process if it still runs (SIGTERM, 10 s, SIGKILL), ends the reader and frees
 * everything; accepts NULL. Fails the test when the output holds a sanitizer report. */
void ce_test_proc_free(struct ce_test_proc *p);
/* ce_test_proc_free without the sanitizer check, for tests of the check itself. */
void ce_test_proc_discard(struct ce_test_proc *p);

/* ---- HTTP client (libcurl) ---- */

struct ce_test_http_resp {
    long status;
    char *body; /* NUL-terminated, never NULL after success */
    size_t body_len;
    char *headers; /* the raw header block of the final response, status line included */
};

/* Sends method to url with headers ("Name: value", NULL-terminated array, may be NULL; a NULL
 * entry ends it) and body[0..len) (body may be NULL). No proxy, no redirects followed. As with
 * the curl tool, a body without a Content-Type header is sent as
 * application/x-www-form-urlencoded (pass "Content-Type:" to send none). Returns 0 when a
 * response arrived (whatever its status) and fills out (release it with
 * ce_test_http_resp_fini), else the libcurl error code (out is then empty). */
int ce_test_http(const char *method, const char *url, const char *const headers[], const char *body,
                 size_t len, int timeout_ms, struct ce_test_http_resp *out);
/* HTTPS requests trust only the certificates in this PEM file from now on (NULL: the system's
 * trust store again). Not thread-safe: set it before starting requests. */
void ce_test_http_set_ca(const char *pem_path);
/* The value of the first header called name (case-insensitive), trimmed; heap, or NULL. */
char *ce_test_http_header(const struct ce_test_http_resp *r, const char *name);
void ce_test_http_resp_fini(struct ce_test_http_resp *r);
/* GETs url every 50 ms until it answers want_status; false at the deadline. */
bool ce_test_wait_http(const char *url, long want_status, int timeout_ms);

/* ---- raw TCP, for tests of how a server frames HTTP on the wire ---- */

/* A TCP connection to 127.0.0.1:port, with TCP_NODELAY when nodelay (each send() then leaves
 * as its own segment). Fails the test when it cannot connect. */
int ce_test_tcp_connect(int port, bool nodelay);
/* Writes all of buf[0..len) to fd. False when the peer is gone (no SIGPIPE is raised). */
bool ce_test_tcp_send(int fd, const void *buf, size_t len);
/* Reads fd until the peer closes the connection (end of stream or reset) or timeout_ms passed,
 * keeping at most 1 MiB: every byte received (heap, NUL-terminated), its length in *len (may be
 * NULL), and whether the peer closed in *closed (may be NULL). */
char *ce_test_tcp_read_all(int fd, int timeout_ms, size_t *len, bool *closed);
/* Connects to port, sends req[0..len), and returns ce_test_tcp_read_all's answer. */
char *ce_test_tcp_exchange(int port, const void *req, size_t len, int timeout_ms, size_t *out_len,
                           bool *closed);

#endif
