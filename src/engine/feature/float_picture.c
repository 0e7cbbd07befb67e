/* Float luma loading (see float_picture.h). */
#include <stdint.h>

#include "float_picture.h"

void float_load_luma(const VmafxPicture *pic, float *dst, ptrdiff_t stride, int offset)
{
    const unsigned w = pic->w[0], h = pic->h[0];
    if (pic->bpc == 8) {
        const uint8_t *src = pic->data[0];
        for (unsigned i = 0; i < h; i++, src += pic->stride[0], dst += stride)
            for (unsigned j = 0; j < w; j++) dst[j] = (float)src[j] + offset;
        return;
    }
    const float scaler = (float)(1u << (pic->bpc - 8));
    const uint16_t *src = pic->data[0];
    for (unsigned i = 0; i < h; i++, src += pic->stride[0] / 2, dst += stride)
        for (unsigned j = 0; j < w; j++) dst[j] = (float)src[j] / scaler + offset;
}

void float_psnr_constants(unsigned bpc, double *peak, double *psnr_max)
{
    /* the peak is (2^bpc - 1) on the 8-bit scale; the cap grows 6 dB per extra bit */
    switch (bpc) {
    case 10:
        *peak = 255.75;
        *psnr_max = 72.0;
        break;
    case 12:
        *peak = 255.9375;
        *psnr_max = 84.0;
        break;
    case 16:
        *peak = 255.99609375;
        *psnr_max = 108.0;
        break;
    default:
        *peak = 255.0;
        *psnr_max = 60.0;
        break;
    }
}
