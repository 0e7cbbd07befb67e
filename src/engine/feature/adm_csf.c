/* ADM CSF weights per mode (see adm_csf.h).
 *
 * Every expression keeps libvmaf's mix of float and double: a value stored in a float there is
 * a float here, and double library calls stay double, because the integer path turns these
 * weights into fixed-point factors and a last-bit difference changes the scores. The constants
 * are the published parameters of the models (Watson 1997, HDR-VDP-2.2.1, Netflix's blend). */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "adm_csf.h"

#define N_LEVELS 4

/* ---- Watson (mode 0): the quantisation step of level lambda, orientation theta ---- */

float adm_watson_step(int lambda, int theta, double nvd, int rdh)
{
    static const float amp[N_LEVELS][4] = {
        { 0.62171, 0.67234, 0.72709, 0.67234 },
        { 0.34537, 0.41317, 0.49428, 0.41317 },
        { 0.18004, 0.22727, 0.28688, 0.22727 },
        { 0.091401, 0.11792, 0.15214, 0.11792 },
    };
    static const float g[4] = { 1.501, 1.0, 0.534, 1.0 };
    const float a = (float)0.495, k = (float)0.466, f0 = (float)0.401;
    const float r = (float)(nvd * rdh * M_PI / 180.0);
    const float temp = (float)log10(pow(2.0, lambda + 1) * f0 * g[theta] / r);
    const float kt = k * temp * temp;
    return (float)(2.0 * a * pow(10.0, kt) / amp[lambda][theta]);
}

/* ---- Barten (mode 1), HDR-VDP-2's simplified form at a fixed luminance ---- */

#define BARTEN_LUM 100.0 /* cd/m2, libvmaf's fixed adaptation luminance */

/* Neural CSF parameters p0..p3 measured at six luminances (HDR-VDP 2.2.1). */
static const float barten_lum[6] = { 0.002, 0.02, 0.2, 2, 20, 150 };
static const float barten_par[6][4] = {
    { 0.991265, 3.74038, 0.50722, 4.46044 },  { 0.800889, 3.54104, 0.682505, 4.94958 },
    { 0.476505, 4.37453, 0.750315, 5.28678 }, { 0.405782, 4.40602, 0.935314, 5.61425 },
    { 0.334278, 3.79542, 1.07327, 6.4635 },   { 0.394533, 2.7755, 1.16577, 7.45665 },
};

/* Optical MTF: sum of four exponentials. */
static float barten_mtf(float rho)
{
    static const float a[4] = { 0.424838596301290, 0.572435103936480, 0.000167576239164937,
                                0.00255872352306433 };
    static const float b[4] = { 0.028, 0.37, 37, 360 };
    float m = 0.0f;
    for (int i = 0; i < 4; i++) m = (float)(m + a[i] * exp(-(b[i] * rho)));
    return m;
}

/* Rod-cone sensitivity at luminance lum (HDR-VDP-2's s_A). */
static float barten_sensitivity(float lum)
{
    const float peak = (float)30.162, drop = (float)4.0627, slope = (float)1.6596;
    const float low = (float)0.2712;
    return (float)(peak * pow(pow(drop / lum, slope) + 1, -low));
}

/* p_k at the adaptation luminance: linear in log10(luminance) between the anchors. */
static void barten_params(double lum, float p[4])
{
    const double l = lum < barten_lum[0] ? barten_lum[0] : lum > barten_lum[5] ? barten_lum[5] : lum;
    int lo = 0;
    while (lo < 4 && !(l >= barten_lum[lo] && l <= barten_lum[lo + 1])) lo++;
    const int hi = lo + 1;
    const float x0 = (float)log10(barten_lum[lo]), x1 = (float)log10(barten_lum[hi]);
    const float x = (float)log10(l);
    for (int k = 0; k < 4; k++) {
        const float y0 = barten_par[lo][k], y1 = barten_par[hi][k];
        p[k] = y0 + ((y1 - y0) / (x1 - x0)) * (x - x0);
    }
}

