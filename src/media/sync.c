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

double media_luma_psnr(const VmafxPicture *a, const VmafxPicture *b)
{
    double sse = 0;
    for (unsigned y = 0; y < a->h[0]; y++) {
        const uint8_t *ra = (const uint8_t *)a->data[0] + y * a->stride[0];
        const uint8_t *rb = (const uint8_t *)b->data[0] + y * b->stride[0];
        uint64_t row = 0;
        for (unsigned x = 0; x < a->w[0]; x++) {
            int d = a->bpc > 8 ? (int)((const uint16_t *)ra)[x] - ((const uint16_t *)rb)[x]
                               : (int)ra[x] - rb[x];
            row += (uint64_t)((int64_t)d * d);
        }
        sse += (double)row;
    }
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
