/* float_adm: libvmaf's floating-point ADM ("float_adm": adm.c, float_adm.c): detail loss
 * adm2, additive impairment aim and their blend adm3 over a four-scale db2 wavelet pyramid
 * of the luma plane (offset by -128). The per-scale stages are in float_adm_tools.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extractor.h"
#include "float_adm_tools.h"
#include "float_picture.h"

#define N_SCALES 4
#define NAME_LEN 96

enum {
    /* clang-format off */
    OPT_DEBUG, OPT_EGL, OPT_NVD, OPT_NW, OPT_SCF, OPT_SCFD, OPT_RDH, OPT_CSF, OPT_BCM,
    OPT_AAH, OPT_PNORM, OPT_DLMW, OPT_MIN, OPT_F1S0, OPT_F2S0 = OPT_F1S0 + N_SCALES,
    OPT_SKIP_AIM = OPT_F2S0 + N_SCALES, OPT_SKIP0, N_OPT
};
/* clang-format on */

static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_DEBUG]    = { "debug", NULL, 0, 0, 1, false, true },
    [OPT_EGL]      = { "adm_enhn_gain_limit", "egl", 100.0, 1.0, 100.0, true, false },
    [OPT_NVD]      = { "adm_norm_view_dist", "nvd", 3.0, 0.75, 24.0, true, false },
    [OPT_NW]       = { "adm_noise_weight", "nw", 0.03125, 0.0, 1500.0, true, false },
    [OPT_SCF]      = { "adm_csf_scale", "scf", 1.0, 0.0, 50.0, true, false },
    [OPT_SCFD]     = { "adm_csf_diag_scale", "scfd", 1.0, 0.0, 50.0, true, false },
    [OPT_RDH]      = { "adm_ref_display_height", "rdf", 1080, 1, 4320, true, false },
    [OPT_CSF]      = { "adm_csf_mode", "csf", 0, 0, 9, true, false },
    [OPT_BCM]      = { "adm_bypass_cm", "bcm", 0, 0, 1, true, false },
    [OPT_AAH]      = { "adm_adm3_apply_hm", "aah", 0, 0, 1, true, true },
    [OPT_PNORM]    = { "adm_p_norm", "apn", 3.0, 1.0, 20.0, true, false },
    [OPT_DLMW]     = { "adm_dlm_weight", "dlmw", 0.5, 0.0, 1.0, true, false },
    [OPT_MIN]      = { "adm_min_val", "min", 0.0, 0.0, 1.0, true, false },
    [OPT_F1S0]     = { "adm_f1s0", "f1s0", -1.0, -1.0, 10.0, true, false },
    [OPT_F1S0 + 1] = { "adm_f1s1", "f1s1", -1.0, -1.0, 10.0, true, false },
    [OPT_F1S0 + 2] = { "adm_f1s2", "f1s2", -1.0, -1.0, 10.0, true, false },
    [OPT_F1S0 + 3] = { "adm_f1s3", "f1s3", -1.0, -1.0, 10.0, true, false },
    [OPT_F2S0]     = { "adm_f2s0", "f2s0", -1.0, -1.0, 10.0, true, false },
    [OPT_F2S0 + 1] = { "adm_f2s1", "f2s1", -1.0, -1.0, 10.0, true, false },
    [OPT_F2S0 + 2] = { "adm_f2s2", "f2s2", -1.0, -1.0, 10.0, true, false },
    [OPT_F2S0 + 3] = { "adm_f2s3", "f2s3", -1.0, -1.0, 10.0, true, false },
    [OPT_SKIP_AIM] = { "adm_skip_aim_scale", "sasc", -1, 0, 3, true, false },
    [OPT_SKIP0]    = { "adm_skip_scale0", "ssz", 0, 0, 1, true, true },
};
/* clang-format on */

enum {
    F_ADM2,
    F_AIM,
    F_ADM3,
    F_SCALE0,
    F_ADM = F_SCALE0 + N_SCALES,
    F_NUM,
    F_DEN,
    F_NUM0,
    N_FEATURES = F_NUM0 + 2 * N_SCALES
};

static const char *const provides[] = { "VMAF_feature_adm2_score",
                                        "VMAF_feature_aim_score",
                                        "VMAF_feature_adm3_score",
                                        "VMAF_feature_adm_scale0_score",
                                        "VMAF_feature_adm_scale1_score",
                                        "VMAF_feature_adm_scale2_score",
                                        "VMAF_feature_adm_scale3_score",
                                        "adm",
                                        "adm_num",
                                        "adm_den",
                                        "adm_num_scale0",
                                        "adm_den_scale0",
                                        "adm_num_scale1",
                                        "adm_den_scale1",
                                        "adm_num_scale2",
                                        "adm_den_scale2",
                                        "adm_num_scale3",
                                        "adm_den_scale3",
                                        NULL };

