/* libvmaf 3.2.0 API (vmafx compatibility layer): reference-counted pictures.
 * Written for vmafx from the API's published names, values and struct layout. */
#ifndef VMAFX_LIBVMAF_PICTURE_H
#define VMAFX_LIBVMAF_PICTURE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum VmafPixelFormat {
    VMAF_PIX_FMT_UNKNOWN = 0,
    VMAF_PIX_FMT_YUV420P = 1,
    VMAF_PIX_FMT_YUV422P = 2,
    VMAF_PIX_FMT_YUV444P = 3,
    VMAF_PIX_FMT_YUV400P = 4,
};

/* Opaque reference count of a picture's buffer. */
typedef struct VmafRef VmafRef;

/* A planar picture. Samples of bpc > 8 are uint16_t. The layout is part of the ABI:
 * programs allocate VmafPicture themselves and fill data[] and stride[]. */
typedef struct VmafPicture {
    enum VmafPixelFormat pix_fmt;
    unsigned bpc;
    unsigned w[3], h[3];
    ptrdiff_t stride[3];
    void *data[3];
    VmafRef *ref;
    void *priv;
} VmafPicture;

/* Allocates the planes of a w x h picture with one reference. 0 or -EINVAL/-ENOMEM. */
int vmaf_picture_alloc(VmafPicture *pic, enum VmafPixelFormat pix_fmt, unsigned bpc, unsigned w, unsigned h);

/* Drops one reference; the buffer is freed (or returned to its pool) with the last. */
int vmaf_picture_unref(VmafPicture *pic);

#ifdef __cplusplus
}
#endif
#endif
