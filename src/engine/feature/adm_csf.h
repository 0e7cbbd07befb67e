/* ADM contrast sensitivity: the per-level CSF weights of the detail bands under libvmaf's
 * four adm_csf_mode choices (spec section 4.5 for Watson's; the others follow libvmaf 3.2's
 * integer ADM), and the check that a choice of options can be computed exactly. */
#ifndef VMAFX_ENGINE_ADM_CSF_H
#define VMAFX_ENGINE_ADM_CSF_H

#include <stddef.h>

enum AdmCsfMode {
    ADM_CSF_WATSON = 0,    /* Watson et al. 1997 quantisation steps (the default) */
    ADM_CSF_BARTEN = 1,    /* Barten's CSF as simplified in HDR-VDP-2, times adm_csf_scale */
    ADM_CSF_BLEND = 2,     /* fixed Barten/Watson blend per viewing condition (VMAF v1) */
    ADM_CSF_BLEND_MAE = 3, /* the same, refitted (libvmaf's "v1.0.17+" tables) */
};

typedef struct AdmCsfParams {
    int mode;
    double nvd;               /* adm_norm_view_dist */
    int rdh;                  /* adm_ref_display_height */
    double scale, diag_scale; /* adm_csf_scale, adm_csf_diag_scale (Barten only) */
} AdmCsfParams;

/* Weights of DWT level 0..3: w[0] for the horizontal and vertical bands, w[1] diagonal. */
void adm_csf_weights(const AdmCsfParams *p, int level, float w[2]);

/* Watson et al. 1997's quantisation step of DWT level lambda, orientation theta (1: H and V,
 * 2: diagonal), libvmaf's dwt_quant_step with its float/double mix; the float ADM uses it
 * too. */
float adm_watson_step(int lambda, int theta, double nvd, int rdh);

/* 0 if the integer ADM can run with these options, else -EINVAL with the reason in why
 * (the table modes exist for nine viewing conditions only; Barten weights must fit the
 * fixed-point formats of the integer path, where libvmaf silently overflows or, from a
 * weight of 0.5 at levels 1-3, computes differently in its C and SIMD code). */
int adm_csf_check(const AdmCsfParams *p, char *why, size_t n);

#endif
