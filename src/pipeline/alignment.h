/* Are the two inputs in step? Two checks of the pipeline (alignment.c): their frame rates
 * (refused, warned about or resampled: --fps-mismatch), and, when no offset was searched,
 * a hint that the first frames look shifted (--sync). */
#ifndef VMAFX_PIPELINE_ALIGNMENT_H
#define VMAFX_PIPELINE_ALIGNMENT_H

#include <stddef.h>

#include "media/media.h"

/* --fps-mismatch: what to do when the inputs' frame rates differ. */
typedef enum { ALIGN_FPS_WARN, ALIGN_FPS_ERROR, ALIGN_FPS_RESAMPLE } AlignFpsMode;

/* "warn", "error", "resample" ("" is warn); -1 if none of them. */
int align_fps_mode(const char *s, AlignFpsMode *out);

/* Compares the rates (0: unknown, never a mismatch). Returns 0 with *ratio = 0 and msg ""
 * when they agree; 0 with msg set (a warning, ratio 0, or what the resampling does, ratio =
 * distorted frames per reference frame); -EINVAL with msg as the error (mode error). */
int align_rates(const char *ref_name, double ref_fps, const char *dis_name, double dis_fps, AlignFpsMode mode,
                double *ratio, char *msg, size_t n);

/* The reference frame from which distorted frame m is the one shown when resampling by
 * ratio: its time rounded to the reference's frame grid (half-way up), as FFmpeg's fps filter
 * converts a rate. Reference frame k is paired with the last distorted frame whose slot is
 * not after k. */
unsigned align_resampled_slot(unsigned m, double ratio);

/* Luma PSNR of the first frames as they are paired and one frame either way, and of a
 * sample of later frames, collected as the pairs are scored. */
#define ALIGN_HINT_FIRST 5
typedef struct AlignHint {
    double first[3]; /* sums over the first frames: as paired, distorted +1, reference +1 */
    unsigned n_first[3];
    double rest; /* sum over every ALIGN_HINT_EVERY-th later frame */
    unsigned n_rest;
    VmafxPicture prev_ref, prev_dis; /* the previous pair's luma, during the first frames */
} AlignHint;

/* Called with the k-th scored pair (the pictures the pipeline scores). */
void align_hint_add(AlignHint *h, unsigned k, const VmafxPicture *ref, const VmafxPicture *dis);
/* The kept pictures (safe to call more than once). */
void align_hint_free(AlignHint *h);
/* 1 with a warning suggesting --sync when the first frames are far worse than the rest or
 * better matched one frame off; 0 otherwise. */
int align_hint_text(const AlignHint *h, char *msg, size_t n);

#endif
