/* Resizing a planar picture with libswscale, keeping its chroma layout and bit depth. */
#ifndef VMAFX_MEDIA_SCALE_H
#define VMAFX_MEDIA_SCALE_H

#include "media.h"

typedef struct Scaler Scaler;

int scaler_open(Scaler **out, const MediaGeometry *src, unsigned w, unsigned h, enum MediaScaleAlgo algo,
                char *why, size_t n);
void scaler_run(Scaler *s, const VmafxPicture *src, VmafxPicture *dst);
void scaler_close(Scaler *s);

#endif
