/* Scalar ADM kernels of the float kernel table (see float_kernels.h): the definition the SIMD
 * levels reproduce. The arithmetic is libvmaf's adm_tools.c: float, with its double
 * constants (1/15, the gain limit) promoting just the operations they touch, and its SSE
 * reciprocal (rcpss plus one Newton step) for the decoupling divisions. */
#include <math.h>

#include "float_kernels.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
/* libvmaf's ADM_OPT_RECIP_DIVISION: n * (xi + xi * (1 - d * xi)), xi = rcpss(d) */
static inline float divs(float n, float d)
{
    const float xi = _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(d)));
    return n * (xi + xi * (1.0f - d * xi));
}
#else
static inline float divs(float n, float d)
{
    return n / d;
}
#endif

static void dwt_vert_c(const float *const r[4], unsigned w, const float c_lo[4], const float c_hi[4],
                       float *lo, float *hi)
{
    for (unsigned j = 0; j < w; j++) {
        lo[j] = float_tap4(c_lo, r[0][j], r[1][j], r[2][j], r[3][j]);
        if (hi) hi[j] = float_tap4(c_hi, r[0][j], r[1][j], r[2][j], r[3][j]);
    }
}

static void dwt_horz_c(const float c[4], const float *ev, const float *od, unsigned j0, unsigned j1,
                       float *out)
{
    for (unsigned j = j0; j < j1; j++) out[j] = float_tap4(c, od[j - 1], ev[j], od[j], ev[j + 1]);
}

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

static void decouple_c(const float *const ref[3], const float *const dis[3], float *const r[3],
                       float *const a[3], size_t n, double egl)
{
    const float cos_1deg_sq = (float)(cos(1.0 * M_PI / 180.0) * cos(1.0 * M_PI / 180.0));
    const float eps = 1e-30f;
    for (size_t o = 0; o < n; o++) {
        const float oh = ref[0][o], ov = ref[1][o], od = ref[2][o];
        const float th = dis[0][o], tv = dis[1][o], td = dis[2][o];
        float rh = clip01(divs(th, oh + eps)) * oh;
        float rv = clip01(divs(tv, ov + eps)) * ov;
        float rd = clip01(divs(td, od + eps)) * od;
        /* within 1 degree of the reference's direction the distorted detail counts as
         * restored, up to the gain limit */
        const float dot = oh * th + ov * tv;
        const float omag = oh * oh + ov * ov, tmag = th * th + tv * tv;
        if (dot >= 0.0f && dot * dot >= cos_1deg_sq * omag * tmag) {
            rh = limit_gain(rh, th, egl);
            rv = limit_gain(rv, tv, egl);
            rd = limit_gain(rd, td, egl);
        }
        r[0][o] = rh;
        r[1][o] = rv;
        r[2][o] = rd;
        a[0][o] = th - rh;
        a[1][o] = tv - rv;
        a[2][o] = td - rd;
    }
}

static void cm_row_c(const float *const fl[3][3], const float *const an[3], const float *const src[3],
                     const float rf[3], unsigned j0, unsigned j1, float *const x[3])
{
    for (unsigned j = j0; j < j1; j++) {
        float thr = 0;
        for (int t = 0; t < 3; t++) {
            float sum = 0;
            sum += fl[t][0][j - 1];
            sum += fl[t][0][j];
            sum += fl[t][0][j + 1];
            sum += fl[t][1][j - 1];
            sum = (float)(sum + FLOAT_ONE_BY_15 * fabsf(an[t][j]));
            sum += fl[t][1][j + 1];
            sum += fl[t][2][j - 1];
            sum += fl[t][2][j];
            sum += fl[t][2][j + 1];
            thr += sum;
        }
        for (int t = 0; t < 3; t++) {
            const float v = fabsf(src[t][j] * rf[t]) - thr;
            x[t][j] = v < 0.0f ? 0.0f : v;
        }
    }
}

void float_adm_kernels_c(FloatKernels *k)
{
    k->dwt_vert = dwt_vert_c;
    k->dwt_horz = dwt_horz_c;
    k->decouple = decouple_c;
    k->cm_row = cm_row_c;
}
