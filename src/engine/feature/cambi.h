/* CAMBI (banding), shared by its files: cambi.c (the extractor: options, names, full-reference
 * mode, heat maps), cambi_setup.c (per-stream constants), cambi_frame.c (the score of one
 * picture: preprocessing, spatial mask, five scales), cambi_pool.c (the top-k mean). */
#ifndef VMAFX_ENGINE_CAMBI_H
#define VMAFX_ENGINE_CAMBI_H

#include "vmafx/vmafx.h"
#include "cambi_kernels.h"

#define CAMBI_SCALES 5
#define CAMBI_MIN_SIZE 216 /* libvmaf refuses encodes smaller in both dimensions */

enum { CAMBI_EOTF_BT1886, CAMBI_EOTF_PQ };

/* Window size for a resolution (libvmaf's adjust_window_size: about window at 4K, halved by
 * the high-resolution speed-up, odd). */
int cambi_window(int window, unsigned w, unsigned h, int high_res_speedup);
/* Fills p (thresholds, weights, band) and lut[0 .. lut_n - 1] (lut_n <= CAMBI_LUT_SIZE; a
 * window of w x w pixels needs w * w + 1), zeroing the rest of the table; -1 when no sample
 * is as bright as vis_lum. */
int cambi_c_params(CambiCParams *p, int max_log_contrast, double tvi, double vis_lum, int eotf, float *lut,
                   int lut_n);

/* Receives the c-values of each scale (w x h floats) of a scored picture. */
typedef int (*CambiMapFn)(void *user, int scale, const float *c, int w, int h);

/* Working memory of one picture's score, for pictures up to w x h. */
typedef struct CambiWork {
    void *mem; /* owns the planes below */
    unsigned alloc_w, alloc_h;
    uint16_t *img, *mask; /* alloc_w x alloc_h, stride alloc_w */
    uint16_t *flat;       /* 8 rows of flat-pixel flags (a ring) and a zero row */
    uint16_t *colsum;     /* 7x7 box column sums, 3 zeros on each side */
    uint16_t *mode;       /* 3 rows of the mode filter's horizontal pass */
    uint16_t *hist;       /* window histogram, a row of alloc_w per value */
    float *c;             /* c-values of one scale */
    CambiCParams cp;
    CambiKernels k;
    float lut[CAMBI_LUT_SIZE];
} CambiWork;

int cambi_work_alloc(CambiWork *wk, unsigned w, unsigned h);
void cambi_work_free(CambiWork *wk);

typedef struct CambiPictureJob {
    unsigned w, h;        /* picture converted (nearest sample) to this size */
    int enc_bitdepth;     /* < 10: anti-dithering filter */
    int window;           /* adjusted window size */
    int high_res_speedup; /* scale 0 at half resolution */
    double topk;
    CambiMapFn map; /* NULL: no heat maps */
    void *map_user;
} CambiPictureJob;

/* The CAMBI score of one picture's luma plane; -EINVAL when a sample is out of its range. */
int cambi_score_picture(CambiWork *wk, const VmafxPicture *pic, const CambiPictureJob *job, double *score);

/* The mean of the k = clip(topk * n, 1, n) largest of c[0..n), as libvmaf computes it:
 * _select is libvmaf's quick-select and ordered sum (the definition; it reorders c);
 * cambi_top_k_mean gives the same bits, without the quick-select whenever no addition can
 * round (then c is left as it was), from a scan of the same values (cambi_pool_scan over
 * c[0..n) in any pieces, after cambi_pool_reset). */
#define CAMBI_POOL_LANES 16
typedef struct CambiPoolScan {
    uint32_t lo[CAMBI_POOL_LANES], zeros[CAMBI_POOL_LANES], bits[CAMBI_POOL_LANES];
    double sum[CAMBI_POOL_LANES];
} CambiPoolScan;

void cambi_pool_reset(CambiPoolScan *p);
void cambi_pool_scan(CambiPoolScan *p, const float *c, int n);
double cambi_top_k_mean_select(float *c, double topk, int n);
double cambi_top_k_mean(float *c, double topk, int n, const CambiPoolScan *p);

#endif
