/* The stages of floating-point ADM (see float_adm_tools.h). Every expression keeps libvmaf's
 * types: float arithmetic where it uses float, its double constants (1/15, 1/30, the gain
 * limit) promoting just the operations they touch, and its SSE reciprocal (rcpss plus one
 * Newton step) for the decoupling divisions. */
#include <math.h>

#include "float_adm_tools.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
/* libvmaf's ADM_OPT_RECIP_DIVISION: n * (xi + xi * (1 - d * xi)), xi = rcpss(d) */
static inline float divs(float n, float d)
{
    const float xi = _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(d)));
    return n * (xi + xi * (1.0f - d * xi));
}
#else
static inline float divs(float n, float d) { return n / d; }
#endif

#define ONE_BY_30 0.0333333351   /* double literals, as libvmaf's FLOAT_ONE_BY_30 / _15 */
#define ONE_BY_15 0.0666666701
#define BORDER 0.1               /* ADM_BORDER_FACTOR */

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

static inline float tap4(const float *c, float s0, float s1, float s2, float s3)
{
    float acc = 0;
    acc += c[0] * s0;
    acc += c[1] * s1;
    acc += c[2] * s2;
    acc += c[3] * s3;
    return acc;
}

void float_adm_dwt(const float *src, ptrdiff_t stride, int w, int h, int *const iy[4],
                   int *const ix[4], const FloatBands *b, int approx_only, float *tmp)
{
    float *tlo = tmp, *thi = tmp + w;
    const int bw = (w + 1) / 2;
    for (int i = 0; i < (h + 1) / 2; i++) {
        const float *r0 = src + iy[0][i] * stride, *r1 = src + iy[1][i] * stride;
        const float *r2 = src + iy[2][i] * stride, *r3 = src + iy[3][i] * stride;
        for (int j = 0; j < w; j++) {
            tlo[j] = tap4(lo_coef, r0[j], r1[j], r2[j], r3[j]);
            if (!approx_only) thi[j] = tap4(hi_coef, r0[j], r1[j], r2[j], r3[j]);
        }
        for (int j = 0; j < bw; j++) {
            const int j0 = ix[0][j], j1 = ix[1][j], j2 = ix[2][j], j3 = ix[3][j];
            const size_t o = (size_t)i * bw + j;
            b->a[o] = tap4(lo_coef, tlo[j0], tlo[j1], tlo[j2], tlo[j3]);
            if (approx_only) continue;
            b->v[o] = tap4(hi_coef, tlo[j0], tlo[j1], tlo[j2], tlo[j3]);
            b->h[o] = tap4(lo_coef, thi[j0], thi[j1], thi[j2], thi[j3]);
            b->d[o] = tap4(hi_coef, thi[j0], thi[j1], thi[j2], thi[j3]);
        }
    }
}

/* ---- decoupling ---- */

/* The restored value after the enhancement-gain limit (double compare, as libvmaf). */
static inline float limit_gain(float rst, float t, double egl)
{
    if (rst > 0.0) {
        const double g = rst * egl;
        rst = (float)(g < t ? g : (double)t);
    }
    if (rst < 0.0) {
        const double g = rst * egl;
        rst = (float)(g > t ? g : (double)t);
    }
    return rst;
}

static inline float clip01(float k)
{
    return k < 0.0f ? 0.0f : (k > 1.0f ? 1.0f : k);
}

void float_adm_decouple(const FloatBands *ref, const FloatBands *dis, const FloatBands *r,
                        const FloatBands *a, int bw, int bh, double gain_limit)
{
    const float cos_1deg_sq = (float)(cos(1.0 * M_PI / 180.0) * cos(1.0 * M_PI / 180.0));
    const float eps = 1e-30f;
    for (size_t o = 0; o < (size_t)bw * bh; o++) {
        const float oh = ref->h[o], ov = ref->v[o], od = ref->d[o];
        const float th = dis->h[o], tv = dis->v[o], td = dis->d[o];
        float rh = clip01(divs(th, oh + eps)) * oh;
        float rv = clip01(divs(tv, ov + eps)) * ov;
        float rd = clip01(divs(td, od + eps)) * od;
        /* within 1 degree of the reference's direction the distorted detail counts as
         * restored, up to the gain limit */
        const float dot = oh * th + ov * tv;
        const float omag = oh * oh + ov * ov, tmag = th * th + tv * tv;
        if (dot >= 0.0f && dot * dot >= cos_1deg_sq * omag * tmag) {
            rh = limit_gain(rh, th, gain_limit);
            rv = limit_gain(rv, tv, gain_limit);
            rd = limit_gain(rd, td, gain_limit);
        }
        r->h[o] = rh;
        r->v[o] = rv;
        r->d[o] = rd;
        a->h[o] = th - rh;
        a->v[o] = tv - rv;
        a->d[o] = td - rd;
    }
}

/* ---- CSF ---- */

void float_adm_csf(const FloatBands *src, const FloatBands *dst, const FloatBands *flt,
                   int bw, int bh, const FloatAdmCsf *csf)
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

/* Watson et al. 1997 quantisation step (libvmaf's dwt_quant_step, its float/double mix). */
static float quant_step(int lambda, int theta, double nvd, int rdh)
{
    static const float amp[4][4] = {
        { 0.62171, 0.67234, 0.72709, 0.67234 },
        { 0.34537, 0.41317, 0.49428, 0.41317 },
        { 0.18004, 0.22727, 0.28688, 0.22727 },
        { 0.091401, 0.11792, 0.15214, 0.11792 },
    };
    static const float g[4] = { 1.501, 1.0, 0.534, 1.0 };
    const float a = (float)0.495, k = (float)0.466, f0 = (float)0.401;
    const float r = (float)(nvd * rdh * M_PI / 180.0);
    const float temp = (float)log10(pow(2.0, lambda + 1) * f0 * g[theta] / r);
    return (float)(2.0 * a * pow(10.0, k * temp * temp) / amp[lambda][theta]);
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
        *f1 = 1.0f / quant_step(scale, 1, nvd, rdh);
        *f2 = 1.0f / quant_step(scale, 2, nvd, rdh);
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

float float_adm_den(const FloatBands *ref, int bw, int bh, const FloatAdmCsf *csf,
                    const FloatAdmSums *p)
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
static float threshold(const FloatBands *flt, const FloatBands *angles, int bw, int bh,
                       int i, int j)
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
                if (y == 1 && x == 1)
                    sum = (float)(sum + ONE_BY_15 * fabsf(an[t][o]));
                else
                    sum += fl[t][o];
            }
        thr += sum;
    }
    return thr;
}

float float_adm_cm(const FloatBands *src, const FloatBands *flt, const FloatBands *angles,
                   int bw, int bh, const FloatAdmCsf *csf, const FloatAdmSums *p,
                   double noise_weight)
{
    const Region g = score_region(bw, bh);
    const float *b[3] = { src->h, src->v, src->d };
    float acc[3] = { 0, 0, 0 };
    for (int i = g.top; i < g.bottom; i++) {
        float row[3] = { 0, 0, 0 };
        for (int j = g.left; j < g.right; j++) {
            const float thr = p->bypass_cm ? 0.0f : threshold(flt, angles, bw, bh, i, j);
            for (int t = 0; t < 3; t++) {
                float x = fabsf(b[t][(size_t)i * bw + j] * csf->rfactor[t]) - thr;
                row[t] += pnorm_term(x < 0.0f ? 0.0f : x, p);
            }
        }
        for (int t = 0; t < 3; t++) acc[t] += row[t];
    }
    return band_total(acc, &g, noise_weight, p->p_norm);
}