typedef struct FloatAdm {
    unsigned w, h;
    double egl, dlm_weight, min_val, noise_weight;
    int skip_aim, skip0, apply_hm, debug;
    FloatAdmCsf csf[N_SCALES];
    FloatAdmSums sums;
    FloatKernels k;
    float *mem;                 /* every buffer below */
    float *ref, *dis;           /* w x h luma */
    float *ref_a[2], *dis_a[2]; /* approximation bands, ping-pong between scales */
    FloatBands rb, db, r, a, csf_a, csf_f;
    int *iy[4], *ix[4];
    float *tmp; /* FLOAT_ADM_TMP(w) */
    char name[N_FEATURES][NAME_LEN];
} FloatAdm;

static int init(void *priv, const ExtractorParams *p)
{
    FloatAdm *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    /* Barten's CSF (mode 1) is not offered */
    if ((int)p->opt[OPT_CSF] == 1) return -EDOM;
    /* the smallest scale must keep a 3x3 masking neighbourhood inside the band */
    if (p->w < 32 || p->h < 32) return -ERANGE;
    s->w = p->w;
    s->h = p->h;
    s->egl = p->opt[OPT_EGL];
    s->dlm_weight = p->opt[OPT_DLMW];
    s->min_val = p->opt[OPT_MIN];
    s->skip_aim = (int)p->opt[OPT_SKIP_AIM];
    s->skip0 = p->opt[OPT_SKIP0] != 0;
    s->apply_hm = p->opt[OPT_AAH] != 0;
    s->debug = p->opt[OPT_DEBUG] != 0;
    s->sums = (FloatAdmSums){ .p_norm = p->opt[OPT_PNORM],
                              .noise_weight = p->opt[OPT_NW],
                              .bypass_cm = (int)p->opt[OPT_BCM] };
    for (int sc = 0; sc < N_SCALES; sc++) {
        float f1, f2;
        float_adm_csf_factors(sc, (int)p->opt[OPT_CSF], p->opt[OPT_NVD], (int)p->opt[OPT_RDH], &f1, &f2);
        if (p->opt[OPT_F1S0 + sc] >= 0) f1 = (float)p->opt[OPT_F1S0 + sc];
        if (p->opt[OPT_F2S0 + sc] >= 0) f2 = (float)p->opt[OPT_F2S0 + sc];
        s->csf[sc] = (FloatAdmCsf){ { f1, f1, f2 } };
    }
    float_kernels_init(&s->k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);

    const size_t n = (size_t)p->w * p->h;
    const size_t nb = (size_t)((p->w + 1) / 2) * ((p->h + 1) / 2);
    const size_t total = 2 * n + 22 * nb + FLOAT_ADM_TMP(p->w);
    const size_t idx = 4 * ((size_t)(p->w + 1) / 2 + (size_t)(p->h + 1) / 2);
    s->mem = malloc(total * sizeof(float) + idx * sizeof(int));
    if (!s->mem) return -ENOMEM;
    float *m = s->mem;
    s->ref = m;
    m += n;
    s->dis = m;
    m += n;
    float **bands[] = { &s->ref_a[0], &s->ref_a[1], &s->dis_a[0], &s->dis_a[1], &s->rb.h,    &s->rb.v,
                        &s->rb.d,     &s->db.h,     &s->db.v,     &s->db.d,     &s->r.h,     &s->r.v,
                        &s->r.d,      &s->a.h,      &s->a.v,      &s->a.d,      &s->csf_a.h, &s->csf_a.v,
                        &s->csf_a.d,  &s->csf_f.h,  &s->csf_f.v,  &s->csf_f.d };
    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++, m += nb) *bands[i] = m;
    s->tmp = m;
    m += FLOAT_ADM_TMP(p->w);
    int *ip = (int *)m;
    for (int k = 0; k < 4; k++) {
        s->iy[k] = ip;
        ip += (p->h + 1) / 2;
        s->ix[k] = ip;
        ip += (p->w + 1) / 2;
    }
    return 0;
}

/* One scale: numerator, denominator and AIM numerator; the approximation bands of both
 * pictures are left in rb.a / db.a for the next scale. */
