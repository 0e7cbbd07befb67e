/* Pictures allocated together (vmafx_picture_alloc_many): each is zero-filled, 64-byte
 * aligned, disjoint from the others, and freed on its own in any order, also after two
 * owners exchanged them (as the runner and the reader queues do). Run under ASan by the
 * sanitizer build, which sees a block freed early or never. Prints "ok" or the first problem. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmafx/vmafx.h"

#define N 5

static int fail(const char *what, unsigned i)
{
    printf("picture %u: %s\n", i, what);
    return 1;
}

/* Every sample is 0, rows are 64-byte aligned, and writing them all leaves the others alone. */
static int check_picture(VmafxPicture *p, unsigned i, uint8_t fill)
{
    const size_t bps = p->bpc > 8 ? 2 : 1;
    for (int c = 0; c < 3; c++) {
        if ((uintptr_t)p->data[c] % 64 || p->stride[c] % 64) return fail("not 64-byte aligned", i);
        for (unsigned y = 0; y < p->h[c]; y++) {
            uint8_t *row = (uint8_t *)p->data[c] + (size_t)y * p->stride[c];
            for (size_t x = 0; x < p->w[c] * bps; x++)
                if (row[x]) return fail("not zero-filled", i);
            memset(row, fill, p->w[c] * bps);
        }
    }
    return 0;
}

static int still_filled(const VmafxPicture *p, unsigned i, uint8_t fill)
{
    const size_t bps = p->bpc > 8 ? 2 : 1;
    for (int c = 0; c < 3; c++)
        for (unsigned y = 0; y < p->h[c]; y++)
            for (size_t x = 0; x < p->w[c] * bps; x++)
                if (((const uint8_t *)p->data[c])[(size_t)y * p->stride[c] + x] != fill)
                    return fail("overwritten by another picture of its block", i);
    return 0;
}

/* One geometry: small (its own 4 KiB pages) or 1080p (huge pages for the block). */
static int check_geometry(enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    VmafxPicture a[N], b[N];
    if (vmafx_picture_alloc_many(a, N, fmt, bpc, w, h) || vmafx_picture_alloc_many(b, 2, fmt, bpc, w, h))
        return fail("allocation failed", 0);
    for (unsigned i = 0; i < N; i++)
        if (check_picture(&a[i], i, (uint8_t)(i + 1))) return 1;
    for (unsigned i = 0; i < N; i++)
        if (still_filled(&a[i], i, (uint8_t)(i + 1))) return 1;
    /* two owners exchange pictures, then each frees what it holds, out of order */
    VmafxPicture t = a[1];
    a[1] = b[0];
    b[0] = t;
    static const unsigned order[N] = { 3, 0, 4, 1, 2 };
    for (unsigned i = 0; i < N; i++) vmafx_picture_free(&a[order[i]]);
    if (still_filled(&b[0], 1, 2)) return 1; /* its block outlived the other four */
    vmafx_picture_free(&b[0]);
    vmafx_picture_free(&b[1]);
    vmafx_picture_free(&b[1]); /* a freed picture is empty: freeing it again does nothing */
    return 0;
}

int main(void)
{
    VmafxPicture p;
    if (vmafx_picture_alloc_many(&p, 0, VMAFX_PIX_FMT_YUV420P, 8, 16, 16) == 0)
        return fail("n = 0 accepted", 0);
    if (check_geometry(VMAFX_PIX_FMT_YUV420P, 8, 33, 17) ||
        check_geometry(VMAFX_PIX_FMT_YUV444P, 10, 64, 9) ||
        check_geometry(VMAFX_PIX_FMT_YUV420P, 8, 1920, 1080))
        return 1;
    printf("ok\n");
    return 0;
}
