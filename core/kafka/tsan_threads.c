/* SPDX-License-Identifier: Apache-2.0 */
/* ThreadSanitizer builds only. librdkafka runs its threads, locks and waits with C11 threads
 * (thrd_create, mtx_lock, cnd_wait), which GCC 12's ThreadSanitizer does not intercept: a thread
 * it never saw start crashes at its first intercepted call, and locks it never saw make false
 * reports. On glibc the C11 types are the pthread ones, so these definitions, which take the
 * place of glibc's for the whole process, route each call to the pthread function the sanitizer
 * does intercept. Plain and ASan builds use glibc's own. */
#if defined(__SANITIZE_THREAD__)
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

static int tsan_thrd_rc(int rc)
{
    if (rc == 0) {
        return thrd_success;
    }
    if (rc == ENOMEM) {
        return thrd_nomem;
    }
    return rc == ETIMEDOUT ? thrd_timedout : rc == EBUSY ? thrd_busy : thrd_error;
}

struct tsan_thrd_start {
    thrd_start_t fn;
    void *arg;
};

static void *tsan_thrd_main(void *p)
{
    struct tsan_thrd_start s = *(struct tsan_thrd_start *)p;
    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
    struct tsan_thrd_start *s = malloc(sizeof(*s));
    if (s == NULL) {
        return thrd_nomem;
    }
    s->fn = fn;
    s->arg = arg;
    int rc = pthread_create((pthread_t *)thr, NULL, tsan_thrd_main, s);
    if (rc != 0) {
        free(s);
    }
    return tsan_thrd_rc(rc);
}

int thrd_join(thrd_t thr, int *res)
{
    void *out = NULL;
    int rc = pthread_join((pthread_t)thr, &out);
    if (rc == 0 && res != NULL) {
        *res = (int)(intptr_t)out;
    }
    return tsan_thrd_rc(rc);
}

int thrd_detach(thrd_t thr)
{
    return tsan_thrd_rc(pthread_detach((pthread_t)thr));
}

int mtx_init(mtx_t *m, int type)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    if (type & mtx_recursive) {
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    }
    int rc = pthread_mutex_init((pthread_mutex_t *)m, &a);
    pthread_mutexattr_destroy(&a);
    return tsan_thrd_rc(rc);
}

int mtx_lock(mtx_t *m)
{
    return tsan_thrd_rc(pthread_mutex_lock((pthread_mutex_t *)m));
}

int mtx_trylock(mtx_t *m)
{
    return tsan_thrd_rc(pthread_mutex_trylock((pthread_mutex_t *)m));
}

int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict ts)
{
    return tsan_thrd_rc(pthread_mutex_timedlock((pthread_mutex_t *)m, ts));
}

int mtx_unlock(mtx_t *m)
{
    return tsan_thrd_rc(pthread_mutex_unlock((pthread_mutex_t *)m));
}

void mtx_destroy(mtx_t *m)
{
    pthread_mutex_destroy((pthread_mutex_t *)m);
}

int cnd_init(cnd_t *c)
{
    return tsan_thrd_rc(pthread_cond_init((pthread_cond_t *)c, NULL));
}

int cnd_signal(cnd_t *c)
{
    return tsan_thrd_rc(pthread_cond_signal((pthread_cond_t *)c));
}

int cnd_broadcast(cnd_t *c)
{
    return tsan_thrd_rc(pthread_cond_broadcast((pthread_cond_t *)c));
}

int cnd_wait(cnd_t *c, mtx_t *m)
{
    return tsan_thrd_rc(pthread_cond_wait((pthread_cond_t *)c, (pthread_mutex_t *)m));
}

int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict ts)
{
    return tsan_thrd_rc(pthread_cond_timedwait((pthread_cond_t *)c, (pthread_mutex_t *)m, ts));
}

void cnd_destroy(cnd_t *c)
{
    pthread_cond_destroy((pthread_cond_t *)c);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int ce_kafka_tsan_threads_unused;
#endif
