/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's chunk (a list cut into [][]interface {} of size items), untilStep (a []int from start
 * by step, stopping before stop) and seq (bash's seq: inclusive, as a space-separated string). */
#include "core/template/sprig_int.h"

#include <stdio.h>

#define SEQ_MAX_ITEMS 1000000 /* past this a list would only exhaust the arena */

static int chunk(struct ce_tv_ctx *c, const struct ce_tv *sizev, const struct ce_tv *list,
                 struct ce_tv *out)
{
    if (list->kind != CE_TV_LIST) {
        static const char *const kinds[] = {"invalid", "invalid", "bool", "int",   "float64",
                                            "string",  "slice",   "map",  "struct"};
        bool i64 = list->kind == CE_TV_INT && list->gotype == CE_TV_GO_INT64;
        return SPRIG_FAIL(c, "Cannot chunk type %s", i64 ? "int64" : kinds[list->kind]);
    }
    int64_t size = sizev->u.i;
    if (size <= 0) {
        return SPRIG_FAIL(c, "runtime error: makeslice: len out of range");
    }
    size_t len = list->u.list->len, sz = (uint64_t)size > len ? len + 1 : (size_t)size;
    size_t chunks = len == 0 ? 0 : (len - 1) / sz + 1;
    struct ce_tv r = ce_tv_list_new(c, chunks, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < chunks; i++) {
        size_t from = i * sz, to = from + sz < len ? from + sz : len;
        struct ce_tv part = ce_tv_list_new(c, to - from, CE_TV_GO_DEFAULT);
        for (size_t k = from; k < to; k++) {
            ce_tv_list_push(c, &part, list->u.list->items[k]);
        }
        ce_tv_list_push(c, &r, part);
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_chunk)
{
    (void)n;
    if (a[1].kind == CE_TV_NIL || a[1].kind == CE_TV_INVALID) {
        return SPRIG_FAIL(c, "runtime error: invalid memory address or nil pointer dereference");
    }
    return chunk(c, &a[0], &a[1], out);
}

/* How many items untilStep(start, stop, step) makes, or -1 when too many. */
static int64_t until_count(int64_t start, int64_t stop, int64_t step)
{
    if (stop < start ? step >= 0 : step <= 0) {
        return 0;
    }
    __int128 span = stop < start ? (__int128)start - stop : (__int128)stop - start;
    __int128 st = step < 0 ? -(__int128)step : step;
    __int128 cnt = (span + st - 1) / st;
    return cnt > SEQ_MAX_ITEMS ? -1 : (int64_t)cnt;
}

static int until_step(struct ce_tv_ctx *c, int64_t start, int64_t stop, int64_t step,
                      struct ce_tv *out)
{
    int64_t cnt = until_count(start, stop, step);
    if (cnt < 0) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u); /* aborts: too big */
    }
    struct ce_tv r = ce_tv_list_new(c, (size_t)cnt, CE_TV_GO_INTS);
    for (int64_t i = 0; i < cnt; i++) {
        ce_tv_list_push(c, &r, ce_tv_int(start + i * step));
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_until_step)
{
    (void)n;
    return until_step(c, a[0].u.i, a[1].u.i, a[2].u.i, out);
}

static SPRIG_FN(fn_seq)
{
    if (n == 0 || n > 3) {
        *out = ce_tv_str("", 0);
        return CE_OK;
    }
    int64_t start = n == 1 ? 1 : a[0].u.i, end = a[n - 1].u.i;
    int64_t inc = end < start ? -1 : 1, step = n == 3 ? a[1].u.i : inc;
    if (n == 3 && end < start && step > 0) {
        *out = ce_tv_str("", 0);
        return CE_OK;
    }
    struct ce_tv list;
    (void)until_step(c, start, (int64_t)((uint64_t)end + (uint64_t)inc), step, &list);
    struct sb b;
    sb_init(&b, c, list.u.list->len * 4 + 1);
    for (size_t i = 0; i < list.u.list->len; i++) {
        char num[24];
        int k =
            snprintf(num, sizeof num, "%s%lld", i ? " " : "", (long long)list.u.list->items[i].u.i);
        sb_add(&b, num, (size_t)k);
    }
    *out = sb_value(&b);
    return CE_OK;
}

#define INT CE_FT_INT
#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_seq_fns[] = {
    {"chunk", fn_chunk, 2, 0, {INT, ANY}},
    {"mustChunk", fn_chunk, 2, 0, {INT, ANY}},
    {"untilStep", fn_until_step, 3, 0, {INT, INT, INT}},
    {"seq", fn_seq, 0, 1, {INT}},
};
const size_t ce_sprig_seq_nfns = sizeof ce_sprig_seq_fns / sizeof ce_sprig_seq_fns[0];
