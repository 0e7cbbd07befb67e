/* SpEED (spatial efficient entropic differencing), the part shared by the two extractors
 * speed_chroma.c (spatial SpEED of the U and V planes) and speed_temporal.c (SpEED of the
 * difference of consecutive luma planes): bit-exact with libvmaf 3.2.0's speed.c.
 *
 * One plane pair goes through (speed_plane_score):
 *   1. the plane as float (sample / 2^(bpc-8) - 128), optionally resized by speed_prescale
 *      (speed_scale.c);
 *   2. a Gaussian anti-alias blur and 16:1 decimation, then the local mean (a second, small
 *      Gaussian) subtracted (speed_filter.c);
 *   3. per 5x5 block: the Gaussian scale mixture's variance and the entropy under the 25x25
 *      covariance matrix's eigenvalues (speed_params.c, speed_linalg.c);
 *   4. the mean over blocks of |entropy-weighted log variance| differences (speed_params.c).
 * Everything is float as libvmaf computes it, operation for operation; the covariance sums
 * are double, summed in the order of speed_kernels.h. */
#ifndef VMAFX_ENGINE_SPEED_H
#define VMAFX_ENGINE_SPEED_H

#include <stddef.h>
#include <stdint.h>

#include "speed_kernels.h"

#define SPEED_BLOCK 5 /* blocks are 5x5 */
#define SPEED_BLOCK_N (SPEED_BLOCK * SPEED_BLOCK)
#define SPEED_SCALES 4    /* 16:1 decimation */
#define SPEED_MAX_TAPS 64 /* kernelscale 4 needs 37 */

enum SpeedScaleMethod { SPEED_NEAREST, SPEED_BILINEAR, SPEED_BICUBIC, SPEED_LANCZOS4 };

typedef struct SpeedOptions {
    double kernelscale, prescale;
    enum SpeedScaleMethod method;
    double sigma_nn, nn_floor;
    int weight_var_mode; /* 0..6 */
} SpeedOptions;

/* Plane sizes along the way (libvmaf's names in comments). */
typedef struct SpeedGeometry {
    unsigned w, h;       /* the plane (original_*) */
    unsigned sw, sh;     /* after prescale (scaled_*) */
    unsigned ow, oh;     /* after 16:1 decimation (operating_*) */
    unsigned bw, bh, nb; /* blocks across, down, in all */
    unsigned cw, ch;     /* covariance window (submatrix_*) */
    int resize;          /* prescale not within 1e-3 of 1 */
} SpeedGeometry;

/* Where the samples of a plane come from: a picture plane, or (temporal) the difference of
 * two picture planes, a - b. */
typedef struct SpeedPlane {
    const void *a, *b;            /* b may be NULL */
    ptrdiff_t stride_a, stride_b; /* bytes */
    unsigned bpc;
} SpeedPlane;

/* Entropies and variances of the blocks of one plane. */
typedef struct SpeedBlocks {
    float *entropy, *variance;
} SpeedBlocks;

typedef struct Speed {
    SpeedOptions o;
    SpeedGeometry g;
    SpeedKernels k;
    float filt[SPEED_MAX_TAPS], filt_mean[SPEED_MAX_TAPS];
    int taps, taps_mean;
    float *full; /* the float plane (prescale only) */
    size_t full_stride;
    int *col0, *col1; /* bilinear column table */
    float *colw;
    float *row, *row2, *acc; /* one scaled row each; vertical-pass sums */
    float *dec, *mean, *tmp; /* decimated plane, its local mean, scratch */
    size_t dec_stride;
    float *indep, *sol; /* 25 x nb systems */
    float *linalg;      /* eigenvalue and QR scratch */
    SpeedBlocks ref, dis;
} Speed;

/* Plane geometry for w x h and prescale; returns -ERANGE (and writes why, naming the plane
 * by what, e.g. "chroma planes") when the decimated plane holds no whole 5x5 block, as libvmaf
 * refuses ("image too small"). */
int speed_geometry(SpeedGeometry *g, unsigned w, unsigned h, double prescale, const char *what, char *why,
                   size_t why_len);
/* Whether kernelscale is one libvmaf accepts (its fixed list, within 1e-3). */
int speed_kernelscale_valid(double kernelscale);
int speed_init(Speed *s, const SpeedOptions *o, unsigned w, unsigned h, enum VmafxCpu level, const char *what,
               char *why, size_t why_len);
void speed_close(Speed *s);

/* SpEED of one plane pair into *score; returns 1 when a covariance matrix was singular
 * (libvmaf then scores 0 if only one of the two was), else 0. */
int speed_plane_score(Speed *s, const SpeedPlane *ref, const SpeedPlane *dis, float *score);

/* ---- stages (one file each) ---- */

/* speed_scale.c: prepares the bilinear column table (0 or -ENOMEM); one resized row. */
int speed_scale_init(Speed *s);
void speed_scale_row(const Speed *s, unsigned y, float *dst);
/* speed_filter.c: the 1-D Gaussian kernels; the decimated, mean-removed plane in s->dec. */
void speed_filters_init(Speed *s);
void speed_filter_plane(Speed *s, const SpeedPlane *p);
/* speed_params.c: block statistics of s->dec (returns 1 if singular); the score. */
int speed_block_params(Speed *s, SpeedBlocks *out);
float speed_blocks_score(const Speed *s);
/* speed_linalg.c: float linear algebra on n x n row-major matrices, n <= SPEED_BLOCK_N. */
#define SPEED_LINALG_FLOATS (6 * SPEED_BLOCK_N * SPEED_BLOCK_N + 8 * SPEED_BLOCK_N)
void speed_eigenvalues(const float *a, int n, float *eig, float *scratch);
/* Solves A X = B (B: n x m) by Householder QR; -EINVAL when R has a pivot below 1e-6. */
int speed_solve(const SpeedKernels *k, const float *a, int n, const float *b, int m, float *x, float *scratch,
                float *rect);

#endif
