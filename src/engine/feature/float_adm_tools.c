/* The stages of floating-point ADM (see float_adm_tools.h). Every expression keeps libvmaf's
 * types: float arithmetic where it uses float, its double constants (1/15, 1/30) promoting
 * just the operations they touch. The per-pixel work of the DWT, the decoupling and the
 * masking is in the kernel table (float_adm_kernels.c, SIMD in x86/); this file walks the
 * rows and does the picture and band edges. */
#include <math.h>

#include "adm_csf.h"
#include "float_adm_tools.h"
#include "float_kernels.h"

#define ONE_BY_30 0.0333333351 /* a double literal, as libvmaf's FLOAT_ONE_BY_30 */
#define BORDER 0.1             /* ADM_BORDER_FACTOR */

static const float lo_coef[4] = { 0.482962913144690, 0.836516303737469, 0.224143868041857,
                                  -0.129409522550921 };
static const float hi_coef[4] = { -0.129409522550921, -0.224143868041857, 0.836516303737469,
                                  -0.482962913144690 };

/* ---- DWT ---- */

void float_adm_indices(int *idx[4], int n)
{
    for (int i = 0; i < (n + 1) / 2; i++)
        for (int k = 0; k < 4; k++) {
            int v = 2 * i - 1 + k;
            idx[k][i] = v < 0 ? -v : v >= n ? 2 * n - v - 1 : v;
        }
}

/* One horizontal output band: mirrored edge columns here, the rest by the kernel. */
static void dwt_horz(const FloatKernels *k, const float *c, const float *t, const float *ev, const float *od,
                     int w, int *const ix[4], float *out)
{
    const int bw = (w + 1) / 2, j1 = (w - 1) / 2 > 1 ? (w - 1) / 2 : 1;
    out[0] = float_tap4(c, t[ix[0][0]], t[ix[1][0]], t[ix[2][0]], t[ix[3][0]]);
    k->dwt_horz(c, ev, od, 1, (unsigned)j1, out);
    for (int j = j1; j < bw; j++) out[j] = float_tap4(c, t[ix[0][j]], t[ix[1][j]], t[ix[2][j]], t[ix[3][j]]);
}

void float_adm_dwt(const FloatKernels *k, const float *src, ptrdiff_t stride, int w, int h, int *const iy[4],
                   int *const ix[4], const FloatBands *b, int approx_only, float *tmp)
{
    float *tlo = tmp, *thi = tlo + w, *ev = thi + w, *od = ev + (w + 1) / 2 + 1;
    const int bw = (w + 1) / 2;
    for (int i = 0; i < (h + 1) / 2; i++) {
        const float *r[4];
        for (int q = 0; q < 4; q++) r[q] = src + iy[q][i] * stride;
        k->dwt_vert(r, (unsigned)w, lo_coef, hi_coef, tlo, approx_only ? NULL : thi);
        const size_t o = (size_t)i * bw;
        for (int pass = 0; pass < (approx_only ? 1 : 2); pass++) {
            const float *t = pass ? thi : tlo;
            for (int m = 0; 2 * m < w; m++) ev[m] = t[2 * m];
            for (int m = 0; 2 * m + 1 < w; m++) od[m] = t[2 * m + 1];
            float *lo_out = pass ? b->h + o : b->a + o, *hi_out = pass ? b->d + o : b->v + o;
            dwt_horz(k, lo_coef, t, ev, od, w, ix, lo_out);
            if (!approx_only) dwt_horz(k, hi_coef, t, ev, od, w, ix, hi_out);
        }
    }
}

/* ---- decoupling ---- */

void float_adm_decouple(const FloatKernels *k, const FloatBands *ref, const FloatBands *dis,
                        const FloatBands *r, const FloatBands *a, int bw, int bh, double gain_limit)
{
    const float *const rb[3] = { ref->h, ref->v, ref->d }, *const db[3] = { dis->h, dis->v, dis->d };
    float *const ro[3] = { r->h, r->v, r->d }, *const ao[3] = { a->h, a->v, a->d };
    k->decouple(rb, db, ro, ao, (size_t)bw * bh, gain_limit);
}

/* ---- CSF ---- */

void float_adm_csf(const FloatBands *src, const FloatBands *dst, const FloatBands *flt, int bw, int bh,
                   const FloatAdmCsf *csf)
{
    const float *s[3] = { src->h, src->v, src->d };
    float *d[3] = { dst->h, dst->v, dst->d };
    float *f[3] = { flt->h, flt->v, flt->d };
    for (int t = 0; t < 3; t++)
        for (size_t o = 0; o < (size_t)bw * bh; o++) {
            const float v = csf->rfactor[t] * s[t][o];
            d[t][o] = v;
            f[t][o] = (float)(ONE_BY_30 * fabsf(v));
        }
}

/* The CSF of the DLM paper (libvmaf's adm_native_csf), theta 0 or 45 degrees. */
static float native_csf(int lambda, double nvd, int rdh, int theta)
{
    const float r = (float)(nvd * rdh * M_PI / 180.0);
    float sf = (float)(r / pow(2, lambda + 1));
    if (theta == 45) sf = (float)(sf / 0.7);
    return (float)((0.31 + 0.69 * sf) * exp(-0.29 * sf));
}

void float_adm_csf_factors(int scale, int mode, double nvd, int rdh, float *f1, float *f2)
{
    if (mode == 2) {
        *f1 = native_csf(scale, nvd, rdh, 0);
        *f2 = native_csf(scale, nvd, rdh, 45);
    } else {
        *f1 = 1.0f / adm_watson_step(scale, 1, nvd, rdh);
        *f2 = 1.0f / adm_watson_step(scale, 2, nvd, rdh);
    }
}

