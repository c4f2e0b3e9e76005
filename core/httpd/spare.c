/* SPDX-License-Identifier: Apache-2.0 */
/* Each loop keeps a few input buffers and request structs for reuse. Without it, every
 * connection's short-lived 16 KiB buffer and request, allocated around its long-lived small
 * struct, split the heap's holes: 3 000 idle keep-alive connections held 4.8 KB each, now the
 * size of their struct. Loop thread only: no lock. */
#include "core/base/mem.h"
#include "core/httpd/internal.h"

#include <string.h>

char *httpd_spare_take_in(struct httpd_loop *loop)
{
    if (loop->n_spare_in > 0) {
        return loop->spare_in[--loop->n_spare_in];
    }
    return ce_xmalloc(HTTPD_READ_CHUNK);
}

void httpd_spare_give_in(struct httpd_loop *loop, char *in, size_t cap)
{
    if (in != NULL && cap == HTTPD_READ_CHUNK && loop->n_spare_in < HTTPD_SPARES) {
        loop->spare_in[loop->n_spare_in++] = in;
        return;
    }
    ce_free(in);
}

struct ce_httpd_req *httpd_spare_take_req(struct httpd_loop *loop)
{
    if (loop->n_spare_req > 0) {
        struct ce_httpd_req *r = loop->spare_req[--loop->n_spare_req];
        memset(r, 0, sizeof(*r));
        return r;
    }
    return ce_xcalloc(1, sizeof(struct ce_httpd_req));
}

void httpd_spare_give_req(struct httpd_loop *loop, struct ce_httpd_req *r)
{
    if (loop->n_spare_req < HTTPD_SPARES) {
        loop->spare_req[loop->n_spare_req++] = r;
        return;
    }
    ce_free(r);
}

void httpd_spares_free(struct httpd_loop *loop)
{
    ce_free(loop->scratch);
    loop->scratch = NULL;
    while (loop->n_spare_in > 0) {
        ce_free(loop->spare_in[--loop->n_spare_in]);
    }
    while (loop->n_spare_req > 0) {
        ce_free(loop->spare_req[--loop->n_spare_req]);
    }
}