static void scale_sums(FloatAdm *s, int sc, const float *ref, const float *dis, int w, int h, float out[3])
{
    float_adm_indices(s->iy, h);
    float_adm_indices(s->ix, w);
    const int approx_only = sc == 0 && s->skip0;
    float_adm_dwt(&s->k, ref, w, w, h, s->iy, s->ix, &s->rb, approx_only, s->tmp);
    float_adm_dwt(&s->k, dis, w, w, h, s->iy, s->ix, &s->db, approx_only, s->tmp);
    if (approx_only) {
        out[0] = 0.0f;
        out[1] = 1e-10f; /* libvmaf: avoids a division by zero */
        out[2] = 0.0f;
        return;
    }
    const int bw = (w + 1) / 2, bh = (h + 1) / 2;
    const FloatAdmCsf *csf = &s->csf[sc];
    float_adm_decouple(&s->k, &s->rb, &s->db, &s->r, &s->a, bw, bh, s->egl);
    out[1] = float_adm_den(&s->rb, bw, bh, csf, &s->sums);
    /* DLM: the restored part masked by the additive part; AIM: the other way round */
    float_adm_csf(&s->a, &s->csf_a, &s->csf_f, bw, bh, csf);
    out[0] = float_adm_cm(&s->k, &s->r, &s->csf_f, &s->csf_a, bw, bh, csf, &s->sums, s->sums.noise_weight,
                          s->tmp);
    float_adm_csf(&s->r, &s->csf_f, &s->csf_a, bw, bh, csf);
    out[2] = float_adm_cm(&s->k, &s->a, &s->csf_a, &s->csf_f, bw, bh, csf, &s->sums, 0.0, s->tmp);
}

static int put(const FloatAdm *s, unsigned index, double score, double aim, double num, double den,
               const double *sc, FeatureCollector *out)
{
    double adm3 = s->apply_hm ? 2 * score * aim / (score + aim)
                              : score * s->dlm_weight + (1 - aim) * (1 - s->dlm_weight);
    adm3 = adm3 > s->min_val ? adm3 : s->min_val;
    int err = collector_put(out, s->name[F_ADM2], index, score);
    if (!err) err = collector_put(out, s->name[F_AIM], index, aim);
    if (!err) err = collector_put(out, s->name[F_ADM3], index, adm3);
    for (int k = 0; k < N_SCALES && !err; k++)
        err = collector_put(out, s->name[F_SCALE0 + k], index, sc[2 * k] / sc[2 * k + 1]);
    if (err || !s->debug) return err;
    err = collector_put(out, s->name[F_ADM], index, score);
    if (!err) err = collector_put(out, s->name[F_NUM], index, num);
    if (!err) err = collector_put(out, s->name[F_DEN], index, den);
    for (int k = 0; k < 2 * N_SCALES && !err; k++)
        err = collector_put(out, s->name[F_NUM0 + k], index, sc[k]);
    return err;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatAdm *s = priv;
    float_load_luma(in->ref, s->ref, s->w, -128);
    float_load_luma(in->dis, s->dis, s->w, -128);
    const double limit = 1e-10 * (s->w * s->h) / (1920.0 * 1080.0);
    const float *ref = s->ref, *dis = s->dis;
    int w = (int)s->w, h = (int)s->h;
    double num = 0, den = 0, aim_num = 0, aim_den = 0, sc[2 * N_SCALES];
    for (int k = 0; k < N_SCALES; k++) {
        s->rb.a = s->ref_a[k & 1];
        s->db.a = s->dis_a[k & 1];
        float v[3];
        scale_sums(s, k, ref, dis, w, h, v);
        num += v[0];
        den += v[1];
        if (s->skip_aim != k) {
            aim_den += v[1];
            aim_num += v[2];
        }
        sc[2 * k] = v[0];
        sc[2 * k + 1] = v[1];
        ref = s->rb.a;
        dis = s->db.a;
        w = (w + 1) / 2;
        h = (h + 1) / 2;
    }
    num = num < limit ? 0 : num;
    den = den < limit ? 0 : den;
    double score = 1.0, aim = 0.0;
    if (den != 0.0) {
        const double r = aim_num / aim_den;
        aim = r < 1.0f ? r : 1.0f; /* AIM is normalised by the DLM denominator, at most 1 */
        score = num / den;
    }
    return put(s, in->index, score, aim, num, den, sc, out);
}

static void close_adm(void *priv)
{
    FloatAdm *s = priv;
    free(s->mem);
    s->mem = NULL;
}

const FeatureExtractor extractor_float_adm = {
    .name = "float_adm",
    .provides = provides,
    .options = options,
    .n_options = N_OPT,
    .flags = 0,
    .priv_size = sizeof(FloatAdm),
    .init = init,
    .extract = extract,
    .close = close_adm,
};