/* ---- sums ---- */

typedef struct Region {
    int top, bottom, left, right;
} Region;

static Region score_region(int bw, int bh)
{
    const int left = (int)(bw * BORDER - 0.5), top = (int)(bh * BORDER - 0.5);
    return (Region){ top, bh - top, left, bw - left };
}

static inline float pnorm_term(float x, const FloatAdmSums *p)
{
    return p->p_norm == 3.0 ? x * x * x : powf(x, (float)p->p_norm);
}

static float band_total(const float acc[3], const Region *g, double weight, double p_norm)
{
    const float e = (float)(1.0f / p_norm);
    const float noise = powf((float)((g->right - g->left) * (g->bottom - g->top) * weight), e);
    const float t0 = powf(acc[0], e) + noise;
    const float t1 = powf(acc[1], e) + noise;
    const float t2 = powf(acc[2], e) + noise;
    return t0 + t1 + t2;
}

float float_adm_den(const FloatBands *ref, int bw, int bh, const FloatAdmCsf *csf, const FloatAdmSums *p)
{
    const Region g = score_region(bw, bh);
    const float *b[3] = { ref->h, ref->v, ref->d };
    float acc[3] = { 0, 0, 0 };
    for (int i = g.top; i < g.bottom; i++) {
        float row[3] = { 0, 0, 0 };
        for (int j = g.left; j < g.right; j++)
            for (int t = 0; t < 3; t++)
                row[t] += pnorm_term(fabsf(csf->rfactor[t] * b[t][(size_t)i * bw + j]), p);
        for (int t = 0; t < 3; t++) acc[t] += row[t];
    }
    return band_total(acc, &g, p->noise_weight, p->p_norm);
}

/* Masking threshold at (i, j): per band, the 3x3 neighbourhood of flt with its centre
 * replaced by |angles| / 15, in libvmaf's order; neighbours mirror at the top and left
 * (-1 -> 1) and repeat at the bottom and right (n -> n - 1). */
static float threshold(const FloatBands *flt, const FloatBands *angles, int bw, int bh, int i, int j)
{
    const float *fl[3] = { flt->h, flt->v, flt->d };
    const float *an[3] = { angles->h, angles->v, angles->d };
    const int rows[3] = { i == 0 ? 1 : i - 1, i, i + 1 == bh ? bh - 1 : i + 1 };
    const int cols[3] = { j == 0 ? 1 : j - 1, j, j + 1 == bw ? bw - 1 : j + 1 };
    float thr = 0;
    for (int t = 0; t < 3; t++) {
        float sum = 0;
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) {
                const size_t o = (size_t)rows[y] * bw + cols[x];
                if (y == 1 && x == 1) sum = (float)(sum + FLOAT_ONE_BY_15 * fabsf(an[t][o]));
                else sum += fl[t][o];
            }
        thr += sum;
    }
    return thr;
}

float float_adm_cm(const FloatKernels *k, const FloatBands *src, const FloatBands *flt,
                   const FloatBands *angles, int bw, int bh, const FloatAdmCsf *csf, const FloatAdmSums *p,
                   double noise_weight, float *tmp)
{
    const Region g = score_region(bw, bh);
    const float *b[3] = { src->h, src->v, src->d };
    const float *fb[3] = { flt->h, flt->v, flt->d }, *ab[3] = { angles->h, angles->v, angles->d };
    float *const x[3] = { tmp, tmp + bw, tmp + 2 * bw };
    /* columns 0 and bw - 1 mirror their neighbours: done here, the rest by the kernel */
    const int j0 = g.left > 1 ? g.left : 1, j1 = g.right < bw - 1 ? g.right : bw - 1;
    float acc[3] = { 0, 0, 0 };
    for (int i = g.top; i < g.bottom; i++) {
        const size_t o = (size_t)i * bw;
        const int rows[3] = { i == 0 ? 1 : i - 1, i, i + 1 == bh ? bh - 1 : i + 1 };
        const float *fl[3][3], *an[3], *sr[3];
        for (int t = 0; t < 3; t++) {
            for (int y = 0; y < 3; y++) fl[t][y] = fb[t] + (size_t)rows[y] * bw;
            an[t] = ab[t] + o;
            sr[t] = b[t] + o;
        }
        if (j1 > j0 && !p->bypass_cm) k->cm_row(fl, an, sr, csf->rfactor, (unsigned)j0, (unsigned)j1, x);
        for (int j = g.left; j < g.right && !p->bypass_cm; j++) {
            if (j >= j0 && j < j1) continue;
            const float thr = threshold(flt, angles, bw, bh, i, j);
            for (int t = 0; t < 3; t++) {
                const float v = fabsf(sr[t][j] * csf->rfactor[t]) - thr;
                x[t][j] = v < 0.0f ? 0.0f : v;
            }
        }
        float row[3] = { 0, 0, 0 };
        for (int j = g.left; j < g.right; j++)
            for (int t = 0; t < 3; t++) {
                const float v = p->bypass_cm ? fabsf(sr[t][j] * csf->rfactor[t]) : x[t][j];
                row[t] += pnorm_term(v, p);
            }
        for (int t = 0; t < 3; t++) acc[t] += row[t];
    }
    return band_total(acc, &g, noise_weight, p->p_norm);
}
