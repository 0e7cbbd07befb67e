/* Widening a picture to a larger bit depth (common_bitdepth; depth.c). */
#ifndef VMAFX_PIPELINE_DEPTH_H
#define VMAFX_PIPELINE_DEPTH_H

#include "vmafx/vmafx.h"

/* Writes src into dst (allocated at the larger depth, same format and size), each sample
 * shifted left by the difference of depths. 0 or -EINVAL. */
int pipeline_depth_widen(const VmafxPicture *src, VmafxPicture *dst);

#endif