static float barten_weight(int lambda, double nvd, int rdh, double scale)
{
    const float r = (float)(nvd * rdh * M_PI / 180.0); /* pixels per degree */
    const float rho = (float)(r / pow(2, lambda + 1)); /* cycles per degree of the level */
    float p[4];
    barten_params(BARTEN_LUM, p);
    const float a = (float)(1.0f + pow(p[0] * rho, p[1]));
    const float b = (float)(1.0f / pow(1 - exp(-pow(rho / 7, 2)), p[2]));
    const float ncsf = (float)(p[3] / pow(a * b, 0.5));
    const float s = ncsf * barten_mtf(rho) * barten_sensitivity((float)BARTEN_LUM);
    return (float)(s * scale);
}

/* ---- the blends (modes 2 and 3): fixed weights per viewing condition ---- */

typedef struct BlendTable {
    int rdh;
    double nvd;
    float w[2][N_LEVELS]; /* [horizontal/vertical, diagonal][level] */
} BlendTable;

static const BlendTable blend[] = {
    { 1080, 3.0, { { 0.01183, 0.025026, 0.04295, 0.058621 }, { 0.004302, 0.011778, 0.023918, 0.035901 } } },
    { 1080, 5.0, { { 0.004212, 0.014809, 0.029642, 0.047464 }, { 0.000984, 0.005852, 0.0146, 0.027574 } } },
    /* 2160 at 1.5 H has the pixels per degree of 1080 at 3 H */
    { 2160, 1.5, { { 0.01183, 0.025026, 0.04295, 0.058621 }, { 0.004302, 0.011778, 0.023918, 0.035901 } } },
    { 2160, 3.0, { { 0.00226, 0.01183, 0.025026, 0.04295 }, { 0.000479, 0.004302, 0.011778, 0.023918 } } },
    { 2160, 5.0, { { 0.000092, 0.004212, 0.014809, 0.029642 }, { 0.000050, 0.000984, 0.005852, 0.0146 } } },
    { 720, 3.0, { { 0.018715, 0.035637, 0.052798, 0.061509 }, { 0.007999, 0.018396, 0.031851, 0.037718 } } },
    { 720, 5.0, { { 0.010144, 0.022561, 0.040309, 0.05672 }, { 0.003463, 0.010282, 0.021839, 0.034641 } } },
    { 480, 3.0, { { 0.027961, 0.045875, 0.060275, 0.056234 }, { 0.013572, 0.026277, 0.036959, 0.034511 } } },
    { 480, 5.0, { { 0.016781, 0.032822, 0.05032, 0.061594 }, { 0.00691, 0.016545, 0.029917, 0.037777 } } },
};

static const BlendTable blend_mae[] = {
    { 1080, 3.0, { { 0.011249, 0.022606, 0.035930, 0.045673 }, { 0.004097, 0.010921, 0.021430, 0.031313 } } },
    { 1080, 5.0, { { 0.004052, 0.013939, 0.026298, 0.038833 }, { 0.000927, 0.005544, 0.013415, 0.024515 } } },
    { 2160, 1.5, { { 0.011249, 0.022606, 0.035930, 0.045673 }, { 0.004097, 0.010921, 0.021430, 0.031313 } } },
    { 2160, 3.0, { { 0.002166, 0.011249, 0.022606, 0.035930 }, { 0.000447, 0.004097, 0.010921, 0.021430 } } },
    { 2160, 5.0, { { 0.000077, 0.004052, 0.013939, 0.026298 }, { 0.000045, 0.000927, 0.005544, 0.013415 } } },
    { 720, 3.0, { { 0.017329, 0.030870, 0.042134, 0.047410 }, { 0.007509, 0.016707, 0.028072, 0.032722 } } },
    { 720, 5.0, { { 0.009689, 0.020577, 0.034162, 0.044523 }, { 0.003302, 0.009579, 0.019661, 0.030318 } } },
    { 480, 3.0, { { 0.024969, 0.037825, 0.046676, 0.043974 }, { 0.012511, 0.023424, 0.032139, 0.030166 } } },
    { 480, 5.0, { { 0.015665, 0.028766, 0.040612, 0.047483 }, { 0.006514, 0.015107, 0.026476, 0.032776 } } },
};

