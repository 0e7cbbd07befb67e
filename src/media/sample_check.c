/* Samples above the bit depth. A 10-bit y4m or raw file stores each sample in a 16-bit word,
 * and nothing stops a broken writer (or a raw stream decoded as is) from setting the top bits.
 * The SIMD kernels keep sums of samples in 16-bit lanes sized for the depth, so such a picture
 * would score differently on each kernel level (libvmaf's own paths disagree there too). It is
 * refused instead, naming the frame and the sample. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "source_impl.h"

static const char *const plane_name[3] = { "Y", "U", "V" };

/* The OR of n samples: one above the depth sets a bit above it. Four vectors of 16
 * accumulators: two loads a cycle, where one accumulator would wait on each OR; 32-byte
 * loads where the CPU has AVX2 (a clone chosen at load time). Measured on a 1080p 10-bit run,
 * the check costs 0.2-0.4 % of the CPU time so (1.5 % when the whole frame was read first,
 * about 1 % with 16-byte loads; docs/performance.md). */
#if defined(__x86_64__) || defined(__i386__)
#define SPAN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SPAN_CLONES
#endif
typedef uint16_t Lanes __attribute__((vector_size(32)));

SPAN_CLONES static unsigned span_bits(const uint16_t *v, size_t n)
{
    Lanes acc[4] = { { 0 } };
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        for (int k = 0; k < 4; k++) {
            Lanes x;
            memcpy(&x, v + i + 16 * k, sizeof(x));
            acc[k] |= x;
        }
    Lanes all = acc[0] | acc[1] | acc[2] | acc[3];
    unsigned bits = 0;
    for (int k = 0; k < 16; k++) bits |= all[k];
    for (; i < n; i++) bits |= v[i];
    return bits;
}

/* The message for the first sample of v[0..n) above the depth; v lies in a plane of pic. */
static int refuse(const VmafxPicture *pic, const uint16_t *v, size_t n, unsigned index, char *why, size_t len)
{
    unsigned max = (1u << pic->bpc) - 1;
    size_t i = 0;
    while (i < n && v[i] <= max) i++;
    const char *at = (const char *)(const void *)(v + i);
    int p = 0;
    while (p < 2 && !(at >= (const char *)pic->data[p] &&
                      at < (const char *)pic->data[p] + (size_t)pic->stride[p] * pic->h[p]))
        p++;
    size_t off = (size_t)(at - (const char *)pic->data[p]);
    snprintf(why, len,
             "frame %u: sample %u at row %zu, column %zu of the %s plane is above the %u-bit maximum %u "
             "(not valid %u-bit video)",
             index, v[i], off / (size_t)pic->stride[p], off % (size_t)pic->stride[p] / 2, plane_name[p],
             pic->bpc, max, pic->bpc);
    return -EINVAL;
}

static int checked(const VmafxPicture *pic)
{
    return pic->bpc > 8 && pic->bpc < 16;
}

int samples_check(const VmafxPicture *pic, const void *from, size_t bytes, unsigned index, char *why,
                  size_t n)
{
    if (!checked(pic)) return 0;
    const uint16_t *v = from;
    if (!(span_bits(v, bytes / 2) >> pic->bpc)) return 0;
    return refuse(pic, v, bytes / 2, index, why, n);
}

int picture_check_depth(const VmafxPicture *pic, unsigned index, char *why, size_t n)
{
    if (!checked(pic)) return 0;
    for (int p = 0; p < 3; p++)
        for (unsigned y = 0; y < pic->h[p]; y++) {
            const char *row = (const char *)pic->data[p] + (size_t)y * pic->stride[p];
            int r = samples_check(pic, row, (size_t)pic->w[p] * 2, index, why, n);
            if (r) return r;
        }
    return 0;
}
