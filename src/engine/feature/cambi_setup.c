/* CAMBI's per-stream constants: visibility thresholds from the EOTF, the darkest visible
 * sample, the window size for a resolution, the reciprocal table. All of them are computed on
 * 10-bit limited-range samples, as libvmaf does whatever the input's bit depth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cambi.h"

#define FOOT 64 /* 10-bit limited range [64, 940] */
#define HEAD 940

static double bt1886(double v)
{
    const double g = 2.4, lw = 300.0, lb = 0.01;
    const double a = pow(pow(lw, 1.0 / g) - pow(lb, 1.0 / g), g);
    const double b = pow(lb, 1.0 / g) / (pow(lw, 1.0 / g) - pow(lb, 1.0 / g));
    const double x = v + b;
    return a * pow(x > 0 ? x : 0, g);
}

static double pq(double v)
{
    const double m1 = 0.1593017578125, m2 = 78.84375;
    const double c1 = 0.8359375, c2 = 18.8515625, c3 = 18.6875;
    const double num = pow(v, 1.0 / m2) - c1;
    const double den = c2 - c3 * pow(v, 1.0 / m2);
    return 10000 * pow((num > 0 ? num : 0) / den, 1.0 / m1);
}

/* Luminance (cd/m^2) of a 10-bit sample, clipped to the limited range. */
static double luminance(int sample, int eotf)
{
    int s = sample < FOOT ? FOOT : sample > HEAD ? HEAD : sample;
    double v = (double)(s - FOOT) / (HEAD - FOOT);
    return eotf == CAMBI_EOTF_PQ ? pq(v) : bt1886(v);
}

/* Is a step of diff above sample visible (Weber-like threshold on luminance)? */
static int visible(int sample, int diff, double tvi, int eotf)
{
    double mean = luminance(sample, eotf);
    return luminance(sample + diff, eotf) - mean > tvi * mean;
}

enum { TOO_SMALL, FOUND, TOO_BIG };

static int bisect_state(int sample, int diff, double tvi, int eotf)
{
    if (!visible(sample, diff, tvi, eotf)) return TOO_BIG;
    if (visible(sample + 1, diff, tvi, eotf)) return TOO_SMALL;
    return FOUND;
}

/* The largest sample at which a step of diff is still visible (libvmaf's get_tvi_for_diff,
 * same bisection, so the same answer where visibility is not monotonic). */
static int tvi_for_diff(int diff, double tvi, int eotf)
{
    int foot = FOOT, head = HEAD - diff - 1;
    int st = bisect_state(foot, diff, tvi, eotf);
    if (st == TOO_BIG) return 0;
    if (st == FOUND) return foot;
    st = bisect_state(head, diff, tvi, eotf);
    if (st == TOO_SMALL) return (1 << 10) - 1;
    if (st == FOUND) return head;
    for (;;) {
        int mid = foot + (head - foot) / 2;
        st = bisect_state(mid, diff, tvi, eotf);
        if (st == FOUND) return mid;
        if (st == TOO_BIG) head = mid;
        else foot = mid;
    }
}

/* The smallest sample at least as bright as threshold (0 when the foot is); -1 when no
 * sample is (libvmaf loops forever there). */
static int vlt_luma(double threshold, int eotf)
{
    int s = FOOT;
    while (luminance(s, eotf) < threshold) {
        if (++s > HEAD) return -1; /* clipped above the head: never brighter */
    }
    return s == FOOT ? 0 : s;
}

int cambi_window(int window, unsigned w, unsigned h, int high_res_speedup)
{
    int ws = (int)(((unsigned)window * (w + h)) / 375) >> 4; /* ~ window at 4K */
    if (high_res_speedup) ws = (ws + 1) >> 1;
    return ws | 1;
}

static const int contrast_weight[CAMBI_MAX_DIFFS] = { 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8,
                                                      8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };

int cambi_c_params(CambiCParams *p, int max_log_contrast, double tvi, double vis_lum, int eotf, float *lut,
                   int lut_n)
{
    p->num_diffs = 1 << max_log_contrast;
    for (int d = 0; d < p->num_diffs; d++) {
        p->tvi[d] = (uint16_t)(tvi_for_diff(d + 1, tvi, eotf) + p->num_diffs);
        p->weight[d] = contrast_weight[d];
    }
    p->vlt_luma = vlt_luma(vis_lum, eotf);
    if (p->vlt_luma < 0) return -1;
    int lo = p->vlt_luma - 3 * p->num_diffs + 1;
    p->base = lo > 0 ? lo : 0;
    p->size = p->tvi[p->num_diffs - 1] + 1 - p->base;
    /* an empty band (nothing visible above the darkest visible sample) makes every c-value
     * 0; libvmaf gets there through a wrapped-around band size */
    if (p->size < 0) p->size = 0;
    /* libvmaf's table holds 1/n printed to 9 digits and read back as float (which differs
     * from 1.0f / n for 42 entries), so the table is built the same way; only as far as the
     * window's counts reach, since a formatted and parsed number costs some 2,400
     * instructions (all 4,225 were 14 M instructions, about 1.3 ms, at every run's start). */
    memset(lut, 0, CAMBI_LUT_SIZE * sizeof(*lut));
    for (int n = 1; n < lut_n; n++) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%.9g", 1.0 / n);
        lut[n] = strtof(buf, NULL);
    }
    p->lut = lut;
    return 0;
}
