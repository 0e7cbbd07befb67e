/* --sync auto[:N]: the frame offset between reference and distorted that maximises luma PSNR
 * over the first frames, in the manner of easyVmaf's sync, for captures that start a few
 * frames early or late. The candidates are peeked in the readers' queues (no copies), then
 * the leading frames of the offset are dropped. Candidates are tried 0, +1, -1, +2, ... and
 * only a strictly better PSNR replaces the best so far, so ties (e.g. static content) keep
 * the smallest shift. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "media.h"

#define PSNR_CAP 100.0 /* identical frames: a finite value keeps the mean meaningful */

/* 8-bit samples: a row has at most 32768 (vmafx_picture_alloc's cap), so its sum of squared
 * differences fits 32 bits, which lets the compiler vectorise the loop. */
static uint64_t sse_row_8(const uint8_t *a, const uint8_t *b, unsigned w)
{
    uint32_t sum = 0;
    for (unsigned x = 0; x < w; x++) {
        const int d = (int)a[x] - b[x];
        sum += (uint32_t)(d * d);
    }
    return sum;
}

/* 16-bit samples: |d| <= 65535, so d^2 is exact in 32 unsigned bits. */
static uint64_t sse_row_16(const uint16_t *a, const uint16_t *b, unsigned w)
{
    uint64_t sum = 0;
    for (unsigned x = 0; x < w; x++) {
        const uint16_t d = (uint16_t)(a[x] > b[x] ? a[x] - b[x] : b[x] - a[x]);
        sum += (uint32_t)d * d;
    }
    return sum;
}

/* Up to 12 bits, with samples within the depth (the readers refuse others: sample_check.c),
 * |d| < 2^12 fits a signed 16-bit lane and d^2 < 2^24, so 128 of them fit 31 bits: the
 * compiler multiplies and adds pairs of lanes in one instruction (pmaddwd). Measured on a
 * 1080p 10-bit run, half the time of 64-bit sums (docs/performance.md). */
#define SSE_BLOCK 128
static uint64_t sse_row_12(const uint16_t *a, const uint16_t *b, unsigned w)
{
    uint64_t sum = 0;
    unsigned x0 = 0;
    for (; x0 + SSE_BLOCK <= w; x0 += SSE_BLOCK) {
        int32_t s = 0;
        for (unsigned x = x0; x < x0 + SSE_BLOCK; x++) {
            const int16_t d = (int16_t)(a[x] - b[x]);
            s += d * d;
        }
        sum += (uint32_t)s;
    }
    for (; x0 < w; x0++) {
        const int d = a[x0] - b[x0];
        sum += (uint32_t)(d * d);
    }
    return sum;
}

static uint64_t sse_row(const VmafxPicture *a, const VmafxPicture *b, unsigned y)
{
    const uint8_t *ra = (const uint8_t *)a->data[0] + y * a->stride[0];
    const uint8_t *rb = (const uint8_t *)b->data[0] + y * b->stride[0];
    if (a->bpc <= 8) return sse_row_8(ra, rb, a->w[0]);
    if (a->bpc <= 12) return sse_row_12((const uint16_t *)ra, (const uint16_t *)rb, a->w[0]);
    return sse_row_16((const uint16_t *)ra, (const uint16_t *)rb, a->w[0]);
}

double media_luma_psnr(const VmafxPicture *a, const VmafxPicture *b)
{
    double sse = 0;
    for (unsigned y = 0; y < a->h[0]; y++) sse += (double)sse_row(a, b, y);
    double peak = (double)((1u << a->bpc) - 1);
    double mse = sse / ((double)a->w[0] * a->h[0]);
    if (mse == 0) return PSNR_CAP;
    double p = 10 * log10(peak * peak / mse);
    return p < PSNR_CAP ? p : PSNR_CAP;
}

/* Frames available in the first `want` (fewer at the end of a short input). */
static int available(MediaReader *r, unsigned want, unsigned *have, char *err, size_t n)
{
    const VmafxPicture *p;
    for (*have = 0; *have < want; (*have)++) {
        int k = media_reader_peek(r, *have, &p, err, n);
        if (k < 0) return k;
        if (k == 0) break;
    }
    return 0;
}

static double mean_psnr(MediaReader *ref, MediaReader *dis, unsigned ro, unsigned d0, unsigned pairs)
{
    double sum = 0;
    char err[8];
    for (unsigned i = 0; i < pairs; i++) {
        const VmafxPicture *a, *b;
        media_reader_peek(ref, ro + i, &a, err, sizeof(err)); /* known to be there */
        media_reader_peek(dis, d0 + i, &b, err, sizeof(err));
        sum += media_luma_psnr(a, b);
    }
    return sum / pairs;
}

int media_sync(MediaReader *ref, MediaReader *dis, unsigned max_offset, MediaSyncResult *res, char *err,
               size_t n)
{
    unsigned want = max_offset + MEDIA_SYNC_WINDOW, nr, nd;
    int r;
    if ((r = available(ref, want, &nr, err, n)) < 0 || (r = available(dis, want, &nd, err, n)) < 0) return r;
    *res = (MediaSyncResult){ 0, -1, 0 };
    for (unsigned k = 0; k <= 2 * max_offset; k++) {
        int off = k % 2 ? (int)(k + 1) / 2 : -(int)(k / 2);
        unsigned ro = off > 0 ? (unsigned)off : 0, d0 = off < 0 ? (unsigned)-off : 0;
        if (ro >= nr || d0 >= nd) continue;
        unsigned pairs = nr - ro < nd - d0 ? nr - ro : nd - d0;
        if (pairs > MEDIA_SYNC_WINDOW) pairs = MEDIA_SYNC_WINDOW;
        double psnr = mean_psnr(ref, dis, ro, d0, pairs);
        if (psnr > res->psnr) *res = (MediaSyncResult){ off, psnr, pairs };
    }
    if (!res->compared) {
        snprintf(err, n, "--sync: no frames to compare (reference has %u, distorted %u)", nr, nd);
        return -EINVAL;
    }
    for (int i = 0; i < res->offset; i++) media_reader_pop(ref);
    for (int i = 0; i < -res->offset; i++) media_reader_pop(dis);
    return 0;
}