#define N_BLEND (sizeof(blend) / sizeof(blend[0]))

/* Exact matches only, as in libvmaf (nvd 3.0 is not 2.9999). */
static const BlendTable *blend_find(const AdmCsfParams *p)
{
    const BlendTable *t = p->mode == ADM_CSF_BLEND_MAE ? blend_mae : blend;
    for (size_t i = 0; i < N_BLEND; i++)
        if (t[i].rdh == p->rdh && t[i].nvd == p->nvd) return &t[i];
    return NULL;
}

/* ---- interface ---- */

void adm_csf_weights(const AdmCsfParams *p, int level, float w[2])
{
    switch (p->mode) {
    case ADM_CSF_BARTEN:
        w[0] = barten_weight(level, p->nvd, p->rdh, p->scale);
        w[1] = barten_weight(level, p->nvd, p->rdh, p->diag_scale);
        break;
    case ADM_CSF_BLEND:
    case ADM_CSF_BLEND_MAE: {
        const BlendTable *t = blend_find(p);
        w[0] = t ? t->w[0][level] : 0.0f; /* adm_csf_check() refuses a missing table */
        w[1] = t ? t->w[1][level] : 0.0f;
        break;
    }
    default:
        w[0] = 1.0f / adm_watson_step(level, 1, p->nvd, p->rdh);
        w[1] = 1.0f / adm_watson_step(level, 2, p->nvd, p->rdh);
        break;
    }
}

int adm_csf_check(const AdmCsfParams *p, char *why, size_t n)
{
    if (p->mode < ADM_CSF_WATSON || p->mode > ADM_CSF_BLEND_MAE) {
        snprintf(why, n, "adm_csf_mode=%d is not 0, 1, 2 or 3", p->mode);
        return -EINVAL;
    }
    /* libvmaf: the 16-bit data path cannot represent a coarser angular frequency */
    if (p->nvd * p->rdh < 3.0 * 1080) {
        snprintf(why, n,
                 "adm_norm_view_dist * adm_ref_display_height = %g is below 3 * 1080, "
                 "which the integer ADM cannot represent",
                 p->nvd * p->rdh);
        return -EINVAL;
    }
    if ((p->mode == ADM_CSF_BLEND || p->mode == ADM_CSF_BLEND_MAE) && !blend_find(p)) {
        snprintf(why, n,
                 "adm_csf_mode=%d has weights only for adm_ref_display_height/"
                 "adm_norm_view_dist 1080/3, 1080/5, 2160/1.5, 2160/3, 2160/5, 720/3, 720/5, "
                 "480/3 and 480/5, not %d/%g",
                 p->mode, p->rdh, p->nvd);
        return -EINVAL;
    }
    /* fixed-point factors: level 0 as uint16 in Q21 (H, V) and Q23 (D), levels 1-3 in Q32,
     * where libvmaf's SIMD code multiplies them as signed 32-bit numbers: from 2^31 (a weight
     * of 0.5) on its C and SIMD paths disagree, beyond 2^32 the conversion is undefined */
    for (int level = 0; level < N_LEVELS; level++) {
        float w[2];
        adm_csf_weights(p, level, w);
        for (int k = 0; k < 2; k++) {
            const double fix = level == 0 ? w[k] * pow(2, k ? 23 : 21) : w[k] * pow(2, 32);
            const double lim = level == 0 ? 65536.0 : 2147483648.0;
            if (!(fix >= 0 && fix < lim)) {
                snprintf(why, n,
                         "adm_csf_mode=%d: the %s CSF weight of level %d is %g, beyond "
                         "the integer ADM's fixed-point range (below %g)%s",
                         p->mode, k ? "diagonal" : "horizontal/vertical", level, (double)w[k],
                         lim / pow(2, level == 0 ? (k ? 23 : 21) : 32), /* as a weight */
                         p->mode != ADM_CSF_BARTEN ? ""
                         : k                       ? "; lower adm_csf_diag_scale"
                                                   : "; lower adm_csf_scale");
                return -EINVAL;
            }
        }
    }
    return 0;
}
