/* Scalar float kernels: the definition the SIMD levels reproduce (see float_kernels.h). The
 * arithmetic follows libvmaf's vif_tools.c / convolution.c operation by operation; where
 * libvmaf mixes float and double (VIF's divisions by sigma_nsq), so does this file. */
#include <stdint.h>
#include <string.h>

#include "../cpu.h"
#include "float_kernels.h"

const float float_log2_poly[9] = {
    -0.012671635276421, 0.064841182402670,  -0.157048836463065,
    0.257167726303123,  -0.353800560300520, 0.480131410397451,
    -0.721314327952201, 1.442694803896991,  0,
};

float float_log2_approx(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    const int32_t exponent = (int32_t)((u & 0x7F800000u) >> 23);
    const uint32_t m = (u & 0x007FFFFFu) | 0x3F800000u;
    float mant;
    memcpy(&mant, &m, sizeof(mant));
    const float t = mant - 1.0f;
    float v = 0;
    for (int i = 0; i < 9; i++) v = v * t + float_log2_poly[i];
    return (float)(exponent - 127) + v;
}

static void vert_c(const float *f, int taps, const float *const *x, unsigned w, float *out)
{
    for (unsigned j = 0; j < w; j++) {
        float acc = 0;
        for (int k = 0; k < taps; k++) acc += f[k] * x[k][j];
        out[j] = acc;
    }
}

static void vert5_c(const float *f, int taps, const float *const *x, const float *const *y, unsigned w,
                    float *const out[5])
{
    for (unsigned j = 0; j < w; j++) {
        float mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (int k = 0; k < taps; k++) {
            const float a = x[k][j], b = y[k][j];
            mx += f[k] * a;
            my += f[k] * b;
            xx += f[k] * (a * a);
            yy += f[k] * (b * b);
            xy += f[k] * (a * b);
        }
        out[0][j] = mx;
        out[1][j] = my;
        out[2][j] = xx;
        out[3][j] = yy;
        out[4][j] = xy;
    }
}

static void horz_c(const float *f, int taps, const float *in, unsigned w, float *out)
{
    in -= taps / 2;
    for (unsigned j = 0; j < w; j++) {
        float acc = 0;
        for (int k = 0; k < taps; k++) acc += f[k] * in[j + k];
        out[j] = acc;
    }
}

/* libvmaf's 'matching_matlab' statistic: the gain g of the distorted on the reference and
 * the variance sv_sq of what it does not explain. */
static void vif_terms_c(const float *const m[5], unsigned w, const FloatVifParams *p, float *num, float *den)
{
    const float eps = 1.0e-10f;
    for (unsigned j = 0; j < w; j++) {
        const float mu1 = m[0][j], mu2 = m[1][j];
        float s1 = m[2][j] - mu1 * mu1;
        float s2 = m[3][j] - mu2 * mu2;
        const float s12 = m[4][j] - mu1 * mu2;
        s1 = s1 > 0.0f ? s1 : 0.0f;
        s2 = s2 > 0.0f ? s2 : 0.0f;
        float g = s12 / (s1 + eps);
        float sv = s2 - g * s12;
        if (s1 < eps) {
            g = 0.0f;
            sv = s2;
            s1 = 0.0f;
        }
        if (s2 < eps) {
            g = 0.0f;
            sv = 0.0f;
        }
        if (g < 0.0f) {
            sv = s2;
            g = 0.0f;
        }
        sv = sv > eps ? sv : eps;
        g = g < p->gain_limit ? g : p->gain_limit;
        float n = float_log2_approx((float)(1.0f + (g * g * s1) / (sv + p->sigma_nsq)));
        float d = float_log2_approx((float)(1.0f + s1 / p->sigma_nsq));
        if (s12 < 0.0f) n = 0.0f;
        if (s1 < p->sigma_nsq_up) {
            n = 1.0f - s2 * p->sigma_max_inv;
            d = 1.0f;
        }
        num[j] = n;
        den[j] = d;
    }
}

void float_kernels_init(FloatKernels *k, enum VmafxCpu level)
{
    *k = (FloatKernels){ .vert = vert_c, .vert5 = vert5_c, .horz = horz_c, .vif_terms = vif_terms_c };
    float_adm_kernels_c(k);
#ifdef VMAFX_HAVE_X86
    if (cpu_level_avx2(level)) float_kernels_avx2(k);
    if (cpu_level_avx512(level)) float_kernels_avx512(k);
#else
    (void)level;
#endif
}
