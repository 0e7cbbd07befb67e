/* Checks media_luma_psnr (src/media/sync.c), which --sync and the out-of-step hint rank
 * frames by, against the definition written plainly (every squared difference summed in 64
 * bits): random pictures and the extremes, whole-range differences at 8, 10, 12 (the widest
 * the 16-bit lanes of 12-bit rows take), 13 and 16 bits, in rows up to the widest picture
 * (32768, where the 8-bit kernel's 32-bit row sum is closest to overflowing) and across the
 * 128-sample blocks of the 12-bit one. Exits 1 on any difference. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "media/media.h"

static double definition(const VmafxPicture *a, const VmafxPicture *b)
{
    uint64_t sse = 0;
    for (unsigned y = 0; y < a->h[0]; y++)
        for (unsigned x = 0; x < a->w[0]; x++) {
            const size_t o = (size_t)y * (size_t)a->stride[0];
            const int64_t va = a->bpc > 8 ? ((const uint16_t *)((const char *)a->data[0] + o))[x]
                                          : ((const uint8_t *)a->data[0] + o)[x];
            const int64_t vb = a->bpc > 8 ? ((const uint16_t *)((const char *)b->data[0] + o))[x]
                                          : ((const uint8_t *)b->data[0] + o)[x];
            sse += (uint64_t)((va - vb) * (va - vb));
        }
    if (!sse) return 100.0;
    const double peak = (double)((1u << a->bpc) - 1);
    const double p = 10 * log10(peak * peak / ((double)sse / ((double)a->w[0] * a->h[0])));
    return p < 100.0 ? p : 100.0;
}

static void put(VmafxPicture *p, unsigned x, unsigned y, unsigned v)
{
    char *row = (char *)p->data[0] + (size_t)y * (size_t)p->stride[0];
    if (p->bpc > 8) ((uint16_t *)row)[x] = (uint16_t)v;
    else ((uint8_t *)row)[x] = (uint8_t)v;
}

/* mode 0: random samples; 1: a at the top, b at 0; 2: the other way round. */
static int check(int bpc, unsigned w, unsigned h, int mode)
{
    VmafxPicture a = { 0 }, b = { 0 };
    if (vmafx_picture_alloc(&a, VMAFX_PIX_FMT_YUV444P, bpc, w, h) ||
        vmafx_picture_alloc(&b, VMAFX_PIX_FMT_YUV444P, bpc, w, h)) {
        fprintf(stderr, "psnr_check: out of memory\n");
        exit(1);
    }
    const unsigned top = (1u << bpc) - 1;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            put(&a, x, y, mode == 0 ? (unsigned)rand() & top : mode == 1 ? top : 0);
            put(&b, x, y, mode == 0 ? (unsigned)rand() & top : mode == 1 ? 0 : top);
        }
    const double got = media_luma_psnr(&a, &b), want = definition(&a, &b);
    const int bad = got != want;
    printf("%s %2d-bit %6ux%u mode %d: %.17g (definition %.17g)\n", bad ? "FAIL" : "ok  ", bpc, w, h, mode,
           got, want);
    vmafx_picture_free(&a);
    vmafx_picture_free(&b);
    return bad;
}

int main(void)
{
    static const unsigned widths[] = { 1, 15, 129, 576, 32768 };
    static const int depths[] = { 8, 10, 12, 13, 16 };
    int bad = 0;
    srand(1);
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
            for (int mode = 0; mode < 3; mode++) bad += check(depths[d], widths[w], 3, mode);
    printf("%d failed\n", bad);
    return bad != 0;
}
