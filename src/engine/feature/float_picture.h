/* Luma of a picture as float samples on the 8-bit scale, as libvmaf's float extractors take
 * it (picture_copy.c): x + offset for 8-bit, x / 2^(bpc-8) + offset for 10, 12 and 16 bits. */
#ifndef VMAFX_ENGINE_FLOAT_PICTURE_H
#define VMAFX_ENGINE_FLOAT_PICTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "vmafx/vmafx.h"

/* libvmaf's float extractors know these bit depths only (others would read garbage). */
static inline bool float_bpc_supported(unsigned bpc)
{
    return bpc == 8 || bpc == 10 || bpc == 12 || bpc == 16;
}

/* dst (stride in floats) = luma of pic, plus offset (libvmaf: -128 for VIF, ADM, motion,
 * ANSNR; 0 for PSNR and moments). */
void float_load_luma(const VmafxPicture *pic, float *dst, ptrdiff_t stride, int offset);

/* libvmaf's peak and PSNR cap of the float PSNR metrics for a bit depth. */
void float_psnr_constants(unsigned bpc, double *peak, double *psnr_max);

#endif
