/* Pictures of two bit depths compared at the larger one: libvmaf's common_bitdepth (set by
 * --aom_ctc v6.0 and later), which lets a reference and a distorted of different depths be
 * scored together. The lower-depth picture is scaled up by a left shift (8-bit 200 is 10-bit
 * 800), the usual way to widen video samples. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "depth.h"

int pipeline_depth_widen(const VmafxPicture *src, VmafxPicture *dst)
{
    if (dst->bpc <= 8 || src->bpc > dst->bpc || src->pix_fmt != dst->pix_fmt || src->w[0] != dst->w[0] ||
        src->h[0] != dst->h[0])
        return -EINVAL;
    const unsigned shift = dst->bpc - src->bpc;
    for (int p = 0; p < 3; p++) {
        const uint8_t *s = src->data[p];
        uint8_t *d = dst->data[p];
        for (unsigned y = 0; y < src->h[p]; y++, s += src->stride[p], d += dst->stride[p]) {
            uint16_t *out = (uint16_t *)d;
            if (src->bpc == 8)
                for (unsigned x = 0; x < src->w[p]; x++) out[x] = (uint16_t)(s[x] << shift);
            else
                for (unsigned x = 0; x < src->w[p]; x++)
                    out[x] = (uint16_t)(((const uint16_t *)s)[x] << shift);
        }
    }
    return 0;
}
